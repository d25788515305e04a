"""Use cases of the one-stop medical-assistance settlement: settle a bill (idempotent by bill
id, the person's year counters locked), cancel it (reversal, counters restored), register a
designated hospital, follow up a high-cost alert."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ltci_settlement.adapters.ledger_repository import LedgerRepository
from ltci_settlement.adapters.onestop_repository import (
    OneStopRepository,
    counter_columns,
    counters_of,
)
from ltci_settlement.domain import onestop
from ltci_settlement.domain.facts import period_of
from ltci_settlement.domain.ledger import entry, reversal, stable_id
from ltci_settlement.domain.onestop_commands import (
    CancelSettlement,
    FollowUpAlert,
    RegisterHospital,
    SettleBill,
)
from ltci_settlement.domain.onestop_ledger import onestop_postings
from ltci_settlement.service_layer.onestop_context import BillContext, resolve_context
from ltci_settlement.service_layer.onestop_documents import settlement_document, settlement_view
from ltci_shared.errors import Conflict, InvalidInput, NotFound
from ltci_shared.money import from_fen, to_fen
from ltci_shared.policy import PolicyBook
from ltci_shared.uow import UnitOfWork

Row = dict[str, Any]


class BillConflict(Conflict):
    name = "bill_conflict"
    title = "This bill id was settled with different content"


class BillCancelled(Conflict):
    name = "bill_cancelled"
    title = "This bill was cancelled; settle the corrected bill under a new bill id"


class SettlementNotFound(NotFound):
    name = "settlement_not_found"
    title = "No such settlement"


class InvalidCancellation(InvalidInput):
    name = "invalid_cancellation"
    title = "The cancellation date is not possible"


class AlertNotFound(NotFound):
    name = "alert_not_found"
    title = "No such high-cost alert"


@dataclass(frozen=True)
class Settled:
    body: Row
    replayed: bool


def bill_hash(cmd: SettleBill) -> str:
    return hashlib.sha256(cmd.model_dump_json().encode()).hexdigest()


async def settle_bill(
    uow: UnitOfWork, book: PolicyBook, cmd: SettleBill, now: datetime | None = None
) -> Settled:
    """Settle one bill through basic, critical-illness and assistance in one transaction."""
    now = now or datetime.now(UTC)
    repo = OneStopRepository(uow.session)
    digest = bill_hash(cmd)
    facts = await repo.bill_facts(cmd.person_id, cmd.hospital_id, cmd.bill_id, cmd.service_to)
    if facts.settled and (found := await repo.by_bill(cmd.hospital_id, cmd.bill_id)):
        return _replay(found, digest)
    ctx = resolve_context(book, cmd, facts, now.date())
    before = await repo.lock_counters(cmd.person_id, ctx.year, ctx.region_code, now)
    bill = onestop.Bill(cmd.care_kind, cmd.total, cmd.in_policy, cmd.out_of_policy)
    result = onestop.settle(ctx.policy, bill, before, ctx.scope)
    after = before.plus(result.delta)
    settlement_id = stable_id("onestop", cmd.hospital_id, cmd.bill_id)
    made = _entry(settlement_id, cmd, ctx, result)
    warnings, new_alert = _high_cost(ctx, before, after)
    body = settlement_document(settlement_id, cmd, ctx, result, before, after, warnings)
    body.update(journal_entry_id=made.entry_id, settled_at=now.isoformat())
    if not await repo.add_settlement(_row(settlement_id, cmd, ctx, result, digest, body, now)):
        found = await repo.by_bill(cmd.hospital_id, cmd.bill_id)  # a concurrent twin won
        if found is None:
            raise Conflict("the bill is being settled by a concurrent request; retry")
        return _replay(found, digest)
    await repo.save_counters(cmd.person_id, ctx.year, after, now)
    await LedgerRepository(uow.session).post([made])
    if new_alert:
        await repo.add_alert_once(_alert(settlement_id, cmd, ctx, after, now))
    return Settled(body, replayed=False)


def _replay(found: Row, digest: str) -> Settled:
    if found["request_hash"] != digest:
        raise BillConflict(
            f"bill {found['bill_id']} of hospital {found['hospital_id']} was already settled "
            "with other amounts, dates or person",
            settlement_id=found["settlement_id"],
        )
    if found["status"] == "cancelled":
        raise BillCancelled(
            f"bill {found['bill_id']} was cancelled", settlement_id=found["settlement_id"]
        )
    return Settled(settlement_view(found), replayed=True)


def _entry(
    settlement_id: str, cmd: SettleBill, ctx: BillContext, result: onestop.OneStopResult
) -> Any:
    funds = [(layer.fund, layer.paid) for layer in result.layers]
    return entry(
        region_code=ctx.region_code,
        kind="onestop",
        source_key=f"onestop:{settlement_id}",
        period=period_of(cmd.service_to),
        memo=f"one-stop settlement of bill {cmd.bill_id} at {cmd.hospital_id}",
        postings=onestop_postings(
            settlement_id, cmd.person_id, cmd.hospital_id, funds, result.patient_total
        ),
    )


def _high_cost(
    ctx: BillContext, before: onestop.Counters, after: onestop.Counters
) -> tuple[list[Row], bool]:
    """A warning while year-to-date self-pay is above the region's line; a new alert (for
    follow-up) when this bill crosses it."""
    threshold = ctx.policy.high_cost_self_pay_threshold
    if threshold is None or after.self_pay <= threshold:
        return [], False
    crossing = before.self_pay <= threshold
    warning = {
        "code": "high_cost_self_pay",
        "detail": f"year-to-date self-pay {after.self_pay} is above the region's "
        f"high-cost line {threshold}; listed for follow-up",
        "threshold": format(threshold, "f"),
        "self_pay_ytd": format(after.self_pay, "f"),
        "new_alert": crossing,
    }
    return [warning], crossing


def _row(
    settlement_id: str,
    cmd: SettleBill,
    ctx: BillContext,
    result: onestop.OneStopResult,
    digest: str,
    body: Row,
    now: datetime,
) -> Row:
    basic, ci, assist = result.layers
    return {
        "settlement_id": settlement_id,
        "hospital_id": cmd.hospital_id,
        "bill_id": cmd.bill_id,
        "person_id": cmd.person_id,
        "region_code": ctx.region_code,
        "year": ctx.year,
        "period": period_of(cmd.service_to),
        "care_kind": cmd.care_kind,
        "service_from": cmd.service_from,
        "service_to": cmd.service_to,
        "recipient_class": ctx.scope.recipient_class,
        "recipient_category": ctx.category,
        "total_fen": to_fen(cmd.total),
        "basic_fen": to_fen(basic.paid),
        "critical_illness_fen": to_fen(ci.paid),
        "assistance_fen": to_fen(assist.paid),
        "patient_fen": to_fen(result.patient_total),
        "assistance_reason": assist.reason,
        "request_hash": digest,
        "delta": counter_columns(result.delta),
        "response": body,
        "policy_version": ctx.policy_version,
        "status": "settled",
        "entry_id": stable_id("entry", f"onestop:{settlement_id}"),
        "created_at": now,
    }


def _alert(
    settlement_id: str, cmd: SettleBill, ctx: BillContext, after: onestop.Counters, now: datetime
) -> Row:
    threshold = ctx.policy.high_cost_self_pay_threshold or Decimal(0)
    return {
        "alert_id": stable_id("high-cost", cmd.person_id, str(ctx.year)),
        "person_id": cmd.person_id,
        "year": ctx.year,
        "region_code": ctx.region_code,
        "threshold_fen": to_fen(threshold),
        "self_pay_fen": to_fen(after.self_pay),
        "settlement_id": settlement_id,
        "status": "open",
        "note": None,
        "created_at": now,
        "followed_up_at": None,
    }


async def cancel_settlement(
    uow: UnitOfWork, settlement_id: str, cmd: CancelSettlement, now: datetime | None = None
) -> Row:
    """Reverse a settlement's postings and give its counters back; cancelling twice is a no-op."""
    now = now or datetime.now(UTC)
    repo = OneStopRepository(uow.session)
    row = await repo.settlement(settlement_id)
    if row is None:
        raise SettlementNotFound(f"no settlement {settlement_id}")
    if row["status"] == "cancelled":
        return settlement_view(row)
    on = cmd.cancelled_on or now.date()
    if on > now.date() or on < row["service_from"]:
        raise InvalidCancellation("cancelled_on must be between the service start and today")
    counters = await repo.lock_counters(row["person_id"], row["year"], row["region_code"], now)
    row = await repo.settlement(settlement_id, lock=True)
    if row is None:
        raise SettlementNotFound(f"no settlement {settlement_id}")
    if row["status"] == "cancelled":  # a concurrent cancel won
        return settlement_view(row)
    restored = counters.plus(counters_of(row["delta"]), sign=-1)
    reversed_entry = _reversal(row, on)
    await LedgerRepository(uow.session).post([reversed_entry])
    await repo.save_counters(row["person_id"], row["year"], restored, now)
    values = {
        "reversal_entry_id": reversed_entry.entry_id,
        "cancelled_on": on,
        "cancel_reason": cmd.reason,
    }
    await repo.mark_cancelled(settlement_id, values)
    return settlement_view({**row, **values, "status": "cancelled"})


def _reversal(row: Row, on: date) -> Any:
    funds = [
        ("basic_medical", from_fen(row["basic_fen"])),
        ("critical_illness", from_fen(row["critical_illness_fen"])),
        ("medical_assistance", from_fen(row["assistance_fen"])),
    ]
    original = onestop_postings(
        row["settlement_id"],
        row["person_id"],
        row["hospital_id"],
        funds,
        from_fen(row["patient_fen"]),
    )
    return reversal(
        row["entry_id"],
        original,
        region_code=row["region_code"],
        period=period_of(on),
        key=f"onestop:{row['settlement_id']}",
        memo=f"cancellation of bill {row['bill_id']} at {row['hospital_id']}",
    )


async def register_hospital(uow: UnitOfWork, hospital_id: str, cmd: RegisterHospital) -> Row:
    """Register or update a hospital; its region decides in-area or out-of-area care."""
    values = {"hospital_id": hospital_id, **cmd.model_dump(), "updated_at": datetime.now(UTC)}
    await OneStopRepository(uow.session).save_hospital(values)
    return values


async def follow_up_alert(uow: UnitOfWork, alert_id: str, cmd: FollowUpAlert) -> Row:
    repo = OneStopRepository(uow.session)
    if await repo.alert(alert_id) is None:
        raise AlertNotFound(f"no high-cost alert {alert_id}")
    await repo.follow_up(alert_id, cmd.note, datetime.now(UTC))
    return await repo.alert(alert_id) or {}
