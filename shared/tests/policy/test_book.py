"""Policy packs: the committed packs load; an invalid pack is refused with every error listed."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ltci_shared.policy import (
    AssessmentPolicy,
    AssistancePolicy,
    ContributionPolicy,
    InvalidPolicyPack,
    PolicyBook,
    PolicyNotInForce,
)
from ltci_shared.policy.__main__ import main
from ltci_shared.policy.book import PACKS_DIR


def test_the_committed_packs_are_valid_and_cover_the_seed_cities() -> None:
    book = PolicyBook.load()
    assert {"320900", "220100", "140500", "320400"} <= set(book.regions)
    yancheng = book.in_force("320900", AssessmentPolicy, date(2023, 1, 1))
    assert yancheng.eligible_grades == [3, 4, 5]
    assert yancheng.version_id("320900") == "320900/assessment@2022-07-01"
    changzhou = book.in_force("320400", AssistancePolicy, date(2024, 6, 1))
    assert changzhou.general_outpatient_annual_cap == Decimal("1000.00")
    assert len(changzhou.categories) == 11  # the eleven recipient categories of seeds/003


def test_a_county_code_resolves_to_its_city_pack() -> None:
    book = PolicyBook.load()
    assert book.region("320902").code == "320900"
    assert book.knows_region("320981") and not book.knows_region("999999")


def test_no_version_before_the_first_effective_date(tmp_path: Path) -> None:
    book = PolicyBook.load()
    with pytest.raises(PolicyNotInForce):
        book.in_force("320900", ContributionPolicy, date(2022, 6, 30))
    assert book.in_force("320900", ContributionPolicy, date(2022, 7, 1)).effective_from == date(
        2022, 7, 1
    )


def _copy_packs(tmp_path: Path) -> Path:
    target = tmp_path / "packs"
    shutil.copytree(PACKS_DIR, target)
    return target


def test_a_later_version_takes_over_from_its_date(tmp_path: Path) -> None:
    packs = _copy_packs(tmp_path)
    path = packs / "320900" / "contributions.yaml"
    text = path.read_text(encoding="utf-8")
    first = text[text.index("  - effective_from") :]
    path.write_text(
        text + first.replace("2022-07-01", "2025-01-01").replace('"30.00"', '"35.00"'),
        encoding="utf-8",
    )
    book = PolicyBook.load(packs)
    old = book.in_force("320900", ContributionPolicy, date(2024, 12, 31))
    new = book.in_force("320900", ContributionPolicy, date(2025, 1, 1))
    assert old.employee and new.employee
    assert (old.employee.lines[0].amount, new.employee.lines[0].amount) == (
        Decimal("30.00"),
        Decimal("35.00"),
    )


def test_an_invalid_pack_is_refused_with_every_error(tmp_path: Path) -> None:
    packs = _copy_packs(tmp_path)
    assessment = packs / "320900" / "assessment.yaml"
    text = assessment.read_text(encoding="utf-8")
    text = text.replace("{min: 45, max: 60, level: 2}", "{min: 45, max: 59, level: 2}")
    text = text.replace('fund_share: "0.50"', "fund_share: 0.5")  # a float ratio
    text = text.replace("eligible_grades: [3, 4, 5]", "eligible_grades: [3, 4, 5]\n    typo: 1")
    assessment.write_text(text, encoding="utf-8")
    (packs / "320400" / "benefit.yaml").write_text("versions: []\n", encoding="utf-8")
    contributions = packs / "140500" / "contributions.yaml"
    contributions.write_text(
        contributions.read_text(encoding="utf-8").replace('"45.00"', '"-1"', 1), encoding="utf-8"
    )
    with pytest.raises(InvalidPolicyPack) as exc:
        PolicyBook.load(packs)
    messages = [str(e) for e in exc.value.errors]
    assert any("adl_bands" in m and "not covered" in m for m in messages), messages
    assert any("fund_share" in m and "float" in m for m in messages), messages
    assert any("typo" in m for m in messages), messages
    assert any("benefit.yaml" in m and "unknown section" in m for m in messages), messages
    assert any("140500" in m and "amount" in m for m in messages), messages
    assert main(["check", str(packs)]) == 1


def test_assumed_paths_must_name_real_values(tmp_path: Path) -> None:
    packs = _copy_packs(tmp_path)
    path = packs / "320900" / "assessment.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("      - fee\n", "      - fees\n"),
        encoding="utf-8",
    )
    with pytest.raises(InvalidPolicyPack, match="no value at 'fees'"):
        PolicyBook.load(packs)


def test_the_check_command_passes_on_the_committed_packs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check"]) == 0
    assert "ok: " in capsys.readouterr().out
