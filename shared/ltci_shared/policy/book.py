"""Loading and validating policy packs, and answering "which rule is in force on date D".

A pack is a folder per region (administrative division code) holding ``region.yaml`` and one
file per section (``contributions.yaml``, ``assessment.yaml``, ``benefits.yaml``,
``assistance.yaml``), each a list of ``versions`` with an ``effective_from`` date. Loading
validates everything and refuses the whole book with every error listed; a valid book is
immutable. A section version applies from its date until the next one's; settled periods are
never rewritten because each result records the version it used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ltci_shared.errors import NotFound
from ltci_shared.policy.assessment import AssessmentPolicy
from ltci_shared.policy.assistance import AssistancePolicy
from ltci_shared.policy.base import SectionVersion
from ltci_shared.policy.benefits import BenefitPolicy
from ltci_shared.policy.contributions import ContributionPolicy

SECTIONS: dict[str, type[SectionVersion]] = {
    cls.section: cls
    for cls in (ContributionPolicy, AssessmentPolicy, BenefitPolicy, AssistancePolicy)
}
PACKS_DIR = Path(__file__).parent / "packs"
_REGION_RE = re.compile(r"^\d{6}$")
S = TypeVar("S", bound=SectionVersion)


class Region(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^\d{6}$")
    name: str = Field(min_length=1)
    name_en: str | None = None
    province: str | None = None
    divisions: dict[str, str] = Field(
        default_factory=dict, description="county-level division codes in the region, with names"
    )
    sources: list[str] = Field(default_factory=list)


class PolicyNotInForce(NotFound):
    name = "policy_not_in_force"
    title = "No policy in force"


@dataclass(frozen=True)
class PackError:
    file: str
    location: str
    message: str

    def __str__(self) -> str:
        where = f" at {self.location}" if self.location else ""
        return f"{self.file}{where}: {self.message}"


class InvalidPolicyPack(Exception):
    def __init__(self, errors: list[PackError]) -> None:
        super().__init__(f"{len(errors)} policy pack error(s):\n" + "\n".join(map(str, errors)))
        self.errors = errors


@dataclass(frozen=True)
class PolicyBook:
    """Every region's validated policy, by section and effective date."""

    regions: dict[str, Region]
    sections: dict[tuple[str, str], tuple[SectionVersion, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path | None = None) -> PolicyBook:
        regions, sections, errors = _read(directory or PACKS_DIR)
        if errors:
            raise InvalidPolicyPack(errors)
        return cls(regions, sections)

    def region(self, code: str) -> Region:
        if code in self.regions:
            return self.regions[code]
        for region in self.regions.values():
            if code in region.divisions:
                return region
        raise NotFound(f"unknown region code {code}")

    def knows_region(self, code: str) -> bool:
        return code in self.regions or any(code in r.divisions for r in self.regions.values())

    def versions(self, region_code: str, kind: type[S]) -> tuple[S, ...]:
        pack = self.region(region_code).code
        return self.sections.get((pack, kind.section), ())  # type: ignore[return-value]

    def in_force(self, region_code: str, kind: type[S], on: date) -> S:
        """The version of section ``kind`` in force in the region on ``on``."""
        found = None
        for version in self.versions(region_code, kind):
            if version.effective_from <= on:
                found = version
        if found is None:
            raise PolicyNotInForce(
                f"no {kind.section} policy in force for region {region_code} on {on.isoformat()}"
            )
        return found


def _read(
    directory: Path,
) -> tuple[dict[str, Region], dict[tuple[str, str], tuple[SectionVersion, ...]], list[PackError]]:
    errors: list[PackError] = []
    regions: dict[str, Region] = {}
    sections: dict[tuple[str, str], tuple[SectionVersion, ...]] = {}
    if not directory.is_dir():
        return regions, sections, [PackError(str(directory), "", "no such folder")]
    for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
        if not _REGION_RE.match(folder.name):
            errors.append(PackError(str(folder), "", "folder name must be a 6-digit region code"))
            continue
        region = _read_region(folder, errors)
        if region is None:
            continue
        regions[region.code] = region
        for path in sorted(folder.glob("*.yaml")):
            if path.stem == "region":
                continue
            kind = SECTIONS.get(path.stem)
            if kind is None:
                errors.append(
                    PackError(str(path), "", f"unknown section; one of {sorted(SECTIONS)}")
                )
                continue
            versions = _read_versions(path, kind, errors)
            if versions:
                sections[(region.code, kind.section)] = versions
    _check_divisions(regions, errors)
    return regions, sections, errors


def _load_yaml(path: Path, errors: list[PackError]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        errors.append(PackError(str(path), "", f"not valid YAML: {exc}"))
        return None


def _read_region(folder: Path, errors: list[PackError]) -> Region | None:
    path = folder / "region.yaml"
    if not path.exists():
        errors.append(PackError(str(path), "", "missing"))
        return None
    data = _load_yaml(path, errors)
    try:
        region = Region.model_validate(data)
    except ValidationError as exc:
        errors.extend(_errors(path, exc))
        return None
    if region.code != folder.name:
        errors.append(PackError(str(path), "code", f"{region.code} differs from the folder name"))
        return None
    return region


def _read_versions(
    path: Path, kind: type[SectionVersion], errors: list[PackError]
) -> tuple[SectionVersion, ...]:
    data = _load_yaml(path, errors)
    if not isinstance(data, dict) or not isinstance(data.get("versions"), list):
        errors.append(PackError(str(path), "", "expected a mapping with a 'versions' list"))
        return ()
    out: list[SectionVersion] = []
    for i, raw in enumerate(data["versions"]):
        try:
            out.append(kind.model_validate(raw))
        except ValidationError as exc:
            errors.extend(_errors(path, exc, prefix=f"versions.{i}"))
    dates = [v.effective_from for v in out]
    if len(set(dates)) != len(dates):
        errors.append(PackError(str(path), "versions", "two versions share an effective_from"))
    if dates != sorted(dates):
        errors.append(PackError(str(path), "versions", "versions must be in date order"))
    for i, version in enumerate(out):
        for assumed in version.assumed:
            if not path_exists(version, assumed):
                errors.append(
                    PackError(str(path), f"versions.{i}.assumed", f"no value at '{assumed}'")
                )
    return tuple(out)


def path_exists(model: BaseModel, dotted: str) -> bool:
    node: Any = model.model_dump()
    for part in dotted.split("."):
        key: Any = int(part) if part.isdigit() else part
        if isinstance(node, dict) and (part in node or key in node):
            node = node[part] if part in node else node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return False
    return True


def _check_divisions(regions: dict[str, Region], errors: list[PackError]) -> None:
    seen: dict[str, str] = {}
    for region in regions.values():
        for code in region.divisions:
            if not _REGION_RE.match(code):
                errors.append(PackError(region.code, f"divisions.{code}", "not a 6-digit code"))
            elif code in seen or (code in regions and code != region.code):
                errors.append(PackError(region.code, f"divisions.{code}", "claimed twice"))
            seen[code] = region.code


def _errors(path: Path, exc: ValidationError, prefix: str = "") -> list[PackError]:
    out = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in (prefix, *e["loc"]) if p != "")
        out.append(PackError(str(path), loc, e["msg"]))
    return out
