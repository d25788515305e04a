"""The insured-persons read model fed by enrollment's events through the real consumer (inbox):
duplicates have one effect; death and the end of insurance end eligibility at once."""

from __future__ import annotations

from datetime import date

from ltci_shared.events.contracts import (
    EnrollmentEnded,
    MembershipChanged,
    MembershipPeriod,
    PersonUpdated,
)
from ltci_shared.messaging.consumer import Outcome

from ..support import PERSON, REGION, SEVERE, Driver, enrolled, feed, outbox


def _periods(*spans: tuple[str, str, str, str | None, str | None]) -> list[MembershipPeriod]:
    return [
        MembershipPeriod(
            scheme=scheme,  # type: ignore[arg-type]
            region_code=region,
            valid_from=date.fromisoformat(start),
            valid_until=date.fromisoformat(end) if end else None,
            end_reason=reason,  # type: ignore[arg-type]
        )
        for scheme, region, start, end, reason in spans
    ]


def _moved(periods: list[MembershipPeriod]) -> MembershipChanged:
    return MembershipChanged(
        person_id=PERSON, change="region_move", effective_on=date(2025, 9, 1), periods=periods
    )


async def _granted(driver: Driver) -> dict[str, object]:
    await driver.to_final(await driver.apply(), SEVERE)
    [window] = await outbox(driver.app, "EligibilityGranted")
    return window


async def test_the_same_event_twice_has_one_effect(driver: Driver) -> None:
    event = enrolled("p-7", since="2024-01-01")
    assert await feed(driver.app, event, event_id="e-1") == Outcome.APPLIED
    assert await feed(driver.app, event, event_id="e-1") == Outcome.DUPLICATE
    assert await feed(driver.app, event, event_id="e-2") == Outcome.APPLIED  # redelivered anew
    person = (await driver.client.get("/persons/p-7?on=2024-01-01")).json()
    assert len(person["periods"]) == 1 and person["insured"] is True
    assert (await driver.client.get("/persons/p-7?on=2023-12-31")).json()["insured"] is False


async def test_membership_history_replaces_the_periods(driver: Driver) -> None:
    history = _periods(
        ("resident", REGION, "2023-01-01", "2024-12-31", "scheme_change"),
        ("employee", "320903", "2025-01-01", None, None),
    )
    change = MembershipChanged(
        person_id=PERSON, change="scheme_change", effective_on=date(2025, 1, 1), periods=history
    )
    for _ in range(2):
        assert await feed(driver.app, change) == Outcome.APPLIED
    person = (await driver.client.get(f"/persons/{PERSON}?on=2025-02-01")).json()
    assert [p["scheme"] for p in person["periods"]] == ["resident", "employee"]
    assert (person["insured"], person["scheme"]) == (True, "employee")


async def test_death_ends_the_window_at_once_and_only_once(driver: Driver) -> None:
    window = await _granted(driver)
    died = PersonUpdated(
        person_id=PERSON, version=2, region_code=REGION, changed_fields=["died_on"],
        died_on=date(2025, 6, 1),
    )  # fmt: skip
    assert await feed(driver.app, died, event_id="d-1") == Outcome.APPLIED
    assert await feed(driver.app, died, event_id="d-1") == Outcome.DUPLICATE
    assert await feed(driver.app, died, event_id="d-2") == Outcome.APPLIED  # same version: no-op
    revoked = await outbox(driver.app, "EligibilityRevoked")
    assert [(r["eligibility_id"], r["reason"], r["ended_on"]) for r in revoked] == [
        (window["eligibility_id"], "death", "2025-06-01")
    ]
    view = (await driver.client.get(f"/eligibilities/{window['eligibility_id']}")).json()
    assert (view["ended_on"], view["end_reason"]) == ("2025-06-01", "death")
    active = await driver.client.get("/eligibilities?active_on=2025-06-02")
    assert active.json()["items"] == []


async def test_moving_out_of_the_city_ends_the_window_a_scheme_change_does_not(
    driver: Driver,
) -> None:
    window = await _granted(driver)
    await feed(
        driver.app,
        _moved(
            _periods(
                ("resident", REGION, "2023-01-01", "2025-05-31", "scheme_change"),
                ("employee", "320903", "2025-06-01", None, None),
            )
        ),
    )
    assert await outbox(driver.app, "EligibilityRevoked") == []
    await feed(
        driver.app,
        _moved(
            _periods(
                ("resident", REGION, "2023-01-01", "2025-05-31", "scheme_change"),
                ("employee", "320903", "2025-06-01", "2025-08-31", "region_move"),
                ("employee", "220102", "2025-09-01", None, None),
            )
        ),
    )
    revoked = await outbox(driver.app, "EligibilityRevoked")
    assert [(r["eligibility_id"], r["reason"], r["ended_on"]) for r in revoked] == [
        (window["eligibility_id"], "enrollment_ended", "2025-08-31")
    ]


async def test_enrollment_ended_by_death_withdraws_open_applications(driver: Driver) -> None:
    app_id = await driver.apply()
    ended = EnrollmentEnded(
        person_id=PERSON, region_code=REGION, scheme="resident", ended_on=date(2025, 3, 4),
        reason="death",
    )  # fmt: skip
    assert await feed(driver.app, ended) == Outcome.APPLIED
    app = (await driver.client.get(f"/applications/{app_id}")).json()
    assert app["status"] == "withdrawn"
    steps = (await driver.client.get(f"/applications/{app_id}/transitions")).json()["items"]
    assert steps[-1]["actor"] == "system:enrollment-events" and "death" in steps[-1]["reason"]
    person = (await driver.client.get(f"/persons/{PERSON}?on=2025-03-05")).json()
    assert (person["died_on"], person["insured"]) == ("2025-03-04", False)
