"""Helpers for the scanning tests: small semgrep rule sets, fake semgrep executables, jobs and policies."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from gatekeeper.config import Policy, parse_policy
from gatekeeper.engine import Request, Services, evaluate
from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob, Scanner
from gatekeeper.models import RefKind, RefUpdate, Verdict

REAL_SEMGREP = str(Path(sys.executable).parent / "semgrep")

# A tiny rule set of our own so these tests do not depend on the shipped rules' evolution.
TEST_RULES = """\
rules:
  - id: test-python-eval
    message: >-
      eval() runs code built at run time. Use ast.literal_eval() or a dispatch table instead.
    languages: [python]
    severity: ERROR
    metadata:
      gatekeeper-severity: critical
    patterns:
      - pattern: eval($X)
      - pattern-not: eval("...")
  - id: test-js-eval
    message: eval() in JavaScript runs code built at run time. Remove it.
    languages: [javascript]
    severity: WARNING
    pattern: eval($X)
"""

POLICY = """\
version: 1
origins: {undeclared: mobile}
protected_refs: []
rules:
  mobile: {scanners: SCANNERS, block_at: high}
  default: {scanners: [secrets], block_at: critical}
on_tool_error: block
"""


def write_rules(directory: Path, text: str = TEST_RULES) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "test-rules.yml").write_text(text)
    return directory


def script(path: Path, body: str) -> str:
    """An executable shell script (a fake or wrapping semgrep)."""
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


def counting_semgrep(directory: Path) -> tuple[str, Path]:
    """A wrapper around the real semgrep that records each `scan` invocation (one line each)."""
    log = directory / "semgrep-calls.log"
    wrapper = script(directory / "semgrep", f'case " $* " in *" scan "*) echo "$*" >> "{log}";; esac\n'
                     f'exec "{REAL_SEMGREP}" "$@"\n')
    return wrapper, log


def calls(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def job(repo: Path, base: str | None, head: str = "HEAD", deadline: float | None = None) -> ScanJob:
    git = Git(repo)
    head_sha = git.resolve(head)
    exclude = [git.resolve(base)] if base else []
    commits = git.commits([head_sha], exclude)
    return ScanJob(git=git, commits=commits, changes=git.changed_files(c.sha for c in commits), head=head_sha,
                   deadline=deadline)


def policy(extra: str = "", base_dir: Path | None = None, scanners: str = "secrets, semgrep, bandit") -> Policy:
    return parse_policy(POLICY.replace("SCANNERS", f"[{scanners}]") + extra, "test-policy.yml", base_dir)


def evaluate_range(repo: Path, base: str | None, scanners: dict[str, Scanner], pol: Policy | None = None,
                   baseline: frozenset[str] = frozenset(), today: dt.date | None = None) -> Verdict:
    """The engine over base..HEAD; the policy runs exactly the given scanners unless one is passed."""
    git = Git(repo)
    head = git.resolve("HEAD")
    old = git.resolve(base) if base else "0" * 40
    update = RefUpdate("refs/heads/feature", old, head, RefKind.UPDATE if base else RefKind.CREATE)
    now = dt.datetime.combine(today, dt.time(12), dt.UTC) if today else dt.datetime.now(dt.UTC)
    request = Request(git=git, updates=(update,), policy=pol or policy(scanners=", ".join(scanners)),
                      baseline=baseline, now=now)
    return evaluate(request, Services(scanners=scanners))


def rule_ids(findings: Sequence[object]) -> list[str]:
    return sorted(getattr(f, "rule_id") for f in findings)


def check_commit(where: Path, files: Mapping[str, str], policy: str, *,
                 executable: bool | Collection[str] = False) -> tuple[int, dict[str, Any]]:
    """Dana's one commit of `files` on top of a README, judged under `policy` (YAML text) by the real
    `gatekeeper check --format json`, run as a user runs it (no GitHub, Action or gatekeeper variables): its exit
    code and verdict. `executable`: every file (True) or those named are committed with mode 755."""
    import json
    import os
    import subprocess

    from tests.hook_helpers import DANA
    from tests.repo_builder import RepoBuilder

    repo = RepoBuilder.init(where / "repo")
    policy_file = where / "policy.yml"
    policy_file.write_text(policy)
    base = repo.commit("base\n", {"README.md": "x\n"}, author=DANA, committer=DANA)
    for rel, text in files.items():
        path = repo.write(rel, text)
        if executable is True or (not isinstance(executable, bool) and rel in executable):
            path.chmod(0o755)
        repo.git("add", "--", rel)
    repo.commit("Add code\n", author=DANA, committer=DANA)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "GATEKEEPER_"))}
    # (A module-scoped fixture calls this before the per-test environment is set: never the developer's cache.)
    env["XDG_CACHE_HOME"] = str(where / "cache")
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--policy", str(policy_file), "--format",
                           "json", "--base", base], cwd=repo.path, capture_output=True, text=True, check=False,
                          timeout=600, env=env)
    try:
        return proc.returncode, dict(json.loads(proc.stdout))
    except ValueError:
        raise AssertionError(proc.stdout + proc.stderr) from None


# Policies for red-team tests of the scanners: every scanner on every commit blocking at medium, or secrets alone.
def _every_scanner_policy() -> str:
    from tests.hook_helpers import TEST_POLICY

    return TEST_POLICY.replace(
        "mobile: {scanners: [], block_at: high, review: {approvals: 1}}",
        "mobile: {scanners: [secrets, semgrep, bandit], block_at: medium}",
    ).replace("default: {scanners: [], block_at: critical}",
              "default: {scanners: [secrets, semgrep, bandit], block_at: medium}")


ALL_SCANNERS_POLICY = _every_scanner_policy()
SECRETS_ONLY_POLICY = ALL_SCANNERS_POLICY.replace("[secrets, semgrep, bandit]", "[secrets]")
