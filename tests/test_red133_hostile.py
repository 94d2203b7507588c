"""Red team red133: a phone merge that puts back what main removed — a fixed injection sink, a removed credential —
past `gatekeeper check` (semgrep, bandit) and the pre-receive hook (secrets), because a line a merge "carries over"
from ANY parent, or that any boundary commit of the range holds, counts as already judged, even when that parent
is main's own past, before the fix.

Each finding test fails on w/red133 (main at 9bb5cb5) for the reason its docstring names and asserts the secure
behaviour (it passes once fixed). Real repositories (tests/repo_builder.py); the real `gatekeeper check --format
json` with real semgrep and bandit (tests/scan_helpers.ALL_SCANNERS_POLICY: every scanner on every commit, blocking at
medium); a real `git push` into a bare repository with the installed hook (tests/hook_helpers.py). The credential is
built at run time (hook_helpers.AWS_KEY).

Findings:

1. HIGH (miss, `check` / CI: semgrep and bandit) — scan/added_lines.py `range_additions` + `boundary`, used by
   scan/common.py `head_changes`: the lines a range adds are those at the head that NONE of the range's boundary
   commits has ("a line that came in with an already-existing branch is not blamed on this change"). A phone branch
   made before main's fix, merged with main, has two boundaries: main's tip (the fix) and the old commit the branch
   started from (the vulnerable code). Resolve the merge's conflict with `git checkout --ours` — the commonest
   resolution there is, and what a phone git client's "keep mine" does — and main's fix is reverted: the head holds
   `eval(sys.argv[1])` again, the old boundary holds it too, so semgrep and bandit get no line to report. The same
   for a merge of a stale side branch that takes the side's version of the file, and for a merge whose second
   parent is an ancestor of main (written with `git commit-tree`). Measured: 3 of 3 merge shapes give no
   semgrep/bandit finding (only the review requirement, which the hook can satisfy with a reviewer's push); the same
   tree as a plain one-parent commit on main gives the blocking critical semgrep/python-eval-exec-non-literal. A
   reviewer reading the pull request's diff (base...head) sees `+ return eval(sys.argv[1])`; the gate's scanners,
   whose job is to see it, do not. Zones already treat "a merge silently reverting main's fix" as a change
   (red53/red89: engine.merge_resolutions with `--remerge-diff`); the scanners do not.
   Two gaps, both needed: (i) a boundary that is an ancestor of another boundary is no "existing branch" — its
   lines were superseded on main; dropping such boundaries before `range_additions` (tried here as a throw-away
   patch of head_changes with `merge-base --is-ancestor`) makes 'ours' pass; (ii) 'stale' and 'ancestor' still
   fail with it, because no scanned commit "changed" calc.py: the merge's combined diff (`changed_files`, `-c`)
   hides a path equal to one parent, so calc.py is no entry of head_changes at all. Fix idea: count as a merge's
   change, and its added lines, what its result holds beyond git's own re-merge of its parents (`--remerge-diff`,
   engine.merge_resolutions does this for zones already), and prune ancestor boundaries.
2. MEDIUM (miss, pre-receive: secrets) — scan/added_lines.py `iter_commit_additions` / `_additions_by_parent`: a
   merge's own additions are the lines in none of its parents. A key that was committed before the gate was
   installed and later deleted on main (the clean-up commit) comes back to main's tip through a merge that takes the
   old version of the file (second parent: the old commit, or a stale branch holding it): the hook accepts the push
   with no secrets finding; the same file as a plain commit is refused (`secrets/aws-access-key`). The value is in
   the history already, but the clean-up was the point: after the merge it is in the tree every checkout, build and
   deploy gets. Fix: as in 1, the merge's re-merge difference counts as added.

Tried and held (no test): a tree with two entries of one name (key first or second, or under README.md) and an
unsorted tree (written with `hash-object --literally`): refused with the key named; a copy of an existing file into
a new path by the scanned commit (scanned whole); an annotated tag and a tag of a tag as `--head` (peeled).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.hook_helpers import AWS_KEY, DANA, KEY_LINE, MO, MOBILE, SECRETS_POLICY, TEST_POLICY, make_server, spush
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import ALL_SCANNERS_POLICY

SAFE = "import ast\n\n\ndef calc(expr):\n    return ast.literal_eval(expr)\n"
VULNERABLE = "import sys\n\n\ndef calc(expr):\n    return eval(sys.argv[1])\n"
CODE_SCANNERS = ("semgrep/", "bandit/")
MO_ENV = {"GIT_AUTHOR_NAME": MO[0], "GIT_AUTHOR_EMAIL": MO[1], "GIT_COMMITTER_NAME": MO[0],
          "GIT_COMMITTER_EMAIL": MO[1]}


def _check(repo: RepoBuilder, policy: Path, base: str, head: str) -> dict[str, Any]:
    """The real `gatekeeper check --format json --base BASE --head HEAD` as CI runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "GATEKEEPER_"))}
    env["XDG_CACHE_HOME"] = str(policy.parent / "cache")
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--policy", str(policy), "--format", "json",
                           "--base", base, "--head", head], cwd=repo.path, capture_output=True, text=True,
                          check=False, timeout=600, env=env)
    try:
        return dict(json.loads(proc.stdout))
    except ValueError:
        raise AssertionError(proc.stdout + proc.stderr) from None


def _code_findings(verdict: dict[str, Any]) -> list[tuple[str, str, int, bool]]:
    return [(f["rule_id"], f["path"], f["line"], f["blocking"]) for f in verdict["findings"]
            if str(f["rule_id"]).startswith(CODE_SCANNERS)]


@pytest.fixture(scope="module")
def fixed_main(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """main: base → A (calc.py with eval, from before the gate / a desktop commit) → B (the fix). Then the three
    phone merges that put A's calc.py back, and a plain phone commit of the same tree (the control), each judged
    by one real `gatekeeper check --base B --head <it>`."""
    where = tmp_path_factory.mktemp("red133-check")
    policy = where / "policy.yml"
    policy.write_text(ALL_SCANNERS_POLICY)
    repo = RepoBuilder.init(where / "repo")
    repo.commit("base\n", {"README.md": "x\n"}, author=DANA, committer=DANA)
    old = repo.commit("Add calc\n", {"calc.py": VULNERABLE}, author=DANA, committer=DANA)
    fix = repo.commit("calc: no eval of the command line\n", {"calc.py": SAFE}, author=DANA, committer=DANA)
    heads: dict[str, str] = {}

    # (a) A phone branch started before the fix edits calc.py; pulling main conflicts; "keep mine".
    repo.git("checkout", "-q", "-b", "phone", old)
    repo.commit("calc: docstring" + MOBILE, {"calc.py": VULNERABLE.replace(
        "def calc(expr):", 'def calc(expr):\n    """Evaluate."""')}, author=MO, committer=MO)
    repo.git("merge", "-q", "--no-commit", fix, check=False)
    repo.git("checkout", "--ours", "--", "calc.py")
    repo.git("add", "calc.py")
    heads["ours"] = repo.commit("Merge branch 'main' into phone" + MOBILE, author=MO, committer=MO)

    # (b) A stale side branch (made before the fix, touching another file) merged into main, taking its calc.py.
    repo.git("checkout", "-q", "-b", "side", old)
    repo.commit("side work\n", {"other.py": "X = 1\n"}, author=DANA, committer=DANA)
    repo.git("checkout", "-q", "-B", "stale-merge", fix)
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    repo.git("checkout", "side", "--", "calc.py")
    repo.git("add", "calc.py")
    heads["stale"] = repo.commit("Merge branch 'side'" + MOBILE, author=MO, committer=MO)

    # (c) A merge whose second parent is main's own old commit, with that commit's calc.py.
    tree = repo.git("rev-parse", f"{heads['stale']}^{{tree}}")
    heads["ancestor"] = repo.git("commit-tree", tree, "-p", fix, "-p", old, "-m", "Merge old work" + MOBILE,
                                 env=MO_ENV)
    # Control: the very same tree as a plain one-parent commit on main.
    heads["plain"] = repo.git("commit-tree", tree, "-p", fix, "-m", "calc: back to eval" + MOBILE, env=MO_ENV)
    judged: dict[str, Any] = {}
    for name, head in heads.items():
        lines = repo.git("show", f"{head}:calc.py").split("\n")
        sink = [n for n, text in enumerate(lines, start=1) if "eval(sys.argv[1])" in text]
        assert len(sink) == 1, name
        judged[name] = (sink[0], _code_findings(_check(repo, policy, fix, head)))
    return judged


def test_control_the_fix_reverted_by_a_plain_phone_commit_is_found(fixed_main: dict[str, Any]) -> None:
    """Control (passes): the same tree as a one-parent commit on main gets a blocking semgrep finding at the sink."""
    sink, found = fixed_main["plain"]
    assert any(path == "calc.py" and line == sink and blocking for _, path, line, blocking in found), found


@pytest.mark.parametrize("shape", ["ours", "stale", "ancestor"])
def test_a_phone_merge_that_reverts_mains_fix_is_scanned(fixed_main: dict[str, Any], shape: str) -> None:
    """Finding 1 (HIGH, miss): scan/added_lines.py range_additions counts a head line as added only when NO
    boundary commit of the range has it; the phone branch's (or the merge's) old boundary commit, from before
    main's fix, has the `eval(sys.argv[1])` line, so semgrep and bandit are given nothing to report on calc.py,
    and `gatekeeper check` reports no code finding although the range puts the sink back on main (shapes:
    'ours' = conflict resolved with `checkout --ours` on a branch made before the fix; 'stale' = a stale side
    branch's version taken; 'ancestor' = a merge naming main's own old commit as second parent)."""
    sink, found = fixed_main[shape]
    assert any(path == "calc.py" and line == sink and blocking for _, path, line, blocking in found), (
        f"{shape}: the merge puts eval(sys.argv[1]) back at calc.py:{sink} and no scanner reported it: {found}")


def _server_with_old_key(tmp_path: Path) -> tuple[Any, RepoBuilder, str, str]:
    """A server whose main had a key committed (before the gate scanned secrets) and then deleted; the gate is
    then turned on (the server-side policy becomes SECRETS_POLICY). Returns (server, clone, old, fix)."""
    server = make_server(tmp_path / "srv", policy=TEST_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"}, author=DANA, committer=DANA)
    old = work.commit("Add settings\n", {"settings.ini": "[aws]\n" + KEY_LINE}, author=DANA, committer=DANA)
    fix = work.commit("settings: the key comes from the environment\n", {"settings.ini": "[aws]\n"},
                      author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    assert server.policy_file is not None
    server.policy_file.write_text(SECRETS_POLICY)
    return server, work, old, fix


def test_control_a_plain_commit_putting_the_deleted_key_back_is_refused(tmp_path: Path) -> None:
    """Control (passes): Dana's desktop commit restoring the old settings.ini is refused by the hook."""
    server, work, old, fix = _server_with_old_key(tmp_path)
    work.git("checkout", "-q", old, "--", "settings.ini")
    work.commit("settings: restore\n", author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and "secrets/aws-access-key" in result.output, result.output
    assert AWS_KEY not in result.output
    assert server.tip() == fix


def test_a_merge_that_puts_the_deleted_key_back_on_main_is_refused(tmp_path: Path) -> None:
    """Finding 2 (MEDIUM, miss): scan/added_lines.py `_additions_by_parent` / the combined diff count a merge's
    line as added only when it is in none of its parents. Dana's merge naming main's old commit as second parent,
    with that commit's settings.ini, puts the deleted key back at main's tip; the hook accepts the push with no
    secrets finding (the same file as a plain commit is refused, control above)."""
    server, work, old, fix = _server_with_old_key(tmp_path)
    work.git("checkout", "-q", old, "--", "settings.ini")
    tree = work.git("write-tree")
    dana = {"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1], "GIT_COMMITTER_NAME": DANA[0],
            "GIT_COMMITTER_EMAIL": DANA[1]}
    merge = work.git("commit-tree", tree, "-p", fix, "-p", old, "-m", "Merge old settings", env=dana)
    assert KEY_LINE.strip() in work.git("show", f"{merge}:settings.ini")
    result = spush(server, work, "origin", f"{merge}:refs/heads/main")
    assert AWS_KEY not in result.output
    assert result.code != 0 and "secrets/aws-access-key" in result.output, (
        f"the merge put the deleted key back on main and the hook accepted it:\n{result.output}")
    assert server.tip() == fix
