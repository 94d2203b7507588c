"""Red team red61: git's re-merge of a merge (Diffs.merge_resolution, `git log -1 --no-walk --remerge-diff`) reads
merge attributes from the work tree of a clone — and runs the merge drivers they select.

Observed with git 2.39: merge-ort, re-merging the parents for `--remerge-diff`, asks ll_merge for each file both
sides changed, and ll_merge takes the file's `merge` attribute (built-ins `binary`, `union`, `text`, `-merge`, or a
`merge.<name>.driver` from the repository config) from `.gitattributes` in the WORK TREE (falling back to the index;
`core.attributesFile=/dev/null` and GIT_ATTR_NOSYSTEM only remove the user/system files). In a bare repository (the
hook) only `$GIT_DIR/info/attributes` is read; a `.gitattributes` in a pushed tree, even at HEAD, changes nothing.
So the same merge is judged one way by the pre-receive hook and another by `gatekeeper check`, `gatekeeper audit`
and the Action (all run in a clone whose checked-out tree the pusher wrote). `merge_resolution` runs through
`_run` (cwd = the clone), not through `_attr_free` (the empty work tree + missing index the patch streams use).

Each test FAILS on the code at the time of writing, for the reason its docstring names, and asserts the secure
behaviour (it passes once fixed). Real repositories, real pushes into a bare repository with the installed hook,
the real CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.hook_helpers import Server, make_server, spush
from tests.repo_builder import RepoBuilder
from tests.test_red50_hostile import AI_ZONE_SERVER_POLICY, COPILOT
from tests.test_red57_hostile import _ENV

# Two changes to pay/c.py that git merges cleanly as text (separated by two unchanged lines).
BASE = "def pay(amount):\n    amount = int(amount)\n    log(amount)\n    return amount\n"
FIXED = "def pay(amount):\n    assert amount is not None\n    amount = int(amount)\n    log(amount)\n    return amount\n"
CAPPED = "def pay(amount):\n    amount = int(amount)\n    log(amount)\n    assert amount < 10_000\n    return amount\n"

_GK = Path(sys.executable).parent / "gatekeeper"


def _agent_merge_dropping_the_cap(tmp_path: Path, attributes: str) -> tuple[Server, RepoBuilder, str, str]:
    """`pay/**` zone (ai: block). A person caps amounts in pay/c.py on branch `harden` (on the server); main gets a
    person's other fix of pay/c.py (on the server). The two merge cleanly. An agent (Co-authored-by: Copilot)
    commits a `.gitattributes` holding `attributes` (outside the zone), then merges `harden` into main keeping
    main's pay/c.py: the cap is thrown away by the agent while harden is recorded as merged. Not pushed.
    (server, work, main's tip on the server, the agent's merge)."""
    server = make_server(tmp_path / "srv", policy=AI_ZONE_SERVER_POLICY)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    work.commit("pay: v1\n", {"pay/c.py": BASE})
    work.branch("harden")
    work.commit("pay: cap amounts\n", {"pay/c.py": CAPPED})
    work.checkout("main")
    fixed = work.commit("pay: refuse a missing amount\n", {"pay/c.py": FIXED})
    assert spush(server, work, "origin", "main", "harden").code == 0
    assert server.tip() == fixed
    work.commit("build: attributes\n\n" + COPILOT, {".gitattributes": attributes})
    work.git("merge", "-q", "--no-ff", "--no-commit", "-s", "ours", "harden", env=_ENV)
    work.git("commit", "-q", "-m", "Merge branch 'harden'\n\n" + COPILOT, env=_ENV)
    merge = work.head()
    assert work.git("show", f"{merge}:pay/c.py") == FIXED.rstrip("\n")
    # git's own merge of the two (as text) keeps both changes: the agent's merge resolved pay/c.py by hand.
    empty = tmp_path / "empty-work-tree"
    empty.mkdir()
    # (attribute-free: git reads `.gitattributes` from the current directory, so it runs in an empty one)
    auto = subprocess.run(["git", "merge-tree", "--write-tree", f"{merge}^1", f"{merge}^2"], cwd=empty, env={
        **os.environ, "GIT_DIR": str(work.path / ".git"), "GIT_WORK_TREE": str(empty),
        "GIT_INDEX_FILE": str(empty / "no-index")}, capture_output=True, text=True, check=True).stdout.strip()
    assert work.git("show", f"{auto}:pay/c.py").count("assert") == 2
    return server, work, fixed, merge


def _audit(repo: Path, policy: Path) -> dict[str, Any]:
    """The real `gatekeeper audit --all --format json` of `repo` with `policy`: its commits by id."""
    proc = subprocess.run([str(_GK), "audit", "--repo", str(repo), "--policy", str(policy), "--format", "json",
                           "--no-progress", "--all"], capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return {c["sha"]: c for c in json.loads(proc.stdout)["commits"]}


def _check(work: RepoBuilder, policy: Path, base: str) -> dict[str, Any]:
    """The real `gatekeeper check --policy P --base B --format json` in the clone."""
    proc = subprocess.run([str(_GK), "check", "--repo", str(work.path), "--policy", str(policy), "--base", base,
                           "--format", "json"], capture_output=True, text=True, check=False, timeout=120)
    try:
        return dict(json.loads(proc.stdout))
    except ValueError:
        raise AssertionError(proc.stdout + proc.stderr) from None


# -- 1. a work-tree `.gitattributes` decides the clone's re-merge ----------------------------------------------------

def test_local_check_of_an_agent_merge_hidden_by_a_merge_attribute_agrees_with_the_hook(tmp_path: Path) -> None:
    """Attack: the agent's branch carries `.gitattributes` with `pay/*.py -merge` (an agent may change it: it is
    outside the zone) and a merge of `harden` that drops the person's cap from pay/c.py (zone `pay/**`, ai: block).
    The merge equals its first parent at pay/c.py, so the combined diff shows nothing; only the re-merge can see it.

    The hook (bare repository: no work tree, the pushed `.gitattributes` is ignored) re-merges pay/c.py as text,
    cleanly, with both changes; the merge differs there: refused with policy/zone-violation (asserted as the
    precondition). `gatekeeper check` in the agent's clone runs the same engine, but Diffs.merge_resolution's
    `git log --remerge-diff` runs with the clone as cwd: git reads the checked-out `.gitattributes`, `-merge` makes
    ll_merge keep "ours" (parent 1's pay/c.py, with a conflict that `--name-only` does not print), the re-merge
    equals the merge and `--name-only` lists nothing. engine.merge_resolutions counts no zone path: ALLOW.
    The GitHub Action (modes/action.py: Git(GITHUB_WORKSPACE), the checkout of the PR) judges the same way —
    the attacker's PR brings the `.gitattributes` the Action's re-merge reads. `binary`, `merge=union` (when the
    agent's resolution is the union) and any `merge.<name>.driver` the clone configures (`merge.ours.driver true`
    is common) hide a resolution the same way.

    Severity high where the Action or `check` is the gate (no hook): an agent's merge discards a person's change to
    a zone with no finding, by adding one line to `.gitattributes`; medium otherwise (check and hook disagree).

    Secure behaviour: the local check refuses it like the hook. Fix: run merge_resolution attribute-free like the
    patch streams (`attr_free=True`: GIT_WORK_TREE an empty directory, GIT_INDEX_FILE a missing file, GIT_DIR
    explicit) — then only the owner's `info/attributes` applies, as in the bare repository."""
    server, work, fixed, merge = _agent_merge_dropping_the_cap(tmp_path, "pay/*.py -merge\n")
    assert server.policy_file is not None
    pushed = spush(server, work, "origin", "main")
    assert server.tip() == fixed and "policy/zone-violation" in pushed.remote_text, pushed.output
    verdict = _check(work, server.policy_file, fixed)
    ids = [f.get("id") or f.get("rule") for f in verdict.get("findings", [])]
    assert "policy/zone-violation" in json.dumps(verdict), (
        f"`gatekeeper check` in the clone allows the agent merge {merge[:12]} the hook refused "
        f"(decision {verdict.get('decision')}, findings {ids})")


def test_control_local_check_refuses_the_same_merge_under_a_harmless_attribute(tmp_path: Path) -> None:
    """Control: the same agent merge with a `.gitattributes` that sets no merge attribute (`*.md text`): the local
    check finds the zone violation the hook finds."""
    server, work, fixed, _ = _agent_merge_dropping_the_cap(tmp_path, "*.md text\n")
    assert server.policy_file is not None
    assert "policy/zone-violation" in json.dumps(_check(work, server.policy_file, fixed))


def test_audit_in_a_clone_lists_the_agent_merge_the_bare_mirrors_audit_lists(tmp_path: Path) -> None:
    """Attack (the audit path): the same history audited with the real CLI (`gatekeeper audit --all --policy P
    --format json`) twice: in a bare mirror of the clone (`git clone --mirror`) and in the clone itself, where the
    agent's `.gitattributes` (`pay/*.py binary`) is checked out — as in any clone of a repository where such a merge
    landed (no hook, or before one was installed), since `.gitattributes` is then on main. HistoryAudit._zones
    (gatekeeper/audit/history.py) uses engine.merge_resolutions: the mirror's audit names pay/c.py for the agent's
    merge (precondition), the clone's lists no zone at all — git's re-merge there read `binary` from the work tree
    and kept parent 1's pay/c.py (`remerge warning: Cannot merge binary files`, a conflict `--name-only` omits).

    Severity medium: the after-the-fact control misses an AI change to a zone depending on where it runs and on
    a file the audited history itself wrote. Secure behaviour: both audits name pay/c.py. Fix: as in test 1."""
    server, work, _, merge = _agent_merge_dropping_the_cap(tmp_path, "pay/*.py binary\n")
    assert server.policy_file is not None
    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(work.path), str(mirror)], check=True, capture_output=True)
    in_mirror = _audit(mirror, server.policy_file)
    assert any(z["path"] == "pay/c.py" for z in in_mirror[merge]["zones"]), in_mirror[merge]
    in_clone = _audit(work.path, server.policy_file)
    assert merge in in_clone, sorted(in_clone)
    zones = in_clone[merge]["zones"]
    assert any(z["path"] == "pay/c.py" for z in zones), (
        f"the audit in the clone lists no zone for the agent merge {merge[:12]} that its bare mirror's audit "
        f"names pay/c.py for: {zones}")


# -- 2. the re-merge runs the merge driver the pushed `.gitattributes` selects ---------------------------------------

def test_audit_runs_no_merge_driver_selected_by_the_audited_trees_gitattributes(tmp_path: Path) -> None:
    """Attack: the audited history's `.gitattributes` (checked out in the auditor's clone) says `pay/*.py
    merge=keep`; the auditor's repository config defines `merge.keep.driver` (here a command that records that it
    ran and exits 0 — `merge.ours.driver true` and npm/lockfile merge drivers are common in developers' configs).
    `gatekeeper audit` re-merges the agent's merge (Diffs.merge_resolution) and git RUNS the driver command, on
    blob contents the pusher chose (written to temporary files %O/%A/%B), during a read-only audit; its exit
    status and output decide the re-merge (exit 0 leaving %A: "ours", no conflict), and so the zone answer.
    The same holds for `gatekeeper check`, pre-push and the Action when their repository config has a driver.
    The runner otherwise keeps git from running configured programs (core.fsmonitor=false, core.pager=cat,
    --no-ext-diff, --no-textconv, GIT_EXTERNAL_DIFF removed); merge drivers were missed.

    Not remote code execution from pushed content alone: the command is the auditor's own config; pushed content
    chooses whether and on what it runs (and in the hook's bare repository only the owner's info/attributes can
    select one). Severity low-medium. Secure behaviour: the driver does not run. Fix: as in test 1 (attribute-free
    re-merge: no `merge` attribute, no driver)."""
    _, work, _, merge = _agent_merge_dropping_the_cap(tmp_path, "pay/*.py merge=keep\n")
    marker = tmp_path / "driver-ran"
    work.git("config", "merge.keep.driver", f"echo ran >> '{marker}'; exit 0")
    policy = tmp_path / "srv" / "policy.yml"
    commits = _audit(work.path, policy)
    assert merge in commits, sorted(commits)
    assert not marker.exists(), (
        f"`gatekeeper audit` ran the repository's merge driver (selected by the audited tree's .gitattributes) "
        f"while re-merging {merge[:12]}; its zones: {commits[merge]['zones']}")


def test_move_diff_ignores_a_work_tree_attribute_that_hides_the_patch(repo: RepoBuilder) -> None:
    """(lead, from red61's reading) The head scanners read what a moved file gained from `git diff -M -U0`. In a
    clone, or the Action's checkout of a pull request, a `.gitattributes` saying `-diff` (the pull request's own)
    turns that patch into "Binary files differ": read as a move that added no line. The bare hook reads no
    work-tree attributes, so the two front doors disagreed (low: the earlier-version comparison of red51 still
    counts such findings, but attributed and shown as pre-existing)."""
    from gatekeeper.git import Git

    body = "".join(f"value_{n} = {n}\n" for n in range(20))
    base = repo.commit("app", {"app/x.py": body})
    repo.git("rm", "-q", "app/x.py")
    head = repo.commit("move and add", {"lib/x.py": body + "import os; os.system(cmd)\n",
                                        ".gitattributes": "*.py -diff\n"})
    git = Git(repo.path)
    assert git.renames(base, head) == {b"app/x.py": b"lib/x.py"}
    assert git.moved_additions(base, head, b"app/x.py", b"lib/x.py") == (21,)
