"""Red team red22: commits that declare mobile or AI origin (or are mobile work) judged as desktop / no-AI.

Each test is a reproduction that FAILS on main at the time of writing: the declaration is there, in a form
DESIGN §3 and the README name (the same keys in git notes under refs/notes/origin; the mobile commit's own
code), yet the gate skips the mobile or AI rules. Real repositories, `gatekeeper check` in-process, real
`git push`es into a bare repository with the installed hook, and `gatekeeper action` against the
GitHub-shaped local API.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from gatekeeper.cli import run as gatekeeper_cli
from gatekeeper.models import ExitCode
from tests.hook_helpers import MO, MOBILE, TEST_POLICY, make_server, spush
from tests.repo_builder import RepoBuilder
from tests.test_action import ALICE, Env, pr_event, serve_pr
from tests.test_action import MOBILE as ACTION_MOBILE
from tests.test_action import POLICY as ACTION_POLICY

AI_ZONE_POLICY = """\
version: 1
origins: {mobile_classes: [mobile, tablet], undeclared: desktop}
protected_refs: ["refs/heads/main"]
rules:
  mobile: {scanners: [], block_at: high, review: {approvals: 1}}
  default: {scanners: [], block_at: critical}
zones:
  - {name: payments, paths: ["src/payments/**"], ai: block}
pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}
"""


def _check(repo: RepoBuilder, policy: Path, base: str, head: str = "HEAD") -> tuple[int, dict[str, Any]]:
    out = repo.path.parent / "verdict.json"
    code = gatekeeper_cli(["check", "--repo", str(repo.path), "--base", base, "--head", head, "--policy",
                           str(policy), "--format", "json", "--output", str(out)])
    return code, json.loads(out.read_text())


def _repo(tmp_path: Path, policy: str) -> tuple[RepoBuilder, Path, str]:
    policy_file = tmp_path / "policy.yml"
    policy_file.write_text(policy)
    repo = RepoBuilder.init(tmp_path / "repo")
    base = repo.commit("root\n", {"README": "x\n"})
    return repo, policy_file, base


# -- 1. `Assisted-by:` / `Generated-by:` in a refs/notes/origin note are not read -----------------------

def test_assisted_by_in_an_origin_note_counts_like_the_trailer(tmp_path: Path) -> None:
    """README: "The same keys are read from git notes under refs/notes/origin". The trailer
    `Assisted-by: codex/1` makes the commit AI-assisted (the zone's `ai: block` refuses it); the same line
    in the commit's origin note is ignored (NoteDetector hands only Origin-Device* keys on): ai `none`."""
    repo, policy, base = _repo(tmp_path, AI_ZONE_POLICY)
    sha = repo.commit("payments change\n", {"src/payments/pay.py": "AMOUNT = 1\n"})
    repo.note(sha, "Assisted-by: codex/1\nGenerated-by: codex/1\n")
    code, verdict = _check(repo, policy, base)
    assert verdict["commits"][0]["origin"]["ai"] != "none", verdict["commits"][0]["origin"]
    assert code == ExitCode.BLOCKED
    assert "policy/zone-violation" in [f["rule_id"] for f in verdict["findings"]]


def test_assisted_by_in_a_note_pushed_with_the_commit_is_read_by_the_hook(tmp_path: Path) -> None:
    """The same through the hook: the commit and its origin note in one real push into the AI-free zone."""
    server = make_server(tmp_path / "srv", policy=AI_ZONE_POLICY)
    work = server.clone()
    work.commit("init\n", {"README": "x\n"})
    assert spush(server, work, "origin", "main").code == 0
    sha = work.commit("payments change\n", {"src/payments/pay.py": "AMOUNT = 1\n"})
    work.note(sha, "Assisted-by: codex/1\n")
    result = spush(server, work, "origin", "main", "refs/notes/origin")
    assert result.code != 0, result.output
    assert server.tip() != sha


# -- 2. a desktop commit that moves the mobile commit's file hides it from the mobile scanners ----------

BANDIT_POLICY = """\
version: 1
origins: {mobile_classes: [mobile, tablet], undeclared: desktop}
protected_refs: ["refs/heads/main"]
rules:
  mobile: {scanners: [bandit], block_at: high}
  default: {scanners: [], block_at: critical}
bandit: {min_confidence: low, min_severity: low}
"""
SHELL = "import subprocess\n\n\ndef go(cmd):\n    subprocess.call(cmd, shell=True)\n"


def test_a_desktop_rename_does_not_take_mobile_code_out_of_the_mobile_scan(tmp_path: Path) -> None:
    """The phone commit adds `shell=True` (bandit B602, high: blocked under the mobile rules, and it is when
    pushed alone). A second, undeclared commit in the same range only `git mv`s the file. The head-based
    scan (scan/common.head_changes) attributes each path to the newest *scanned* commit that changed it and
    keeps only those paths: the mobile job's `src/app.py` no longer exists at the head, the new path belongs
    to the desktop commit, whose rule set runs no bandit — the phone's code lands unscanned."""
    repo, policy, base = _repo(tmp_path, BANDIT_POLICY)
    repo.commit("from the phone" + MOBILE, {"src/app.py": SHELL}, author=MO, committer=MO)
    code, verdict = _check(repo, policy, base)
    assert code == ExitCode.BLOCKED and "bandit/B602" in [f["rule_id"] for f in verdict["findings"]]  # alone

    repo.git("mv", "src/app.py", "src/main.py")
    repo.commit("move app to main\n", allow_empty=True)
    code, verdict = _check(repo, policy, base)
    assert [c["origin"]["device"] for c in verdict["commits"]] == ["mobile", "unknown"]
    assert "bandit/B602" in [f["rule_id"] for f in verdict["findings"]], verdict["findings"]
    assert code == ExitCode.BLOCKED


# -- 3. the Action never reads refs/notes/origin: actions/checkout does not fetch notes -----------------

def test_the_action_reads_origin_notes_of_the_pull_request(tmp_path: Path, httpserver: HTTPServer) -> None:
    """GitHub holds the developer's refs/notes/origin (pushed like any ref); the pre-receive hook reads it
    and so does `gatekeeper check` on that repository. The Action judges the checkout, and actions/checkout
    (like `git clone`) fetches branches and tags, never notes: the note-declared phone commit is desktop
    there and needs no review."""
    upstream = RepoBuilder.init(tmp_path / "upstream")
    base = upstream.commit("base\n", {".gatekeeper.yml": ACTION_POLICY, "app.py": "print('hi')\n"})
    upstream.branch("feature")
    head = upstream.commit("from the phone\n", {"app.py": "print('hello')\n"}, author=ALICE, committer=ALICE)
    upstream.note(head, ACTION_MOBILE.strip() + "\n")
    upstream.checkout("main")
    shas = {"base": base, "head": head}

    # What the hook and a local check see in the repository that holds the note: a mobile commit.
    policy = tmp_path / "policy.yml"
    policy.write_text(ACTION_POLICY)
    _, verdict = _check(upstream, policy, base, head)
    assert [c["origin"]["device"] for c in verdict["commits"]] == ["mobile"]
    def checkout(name: str, *, with_notes: bool) -> Path:
        workspace = tmp_path / name
        subprocess.run(["git", "clone", "-q", "--no-local", upstream.path.as_uri(), str(workspace)], check=True)
        if with_notes:
            subprocess.run(["git", "fetch", "-q", "origin", "refs/notes/origin:refs/notes/origin"], cwd=workspace,
                           check=True)
        subprocess.run(["git", "checkout", "-q", head], cwd=workspace, check=True)
        return workspace

    serve_pr(httpserver, 7, [head], [])
    # Control: a checkout that holds the notes is judged right (review/missing for the phone commit).
    result = Env(tmp_path, httpserver, checkout("with-notes", with_notes=True)).run("pull_request", pr_event(shas))
    assert result.exception is None and result.return_value == ExitCode.BLOCKED, result.output
    # What actions/checkout gives the Action: no notes, and the Action fetches none.
    result = Env(tmp_path, httpserver, checkout("workspace", with_notes=False)).run("pull_request", pr_event(shas))
    assert result.exception is None, result.output
    assert result.return_value == ExitCode.BLOCKED, result.output


# -- 4. a note that declares an already-accepted commit mobile is accepted without a word ---------------

def test_a_later_note_declaring_a_protected_commit_mobile_is_not_silent(tmp_path: Path) -> None:
    """The tool that wrote the declaration pushes notes separately (`git push`, then
    `git push origin refs/notes/origin`): the commit reached main undeclared (desktop, no review), and the
    notes push that says it came from a phone is judged as the notes commit alone — accepted with no
    finding. Nothing ever applies the mobile rules to it or tells anyone that main holds an unreviewed
    mobile commit."""
    server = make_server(tmp_path / "srv", policy=TEST_POLICY)
    work = server.clone()
    work.commit("init\n", {"README": "x\n"})
    assert spush(server, work, "origin", "main").code == 0
    sha = work.commit("change from the phone\n", {"a.txt": "a\n"}, author=MO, committer=MO)
    assert spush(server, work, "origin", "main").code == 0  # undeclared: the policy's desktop
    work.note(sha, MOBILE.strip() + "\n")
    result = spush(server, work, "origin", "refs/notes/origin")
    verdict = server.last_verdict()
    named = [f for f in verdict["findings"] if f.get("commit") == sha]
    judged = [c for c in verdict["commits"] if c["sha"] == sha]
    assert named or (judged and judged[0]["origin"]["device"] == "mobile"), (result.output, verdict["findings"])


def test_a_desktop_move_with_an_edit_keeps_the_mobile_code_in_the_mobile_scan(tmp_path: Path) -> None:
    """The same with an edit in the moving commit (git's rename detection still pairs the two paths)."""
    repo, policy, base = _repo(tmp_path, BANDIT_POLICY)
    repo.commit("from the phone" + MOBILE, {"src/app.py": SHELL}, author=MO, committer=MO)
    repo.git("mv", "src/app.py", "src/main.py")
    (repo.path / "src" / "main.py").write_text(SHELL + "\n\ndef stop():\n    return None\n")
    repo.git("add", "-A")
    repo.commit("move app to main, add stop()\n", allow_empty=True)
    code, verdict = _check(repo, policy, base)
    assert "bandit/B602" in [f["rule_id"] for f in verdict["findings"]], verdict["findings"]
    assert code == ExitCode.BLOCKED
