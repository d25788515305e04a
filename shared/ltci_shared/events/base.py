"""Base class and registry of integration-event payloads (immutable, versioned contracts)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

EVENT_TYPES: dict[str, type[IntegrationEvent]] = {}


class IntegrationEvent(BaseModel):
    """A fact one service tells the others, named in the past tense.

    ``producer`` is the publishing service (it picks the topic), ``schema_version`` the
    contract version, ``key_field`` the payload field used as subject and message key
    (the insured person's internal id wherever there is one, so one person's events stay
    in order). Payloads carry internal ids only: never a resident ID number or a name.
    Unknown fields are ignored on read, so adding an optional field is backward compatible.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    producer: ClassVar[str]
    schema_version: ClassVar[int] = 1
    key_field: ClassVar[str] = "person_id"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__name__.startswith("_"):
            return  # an abstract grouping (one per producer), not a contract
        if cls.__name__ in EVENT_TYPES:
            raise TypeError(f"event type {cls.__name__} registered twice")
        EVENT_TYPES[cls.__name__] = cls

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__

    @property
    def key(self) -> str:
        return str(getattr(self, self.key_field))


def event_class(event_type: str) -> type[IntegrationEvent] | None:
    """The payload class registered for ``event_type``, or None for an unknown type."""
    _load_contracts()
    return EVENT_TYPES.get(event_type)


def _load_contracts() -> None:
    import ltci_shared.events.contracts  # noqa: F401  (registers the classes)
