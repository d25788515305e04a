"""The benefits pack's scorecard weights and holdback release bands: loaded from the committed
packs (marked assumed), the band reached by a score, and invalid blocks refused on load."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from ltci_shared.policy import BenefitPolicy, InvalidPolicyPack, PolicyBook
from ltci_shared.policy.book import PACKS_DIR


def _yancheng() -> BenefitPolicy:
    return PolicyBook.load().in_force("320900", BenefitPolicy, date(2026, 3, 1))


def test_the_seed_city_packs_carry_weights_and_bands_marked_assumed() -> None:
    book = PolicyBook.load()
    for region in ("320900", "220100", "140500", "320400"):
        policy = book.in_force(region, BenefitPolicy, date(2026, 3, 1))
        assert policy.scorecard is not None and sum(policy.scorecard.weights.values()) == 1
        assert policy.holdback_release and policy.is_assumed("holdback_release")
        assert policy.is_assumed("scorecard.weights.satisfaction")
    shanghai = book.in_force("310000", BenefitPolicy, date(2026, 3, 1))
    assert shanghai.scorecard is not None and shanghai.holdback_release == []


@pytest.mark.parametrize(
    ("score", "share"),
    [
        ("100", "1.00"),
        ("90", "1.00"),
        ("89.99", "0.50"),
        ("80", "0.50"),
        ("79.99", "0"),
        ("0", "0"),
    ],
)
def test_the_highest_band_reached_gives_the_share(score: str, share: str) -> None:
    assert _yancheng().release_share(D(score)) == D(share)


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    packs = tmp_path / "packs"
    shutil.copytree(PACKS_DIR, packs)
    path = packs / "320900" / "benefits.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return packs


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('verified_rate: "0.30"', 'verified_rate: "0.35"', "sum to 1"),
        ('verified_rate: "0.30"', "verified_rate: 0.30", "quoted decimals"),
        ('complaint_free_rate: "0.10"', 'punctuality: "0.10"', "weights.punctuality"),
        ('{min_score: "80"', '{min_score: "90"', "own min_score"),
        ('{min_score: "80"', '{min_score: "180"', "less than or equal to 100"),
        ('release_share: "0.50"', 'release_share: "1.50"', "between 0 and 1"),
    ],
)
def test_an_invalid_scorecard_or_band_stops_the_pack(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(InvalidPolicyPack, match=message):
        PolicyBook.load(_broken(tmp_path, old, new))
