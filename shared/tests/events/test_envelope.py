"""The CloudEvents envelope round-trips and carries no personal data beyond internal ids."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from ltci_shared.events.contracts import ContributionPosted, PersonEnrolled
from ltci_shared.events.envelope import Envelope, UnknownEventType


def _event() -> PersonEnrolled:
    return PersonEnrolled(
        person_id="p-1",
        region_code="320900",
        scheme="employee",
        valid_from=date(2026, 1, 1),
        birth_date=date(1950, 2, 3),
        sex="M",
    )


def test_wrap_sets_the_cloudevents_attributes_and_round_trips() -> None:
    env = Envelope.wrap(_event())
    assert (env.specversion, env.source, env.type, env.subject) == (
        "1.0",
        "/ltci/enrollment",
        "PersonEnrolled",
        "p-1",
    )
    assert env.schemaversion == 1 and env.dataschema == "urn:ltci:event:PersonEnrolled:v1"
    again = Envelope.from_bytes(env.to_bytes())
    assert again == env
    assert again.payload() == _event()


def test_money_travels_as_an_exact_string() -> None:
    event = ContributionPosted(
        contribution_id="c-1",
        region_code="320900",
        fund="resident_ltc",
        payer="fiscal",
        year=2026,
        amount="1234.50",
        posted_on=date(2026, 3, 1),
    )
    env = Envelope.wrap(event)
    assert env.data["amount"] == "1234.50"
    assert env.subject == "c-1"


def test_unknown_type_and_bad_payload_are_refused() -> None:
    env = Envelope.wrap(_event())
    with pytest.raises(UnknownEventType):
        env.model_copy(update={"type": "NoSuchEvent"}).payload()
    with pytest.raises(ValidationError):
        env.model_copy(update={"data": {**env.data, "region_code": "32"}}).payload()
    with pytest.raises(ValidationError):
        Envelope.from_bytes(b'{"specversion": "0.3"}')
