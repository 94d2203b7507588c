"""Red team red46: a hostile pull-request author or pusher against the GitHub Action step's outputs.

End to end: real git repositories, the real `gatekeeper action` click command with a real event file,
real GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files in tmp and a local GitHub API (pytest-httpserver).
Helpers (Env, POLICY, serve_pr, pr_event) come from tests/test_action.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.github_helpers import serve_reviews
from tests.repo_builder import RepoBuilder
from tests.test_action import ALICE, MOBILE, POLICY, Env, gh, pr_event, serve_pr

__all__ = ["gh"]  # fixture


def _hostile_symlink_pr(repo: RepoBuilder, name: str, target: Path) -> dict[str, str]:
    """main with the policy; a PR whose head commit adds `name` as a symlink to `target` (outside the
    workspace). The job's checkout is the PR (actions/checkout of the merge ref), so the link is in
    the work tree the Action runs in."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    link = repo.path / name
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)
    repo.git("add", "--", name)
    repo.git("commit", "-q", "-m", "phone: add a report file" + MOBILE,
             env={"GIT_AUTHOR_NAME": ALICE[0], "GIT_AUTHOR_EMAIL": ALICE[1],
                  "GIT_COMMITTER_NAME": ALICE[0], "GIT_COMMITTER_EMAIL": ALICE[1]})
    return {"base": base, "head": repo.head()}


def test_sarif_input_is_not_written_through_a_symlink_the_pull_request_planted(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, tmp_path: Path) -> None:
    """Attack: the example workflow passes `sarif: gatekeeper.sarif` and checks out the pull request.
    The PR adds `gatekeeper.sarif` as a symlink to a file outside the workspace (here a stand-in
    for `~/.bashrc` on a self-hosted runner, or `/github/home/...` shared with later steps of the job).
    cli_action._publish does `target.write_text(render_sarif(verdict))`, which follows the link: the
    step overwrites an arbitrary file the runner user can write, with JSON the attacker partly
    controls (commit subjects and paths land in `message.text`).

    Severity: high — an arbitrary-file overwrite outside the workspace, triggered by any PR author
    before any review, on the gate's own step (the same pattern reaches `.git/config`, or the runner's
    home on self-hosted runners; with a `$(...)` in a path the overwritten rc file runs it).

    Secure: the SARIF file is written without following a symlink (os.replace of a temp file —
    fsutil.atomic_write — or O_NOFOLLOW, and the path resolved inside the workspace); the file
    outside the workspace keeps its content."""
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim-rc"
    victim.write_text("precious: do not overwrite\n")
    shas = _hostile_symlink_pr(repo, "gatekeeper.sarif", victim)
    serve_pr(httpserver, 7, [shas["head"]], [])
    gh.run("pull_request", pr_event(shas))
    assert victim.read_text() == "precious: do not overwrite\n", "the SARIF report was written through the symlink"


def test_sarif_input_is_not_written_through_a_symlinked_directory_the_pull_request_planted(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, tmp_path: Path) -> None:
    """Attack: the workflow passes `sarif: reports/gatekeeper.sarif` (a report directory is the usual
    layout); the PR adds `reports` as a symlink to a directory outside the workspace. `_publish` does
    `target.parent.mkdir(parents=True, exist_ok=True)` (satisfied by the link) and writes through it:
    the step creates a file of its choosing in any directory the runner user can write — a fix that
    only replaces a symlinked *file* (os.replace) still writes into the linked directory.

    Severity: medium — a file created outside the workspace by any PR author before review (e.g. a
    `*.sh` / `*.json` picked up by a later step or tool reading that directory); the name is the
    workflow's, the content partly the attacker's.

    Secure: the SARIF path is resolved and must stay inside the (real) workspace; a path through a
    symlink is refused (decision `error`) or written without following it. Nothing appears in the
    outside directory."""
    outside = tmp_path / "outside-dir"
    outside.mkdir()
    shas = _hostile_symlink_pr(repo, "reports", outside)
    serve_pr(httpserver, 7, [shas["head"]], [])
    gh.run("pull_request", pr_event(shas), INPUT_SARIF="reports/gatekeeper.sarif")
    assert list(outside.iterdir()) == [], "the SARIF report was written into a directory outside the workspace"


def test_attestation_bundle_is_not_written_through_a_symlink_in_the_merged_tree(
        tmp_path: Path, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Attack: a PR adds `gatekeeper-attestation.intoto.jsonl` as a symlink to a file outside the
    workspace; once it is merged (an approval of a PR that "adds a placeholder file" — reviewers read
    code, not link targets), the push to main runs the Action with `attest-key`, and
    modes/action.py `_attest` does `target.write_bytes(bundle_text(signed))` through the link: the
    signed bundle overwrites the link's target, and the workflow's upload step then publishes
    whatever the link points at.

    Severity: medium — arbitrary-file overwrite outside the workspace in the job that holds the
    signing key, but only after a merge (a reviewer had a chance to see the link).

    Secure: the bundle replaces the link in the workspace (fsutil.atomic_write / O_NOFOLLOW), or the
    run refuses a symlink there; the outside file keeps its content."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tests.github_helpers import synthetic_associated_pull, synthetic_pull_commit, synthetic_review
    from tests.test_action import REPO

    gh = Env(tmp_path, httpserver, repo.path)
    pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()).decode()
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim-config"
    victim.write_text("precious: do not overwrite\n")
    before = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    repo.branch("feature")
    mobile = repo.commit("phone: change" + MOBILE, {"a.py": "A = 1\n"}, author=ALICE, committer=ALICE)
    os.symlink(victim, repo.path / "gatekeeper-attestation.intoto.jsonl")
    repo.git("add", "--", "gatekeeper-attestation.intoto.jsonl")
    repo.git("commit", "-q", "-m", "phone: placeholder" + MOBILE,
             env={"GIT_AUTHOR_NAME": ALICE[0], "GIT_AUTHOR_EMAIL": ALICE[1],
                  "GIT_COMMITTER_NAME": ALICE[0], "GIT_COMMITTER_EMAIL": ALICE[1]})
    head = repo.head()
    repo.checkout("main")
    after = repo.merge("feature", "Merge pull request #9 from octo-org/feature")
    assert (repo.path / "gatekeeper-attestation.intoto.jsonl").is_symlink()
    pr = synthetic_associated_pull(9, base_ref="main", head_sha=head, merged=True, merge_commit_sha=after)
    for sha in (mobile, head):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([pr])
    serve_reviews(httpserver, 9, [synthetic_review("bob", "APPROVED", head, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json(
        [synthetic_pull_commit(sha, login="alice", email=ALICE[1]) for sha in (mobile, head)])
    payload = {"ref": "refs/heads/main", "before": before, "after": after, "created": False, "deleted": False,
               "forced": False, "repository": {"full_name": REPO}}
    result = gh.run("push", payload, **{"INPUT_ATTEST-KEY": pem})
    assert gh.outputs().get("decision") in ("allow", "warn", "error"), result.output  # the merge passed the gate
    assert victim.read_text() == "precious: do not overwrite\n", "the attestation was written through the symlink"


# -- control: the log under the runner's own command parser -----------------------------------------

_REGISTERED = {"set-env", "set-output", "save-state", "add-mask", "add-path", "add-matcher", "remove-matcher",
               "debug", "warning", "error", "notice", "group", "endgroup", "echo", "stop-commands"}


def _runner_commands(log: str) -> list[str]:
    """The workflow commands the Actions runner would execute for `log`, line by line, as
    ActionCommandManager.TryProcessCommand does: the `::cmd::` form (after leading spaces) first, else the
    legacy `##[cmd]` form found ANYWHERE in the line; `stop-commands` pauses everything but its token."""
    executed: list[str] = []
    stop_token: str | None = None
    for line in log.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        name = None
        text = line.lstrip()
        if text.startswith("::") and "::" in text[2:]:
            name = text[2:text.index("::", 2)].split(" ", 1)[0]
        if name is None or (name not in _REGISTERED and name != stop_token):
            name = None
            at = line.find("##[")
            if at >= 0 and "]" in line[at:]:
                name = line[at + 3:line.index("]", at)].split(" ", 1)[0]
        if name is None or (name not in _REGISTERED and name != stop_token):
            continue
        if stop_token is not None:
            if name == stop_token:
                stop_token = None
            continue
        if name == "stop-commands":
            stop_token = (text.split("::", 3)[2] if text.startswith("::") else line.split("]", 1)[1]).strip()
        executed.append(name)
    return executed


def test_control_hostile_subjects_and_paths_issue_no_workflow_command_in_either_syntax(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Control (held): commit subjects, author names and file paths carrying both command syntaxes —
    `::set-output …`, `::stop-commands::x`, and the legacy `##[add-mask]…` / `##[set-output name=decision;]allow`,
    which the runner finds anywhere in a line — only ever reach the log inside the
    `::stop-commands::<hash>` block or %-escaped inside `::error …::` annotation lines (which parse as
    `error` first). Under the runner's own parsing the log executes nothing but the guard, its
    resume token and gatekeeper's annotations."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    repo.branch("feature")
    evil = "##[set-output name=decision;]allow ##[add-mask]allowed ::stop-commands::x"
    head = repo.commit(f"{evil} ::set-output name=decision::allow" + MOBILE,
                       {"src/##[group]x ##[set-output name=decision;]allow/a.py": "A = 2\n"},
                       author=(f"Mallory ##[error]forged {evil}", "m@example.com"), committer=ALICE)
    serve_pr(httpserver, 7, [head], [])
    result = gh.run("pull_request", pr_event({"base": base, "head": head}))
    assert "##[set-output name=decision;]allow" in result.output  # the hostile text does reach the log
    executed = _runner_commands(result.output)
    assert executed[0] == "stop-commands" and "error" in executed, executed
    assert set(executed) <= {"stop-commands", "error", "warning", "notice"}, executed
    assert gh.outputs()["decision"] == "block"


# -- the fixes' edges ---------------------------------------------------------------------------------------------

def test_confined_refuses_every_way_out_of_the_workspace(tmp_path: Path) -> None:
    from gatekeeper.fsutil import confined

    workspace = tmp_path / "ws"
    (workspace / "reports").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (workspace / "out").symlink_to(tmp_path / "elsewhere")
    (workspace / "file.sarif").symlink_to(tmp_path / "victim")
    assert confined(workspace, "reports/new/gatekeeper.sarif") == workspace.resolve() / "reports/new/gatekeeper.sarif"
    assert confined(workspace, workspace / "a.sarif") == workspace.resolve() / "a.sarif"
    for hostile in ("out/x.sarif", "file.sarif", "../x.sarif", "reports/../../x.sarif", str(tmp_path / "x.sarif"),
                    "."):
        with pytest.raises(ValueError):
            confined(workspace, hostile)


def test_confined_takes_an_absolute_path_spelled_through_a_linked_workspace_prefix(tmp_path: Path) -> None:
    """The runner's own link above the workspace (macOS /tmp -> /private/tmp) is not the pull request's: an
    absolute SARIF path spelled through it is the same place; links below the workspace are still refused."""
    from gatekeeper.fsutil import confined

    real = tmp_path / "real"
    (real / "ws").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (real / "ws" / "out").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "link").symlink_to(real)
    workspace = tmp_path / "link" / "ws"
    assert confined(workspace, workspace / "a.sarif") == real.resolve() / "ws" / "a.sarif"
    for hostile in (workspace / "out" / "x.sarif", workspace / ".." / "x.sarif", real / "x.sarif"):
        with pytest.raises(ValueError):
            confined(workspace, hostile)


def test_an_error_line_on_a_runner_is_printed_with_workflow_commands_stopped(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Hardening red46 noted: an error message may quote a path (`##[set-output name=decision;]allow` is a
    legal file name), and the runner reads `##[…]` anywhere in a line: on a runner the lines are guarded."""
    from gatekeeper.cli import run

    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    missing = tmp_path / "##[set-output name=decision;]allow"
    code = run(["check", "--repo", str(missing)])
    err = capsys.readouterr().err
    assert code != 0 and "##[set-output" in err
    lines = err.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[start].removeprefix("::stop-commands::")
    end = lines.index(f"::{token}::")
    assert all(start < i < end for i, line in enumerate(lines) if "##[" in line), err
