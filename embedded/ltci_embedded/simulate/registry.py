"""Care providers through the public API: admission (filing or capacity review), the service
agreement, the grade, and the caregivers registered under real name."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from ltci_embedded.simulate.care import CarePlan, Provider
from ltci_embedded.simulate.city import City
from ltci_embedded.simulate.client import ApiClient
from ltci_embedded.simulate.progress import Progress

REVIEWER = "tpa:sim/reviewer"


@dataclass
class Registry:
    """Server ids of the simulated providers and caregivers, by their index in the plan."""

    providers: list[str] = field(default_factory=list)
    caregivers: list[str] = field(default_factory=list)


async def _provider(api: ApiClient, city: City, p: Provider) -> str:
    key = city.options.key
    body = {
        "uscc": p.uscc,
        "name": p.name,
        "region_code": p.division,
        "kind": p.kind,
        "admission_route": p.route,
    }
    made = await api.post("/care-delivery/providers", body, key=key("provider", p.code))
    pid: str = made["provider_id"]
    path = f"/care-delivery/providers/{pid}"
    if p.route == "capacity_review":
        review = {"decision": "approved", "reviewer": REVIEWER, "note": "能力评估通过"}
        await api.post(f"{path}/review", review, key=key("review", p.code))
    year = city.month.first.year
    agreement = {
        "agreement_no": f"{city.policies.region}-LTC-{year - 1}-{p.code}",
        "valid_from": f"{year - 1}-01-01",
        "valid_until": f"{year + 1}-12-31",
        "forms": list(p.forms),
        "service_area": city.policies.divisions,
    }
    await api.post(f"{path}/agreements", agreement, key=key("agreement", p.code))
    grade = {"level": p.level, "assessed_by": REVIEWER}
    await api.post(f"{path}/grade", grade, key=key("grade", p.code))
    return pid


async def register(api: ApiClient, city: City, plan: CarePlan, progress: Progress) -> Registry:
    reg = Registry()
    since = city.month.first.replace(year=city.month.first.year - 2)
    until = city.month.last.replace(year=city.month.last.year + 3, day=28)
    with progress.step(
        "providers and caregivers", len(plan.providers) + len(plan.caregivers)
    ) as bar:
        for p in plan.providers:
            reg.providers.append(await _provider(api, city, p))
            bar.advance()

        async def caregiver(n: int) -> str:
            c = plan.caregivers[n]
            body: dict[str, Any] = {
                "resident_id": c.resident_id,
                "name": c.name,
                "certificate_no": c.certificate_no,
                "valid_from": since.isoformat(),
                "valid_until": until.isoformat(),
                "star_level": c.star_level,
                "provider_ids": [reg.providers[c.provider]],
            }
            made = await api.post(
                "/care-delivery/caregivers", body, key=city.options.key("caregiver", n)
            )
            bar.advance()
            return str(made["caregiver_id"])

        reg.caregivers = list(
            await asyncio.gather(*(caregiver(n) for n in range(len(plan.caregivers))))
        )
    return reg
