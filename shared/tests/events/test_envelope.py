"""The CloudEvents envelope round-trips and carries no personal data beyond internal ids."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import orjson
import pytest
from pydantic import ValidationError

from ltci_shared.events.base import IntegrationEvent
from ltci_shared.events.contracts import ContributionPosted, PersonEnrolled, ServiceVisitLogged
from ltci_shared.events.envelope import Envelope, UnknownEventType, encode, random_id

CN = timezone(timedelta(hours=8))


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


def test_encode_gives_the_wrapped_envelope_as_json() -> None:
    """The outbox's encoder (no envelope model built) writes what ``wrap`` and ``to_bytes``
    write: the same fields in the same order, the time in UTC with a Z."""
    event = _event()
    identifier, name, subject, raw = encode(event, event_id="e-1")
    wrapped = Envelope.wrap(event, event_id="e-1")
    assert (identifier, name, subject) == (wrapped.id, wrapped.type, wrapped.subject)
    ours, theirs = orjson.loads(raw), orjson.loads(wrapped.to_bytes())
    assert list(ours) == list(theirs)
    assert ours.pop("time").endswith("Z") and theirs.pop("time").endswith("Z")
    assert ours == theirs
    again = Envelope.from_bytes(raw)
    assert again.payload() == event and again.time.tzinfo is not None
    assert encode(event)[0] != encode(event)[0]  # a new id each time when none is given


def test_encode_refuses_a_subject_the_envelope_refuses() -> None:
    for person_id in ("", "p" * 101):
        event = _event().model_copy(update={"person_id": person_id})
        with pytest.raises(ValidationError):
            Envelope.wrap(event)
        with pytest.raises(ValueError, match="subject"):
            encode(event)


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


def _visit_logged(i: int) -> ServiceVisitLogged:
    begin = datetime(2026, 3, 2, 1, 0, i, i * 1000 % 1_000_000, tzinfo=UTC)
    return ServiceVisitLogged(
        visit_id=f"v-{i}",
        provider_id="pr-1",
        person_id=f"p-{i}",
        caregiver_id="c-1",
        plan_id=None if i % 2 else "plan-1",
        region_code="320902",
        service_form="home_visit",
        service_date=date(2026, 3, 2),
        begin_at=begin,
        end_at=begin + timedelta(minutes=55),
        items=["ADL01", "老人"][: 1 + i % 2],
        verified=i % 3 == 0,
        exceptions=[] if i % 3 == 0 else ["outside_fence", "manual_entry"][: i % 3],
        duration_minutes=55,
        external_visit_id=f"HIS-{i}\u2028",
    )


def test_to_bytes_is_the_model_dump_encoded() -> None:
    """``to_bytes`` encodes the data once; the bytes are those of the full model dump."""
    events: list[IntegrationEvent] = [_event(), *(_visit_logged(i) for i in range(12))]
    events.append(
        ContributionPosted(
            contribution_id="c-1",
            region_code="320900",
            fund="resident_ltc",
            payer="fiscal",
            year=2026,
            amount=Decimal("0.10"),
            posted_on=date(2026, 3, 1),
        )
    )
    envelopes = [Envelope.wrap(e) for e in events]
    again = envelopes[1].model_copy
    envelopes.append(again(update={"time": datetime(2026, 3, 2, 9, 0, 0, 0, UTC)}))
    envelopes.append(again(update={"time": datetime(2026, 3, 2, 9, tzinfo=CN)}))
    envelopes += [Envelope.from_bytes(env.to_bytes()) for env in envelopes]
    for env in envelopes:
        assert env.to_bytes() == orjson.dumps(env.model_dump(mode="json"))
    assert b'"time":"2026-03-02T09:00:00Z"' in envelopes[-2 - len(envelopes) // 2].to_bytes()


def test_event_ids_are_random_uuid4() -> None:
    ids = [random_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert (str(parsed), parsed.version, parsed.variant) == (text, 4, uuid.RFC_4122)
    assert {text[19] for text in ids} == set("89ab")
