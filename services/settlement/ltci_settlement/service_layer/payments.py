"""Paying providers in batches (支付批次) and reconciling (对账) what was posted, paid and is
still owed, per provider and fund, to the fen.

A batch pays each provider's outstanding payable of a settled month (what month-end and
holdback releases credited, less earlier batches' items not failed): a second batch over the
same amounts finds nothing outstanding and is refused (409 ``nothing_outstanding``), so
nothing is paid twice. The bank's answer marks items paid (``PaymentRecorded``) or failed
(reversed: the payable is outstanding again for a later batch).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ltci_settlement.adapters.claims_repository import ClaimRepository
from ltci_settlement.adapters.ledger_repository import LedgerRepository
from ltci_settlement.adapters.payments_repository import PaymentRepository
from ltci_settlement.domain.facts import Period
from ltci_settlement.domain.ledger import stable_id
from ltci_settlement.domain.payment_commands import CreateBatch, RecordResults
from ltci_settlement.domain.payments import (
    PAYABLE,
    new_batch_id,
    outstanding_by_provider,
    payment_entry,
    payment_reversal,
    reconcile,
    totals,
)
from ltci_settlement.service_layer.month_end import resolve_region
from ltci_shared.errors import Conflict, InvalidInput, NotFound
from ltci_shared.events.contracts import PaymentRecorded
from ltci_shared.money import from_fen
from ltci_shared.policy import PolicyBook
from ltci_shared.uow import UnitOfWork

Row = dict[str, Any]


class PeriodNotSettled(Conflict):
    name, title = "period_not_settled", "The month has no completed month-end run"


class NothingOutstanding(Conflict):
    name, title = "nothing_outstanding", "Nothing is outstanding to pay"


class BatchNotFound(NotFound):
    name, title = "batch_not_found", "Payment batch not found"


class UnknownPaymentItem(InvalidInput):
    name, title = "unknown_payment_item", "Item not in this batch"


class ItemAlreadyAnswered(Conflict):
    name, title = "item_already_answered", "The bank already answered this item otherwise"


async def settled_scope(
    uow: UnitOfWork, book: PolicyBook, region_code: str, period: str
) -> tuple[str, str]:
    """(city region, month) locked against month-end runs, batches and releases of the same
    month; refused unless a month-end run of it has completed."""
    region, month = resolve_region(book, region_code), str(Period.parse(period))
    await ClaimRepository(uow.session).lock_period(region, month)
    if not await PaymentRepository(uow.session).period_settled(region, month):
        raise PeriodNotSettled(f"run month-end for {region} {month} before paying or releasing")
    return region, month


async def create_batch(uow: UnitOfWork, book: PolicyBook, cmd: CreateBatch) -> Row:
    """One item (and one balanced entry, payable → bank) per provider and fund owed."""
    region, period = await settled_scope(uow, book, cmd.region_code, cmd.period)
    repo = PaymentRepository(uow.session)
    owed = outstanding_by_provider(await repo.balances(region, period, PAYABLE, cmd.provider_ids))
    if not owed:
        raise NothingOutstanding(f"no provider payable outstanding for {region} {period}")
    batch_id, now = new_batch_id(), datetime.now(UTC)
    items: list[Row] = []
    entries = []
    for n, (provider_id, fund, fen) in enumerate(owed, 1):
        item = _item(batch_id, n, region, period, provider_id, fund, fen)
        made = payment_entry(item, from_fen(fen))
        entries.append(made)
        items.append({**item, "entry_id": made.entry_id})
    batch = {
        "batch_id": batch_id,
        "region_code": region,
        "period": period,
        "status": "sent",
        "provider_ids": sorted(set(cmd.provider_ids)) if cmd.provider_ids else None,
        "item_count": len(items),
        "total_fen": sum(fen for _, _, fen in owed),
        "created_at": now,
        "closed_at": None,
    }
    await LedgerRepository(uow.session).post(entries)
    await repo.add_batch(batch, items)
    return {**batch, "items": items}


def _item(
    batch_id: str, n: int, region: str, period: str, provider_id: str, fund: str, fen: int
) -> Row:
    return {
        "item_id": stable_id("payment-item", batch_id, str(n)),
        "batch_id": batch_id,
        "item_no": n,
        "region_code": region,
        "period": period,
        "provider_id": provider_id,
        "fund": fund,
        "amount_fen": fen,
        "status": "sent",
        "failure_reason": None,
        "bank_reference": None,
        "reversal_entry_id": None,
        "answered_at": None,
    }


async def record_results(uow: UnitOfWork, batch_id: str, cmd: RecordResults) -> Row:
    """Mark items paid (announced) or failed (reversed); answering an item again with the
    same status changes nothing. The batch closes when every item is answered."""
    repo = PaymentRepository(uow.session)
    batch = await repo.get_batch(batch_id)
    if batch is None:
        raise BatchNotFound(f"no payment batch {batch_id}")
    await ClaimRepository(uow.session).lock_period(batch["region_code"], batch["period"])
    items = {i["item_id"]: i for i in await repo.items_of(batch_id)}
    if unknown := [r.item_id for r in cmd.results if r.item_id not in items]:
        raise UnknownPaymentItem(f"not items of batch {batch_id}: {unknown[:5]}")
    now = datetime.now(UTC)
    for result in cmd.results:
        item = items[result.item_id]
        if item["status"] == result.status:
            continue
        if item["status"] != "sent":
            raise ItemAlreadyAnswered(f"item {item['item_no']} is already {item['status']}")
        values: Row = {"status": result.status, "answered_at": now}
        if result.status == "paid":
            values["bank_reference"] = result.bank_reference
            uow.record(_recorded({**item, **values}))
        else:
            made = payment_reversal(item, from_fen(item["amount_fen"]), result.reason or "")
            await LedgerRepository(uow.session).post([made])
            values.update(failure_reason=result.reason, reversal_entry_id=made.entry_id)
        await repo.answer_item(item["item_id"], **values)
        item.update(values)
    if batch["status"] == "sent" and all(i["status"] != "sent" for i in items.values()):
        batch.update(status="closed", closed_at=now)
        await repo.set_batch(batch_id, status="closed", closed_at=now)
    return {**batch, "items": sorted(items.values(), key=lambda i: i["item_no"])}


def _recorded(item: Row) -> PaymentRecorded:
    return PaymentRecorded(
        batch_id=item["batch_id"],
        item_id=item["item_id"],
        provider_id=item["provider_id"],
        region_code=item["region_code"],
        period=item["period"],
        fund=item["fund"],
        amount=from_fen(item["amount_fen"]),
        status="paid",
        bank_reference=item["bank_reference"],
    )


async def reconciliation(
    uow: UnitOfWork, book: PolicyBook, region_code: str, period: str, provider_id: str | None
) -> Row:
    """Per provider and fund: liabilities posted, holdback withheld, released, forfeited and
    still held, paid, in transit, failed, outstanding; ``balanced`` when posted = paid + in
    transit + outstanding + held + forfeited to the fen (payments taken from the items)."""
    region, month = resolve_region(book, region_code), str(Period.parse(period))
    repo = PaymentRepository(uow.session)
    rows = reconcile(
        await repo.ledger_sums(region, month, provider_id),
        await repo.item_sums(region, month, provider_id),
    )
    return {
        "region_code": region,
        "period": month,
        "provider_id": provider_id,
        "settled": await repo.period_settled(region, month),
        "rows": rows,
        "totals": totals(rows),
        "balanced": all(r.balanced for r in rows),
    }
