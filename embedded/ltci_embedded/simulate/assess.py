"""Assessment through the public API: the organisation and its assessors, then each
application from submission to the public notice, and the job that makes results final."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from ltci_embedded.simulate.city import Application, City
from ltci_embedded.simulate.client import ApiClient, ApiError, SimulationError, wait_for
from ltci_embedded.simulate.progress import Bar, Progress

ACTOR = "clerk-sim"
ASSESSORS_PER_ORGANISATION = 25
SKIPPED = {"application_already_open", "reapply_too_soon"}


def _validity(city: City) -> dict[str, str]:
    return {
        "valid_from": city.month.shift(-24).first.isoformat(),
        "valid_until": city.month.shift(24).last.isoformat(),
    }


async def _organisations(api: ApiClient, city: City, count: int, bar: Bar) -> list[str]:
    ids = []
    for n in range(count):
        division = city.policies.divisions[n % len(city.policies.divisions)]
        body = {
            "name": f"{city.policies.name}第{n + 1}失能评估中心",
            "region_code": division,
            "uscc": city.people.uscc(division, "assessment"),
            **_validity(city),
        }
        org = await api.post("/assessment/organisations", body, key=city.options.key("org", n))
        ids.append(org["organisation_id"])
        bar.advance()
    return ids


async def assessors(api: ApiClient, city: City, progress: Progress) -> list[str]:
    """Assessment organisations and their assessors (one in five also on the expert panel)."""
    count = city.options.scale.assessors
    orgs = max(1, count // ASSESSORS_PER_ORGANISATION)
    instrument = city.policies.assessment.instrument
    ids: list[str] = []
    with progress.step("assessors", orgs + count) as bar:
        org_ids = await _organisations(api, city, orgs, bar)
        for n in range(count):
            body = {
                "organisation_id": org_ids[n % orgs],
                "name": city.people.name(),
                "region_code": city.rng.choice(city.policies.divisions),
                "qualifications": [instrument, "expert_panel"] if n % 5 == 0 else [instrument],
                **_validity(city),
            }
            a = await api.post("/assessment/assessors", body, key=city.options.key("assessor", n))
            ids.append(a["assessor_id"])
            bar.advance()
    return ids


async def wait_until_known(
    api: ApiClient, city: City, person_ids: list[str], progress: Progress
) -> None:
    """Assessment learns of persons from enrollment's events: wait for the last applicant."""
    if not city.applications:
        return
    last = person_ids[max(a.person for a in city.applications)]

    async def known() -> bool:
        try:
            await api.get(f"/assessment/persons/{last}")
            return True
        except ApiError as exc:
            if exc.status == 404:
                return False
            raise

    with progress.step("events reach assessment", 1):
        await wait_for(
            known, "assessment knows the enrolled persons", city.options.patience(len(city.persons))
        )


class Pipeline:
    """One application's steps, each with its own deterministic Idempotency-Key."""

    def __init__(self, api: ApiClient, city: City, person_ids: list[str], pool: list[str]):
        self.api, self.city, self.person_ids = api, city, person_ids
        self.outcomes: Counter[str] = Counter()
        per = city.policies.assessment.assessors_per_assessment
        if len(pool) < per:
            raise SimulationError(f"{per} assessors are needed per assessment, {len(pool)} exist")
        # drawn here, in order, so the same seed assigns the same assessors on every run
        self.assigned = {a.person: sorted(city.rng.sample(pool, per)) for a in city.applications}

    async def _submit(self, app: Application) -> dict[str, Any]:
        instrument = self.city.policies.assessment.instrument
        body = {
            "person_id": self.person_ids[app.person],
            "applied_on": app.applied_on.isoformat(),
            "disability_onset": app.onset.isoformat(),
            "actor": ACTOR,
            "self_assessment": {"instrument": instrument, "scores": app.scores},
        }
        key = self.city.options.key("apply", app.person)
        deadline = time.monotonic() + self.city.options.timeout_seconds
        while True:
            try:
                result: dict[str, Any] = await self.api.post(
                    "/assessment/applications", body, key=key
                )
                return result
            except ApiError as exc:  # not insured yet: enrollment's events still on their way
                if exc.name != "person_not_insured" or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    async def run(self, app: Application, bar: Bar) -> None:
        try:
            await self._steps(app)
            self.outcomes["assessed"] += 1
        except ApiError as exc:
            if exc.name not in SKIPPED:
                raise
            self.outcomes[exc.name] += 1
        bar.advance()

    async def _steps(self, app: Application) -> None:
        submitted = await self._submit(app)
        path, key = f"/assessment/applications/{submitted['application_id']}", self.city.options.key
        assigned = self.assigned[app.person]
        steps: list[tuple[str, dict[str, Any]]] = [
            ("accept", {"actor": ACTOR, "reason": "材料齐全 documents complete"}),
            (
                "schedule",
                {
                    "actor": ACTOR,
                    "scheduled_on": app.scheduled_on.isoformat(),
                    "provider_ids": [],
                    "assessor_ids": assigned,
                },
            ),
            (
                "assessments",
                {
                    "actor": assigned[0],
                    "assessed_on": app.assessed_on.isoformat(),
                    "assessor_ids": assigned,
                    "scores": app.scores,
                    "instrument": self.city.policies.assessment.instrument,
                },
            ),
            ("public-notice", {"actor": ACTOR, "starts_on": app.notice_on.isoformat()}),
        ]
        for step, body in steps:
            await self.api.post(f"{path}/{step}", body, key=key(step, app.person))


async def applications(
    api: ApiClient, city: City, person_ids: list[str], pool: list[str], progress: Progress
) -> Counter[str]:
    pipeline = Pipeline(api, city, person_ids, pool)
    with progress.step("assessments", len(city.applications)) as bar:
        await asyncio.gather(*(pipeline.run(app, bar) for app in city.applications))
    return pipeline.outcomes


async def close_notices(api: ApiClient, city: City, progress: Progress) -> int:
    """Results whose notice ended before the month are final: eligibility from that day."""
    as_of = city.month.first.isoformat()
    done, n = 0, 0
    with progress.step("final results", len(city.applications)) as bar:
        while True:
            result = await api.post(
                "/assessment/jobs/close-notices",
                params={"as_of": as_of, "limit": 500},
                key=city.options.key("close-notices", n),
            )
            done += len(result["application_ids"])
            bar.advance(len(result["application_ids"]))
            n += 1
            if not result["more"]:
                return done


async def eligibilities(api: ApiClient, city: City, person_ids: list[str]) -> Counter[int]:
    """Grades of the windows in force on the month's first day, for the simulated persons."""
    mine, grades = set(person_ids), Counter[int]()
    on = city.month.first.isoformat()
    async for e in api.pages("/assessment/eligibilities", active_on=on):
        if e["person_id"] in mine:
            grades[e["grade"]] += 1
    expected = sum(a.eligible for a in city.applications)
    if sum(grades.values()) < expected:
        raise SimulationError(
            f"{expected} eligibilities expected from the assessments, "
            f"{sum(grades.values())} in force on {on}"
        )
    return grades
