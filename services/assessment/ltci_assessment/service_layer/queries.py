"""Read-side use cases: assemble the views the API returns (no changes, no events)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ltci_assessment import views as v
from ltci_assessment.adapters.applications_repo import ApplicationRepository
from ltci_assessment.adapters.eligibility_repo import EligibilityRepository
from ltci_assessment.adapters.persons_repo import PersonRepository
from ltci_assessment.domain.membership import period_on
from ltci_assessment.service_layer.history import ApplicationNotFound
from ltci_shared.errors import NotFound
from ltci_shared.pagination import Rows
from ltci_shared.uow import UnitOfWork


async def application_view(uow: UnitOfWork, application_id: str) -> v.ApplicationView:
    repo = ApplicationRepository(uow.session)
    app = await repo.get(application_id)
    if app is None:
        raise ApplicationNotFound(f"no application {application_id}")
    return await _application(repo, app)


async def _application(repo: ApplicationRepository, app: dict[str, Any]) -> v.ApplicationView:
    notice = None
    if app["notice_starts_on"] is not None:
        notice = v.NoticeView(
            starts_on=app["notice_starts_on"],
            notice_until=app["notice_until"],
            objection_until=app["objection_until"],
            final_due_on=app["final_due_on"],
        )
    objections = [
        v.ObjectionView.model_validate(o) for o in await repo.objections(app["application_id"])
    ]
    return v.ApplicationView.model_validate(
        {
            **app,
            "assessors": await repo.assigned(app["application_id"]),
            "notice": notice,
            "objections": objections,
        }
    )


async def applications_page(
    uow: UnitOfWork, filters: dict[str, Any], limit: int, cursor: str | None
) -> v.ApplicationPage:
    repo = ApplicationRepository(uow.session)
    page = await repo.search(filters=filters, limit=limit, cursor=cursor)
    items = [await _application(repo, app) for app in page.items]
    return v.ApplicationPage(items=items, next_cursor=page.next_cursor)


def page_of(model: Any, page: Rows) -> dict[str, Any]:
    return {"items": [model.model_validate(i) for i in page.items], "next_cursor": page.next_cursor}


async def person_view(uow: UnitOfWork, person_id: str, on: date) -> v.PersonView:
    repo = PersonRepository(uow.session)
    person = await repo.get(person_id)
    if person is None:
        raise NotFound(f"no insured person {person_id} is known to the assessment service")
    periods = await repo.periods(person_id)
    return v.PersonView.model_validate(
        {
            **person,
            "periods": await repo.period_rows(person_id),
            "insured_on": on,
            "insured": period_on(periods, on, person["died_on"]) is not None,
        }
    )


async def eligibility_view(uow: UnitOfWork, eligibility_id: str) -> v.EligibilityView:
    window = await EligibilityRepository(uow.session).get(eligibility_id)
    if window is None:
        raise NotFound(f"no eligibility window {eligibility_id}")
    return v.EligibilityView.model_validate(window)


async def assessment_view(uow: UnitOfWork, assessment_id: str) -> v.AssessmentView:
    found = await ApplicationRepository(uow.session).assessment(assessment_id)
    if found is None:
        raise NotFound(f"no assessment {assessment_id}")
    return v.AssessmentView.model_validate(found)


async def transitions_page(
    uow: UnitOfWork, application_id: str, limit: int, cursor: str | None
) -> v.TransitionPage:
    page = await ApplicationRepository(uow.session).transitions(
        application_id, limit=limit, cursor=cursor
    )
    return v.TransitionPage.model_validate(page_of(v.TransitionView, page))


async def evidence_page(
    uow: UnitOfWork, application_id: str, limit: int, cursor: str | None
) -> v.EvidencePage:
    page = await ApplicationRepository(uow.session).evidence(
        application_id, limit=limit, cursor=cursor
    )
    return v.EvidencePage.model_validate(page_of(v.EvidenceView, page))


async def assessments_of(uow: UnitOfWork, application_id: str) -> list[v.AssessmentView]:
    found = await ApplicationRepository(uow.session).assessments(application_id)
    return [v.AssessmentView.model_validate(a) for a in found]
