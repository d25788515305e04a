"""Pure rules of the gateway: key rotation windows, secrets, audit person ids, token buckets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.exceptions import InvalidTag

from ltci_gateway.domain import audit, keys, ratelimit, secrets
from ltci_gateway.domain.clients import ClientSpec

T0 = datetime(2026, 11, 1, tzinfo=UTC)
RETENTION = timedelta(minutes=11)


def _key(kid: str, activates: datetime) -> keys.KeyRecord:
    return keys.KeyRecord(kid, "x", "y", activates, activates, 1)


def test_a_key_signs_from_its_activation_and_stays_published_until_its_tokens_expire() -> None:
    old, new = _key("old", T0), _key("new", T0 + timedelta(hours=1))
    ring = [old, new]
    before = T0 + timedelta(minutes=30)
    assert keys.signing_key(ring, before) == old
    assert keys.published(ring, before, RETENTION) == [old, new], "published before it signs"
    assert keys.status(ring, new, before, RETENTION) == "pending"
    switched = T0 + timedelta(hours=1, minutes=5)
    assert keys.signing_key(ring, switched) == new
    assert keys.status(ring, old, switched, RETENTION) == "retiring"
    later = T0 + timedelta(hours=1, minutes=12)
    assert keys.published(ring, later, RETENTION) == [new]
    assert keys.status(ring, old, later, RETENTION) == "retired"


def test_private_keys_are_encrypted_and_bound_to_their_key_id() -> None:
    record = keys.new_key("s" * 32, T0, T0, 1)
    assert keys.private_key(record, "s" * 32).public_key()
    with pytest.raises(InvalidTag):
        keys.private_key(record, "t" * 32)
    with pytest.raises(InvalidTag):
        keys.private_key(keys.KeyRecord("other", *list(record.__dict__.values())[1:]), "s" * 32)


def test_secrets_are_salted_hashes_compared_in_constant_time() -> None:
    one, two = secrets.hash_secret("hunter2", 10), secrets.hash_secret("hunter2", 10)
    assert one != two and "hunter2" not in one
    assert secrets.verify_secret("hunter2", one) and not secrets.verify_secret("hunter3", one)
    assert not secrets.verify_secret("hunter2", "md5$abc") and not secrets.verify_secret("x", "")


def test_person_ids_come_from_path_query_json_and_csv() -> None:
    assert audit.in_path("/enrollment/persons/p-1/coverage", {}) == ["p-1"]
    assert audit.in_path("/settlement/claims/c-1/lines", {"person_id": "p-2"}) == ["p-2"]
    assert audit.in_path("/enrollment/persons", {}) == []
    body = {
        "items": [{"person_id": "p-1", "lines": [{"person_id": "p-3"}]}],
        "x": {"person_ids": ["p-4"]},
    }
    assert sorted(audit.in_json(body)) == ["p-1", "p-3", "p-4"]
    assert audit.in_json({"person_id": "'; drop table"}) == []
    assert audit.in_csv("line_no,person_id\n1,p-5\n2,p-5\n3,p-6\n") == ["p-5", "p-6"]
    assert (audit.action_of("PATCH"), audit.outcome_of(403), audit.outcome_of(201)) == (
        "update",
        "denied",
        "ok",
    )


def test_a_bucket_refills_at_its_rate_up_to_its_burst() -> None:
    assert ratelimit.refill(0.0, 100.0, 102.0, 0.5, 10) == 1.0
    assert ratelimit.refill(9.0, 100.0, 200.0, 1.0, 10) == 10.0
    assert ratelimit.refill(5.0, 100.0, 90.0, 1.0, 10) == 5.0, "a clock going back adds nothing"
    assert ratelimit.retry_after(0.25, 0.5) == 2


async def test_memory_buckets_allow_the_burst_then_ask_to_wait() -> None:
    buckets = ratelimit.MemoryBuckets()
    answers = [await buckets.take("c", 1.0, 2, 100.0) for _ in range(3)]
    assert answers == [None, None, 1]
    assert await buckets.take("c", 1.0, 2, 101.0) is None


@pytest.mark.parametrize(
    "spec",
    [
        {"role": "tpa", "regions": ["320900"]},
        {"role": "provider", "provider_id": "p-1"},
        {"role": "dashboard"},
    ],
)
def test_tenancy_fits_the_role(spec: dict[str, object]) -> None:
    assert ClientSpec.model_validate({"name": "x", **spec}).role == spec["role"]
