"""Yearly fund collection: charges per member and payer from the policy, receipts, arrears.

A run computes what each payer owes for each member insured in the region on the reference
date; it works in chunks, one transaction each, and records its progress. Charges are unique
by (year, person, payer, fund), so a rerun (or a run resumed after a crash) never charges
twice. Every receipt posts a ContributionPosted event that settlement books as fund income.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from ltci_enrollment.adapters.collection_repo import CollectionRepository
from ltci_enrollment.adapters.repository import AssistanceRepository, MembershipRepository
from ltci_enrollment.domain.commands import (
    RecordDonation,
    RecordReceipt,
    SettlePayer,
    StartCollectionRun,
)
from ltci_enrollment.domain.contributions import charges_for
from ltci_enrollment.service_layer.deps import Deps
from ltci_shared.errors import Conflict, InvalidInput, NotFound
from ltci_shared.events.contracts import ContributionPosted
from ltci_shared.policy import ContributionPolicy
from ltci_shared.uow import UnitOfWork

log = logging.getLogger(__name__)
CHUNK = 1000


class CollectionRunInProgress(Conflict):
    name = "collection_run_in_progress"
    title = "A collection run for this region and year is in progress"


class Overpayment(InvalidInput):
    name = "overpayment"
    title = "The amount is more than what is outstanding"


class ReferenceReused(Conflict):
    name = "receipt_reference_reused"
    title = "The receipt reference was used for another payment"


async def start_run(
    uow: UnitOfWork, cmd: StartCollectionRun, deps: Deps, as_of: date
) -> dict[str, Any]:
    deps.check_region(cmd.region_code)
    policy = deps.book.in_force(cmd.region_code, ContributionPolicy, as_of)
    repo = CollectionRepository(uow.session)
    if running := await repo.running(cmd.region_code, cmd.year):
        raise CollectionRunInProgress("wait for it to finish", run_id=running["run_id"])
    run = {
        "run_id": str(uuid.uuid4()),
        "region_code": cmd.region_code,
        "year": cmd.year,
        "status": "running",
        "policy_version": policy.version_id(deps.book.region(cmd.region_code).code),
        "members_total": await MembershipRepository(uow.session).count_members(
            cmd.region_code, as_of
        ),
        "members_done": 0,
        "charges_created": 0,
        "charges_existing": 0,
        "started_at": deps.now(),
    }
    await CollectionRepository(uow.session).add_run(run)
    return run


async def collect_chunk(
    uow: UnitOfWork, run_id: str, deps: Deps, as_of: date, after: str | None
) -> str | None:
    """Charge the next chunk of members; returns the last person id, None when done."""
    repo = CollectionRepository(uow.session)
    run = await repo.run(run_id)
    assert run is not None
    members = await MembershipRepository(uow.session).members(
        run["region_code"], as_of, after=after, limit=CHUNK
    )
    if not members:
        await repo.update_run(run_id, status="completed", finished_at=deps.now())
        return None
    policy = deps.book.in_force(run["region_code"], ContributionPolicy, as_of)
    ids = [m["person_id"] for m in members]
    categories = await AssistanceRepository(uow.session).active_categories(ids, as_of)
    existing = await repo.existing_keys(run["year"], ids)
    rows, skipped, now = [], 0, deps.now()
    for m in members:
        for charge in charges_for(
            policy,
            scheme=m["scheme"],
            birth_date=m["birth_date"],
            year=run["year"],
            categories=categories.get(m["person_id"], set()),
        ):
            if (m["person_id"], charge.payer, charge.fund) in existing:
                skipped += 1
                continue
            rows.append(
                {
                    "charge_id": str(uuid.uuid4()),
                    "person_id": m["person_id"],
                    "region_code": m["region_code"],
                    "year": run["year"],
                    "scheme": m["scheme"],
                    "payer": charge.payer,
                    "fund": charge.fund,
                    "channel": charge.channel,
                    "amount": charge.amount,
                    "received": Decimal(0),
                    "policy_version": run["policy_version"],
                    "run_id": run_id,
                    "created_at": now,
                }
            )
    await repo.add_charges(rows)
    await repo.update_run(
        run_id,
        members_done=run["members_done"] + len(members),
        charges_created=run["charges_created"] + len(rows),
        charges_existing=run["charges_existing"] + skipped,
    )
    return str(ids[-1])


async def execute_run(
    uow_factory: Callable[[], UnitOfWork], run_id: str, deps: Deps, as_of: date
) -> None:
    """Work through a run chunk by chunk (one transaction each); a failure is recorded."""
    after: str | None = None
    try:
        while True:
            async with uow_factory() as uow:
                after = await collect_chunk(uow, run_id, deps, as_of, after)
                await uow.commit()
            if after is None:
                return
    except Exception as exc:
        log.exception("collection run %s failed", run_id)
        async with uow_factory() as uow:
            await CollectionRepository(uow.session).update_run(
                run_id, status="failed", error=type(exc).__name__, finished_at=deps.now()
            )
            await uow.commit()


def _posted(receipt: dict[str, Any]) -> ContributionPosted:
    return ContributionPosted(
        contribution_id=receipt["receipt_id"],
        person_id=receipt["person_id"],
        region_code=receipt["region_code"],
        fund=receipt["fund"],
        payer=receipt["payer"],
        year=receipt["year"],
        amount=receipt["amount"],
        posted_on=receipt["received_on"],
    )


async def record_receipt(uow: UnitOfWork, cmd: RecordReceipt, deps: Deps) -> dict[str, Any]:
    repo = CollectionRepository(uow.session)
    if existing := await repo.receipt_by_reference(cmd.reference):
        if existing["charge_id"] == cmd.charge_id and existing["amount"] == cmd.amount:
            return existing  # the same receipt again: nothing new
        raise ReferenceReused(f"reference {cmd.reference} was used for another payment")
    charge = await repo.charge(cmd.charge_id, lock=True)
    if charge is None:
        raise NotFound(f"no charge {cmd.charge_id}")
    outstanding = charge["amount"] - charge["received"]
    if cmd.amount > outstanding:
        raise Overpayment(f"only {outstanding} is outstanding", outstanding=str(outstanding))
    receipt = {
        "receipt_id": str(uuid.uuid4()),
        "charge_id": charge["charge_id"],
        "person_id": charge["person_id"],
        "region_code": charge["region_code"],
        "year": charge["year"],
        "payer": charge["payer"],
        "fund": charge["fund"],
        "amount": cmd.amount,
        "received_on": cmd.received_on,
        "reference": cmd.reference,
        "created_at": deps.now(),
    }
    await repo.add_receipts([receipt])
    await repo.add_received(charge["charge_id"], cmd.amount)
    uow.record(_posted(receipt))
    return receipt


async def settle_payer(uow: UnitOfWork, cmd: SettlePayer, deps: Deps) -> dict[str, Any]:
    """One bulk transfer pays every outstanding charge of the payer: a receipt per charge,
    one ContributionPosted per fund. Safe to repeat: paid charges are not outstanding."""
    deps.check_region(cmd.region_code)
    repo = CollectionRepository(uow.session)
    charges = await repo.outstanding(cmd.region_code, cmd.year, cmd.payer)
    now = deps.now()
    receipts = [
        {
            "receipt_id": str(uuid.uuid4()),
            "charge_id": ch["charge_id"],
            "person_id": ch["person_id"],
            "region_code": ch["region_code"],
            "year": cmd.year,
            "payer": cmd.payer,
            "fund": ch["fund"],
            "amount": ch["amount"] - ch["received"],
            "received_on": cmd.received_on,
            "reference": f"{cmd.reference}:{ch['charge_id']}",
            "created_at": now,
        }
        for ch in charges
    ]
    await repo.add_receipts(receipts)
    await repo.mark_paid([ch["charge_id"] for ch in charges])
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for r in receipts:
        totals[r["fund"]] += r["amount"]
    for fund, amount in sorted(totals.items()):
        uow.record(
            ContributionPosted(
                contribution_id=str(uuid.uuid4()),
                region_code=cmd.region_code,
                fund=fund,
                payer=cmd.payer,
                year=cmd.year,
                amount=amount,
                posted_on=cmd.received_on,
            )
        )
    return {
        "charges_paid": len(receipts),
        "by_fund": {fund: str(amount) for fund, amount in sorted(totals.items())},
    }


async def record_donation(uow: UnitOfWork, cmd: RecordDonation, deps: Deps) -> dict[str, Any]:
    deps.check_region(cmd.region_code)
    repo = CollectionRepository(uow.session)
    if existing := await repo.receipt_by_reference(cmd.reference):
        if existing["amount"] == cmd.amount and existing["payer"] == "donation":
            return existing
        raise ReferenceReused(f"reference {cmd.reference} was used for another payment")
    receipt = {
        "receipt_id": str(uuid.uuid4()),
        "charge_id": None,
        "person_id": None,
        "region_code": cmd.region_code,
        "year": cmd.year,
        "payer": "donation",
        "fund": cmd.fund,
        "amount": cmd.amount,
        "received_on": cmd.received_on,
        "reference": cmd.reference,
        "created_at": deps.now(),
    }
    await repo.add_receipts([receipt])
    uow.record(_posted(receipt))
    return receipt


async def summary(uow: UnitOfWork, region_code: str, year: int) -> list[dict[str, Any]]:
    rows = await CollectionRepository(uow.session).summary(region_code, year)
    return [
        {**r, "outstanding": r["due"] - r["received"], "due": r["due"], "received": r["received"]}
        for r in rows
    ]
