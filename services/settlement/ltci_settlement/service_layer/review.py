"""TPA review (承办机构审核) of claim lines: approve a held line (it is posted), adjust its shares
or reject it. A reviewed line is never edited: it is reversed and a new line takes its place."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ltci_settlement.adapters.claims_repository import ClaimRepository
from ltci_settlement.domain.ledger import stable_id
from ltci_settlement.domain.reasons import TITLES, Reason
from ltci_settlement.service_layer.settle import post_lines, reverse_line
from ltci_shared.errors import Conflict, InvalidInput, NotFound
from ltci_shared.money import NonNegativeMoney, to_fen
from ltci_shared.policy import BenefitPolicy, PolicyBook, PolicyNotInForce
from ltci_shared.uow import UnitOfWork

Row = dict[str, Any]


class ReviewLine(BaseModel):
    """A TPA decision on one claim line."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"action": "approve", "reason": "documents checked"},
                {
                    "action": "adjust",
                    "reason": "visit shorter than recorded",
                    "fund_amount": "40.00",
                    "person_amount": "5.00",
                },
                {"action": "reject", "reason": "family confirms no visit that day"},
            ]
        },
    )

    action: Literal["approve", "adjust", "reject"]
    reason: str = Field(min_length=1, max_length=500)
    fund_amount: NonNegativeMoney | None = None
    person_amount: NonNegativeMoney | None = None


class LineNotReviewable(Conflict):
    name = "line_not_reviewable"
    title = "The claim line cannot be reviewed"


class InvalidAdjustment(InvalidInput):
    name = "invalid_adjustment"
    title = "The adjusted shares do not fit the billed amount"


async def review_line(
    uow: UnitOfWork, book: PolicyBook, claim_id: str, line_no: int, cmd: ReviewLine
) -> Row:
    repo = ClaimRepository(uow.session)
    claim = await repo.get_claim(claim_id)
    line = await repo.get_line(claim_id, line_no) if claim else None
    if claim is None or line is None:
        raise NotFound(f"no line {line_no} on claim {claim_id}")
    if not line["active"] or line["outcome"] == "pending":
        raise LineNotReviewable(
            f"line {line_no} is {line['outcome']}; only settled lines are reviewed"
        )
    if cmd.action == "approve":
        await _approve(uow, book, claim, line, cmd.reason)
        return await repo.get_line(claim_id, line_no) or line
    fund, person = _shares(cmd, line)
    await reverse_line(
        uow,
        line,
        Reason.TPA_ADJUSTED if cmd.action == "adjust" else Reason.TPA_REJECTED,
        None,
        cmd.reason,
    )
    replacement = await _replacement(repo, claim, line, cmd, fund, person)
    if replacement["fund_fen"] or replacement["person_fen"]:
        await post_lines(
            uow,
            claim["region_code"],
            claim["period"],
            [[replacement]],
            None,
            holdback_for=_holdback(book, claim),
        )
    await repo.refresh_totals([claim_id])
    return await repo.get_line(claim_id, replacement["line_no"]) or replacement


async def _approve(uow: UnitOfWork, book: PolicyBook, claim: Row, line: Row, reason: str) -> None:
    repo = ClaimRepository(uow.session)
    if line["entry_id"] is None and line["fund"] and (line["fund_fen"] or line["person_fen"]):
        await post_lines(
            uow,
            claim["region_code"],
            claim["period"],
            [[line]],
            None,
            holdback_for=_holdback(book, claim),
        )
    await repo.update_line(line["line_id"], review_status="approved", review_reason=reason)
    await repo.refresh_totals([claim["claim_id"]])


def _shares(cmd: ReviewLine, line: Row) -> tuple[int, int]:
    if cmd.action == "reject":
        return 0, 0
    if cmd.fund_amount is None or cmd.person_amount is None:
        raise InvalidAdjustment("an adjustment gives both fund_amount and person_amount")
    fund, person = to_fen(cmd.fund_amount), to_fen(cmd.person_amount)
    if fund + person > line["billed_fen"]:
        raise InvalidAdjustment("fund_amount + person_amount exceed the billed amount")
    if fund > 0 and not line["fund"]:
        raise InvalidAdjustment("the line has no fund to pay from")
    return fund, person


async def _replacement(
    repo: ClaimRepository, claim: Row, line: Row, cmd: ReviewLine, fund: int, person: int
) -> Row:
    number = (await repo.max_line_nos([claim["claim_id"]])).get(claim["claim_id"], 0) + 1
    reason = Reason.TPA_ADJUSTED if cmd.action == "adjust" else Reason.TPA_REJECTED
    row = {
        **line,
        "line_id": stable_id("line", claim["claim_id"], str(number)),
        "line_no": number,
        "fund_fen": fund,
        "person_fen": person,
        "denied_fen": line["billed_fen"] - fund - person,
        "outcome": "reduced" if cmd.action == "adjust" else "rejected",
        "reason_code": reason.value,
        "reasons": [*line["reasons"], reason.value],
        "explanation": f"{line['explanation']} | {reason.value} {TITLES[reason]}: {cmd.reason} (replaces line {line['line_no']})",
        "review_status": "adjusted" if cmd.action == "adjust" else "rejected",
        "review_reason": cmd.reason,
        "active": True,
        "entry_id": None,
        "reversal_entry_id": None,
        "created_at": datetime.now(UTC),
    }
    await repo.insert_lines([row])
    return row


def _holdback(book: PolicyBook, claim: Row) -> Any:
    def share(line: Row) -> Decimal:
        if line["payee"] != "provider":
            return Decimal(0)
        try:
            policy = book.in_force(claim["region_code"], BenefitPolicy, on=line["service_date"])
        except PolicyNotInForce:
            return Decimal(0)
        return policy.quality_holdback_share

    return share
