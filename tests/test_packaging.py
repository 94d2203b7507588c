"""The wheel ships every package and the rules; an installed gatekeeper finds them."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def test_package_list_is_complete() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "gatekeeper").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"


@pytest.mark.slow
def test_wheel_contains_rules_and_schema(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("gatekeeper-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "gatekeeper/rules/secrets.yml" in names
    assert "gatekeeper/rules/secrets.candidates.json" in names  # the audit's keyword index (secret_candidates)
    assert "gatekeeper/schema/verdict.schema.json" in names
    assert {"gatekeeper/keys/github-web-flow.asc", "gatekeeper/keys/gitlab-web-commits.pub"} <= set(names)
    assert any(n.startswith("gatekeeper/rules/semgrep/") and n.endswith(".yml") for n in names)
