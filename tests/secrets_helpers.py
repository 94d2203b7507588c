"""What the secrets tests that judge single lines and single commits share: the detector's answers for a line (rule
and why suppressed), and the scanner's findings for one real commit under the default policy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import gatekeeper
from gatekeeper.config import parse_policy
from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.models import Severity
from gatekeeper.scan.secrets import SecretDetector
from gatekeeper.scan.secrets_scanner import SecretsScanner
from tests.repo_builder import RepoBuilder

Found = list[tuple[str, str, Severity, str]]


def reported(detector: SecretDetector, text: str, path: str) -> list[tuple[str, str]]:
    """(rule, suppressed reason or "") of every hit on `text` read as a line of `path`."""
    return [(h.rule_id, h.suppressed) for h in detector.scan_text(text, path=path, with_suppressed=True)]


def blocking(detector: SecretDetector, text: str, path: str) -> list[str]:
    return [rule for rule, suppressed in reported(detector, text, path) if not suppressed]


def scan_commit(repo: RepoBuilder, files: dict[str, str]) -> Found:
    """(path, rule, severity, suppressed_by) of every secrets finding of one real commit adding `files`, default
    policy."""
    base = repo.head()
    sha = repo.commit("add\n", files)
    git = Git(repo.path)
    result = SecretsScanner(settings=parse_policy("version: 1\n").secrets).scan(
        ScanJob(git=git, commits=git.commits([sha], [base]), changes=git.changed_files([sha]), head=sha))
    return sorted((f.path or "", f.rule_id, f.severity, f.suppressed_by) for f in result.findings
                  if f.rule_id.startswith("secrets/"))


def blocking_findings(found: Found) -> list[tuple[str, str]]:
    """(path, rule) of the findings that block under the default policy (high or above, not suppressed)."""
    return [(path, rule) for path, rule, severity, suppressed in found if not suppressed and severity >= Severity.HIGH]


def blocking_paths(found: Found) -> set[str]:
    """The paths of the findings that block under the default policy."""
    return {path for path, _ in blocking_findings(found)}


def check_json(root: Path, repo: RepoBuilder, base: str) -> dict[str, Any]:
    """The real `gatekeeper check --format json --base BASE` of `repo` in a child process with a bare environment
    (HOME and caches under `root`; the code under test on PYTHONPATH, not an installed one)."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(root), "XDG_CACHE_HOME": str(root / "cache"),
           "PYTHONPATH": str(Path(gatekeeper.__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--format", "json", "--base", base],
                          cwd=repo.path, capture_output=True, text=True, check=False, timeout=600, env=env)
    try:
        return dict(json.loads(proc.stdout))
    except ValueError:
        raise AssertionError(proc.stdout + proc.stderr) from None
