"""The event envelope: CloudEvents 1.0 attributes plus a schema version."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from ltci_shared.events.base import IntegrationEvent, event_class


class UnknownEventType(ValueError):
    """The envelope names a type no contract is registered for."""


class Envelope(BaseModel):
    """A CloudEvents 1.0 structured-mode event (JSON), with ``schemaversion`` as an extension."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=64)
    source: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=200)
    time: datetime
    subject: str = Field(min_length=1, max_length=100)
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str
    schemaversion: int = Field(ge=1)
    data: dict[str, Any]

    @classmethod
    def wrap(cls, event: IntegrationEvent, *, event_id: str | None = None) -> Envelope:
        kind = type(event)
        return cls(
            id=event_id or str(uuid.uuid4()),
            source=f"/ltci/{kind.producer}",
            type=kind.event_type(),
            time=datetime.now(UTC),
            subject=event.key,
            dataschema=f"urn:ltci:event:{kind.event_type()}:v{kind.schema_version}",
            schemaversion=kind.schema_version,
            data=event.model_dump(mode="json"),
        )

    def payload(self) -> IntegrationEvent:
        """The typed payload; raises UnknownEventType or a pydantic ValidationError."""
        kind = event_class(self.type)
        if kind is None:
            raise UnknownEventType(f"no contract for event type {self.type!r}")
        return kind.model_validate(self.data)

    def to_bytes(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json"))

    @classmethod
    def from_bytes(cls, raw: bytes | str) -> Envelope:
        return cls.model_validate_json(raw)
