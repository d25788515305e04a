"""Ledger postings of one-stop settlements and of the recipients' premium subsidy, in the
fund ledger's conventions (debit positive; each fund balances; the ``individuals`` book holds
what patients owe providers)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ltci_settlement.domain.ledger import INDIVIDUALS, Posting

ASSISTANCE_FUND = "medical_assistance"


def hospital_party(hospital_id: str) -> str:
    """The ledger party of a hospital (kept apart from care providers' ids)."""
    return f"hospital:{hospital_id}"


def onestop_postings(
    settlement_id: str,
    person_id: str,
    hospital_id: str,
    fund_amounts: Sequence[tuple[str, Decimal]],
    patient: Decimal,
) -> list[Posting]:
    """Each layer's fund expense against its payable to the hospital; what the patient pays
    as owed by the person to the hospital. Every posting names the settlement."""
    party = hospital_party(hospital_id)
    out: list[Posting] = []
    for fund, amount in fund_amounts:
        if amount > 0:
            out.append(Posting(fund, "benefit_expense", "", amount, claim_line_id=settlement_id))
            out.append(
                Posting(fund, "provider_payable", party, -amount, claim_line_id=settlement_id)
            )
    if patient > 0:
        out.append(
            Posting(
                INDIVIDUALS, "due_from_individual", person_id, patient, claim_line_id=settlement_id
            )
        )
        out.append(
            Posting(INDIVIDUALS, "owed_to_provider", party, -patient, claim_line_id=settlement_id)
        )
    return out


def premium_subsidy_postings(
    fund: str, payer: str, person_id: str | None, amount: Decimal, event_id: str
) -> list[Posting]:
    """The medical-assistance fund's side of a recipient's premium paid by the government
    (资助参保): its expense against its bank, beside the receiving fund's contribution income.
    Nothing for other payers, or when the receiving fund is the assistance fund itself."""
    if payer != "assistance_subsidy" or fund == ASSISTANCE_FUND or amount == 0:
        return []
    return [
        Posting(
            ASSISTANCE_FUND, "premium_subsidy_expense", person_id or "", amount, event_id=event_id
        ),
        Posting(ASSISTANCE_FUND, "bank", "", -amount, event_id=event_id),
    ]
