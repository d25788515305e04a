"""Care delivery through the public API: care plans, hospital stays, device rentals, a month
of visits through the batch endpoint, and the review of the visit exception queue."""

from __future__ import annotations

import asyncio
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ltci_embedded.simulate.care import Care, CarePlan
from ltci_embedded.simulate.city import City
from ltci_embedded.simulate.client import ApiClient, ApiError
from ltci_embedded.simulate.progress import Bar, Progress
from ltci_embedded.simulate.registry import Registry
from ltci_embedded.simulate.visits import VisitPlan

BATCH = 1000
REFUSING = {
    "during_stay",
    "not_in_care_plan",
    "item_not_in_package",
    "monthly_quota_exceeded",
    "agreement_not_covering",
}
NOT_YET = {"person_not_known", "person_not_eligible"}  # events still on their way
REVIEWER = "tpa:sim/reviewer"
# What a reviewer does with each kind of exception: (share accepted, reason code); visits
# claimed during a hospital stay are rejected (the fraud pattern the rule exists for).
REVIEW = {
    "late_submission": (1.0, "backfill_approved"),
    "face_match_low": (0.4, "confirmed_by_family"),
    "manual_entry": (0.4, "gps_signal_lost"),
    "outside_fence": (0.2, "address_changed"),
}


@dataclass
class Delivery:
    plans: Counter[str] = field(default_factory=Counter)
    plans_skipped: int = 0
    stays: int = 0
    rentals: int = 0
    visits: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    exceptions: Counter[str] = field(default_factory=Counter)
    resolved: Counter[str] = field(default_factory=Counter)
    external_of: dict[str, str] = field(default_factory=dict)
    open_codes: dict[str, set[str]] = field(default_factory=dict)
    voided: set[str] = field(default_factory=set)

    def statuses(self) -> Counter[str]:
        """Each stored visit's status after the review (as care delivery derives it)."""
        out: Counter[str] = Counter()
        for visit_id, codes in self.open_codes.items():
            if visit_id in self.voided:
                out["rejected"] += 1
            elif codes & REFUSING:
                out["refused"] += 1
            else:
                out["pending" if codes else "verified"] += 1
        return out


async def _retrying(api: ApiClient, city: City, path: str, body: dict[str, Any], key: str) -> Any:
    """POST, retrying while care delivery has not yet learned the person or eligibility."""
    deadline = time.monotonic() + city.options.patience(len(city.applications))
    while True:
        try:
            return await api.post(path, body, key=key)
        except ApiError as exc:
            if exc.name not in NOT_YET or time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


@dataclass
class Arranger:
    """Posts one beneficiary's plan, hospital stay and device rentals."""

    api: ApiClient
    city: City
    plan: CarePlan
    reg: Registry
    ids: list[str]
    out: Delivery

    async def one(self, care: Care, bar: Bar) -> None:
        key, person = self.city.options.key, self.ids[care.app.person]
        body = {
            "person_id": person,
            "provider_id": self.reg.providers[care.provider],
            "service_form": care.form,
            "package_code": care.package,
            "starts_on": care.starts_on.isoformat(),
        }
        path = "/care-delivery/care-plans"
        await _retrying(self.api, self.city, path, body, key("plan", care.app.person))
        self.out.plans[care.form] += 1
        bar.advance()
        if care.stay:
            stay = {
                "person_id": person,
                "kind": "hospital",
                "facility": f"{self.city.policies.name}第一人民医院",
                "admitted_on": care.stay[0].isoformat(),
                "discharged_on": care.stay[1].isoformat(),
            }
            await self.api.post("/care-delivery/stays", stay, key=key("stay", care.app.person))
            self.out.stays += 1
            bar.advance()
        for device, provider in care.rentals:
            rent = {
                "person_id": person,
                "provider_id": self.reg.providers[provider],
                "device_code": device,
                "starts_on": care.starts_on.isoformat(),
            }
            rental_key = key("rental", care.app.person, device)
            await self.api.post("/care-delivery/device-rentals", rent, key=rental_key)
            self.out.rentals += 1
            bar.advance()


async def arrangements(
    api: ApiClient, city: City, plan: CarePlan, reg: Registry, ids: list[str], progress: Progress
) -> Delivery:
    out = Delivery()
    arranger = Arranger(api, city, plan, reg, ids, out)
    todo = len(plan.cares) + sum(len(c.rentals) + bool(c.stay) for c in plan.cares)
    with progress.step("care plans, stays, rentals", todo) as bar:
        await asyncio.gather(*(arranger.one(care, bar) for care in plan.cares))
    return out


def visit_body(
    v: VisitPlan, city: City, plan: CarePlan, reg: Registry, ids: list[str]
) -> dict[str, Any]:
    care = plan.cares[v.care]
    assert care.caregiver is not None
    return {
        "external_id": v.external_id,
        "person_id": ids[care.app.person],
        "caregiver_id": reg.caregivers[care.caregiver],
        "service_form": v.form,
        "items": list(v.items),
        "check_in": v.check_in,
        "check_out": v.check_out,
    }


async def ingest_visits(
    api: ApiClient,
    city: City,
    plan: CarePlan,
    reg: Registry,
    ids: list[str],
    visits: list[VisitPlan],
    out: Delivery,
    progress: Progress,
) -> None:
    by_provider: dict[int, list[VisitPlan]] = {}
    for v in visits:
        by_provider.setdefault(v.provider, []).append(v)
    batches = [
        (p, n, vs[i : i + BATCH])
        for p, vs in by_provider.items()
        for n, i in enumerate(range(0, len(vs), BATCH))
    ]

    async def send(provider: int, n: int, chunk: list[VisitPlan], bar: Bar) -> None:
        body = {"visits": [visit_body(v, city, plan, reg, ids) for v in chunk]}
        path = f"/care-delivery/providers/{reg.providers[provider]}/visits/batch"
        result = await api.post(
            path, body, key=city.options.key("visits", plan.providers[provider].code, n)
        )
        for item in result["items"]:
            if item["outcome"] == "rejected":
                out.rejected[item["errors"][0]["code"] if item["errors"] else "?"] += 1
                continue
            out.visits[item["status"]] += 1
            out.external_of[item["visit_id"]] = item["external_id"]
            out.open_codes[item["visit_id"]] = set(item["exceptions"])
            out.exceptions.update(item["exceptions"])
        bar.advance(len(chunk))

    with progress.step("visits (batch ingest)", len(visits)) as bar:
        await asyncio.gather(*(send(p, n, chunk, bar) for p, n, chunk in batches))


def _decision(city: City, exc: dict[str, Any], external: str) -> tuple[str, str] | None:
    if exc["refused"]:
        return ("reject", "billed_during_stay") if exc["code"] == "during_stay" else None
    share, reason = REVIEW.get(exc["code"], (0.0, ""))
    draw = zlib.crc32(f"{city.options.seed}:{external}:{exc['code']}".encode()) % 1000
    return ("accept", reason) if draw < share * 1000 else None


async def _queue(api: ApiClient, reg: Registry, status: str) -> list[dict[str, Any]]:
    path, out = "/care-delivery/visit-exceptions", []
    for provider in reg.providers:
        out += [e async for e in api.pages(path, limit=200, provider_id=provider, status=status)]
    return out


async def _resolve_batch(
    api: ApiClient,
    city: City,
    out: Delivery,
    provider: str,
    decided: list[tuple[dict[str, Any], tuple[str, str]]],
    bar: Bar,
) -> None:
    """One provider's decisions in one request (``/visit-exceptions/resolutions``)."""
    items = [
        {"exception_id": e["exception_id"], "action": action, "reason_code": reason}
        for e, (action, reason) in decided
    ]
    body = {"provider_id": provider, "actor": REVIEWER, "items": items}
    key = city.options.key("resolve", provider, decided[0][0]["exception_id"], len(items))
    result = await api.post("/care-delivery/visit-exceptions/resolutions", body, key=key)
    for (exc, (action, _)), item in zip(decided, result["items"], strict=True):
        if item["outcome"] == "resolved":
            out.resolved[f"{exc['code']}:{action}"] += 1
            out.open_codes[exc["visit_id"]].discard(exc["code"])
            if action == "reject":
                out.voided.add(exc["visit_id"])
    bar.advance(len(decided))


async def review_exceptions(
    api: ApiClient, city: City, reg: Registry, out: Delivery, progress: Progress
) -> None:
    """The reviewer's pass over the open queue: late uploads of the back-filled month accepted,
    some flagged check-ins confirmed, visits during a hospital stay rejected."""
    mine = [e for e in await _queue(api, reg, "open") if e["visit_id"] in out.external_of]
    for visit_codes in out.open_codes.values():
        visit_codes.clear()  # what is still open is what the queue says
    for e in mine:
        out.open_codes[e["visit_id"]].add(e["code"])

    decided = [
        (e, d)
        for e in mine
        if (d := _decision(city, e, out.external_of[e["visit_id"]])) is not None
    ]
    with progress.step("exception queue review", len(mine)) as bar:
        # rejections first: a rejected visit's other exceptions close with it
        for refused in (True, False):
            by_provider: dict[str, list[tuple[dict[str, Any], tuple[str, str]]]] = {}
            for e, d in decided:
                if e["refused"] is refused:
                    by_provider.setdefault(e["provider_id"], []).append((e, d))
            await asyncio.gather(
                *(
                    _resolve_batch(api, city, out, provider, chunk[i : i + BATCH], bar)
                    for provider, chunk in by_provider.items()
                    for i in range(0, len(chunk), BATCH)
                )
            )
        bar.advance(len(mine) - len(decided))
    for e in await _queue(api, reg, "rejected"):  # visits a reviewer rejected, now or before
        if e["visit_id"] in out.external_of:
            out.voided.add(e["visit_id"])
