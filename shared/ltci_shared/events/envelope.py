"""The event envelope: CloudEvents 1.0 attributes plus a schema version."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_jsonable_python

from ltci_shared.events.base import IntegrationEvent, event_class


class UnknownEventType(ValueError):
    """The envelope names a type no contract is registered for."""


def random_id() -> str:
    """A random UUID (version 4) as text, as ``str(uuid.uuid4())`` gives (without building
    the UUID object: this runs once per event)."""
    h = os.urandom(16).hex()
    variant = "89ab"[int(h[16], 16) & 3]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"


SUBJECT_MAX = 100  # characters of an envelope's subject (the message key)


def _attributes(event: IntegrationEvent, event_id: str | None) -> dict[str, Any]:
    """The envelope's fields for ``event``, in declaration order (``wrap`` and ``encode``)."""
    kind = type(event)
    name = kind.event_type()
    return {
        "specversion": "1.0",
        "id": event_id or random_id(),
        "source": f"/ltci/{kind.producer}",
        "type": name,
        "time": datetime.now(UTC),
        "subject": event.key,
        "datacontenttype": "application/json",
        "dataschema": f"urn:ltci:event:{name}:v{kind.schema_version}",
        "schemaversion": kind.schema_version,
        "data": event.model_dump(mode="json"),
    }


class Envelope(BaseModel):
    """A CloudEvents 1.0 structured-mode event (JSON), with ``schemaversion`` as an extension."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=64)
    source: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=200)
    time: datetime
    subject: str = Field(min_length=1, max_length=SUBJECT_MAX)
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str
    schemaversion: int = Field(ge=1)
    data: dict[str, Any]

    @classmethod
    def wrap(cls, event: IntegrationEvent, *, event_id: str | None = None) -> Envelope:
        return cls(**_attributes(event, event_id))

    def payload(self) -> IntegrationEvent:
        """The typed payload; raises UnknownEventType or a pydantic ValidationError."""
        kind = event_class(self.type)
        if kind is None:
            raise UnknownEventType(f"no contract for event type {self.type!r}")
        return kind.model_validate(self.data)

    def to_bytes(self) -> bytes:
        """The envelope as JSON, as ``orjson.dumps(self.model_dump(mode="json"))`` gives, with
        ``data`` (JSON values already) encoded once rather than dumped again first."""
        if self.time.tzinfo is not UTC:  # not made by ``wrap``: the general path
            return orjson.dumps(self.model_dump(mode="json"))
        body = {name: getattr(self, name) for name in _FIELDS}
        # OPT_UTC_Z: the time as pydantic writes it; any value not JSON already, as pydantic
        return orjson.dumps(body, option=orjson.OPT_UTC_Z, default=to_jsonable_python)

    @classmethod
    def from_bytes(cls, raw: bytes | str) -> Envelope:
        return cls.model_validate_json(raw)


_FIELDS = tuple(Envelope.model_fields)  # in declaration order, as model_dump gives them


def encode(event: IntegrationEvent, *, event_id: str | None = None) -> tuple[str, str, str, bytes]:
    """(id, type, subject, JSON) of the event in its envelope: the bytes
    ``Envelope.wrap(event, event_id=...).to_bytes()`` gives, without building and validating
    the envelope model (this runs once for every event written). Raises ValueError for a
    subject the envelope would refuse."""
    body = _attributes(event, event_id)
    subject = body["subject"]
    if not 0 < len(subject) <= SUBJECT_MAX:
        raise ValueError(f"an event subject has 1 to {SUBJECT_MAX} characters")
    return body["id"], body["type"], subject, orjson.dumps(body, option=orjson.OPT_UTC_Z)
