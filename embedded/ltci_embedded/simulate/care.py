"""Care arrangements of the simulated city: providers, caregivers, each beneficiary's form,
package, provider and caregiver, hospital stays, device rentals, and hospital bills."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from ltci_embedded.simulate.city import Application, City, move_home
from ltci_shared.policy.benefits import FormRule

FORM_WEIGHT = {
    "institutional": 0.22,
    "home_visit": 0.6,
    "home_self_care": 0.25,
    "home_combined": 0.08,
    "medical_special_care": 0.04,
}
RENTAL_SHARE = 0.3  # Jincheng: 1,559 renting devices among 4,843 beneficiaries
STAY_SHARE = 0.03
MIN_STAYS = 3  # a few hospital stays even in a small city
CLIENTS_PER_CAREGIVER = {"day": 6, "session": 5}


@dataclass(frozen=True)
class Provider:
    code: str
    name: str
    kind: str
    uscc: str
    division: str
    route: str
    forms: tuple[str, ...]
    level: int
    location: tuple[float, float]


@dataclass(frozen=True)
class Caregiver:
    resident_id: str
    name: str
    certificate_no: str
    star_level: int
    provider: int


@dataclass
class Care:
    """One beneficiary's arrangement (``style``: day, session or cash)."""

    app: Application
    form: str
    style: str
    package: str
    provider: int
    starts_on: date
    caregiver: int | None = None
    rentals: list[tuple[str, int]] = field(default_factory=list)
    stay: tuple[date, date] | None = None
    visit_in_stay: bool = False


@dataclass(frozen=True)
class Bill:
    person: int
    hospital: int
    bill_id: str
    care_kind: str
    total_fen: int
    in_policy_fen: int
    service_from: date
    service_to: date


@dataclass
class CarePlan:
    providers: list[Provider] = field(default_factory=list)
    caregivers: list[Caregiver] = field(default_factory=list)
    cares: list[Care] = field(default_factory=list)
    hospitals: list[tuple[str, str, str]] = field(default_factory=list)
    bills: list[Bill] = field(default_factory=list)


def style_of(rule: FormRule) -> str:
    return "cash" if rule.flat_cash else ("day" if rule.unit == "day" else "session")


def _payable_forms(city: City) -> dict[str, tuple[FormRule, str]]:
    """Forms the benefits pack pays and has a package for: form → (rule, package code)."""
    b = city.policies.benefits
    out: dict[str, tuple[FormRule, str]] = {}
    for rule in b.forms:
        package = next((p.code for p in b.packages if p.form == rule.form), None)
        if package is not None:
            out[rule.form] = (rule, package)
    return out


def _providers(city: City, forms: dict[str, tuple[FormRule, str]]) -> list[Provider]:
    day = tuple(f for f, (r, _) in forms.items() if style_of(r) == "day")
    home = tuple(f for f, (r, _) in forms.items() if style_of(r) != "day")
    scale, ppl, out = city.options.scale, city.people, []
    for kind, count, offered in (
        ("elderly_care", scale.institutions if day else 0, day),
        ("home_care", scale.home_providers if home else 0, home),
    ):
        for n in range(1, count + 1):
            division = city.rng.choice(city.policies.divisions)
            label = "护理院" if kind == "elderly_care" else "居家护理服务中心"
            code = f"{'IN' if kind == 'elderly_care' else 'HC'}{n:02d}"
            name = f"{city.policies.name}{ppl.name()[1:]}{label}"
            route = "filing" if city.rng.random() < 0.7 else "capacity_review"
            level = city.rng.choices((2, 3, 4, 5), (2, 4, 3, 1))[0]
            where = ppl.near(ppl.centre, 8_000)
            out.append(
                Provider(
                    code,
                    name,
                    kind,
                    ppl.uscc(division, kind),
                    division,
                    route,
                    offered,
                    level,
                    where,
                )
            )
    return out


def _choose_form(
    city: City, app: Application, forms: dict[str, tuple[FormRule, str]]
) -> str | None:
    fits = [f for f, (r, _) in forms.items() if app.grade in r.eligible_grades]
    if not fits:
        return None
    return city.rng.choices(fits, [FORM_WEIGHT.get(f, 0.1) for f in fits])[0]


def _arrange(city: City, plan: CarePlan, forms: dict[str, tuple[FormRule, str]]) -> None:
    last_day_before = city.month.first - timedelta(days=1)
    for app in city.applications:
        form = _choose_form(city, app, forms) if app.eligible else None
        offering = [i for i, p in enumerate(plan.providers) if form in p.forms]
        if form is None or not offering:
            continue
        rule, package = forms[form]
        provider = city.rng.choice(offering)
        start = min(app.final_on + timedelta(days=city.rng.randint(1, 10)), last_day_before)
        care = Care(app, form, style_of(rule), package, provider, start)
        if care.style == "day":
            where = city.people.near(plan.providers[provider].location, 25)
            move_home(city, app.person, where, plan.providers[provider].name)
        plan.cares.append(care)


def _caregivers(city: City, plan: CarePlan) -> None:
    valid_from = city.month.first.replace(year=city.month.first.year - 2)
    for index, _provider in enumerate(plan.providers):
        clients = [c for c in plan.cares if c.provider == index and c.style != "cash"]
        per = CLIENTS_PER_CAREGIVER["day" if _provider.kind != "home_care" else "session"]
        first = len(plan.caregivers)
        for n in range(max(2, math.ceil(len(clients) / per))):
            p = city.people.person(24, 56)
            cert = f"HL-{valid_from.year}-{_provider.code}-{n + 1:03d}"
            star = city.rng.choices((1, 2, 3, 4, 5), (1, 3, 4, 2, 1))[0]
            plan.caregivers.append(Caregiver(p.resident_id, p.name, cert, star, index))
        for k, care in enumerate(clients):
            care.caregiver = first + k // per


def _rentals_and_stays(city: City, plan: CarePlan) -> None:
    devices = city.policies.benefits.devices
    home_providers = [i for i, p in enumerate(plan.providers) if p.kind == "home_care"]
    days, stays = len(city.month.days()), 0
    for care in plan.cares:
        if devices and home_providers and care.style != "day" and city.rng.random() < RENTAL_SHARE:
            by_category = {d.category: d.code for d in devices.catalogue}
            picks = city.rng.sample(
                sorted(by_category), city.rng.choice((1, 1, 2)) if len(by_category) > 1 else 1
            )
            provider = (
                care.provider
                if care.provider in home_providers
                else city.rng.choice(home_providers)
            )
            care.rentals = [(by_category[c], provider) for c in picks]
        if care.style == "session" and (city.rng.random() < STAY_SHARE or stays < MIN_STAYS):
            stays += 1
            admitted = city.month.first + timedelta(days=city.rng.randint(1, days - 12))
            care.stay = (admitted, admitted + timedelta(days=city.rng.randint(3, 9)))
            care.visit_in_stay = city.rng.random() < 0.35


def plan_care(city: City) -> CarePlan:
    forms = _payable_forms(city)
    plan = CarePlan()
    plan.providers = _providers(city, forms)
    _arrange(city, plan, forms)
    _caregivers(city, plan)
    _rentals_and_stays(city, plan)
    plan_bills(city, plan)
    return plan


def _amount(city: City, kind: str) -> tuple[int, int]:
    median, low, high = {
        "inpatient": (18_000, 2_000, 300_000),
        "chronic_outpatient": (2_500, 200, 20_000),
        "general_outpatient": (300, 50, 3_000),
    }[kind]
    total = min(high, max(low, city.rng.lognormvariate(math.log(median), 0.8)))
    total_fen = int(total * 100)
    return total_fen, int(total_fen * city.rng.uniform(0.78, 0.93))


def plan_bills(city: City, plan: CarePlan) -> None:
    """Hospitals and one-stop bills of the month, mostly of assistance recipients."""
    if city.policies.assistance is None:
        return
    for n in range(1, city.options.scale.hospitals + 1):
        division = city.rng.choice(city.policies.divisions)
        plan.hospitals.append(
            (f"H{division}{n:03d}", f"{city.policies.name}第{n}人民医院", division)
        )
    recipients = [i for i, _ in city.recipients] or list(range(len(city.persons)))
    days = len(city.month.days())
    for n in range(1, city.options.scale.bills + 1):
        person = city.rng.choice(
            recipients if city.rng.random() < 0.7 else range(len(city.persons))
        )
        kind = city.rng.choices(
            ("inpatient", "chronic_outpatient", "general_outpatient"), (6, 3, 2)
        )[0]
        total, in_policy = _amount(city, kind)
        start = city.month.first + timedelta(days=city.rng.randint(0, days - 2))
        end = (
            min(city.month.last, start + timedelta(days=city.rng.randint(2, 18)))
            if kind == "inpatient"
            else start
        )
        bill_id = f"SIM{city.options.seed % 10_000:04d}-{city.month.text}-{n:05d}"
        plan.bills.append(
            Bill(
                person,
                city.rng.randrange(len(plan.hospitals)),
                bill_id,
                kind,
                total,
                in_policy,
                start,
                end,
            )
        )
