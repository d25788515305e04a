"""The simulated city as plain data, drawn from one seeded generator before anything is sent:
insured persons, assistance recipients, applicants with their timeline and item scores."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ltci_embedded.simulate.options import Month, Options
from ltci_embedded.simulate.people import PeopleFactory, Person
from ltci_embedded.simulate.scores import draw_grade, scores_for
from ltci_shared.policy import AssessmentPolicy, AssistancePolicy, BenefitPolicy, PolicyBook
from ltci_shared.policy.book import PolicyNotInForce

AGE_BANDS = ((0, 17, 0.15), (18, 59, 0.55), (60, 79, 0.23), (80, 99, 0.07))
RECIPIENT_SHARE = 0.04  # 低保, 特困 and the other categories: a few per cent of residents
CLASS_WEIGHT = {1: 1.0, 2: 3.0, 3: 2.0, 4: 1.0}


@dataclass(frozen=True)
class Application:
    """An applicant's path from application to the end of the public notice."""

    person: int
    applied_on: date
    onset: date
    accepted_on: date
    scheduled_on: date
    assessed_on: date
    notice_on: date
    final_on: date
    grade: int
    scores: dict[str, int]
    eligible: bool


@dataclass
class Policies:
    """The region's sections in force in the simulated month (assistance optional)."""

    region: str
    name: str
    divisions: list[str]
    division_names: dict[str, str]
    assessment: AssessmentPolicy
    benefits: BenefitPolicy
    assistance: AssistancePolicy | None

    @classmethod
    def load(cls, book: PolicyBook, region_code: str, month: Month) -> Policies:
        region = book.region(region_code)
        try:
            assessment = book.in_force(region.code, AssessmentPolicy, month.shift(-4).first)
            benefits = book.in_force(region.code, BenefitPolicy, month.shift(-3).first)
        except PolicyNotInForce as exc:
            raise ValueError(
                f"region {region.code} has no assessment or benefits section in force "
                f"before {month.text}: {exc.detail}"
            ) from None
        try:
            assistance = book.in_force(region.code, AssistancePolicy, month.first)
        except PolicyNotInForce:
            assistance = None
        divisions = sorted(region.divisions) or [region.code]
        names = dict(region.divisions)
        return cls(region.code, region.name, divisions, names, assessment, benefits, assistance)


@dataclass
class City:
    options: Options
    month: Month
    policies: Policies
    people: PeopleFactory
    rng: random.Random
    persons: list[Person] = field(default_factory=list)
    recipients: list[tuple[int, str]] = field(default_factory=list)
    applications: list[Application] = field(default_factory=list)

    @property
    def enrolled_from(self) -> date:
        return self.month.shift(-12).first


def build_city(options: Options, month: Month, policies: Policies) -> City:
    """The whole city from the seed; ages count to the month's end, never to the day of the
    run, so the same seed and month give the same city on any day."""
    rng = random.Random(options.seed)
    reference = month.last + timedelta(days=1)
    people = PeopleFactory(rng, policies.region, policies.divisions, reference)
    city = City(options, month, policies, people, rng)
    for _ in range(options.scale.insured):
        low, high, _ = rng.choices(AGE_BANDS, [b[2] for b in AGE_BANDS])[0]
        city.persons.append(people.person(low, high))
    _draw_recipients(city)
    _draw_applications(city)
    return city


def _draw_recipients(city: City) -> None:
    policy = city.policies.assistance
    if policy is None:
        return
    cats = policy.categories
    weights = [CLASS_WEIGHT.get(c.recipient_class, 1.0) for c in cats]
    count = int(len(city.persons) * RECIPIENT_SHARE)
    for index in sorted(city.rng.sample(range(len(city.persons)), count)):
        city.recipients.append((index, city.rng.choices(cats, weights)[0].code))


def _applicant_pool(city: City) -> list[int]:
    """Mostly old people (the older, the likelier), some younger disabled adults."""
    today = city.people.today
    ages = [(today - p.birth_date).days // 365 for p in city.persons]
    old = [i for i, a in enumerate(ages) if a >= 60]
    adults = [i for i, a in enumerate(ages) if 18 <= a < 60]
    want = city.options.scale.applicants
    n_old = min(len(old), int(want * 0.9))
    weights = [max(1, ages[i] - 55) ** 2 for i in old]
    chosen: set[int] = set()
    while len(chosen) < n_old:
        chosen.add(city.rng.choices(old, weights)[0])
    chosen.update(city.rng.sample(adults, min(len(adults), want - n_old)))
    return sorted(chosen)


def _draw_applications(city: City) -> None:
    policy = city.policies.assessment
    apply_month = city.month.shift(-3)
    for person in _applicant_pool(city):
        grade = draw_grade(city.rng)
        scores = scores_for(city.rng, policy, grade)
        if scores is None:
            continue
        city.applications.append(_timeline(city, person, grade, scores, apply_month))


def _timeline(
    city: City, person: int, grade: int, scores: dict[str, int], apply_month: Month
) -> Application:
    rng, policy = city.rng, city.policies.assessment
    applied = apply_month.first + timedelta(days=rng.randint(0, 19))
    recent = rng.random() < 0.02  # a few apply before the disability has lasted long enough
    onset = applied - timedelta(days=rng.randint(40, 150) if recent else rng.randint(200, 1500))
    accepted = applied + timedelta(days=rng.randint(1, 3))
    scheduled = accepted + timedelta(days=rng.randint(1, 4))
    assessed = scheduled + timedelta(days=rng.randint(0, 6))
    notice = assessed + timedelta(days=rng.randint(1, 3))
    final = notice + timedelta(days=max(policy.public_notice_days, policy.objection_days))
    lasted = _add_months(onset, policy.min_disability_months) <= assessed
    eligible = grade in policy.eligible_grades and lasted
    return Application(
        person,
        applied,
        onset,
        accepted,
        scheduled,
        assessed,
        notice,
        final,
        grade,
        scores,
        eligible,
    )


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def move_home(city: City, index: int, home: tuple[float, float], address: str) -> None:
    """An institution's resident lives there: their home is the institution's address."""
    city.persons[index] = replace(city.persons[index], home=home, address=address)
