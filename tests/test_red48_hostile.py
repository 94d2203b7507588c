"""Red team 48: where gatekeeper creates, writes or reads a file whose place hostile content decides.

Every test here is an attack by a pusher, a pull-request author or a repository's own content, made with
real repositories and real pushes into a bare repository carrying the installed hook. Each asserts the
secure behaviour, so it fails until the hole is closed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.hook_helpers import DANA, TEST_POLICY, make_server, seed, spush

# The pushed content of the bandit attack. It is written to the scan workspace as `bandit.py` and the gate
# runs `python -m bandit` with that workspace as its working directory.
SHELL = "import subprocess\n\n\ndef go(cmd):\n    subprocess.call(cmd, shell=True)\n"
BANDIT_POLICY = TEST_POLICY.replace(
    "mobile: {scanners: [], block_at: high, review: {approvals: 1}}", "mobile: {scanners: [bandit], block_at: high}"
).replace("default: {scanners: [], block_at: critical}", "default: {scanners: [bandit], block_at: high}").replace(
    "pre_receive: {budget_seconds: 4.0, scanners: [], defer: []}",
    "pre_receive: {budget_seconds: 4.5, scanners: [bandit], defer: []}") + \
    "bandit: {min_confidence: low, min_severity: low}\n"


def _imposter(marker: Path) -> str:
    """A `bandit.py` that proves it ran (the marker file) and answers like a bandit that found nothing."""
    return (f"import pathlib\npathlib.Path({str(marker)!r}).write_text('pushed code ran on the server')\n"
            "print('{\"results\": [], \"errors\": []}')\n")


# -- 1. the scan workspace is on sys.path of the bandit run ------------------------------------------------------

def test_a_pushed_bandit_py_is_not_run_by_the_gate(tmp_path: Path) -> None:
    """Attack: the pusher commits a file named `bandit.py` (a Python file, so bandit wants it and the
    workspace writes it under its own name at the workspace root) next to code bandit would block
    (`subprocess.call(cmd, shell=True)`, B602). gatekeeper/scan/bandit.py runs
    `python -m bandit ...` with cwd=workspace.root (BanditScanner.argv / run_batch); `-m` puts the working
    directory first on sys.path, so Python imports the pushed `bandit.py` instead of the installed bandit:
    the pusher's code runs on the git server inside the pre-receive hook (as the git user, with the hook's
    environment), and since it prints an empty bandit report the gate also accepts the B602 code.

    Severity: high (critical in practice) — remote code execution on the server from pushed bytes, which the
    design forbids outright ("never run pushed content"), and a silent bypass of the bandit scan. Any
    stdlib name bandit imports late (`json.py`, `ast.py`...) works the same way.

    Secure behaviour: the pushed file is never executed (run bandit with `python -I`/`-P`, or
    PYTHONSAFEPATH=1, or from a directory outside the workspace with absolute target paths); the marker is
    not written and the B602 finding blocks the push."""
    marker = tmp_path / "pwned-by-bandit-py"
    server = make_server(tmp_path / "srv", policy=BANDIT_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"}, author=DANA, committer=DANA)
    seed(server, work)
    base = work.head()
    work.commit("tools\n", {"bandit.py": _imposter(marker), "app.py": SHELL}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert not marker.exists(), f"the pushed bandit.py ran on the server: {marker.read_text()!r}"
    assert result.code != 0 and server.tip() == base, result.output
    assert "B602" in result.output, result.output


def test_a_pushed_bandit_py_is_not_run_by_gatekeeper_check(tmp_path: Path) -> None:
    """Attack: the same `bandit.py`, met by a reviewer or CI job that runs `gatekeeper check` on a fetched
    branch (the local mode; the Action runs the same scanner on a pull request's head). The branch author's
    code runs on the reviewer's machine or the CI runner (where GITHUB_TOKEN and the attestation key live)
    and the check reports nothing from bandit.

    Severity: high — code execution from reviewed-but-unmerged content, plus a scan bypass.

    Secure behaviour: the checked content is never executed; the marker is not written and B602 is found."""
    from tests.repo_builder import RepoBuilder

    marker = tmp_path / "pwned-by-check"
    repo = RepoBuilder.init(tmp_path / "repo")
    (tmp_path / "policy.yml").write_text(BANDIT_POLICY)
    base = repo.commit("base\n", {"README.md": "x\n"}, author=DANA, committer=DANA)
    repo.commit("tools\n", {"bandit.py": _imposter(marker), "app.py": SHELL}, author=DANA, committer=DANA)
    import sys

    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--policy", str(tmp_path / "policy.yml"),
                           "--format", "json", "--base", base], cwd=repo.path, capture_output=True, text=True,
                          check=False, timeout=180)
    assert not marker.exists(), f"gatekeeper check ran the branch's bandit.py: {marker.read_text()!r}"
    assert "B602" in proc.stdout, proc.stdout + proc.stderr


# -- 2. a repository policy's log.path may name any of git's own control files ----------------------------------

def test_a_repository_policy_cannot_make_the_decision_log_a_git_control_file(tmp_path: Path) -> None:
    """Attack: whoever lands `.gatekeeper.yml` on the default branch (a policy edit is reviewed by a policy
    owner, but it is repository content, not server configuration) sets `log: {path: git-daemon-export-ok}`.
    gatekeeper/audit/decisionlog.py `destination` (l.308) only refuses absolute paths and `..` for a policy
    read from the repository, so pre-receive (modes/pre_receive.py:145, root = the git directory) creates the
    SQLite decision log as `$GIT_DIR/git-daemon-export-ok` — the file whose mere existence tells
    `git daemon` (run without --export-all) to serve the repository to anyone, anonymously. The same path
    rule lets the policy create or claim `commondir`, `objects/info/alternates`, `shallow`, `info/grafts`,
    `hooks/<name>`, refs, or gatekeeper's own `gatekeeper/` hand-off files: names git or the gate give
    meaning to, inside the directory the restriction was meant to confine the log to.

    Severity: medium — repository content changes server behaviour (here: makes a private repository
    world-readable over git://, or breaks it via commondir/alternates) though the design says a repository
    policy "must not be able to make the server create files elsewhere" than its log; needs a policy edit
    to land on the default branch.

    Secure behaviour: a repository policy's log goes to a dedicated place (e.g. only under
    `$GIT_DIR/gatekeeper/log/`, single plain component, no git control names); here the push is still
    judged but no `git-daemon-export-ok` appears in the bare repository."""
    server = make_server(tmp_path / "srv", policy=None, server_side_policy=False)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n",
                                     ".gatekeeper.yml": TEST_POLICY + "log: {path: git-daemon-export-ok}\n"},
                author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0  # no default branch yet: the built-in policy
    assert not (server.path / "git-daemon-export-ok").exists()
    work.commit("docs\n", {"docs.md": "more\n"}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")  # judged by the policy on main, which names the log
    assert not (server.path / "git-daemon-export-ok").exists(), (
        "the repository's policy created git-daemon-export-ok: git daemon now exports the repository\n"
        + result.output)


# -- controls: attacks that held ------------------------------------------------------------------------------------

def test_control_a_directory_named_semgrepignore_does_not_let_code_through(tmp_path: Path) -> None:
    """Control (holds today): a pushed `.semgrepignore/x.py` makes `.semgrepignore` a directory in the
    workspace, so semgrep.py's own `(workspace.root / ".semgrepignore").write_bytes(b"")` fails; the scan
    must fail closed (tool/semgrep-failed blocks), never run with semgrep's built-in ignores or skip
    `app.py`. Nested `.semgrepignore`/`.gitignore`/`.bandit` files are renamed (workspace.TOOL_CONTROL_FILES),
    and semgrep in directory mode scans `.git/`, `tests/`, `node_modules/` paths (checked by hand)."""
    from gatekeeper.models import ExitCode
    from gatekeeper.scan.semgrep import SemgrepScanner
    from tests.repo_builder import RepoBuilder
    from tests.scan_helpers import evaluate_range

    repo = RepoBuilder.init(tmp_path / "repo")
    base = repo.commit("base\n", {"README": "x\n"})
    repo.commit("c\n", {".semgrepignore/x.py": "eval(y)\n", "app.py": "eval(x)\n"})
    verdict = evaluate_range(repo.path, base, {"semgrep": SemgrepScanner()})
    assert verdict.exit_code != ExitCode.OK


def test_which_log_paths_a_repository_policy_may_name(tmp_path: Path) -> None:
    """The rule behind the fix: a database file name, relative, outside git's directories and the gate's
    hand-off directories; a server's GATEKEEPER_DECISION_LOG and a local policy are not limited."""
    from gatekeeper.audit.decisionlog import destination

    def allowed(path: str) -> bool:
        dest = destination({}, path, False, repository_root=tmp_path, from_repository=True)
        return dest.problem is None and dest.target == str(tmp_path / path)

    for good in ("decisions.db", "gatekeeper/decisions.sqlite", "gatekeeper/log/decisions.db", "logs-db/x.sqlite3"):
        assert allowed(good), good
    for bad in ("git-daemon-export-ok", "commondir", "config", "hooks/pre-receive.db", "refs/heads/x.db",
                "objects/info/alternates", "gatekeeper/admitted/a.b.db", "gatekeeper/push-origin/ab/cd.db",
                "../decisions.db", "/tmp/decisions.db", "Objects/x.db", "decisions"):
        assert not allowed(bad), bad
    assert destination({}, "git-daemon-export-ok", False, repository_root=tmp_path).problem is None  # local policy
