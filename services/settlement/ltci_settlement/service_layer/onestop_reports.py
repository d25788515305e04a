"""Read side of the one-stop settlement: a hospital's monthly statement from the ledger, the
dashboard's statistics by month and recipient class, a person's year counters."""

from __future__ import annotations

from typing import Any

from ltci_settlement.adapters.onestop_repository import OneStopRepository
from ltci_settlement.adapters.policy import pack_region
from ltci_settlement.domain.onestop import Counters
from ltci_settlement.domain.onestop_ledger import hospital_party
from ltci_settlement.service_layer.onestop_documents import counters_document
from ltci_shared.money import from_fen
from ltci_shared.uow import UnitOfWork

Row = dict[str, Any]
_AMOUNTS = ("total", "basic", "critical_illness", "assistance", "patient")


async def hospital_statement(uow: UnitOfWork, hospital_id: str, period: str) -> Row:
    """Payables to the hospital by fund and what its patients paid, net of cancellations
    posted in the month, from the ledger's postings."""
    repo = OneStopRepository(uow.session)
    sums = await repo.hospital_postings(hospital_party(hospital_id), period)
    counts = await repo.hospital_counts(hospital_id, period)
    payable = {
        r["fund"]: from_fen(-int(r["amount"])) for r in sums if r["account"] == "provider_payable"
    }
    patients = sum(
        (from_fen(-int(r["amount"])) for r in sums if r["account"] == "owed_to_provider"),
        from_fen(0),
    )
    return {
        "hospital_id": hospital_id,
        "period": period,
        "payable_by_fund": dict(sorted(payable.items())),
        "funds_total": sum(payable.values(), from_fen(0)),
        "patients_total": patients,
        "bills": int(counts["settled"]),
        "cancelled": int(counts["cancelled"]),
    }


async def statistics(uow: UnitOfWork, region_code: str, year: int) -> Row:
    repo = OneStopRepository(uow.session)
    region_code = pack_region(region_code)
    rows = await repo.statistics(region_code, year)
    open_alerts = await repo.open_alert_count(region_code, year)
    return {
        "region_code": region_code,
        "year": year,
        "rows": [
            {
                "period": r["period"],
                "recipient_class": r["recipient_class"],
                "settlements": int(r["settlements"]),
                "persons": int(r["persons"]),
                **{name: from_fen(int(r[name] or 0)) for name in _AMOUNTS},
            }
            for r in rows
        ],
        "open_alerts": open_alerts,
    }


async def person_counters(uow: UnitOfWork, person_id: str, year: int) -> Row:
    counters = await OneStopRepository(uow.session).counters(person_id, year)
    return {
        "person_id": person_id,
        "year": year,
        "counters": counters_document(counters or Counters()),
    }
