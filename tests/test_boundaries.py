"""The lint rule on service boundaries passes on the code and fails when a service imports another."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = str(Path(sys.executable).with_name("lint-imports"))


def test_the_repository_keeps_its_boundaries() -> None:
    result = subprocess.run([LINT], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_a_service_importing_another_service_breaks_the_lint(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for pkg in [
        "ltci_shared",
        "ltci_enrollment",
        "ltci_assessment",
        "ltci_care_delivery",
        "ltci_settlement",
        "ltci_gateway",
    ]:
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text("")
    (tmp_path / "ltci_settlement" / "reach.py").write_text("import ltci_enrollment\n")
    result = subprocess.run(
        [LINT],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1, result.stdout
    assert "Services are independent of each other BROKEN" in result.stdout
