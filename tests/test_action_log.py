"""The Action appends its verdicts to the decision log, end to end.

`gatekeeper action` runs in-process against a real repository and the local GitHub API (pytest-httpserver),
with GATEKEEPER_DECISION_LOG naming a real SQLite log; the log is then read back through the same
`gatekeeper log` and `gatekeeper audit` commands a security team uses. A log that cannot be written only
warns, unless the policy requires it: then the Action fails closed and says so in its outputs.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from gatekeeper.audit.decisionlog import open_log, verify
from gatekeeper.cli import run
from gatekeeper.models import ExitCode
from tests.github_helpers import synthetic_review
from tests.repo_builder import RepoBuilder
from tests.test_action import POLICY, REPO, Env, gh, pr_event, pr_repo, serve_pr

__all__ = ["gh", "pr_repo"]  # pytest fixtures shared with test_action.py, used by name


def _records(log: Path) -> list[dict[str, object]]:
    store = open_log(str(log), create=False)
    try:
        assert verify(store).ok
        return [r.data() for r in store.records()]
    finally:
        store.close()


def test_action_verdicts_are_chained_into_the_log(gh: Env, httpserver: HTTPServer, pr_repo: dict[str, str],
                                                  tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "decisions.db"
    commits = [pr_repo["first"], pr_repo["head"]]
    serve_pr(httpserver, 7, commits, [])
    blocked = gh.run("pull_request", pr_event(pr_repo), GATEKEEPER_DECISION_LOG=str(log))
    assert blocked.return_value == ExitCode.BLOCKED, blocked.output
    # SYNTHETIC review: Bob (not an author) approves the head.
    serve_pr(httpserver, 7, commits, [synthetic_review("bob", "APPROVED", pr_repo["head"], rid=1)])
    allowed = gh.run("pull_request_review", pr_event(pr_repo, action="submitted"), GATEKEEPER_DECISION_LOG=str(log))
    assert allowed.return_value == ExitCode.OK, allowed.output

    records = _records(log)
    assert [r["decision"] for r in records] == ["block", "allow"]
    assert all(r["repository"] == f"github:{REPO}" for r in records)
    assert all(r["mode"] == "action" for r in records), records
    assert "review/missing" in records[0]["blocking_rules"]  # type: ignore[operator]
    assert pr_repo["head"] in records[1]["commits"]  # type: ignore[operator]

    # The same log through the commands: verify, export, and the audit joining the decision to the commit.
    assert run(["log", "verify", "--log", str(log)]) == ExitCode.OK
    capsys.readouterr()
    assert run(["log", "export", "--log", str(log), "--format", "json"]) == ExitCode.OK
    exported = json.loads(capsys.readouterr().out)
    assert [r["verdict"]["decision"] for r in exported["records"]] == ["block", "allow"]
    # The workspace as actions/checkout leaves it: origin is the repository on GitHub, which names it in the log.
    workspace = str(gh.vars["GITHUB_WORKSPACE"])
    subprocess.run(["git", "-C", workspace, "remote", "remove", "origin"], capture_output=True)
    subprocess.run(["git", "-C", workspace, "remote", "add", "origin", f"https://github.com/{REPO}.git"], check=True)
    assert run(["audit", "--repo", workspace, "--all", "--format", "json", "--no-progress",
                "--log", str(log)]) == ExitCode.OK
    audit = json.loads(capsys.readouterr().out)
    head = next(c for c in audit["commits"] if c["sha"] == pr_repo["head"])
    assert [(d["decision"], d["mode"]) for d in head["decisions"]] == [("block", "action"), ("allow", "action")]


def test_unwritable_log_warns_and_a_required_one_fails_closed(gh: Env, httpserver: HTTPServer,
                                                              repo: RepoBuilder, tmp_path: Path) -> None:
    unwritable = str(tmp_path / "no-such-dir" / "decisions.db")
    before = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    after = repo.commit("desk change\n", {"a.py": "A = 1\n"})
    httpserver.expect_request(f"/repos/{REPO}/commits/{after}/pulls").respond_with_json([])
    payload = {"ref": "refs/heads/main", "before": before, "after": after, "created": False, "deleted": False,
               "forced": False, "repository": {"full_name": REPO}}
    warned = gh.run("push", payload, GATEKEEPER_DECISION_LOG=unwritable)
    assert warned.return_value == ExitCode.OK, warned.output
    assert "warning: the decision was not logged" in warned.output
    assert gh.outputs()["decision"] == "allow"

    # The base branch's policy now requires the log: the same push fails closed, and says why.
    before = repo.commit("require the log\n", {".gatekeeper.yml": POLICY + "log: {required: true}\n"})
    after = repo.commit("desk change 2\n", {"a.py": "A = 2\n"})
    httpserver.expect_request(f"/repos/{REPO}/commits/{after}/pulls").respond_with_json([])
    payload = {**payload, "before": before, "after": after}
    refused = gh.run("push", payload, GATEKEEPER_DECISION_LOG=unwritable)
    assert refused.return_value not in (ExitCode.OK, ExitCode.BLOCKED), refused.output
    assert "fails closed" in refused.output
    assert gh.outputs()["decision"] == "error"
    assert not Path(unwritable).exists()
