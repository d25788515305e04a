"""Dashboard aggregates of assessment (运营看板): applications and assessments in progress by
status, and beneficiaries (eligibility in force) by grade."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from ltci_assessment.adapters.stats_repository import StatsRepository
from ltci_assessment.domain.lifecycle import OPEN, Status
from ltci_shared.web import RuntimeDep

router = APIRouter(prefix="/stats", tags=["dashboard"])
RegionQ = Annotated[
    str | None,
    Query(pattern=r"^\d{6}$", description="a region; a city code covers its counties"),
]
AsOfQ = Annotated[date | None, Query(description="the day counted (default today)")]


class StatusCount(BaseModel):
    status: Status
    kind: str = Field(description="initial (a first application) or review (periodic)")
    applications: int
    overdue: int = Field(description="scheduled and past the assessment deadline on as_of")


class ApplicationStats(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "region_code": "320900",
                    "as_of": "2026-03-31",
                    "open": 9,
                    "assessing": 6,
                    "overdue": 1,
                    "items": [
                        {"status": "final", "kind": "initial", "applications": 40, "overdue": 0},
                        {"status": "scheduled", "kind": "initial", "applications": 4, "overdue": 1},
                        {"status": "submitted", "kind": "initial", "applications": 3, "overdue": 0},
                        {"status": "on_notice", "kind": "review", "applications": 2, "overdue": 0},
                    ],
                }
            ]
        }
    )

    region_code: str | None
    as_of: date
    open: int = Field(description="applications not yet closed (final, rejected, withdrawn)")
    assessing: int = Field(description="open applications past acceptance: being assessed")
    overdue: int
    items: list[StatusCount]


class GradeCount(BaseModel):
    grade: int
    persons: int


class EligibilityStats(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "region_code": "320900",
                    "as_of": "2026-03-31",
                    "persons": 5,
                    "items": [{"grade": 3, "persons": 3}, {"grade": 4, "persons": 2}],
                }
            ]
        }
    )

    region_code: str | None
    as_of: date
    persons: int = Field(description="beneficiaries: persons with a window in force")
    items: list[GradeCount]


def _today() -> date:
    return datetime.now(UTC).date()


@router.get("/applications", response_model=ApplicationStats)
async def application_stats(
    rt: RuntimeDep, region_code: RegionQ = None, as_of: AsOfQ = None
) -> Any:
    """Applications by status and kind as they stand now: the open ones are in progress
    (submitted and accepted await the assessment; scheduled, assessed, on notice and objected
    are being assessed); `overdue` counts those past the assessment deadline on `as_of`."""
    day = as_of or _today()
    async with rt.uow() as uow:
        items = await StatsRepository(uow.session).applications(region_code, day)
    open_items = [i for i in items if i["status"] in OPEN]
    body = {
        "region_code": region_code,
        "as_of": day,
        "open": sum(i["applications"] for i in open_items),
        "assessing": sum(
            i["applications"] for i in open_items if i["status"] not in ("submitted", "accepted")
        ),
        "overdue": sum(i["overdue"] for i in items),
        "items": items,
    }
    return ApplicationStats.model_validate(body).model_dump(mode="json")


@router.get("/eligibilities", response_model=EligibilityStats)
async def eligibility_stats(
    rt: RuntimeDep, region_code: RegionQ = None, as_of: AsOfQ = None
) -> Any:
    """Beneficiaries on `as_of`: persons whose eligibility window is in force, by grade."""
    day = as_of or _today()
    async with rt.uow() as uow:
        items = await StatsRepository(uow.session).eligible_by_grade(region_code, day)
    body = {
        "region_code": region_code,
        "as_of": day,
        "persons": sum(i["persons"] for i in items),
        "items": items,
    }
    return EligibilityStats.model_validate(body).model_dump(mode="json")
