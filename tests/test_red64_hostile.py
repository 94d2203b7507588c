"""Red team red64: repository state other than the commits (shallow boundaries, inherited git environment) that
makes `gatekeeper check` judge other commits, or other paths, than the bare hook for the very same push.

Each test FAILS on the code at the time of writing, for the reason its docstring names, and asserts the secure /
consistent behaviour (it passes once fixed). Real repositories, real pushes into a bare repository with the
installed hook, the real CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.hook_helpers import make_server, spush
from tests.repo_builder import RepoBuilder
from tests.test_red50_hostile import AI_ZONE_SERVER_POLICY, COPILOT
from tests.test_red61_hostile import _agent_merge_dropping_the_cap

_GK = Path(sys.executable).parent / "gatekeeper"


def _check(repo: Path, policy: Path, base: str, head: str | None = None,
           env: dict[str, str] | None = None) -> dict[str, Any]:
    """The real `gatekeeper check --policy P --base B [--head H] --format json` in `repo`, in `env` (else ours)."""
    argv = [str(_GK), "check", "--repo", str(repo), "--policy", str(policy), "--base", base, "--format", "json"]
    if head is not None:
        argv += ["--head", head]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120,
                          env={**os.environ, **(env or {})})
    try:
        return dict(json.loads(proc.stdout))
    except ValueError:
        raise AssertionError(proc.stdout + proc.stderr) from None


def _ids(verdict: dict[str, Any]) -> list[str]:
    return [str(f.get("rule_id")) for f in verdict.get("findings", [])]


def _agent_zone_change_under_a_human_commit(tmp_path: Path) -> tuple[Any, RepoBuilder, str, str, str]:
    """`pay/**` zone (ai: block). main = base on the server. On top, an agent commit (Co-authored-by: Copilot)
    changes pay/c.py, then a person's commit changes README.md. Pushing main is refused by the hook
    (asserted). (server, work, base, agent commit, head)."""
    server = make_server(tmp_path / "srv", policy=AI_ZONE_SERVER_POLICY)
    work = server.clone()
    base = work.commit("Initial commit\n", {"README.md": "hello\n", "pay/c.py": "def pay(a):\n    return a\n"})
    assert spush(server, work, "origin", "main").code == 0
    agent = work.commit("pay: skip the limit\n\n" + COPILOT, {"pay/c.py": "def pay(a):\n    return a  # no cap\n"})
    head = work.commit("docs: readme\n", {"README.md": "hello world\n"})
    pushed = spush(server, work, "origin", "main")
    assert pushed.code != 0 and "policy/zone-violation" in pushed.remote_text, pushed.output
    assert server.tip() == base
    return server, work, base, agent, head


# -- 1. a shallow clone: a range cut by the shallow boundary ------------------------------------------------------

def test_local_check_in_a_shallow_clone_does_not_allow_a_range_it_cannot_see_whole(tmp_path: Path) -> None:
    """Attack / state: the clone `check` runs in is shallow (`git clone --depth 1`, the default of many agent
    sandboxes and CI checkouts) and the branch under review was fetched shallow too (`git fetch --depth 1`, which a
    shallow clone's fetches keep doing). The range base..head then crosses the shallow boundary: head is a
    `.git/shallow` commit, a root to git, so `rev-list base..head` is {head} alone and head is diffed against the
    empty tree (its whole tree counts as the person's own change). The agent commit below it, which changed the
    `pay/**` zone (ai: block), is not judged at all.

    The hook refuses the push of these very commits with policy/zone-violation (precondition). `gatekeeper check
    --base main --head <the fetched branch>` in the shallow clone: decision ALLOW, no finding, and no word that the
    clone is shallow (observed). The Action refuses to judge a shallow checkout (checkout.ensure_commits: "a gate
    that judged a truncated range would judge the wrong commits") and the audit says it skipped history past the
    boundary; `check` (modes/local.run_check) does neither.

    Who: the clone's owner's state (an agent's sandbox is commonly shallow); the hook still refuses. Severity low.
    Secure behaviour: check blocks or errors (exit != 0) naming the shallow clone, or judges the agent commit."""
    server, work, base, agent, head = _agent_zone_change_under_a_human_commit(tmp_path)
    assert server.policy_file is not None
    shallow = tmp_path / "agent-sandbox"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "main", f"file://{server.path}", str(shallow)],
                   check=True, capture_output=True)
    subprocess.run(["git", "-C", str(shallow), "fetch", "-q", "--depth", "1", f"file://{work.path}",
                    "main:refs/remotes/agent/main"], check=True, capture_output=True)
    assert (shallow / ".git" / "shallow").is_file()
    assert subprocess.run(["git", "-C", str(shallow), "rev-parse", "agent/main"], capture_output=True, text=True,
                          check=True).stdout.strip() == head
    # (lead) The fix refuses outright, as the Action does for a shallow checkout it cannot deepen: exit 4, saying so.
    proc = subprocess.run([str(_GK), "check", "--repo", str(shallow), "--policy", str(server.policy_file), "--base",
                           "main", "--head", "agent/main", "--format", "json"], capture_output=True, text=True,
                          check=False, timeout=120)
    if proc.returncode == 4 and "shallow" in proc.stderr and "--unshallow" in proc.stderr:
        return
    verdict = _check(shallow, server.policy_file, "main", "agent/main")
    said = json.dumps([verdict.get("findings"), verdict.get("notes"), verdict.get("warnings")]).lower()
    assert "policy/zone-violation" in _ids(verdict) or (verdict.get("decision") != "allow" and "shallow" in said), (
        f"`gatekeeper check` in a shallow clone allows base..head {base[:12]}..{head[:12]}, whose agent commit "
        f"{agent[:12]} changed the pay/** zone (the hook refuses it): decision {verdict.get('decision')}, "
        f"findings {_ids(verdict)}, commits judged {[(c['sha'][:12], c['parents']) for c in verdict['commits']]}")


# -- 2. git variables the local check inherits from its environment -------------------------------------------------

def test_local_check_ignores_an_inherited_git_shallow_file(tmp_path: Path) -> None:
    """Attack / state: `GIT_SHALLOW_FILE` in the environment `gatekeeper check` is started from (a wrapper, a tool or
    a git process that sets it; git honours it like `.git/shallow`). It is not in `_LOCATION_VARS` nor dropped by
    `git_environment`, so every git call of the check takes the commits it names as roots: with the head named there,
    `rev-list base..head` is {head}, the agent commit below it that changed the `pay/**` zone is never judged.

    The hook refuses the push (precondition); the same full clone's check refuses it without the variable (asserted
    as the control in this test); with `GIT_SHALLOW_FILE=<file naming head>`: ALLOW, no finding (observed).

    Who: only whoever starts the check (its environment). Severity low. Secure behaviour: the check judges the real
    history (git_environment drops GIT_SHALLOW_FILE, as it drops GIT_GRAFT_FILE's effect and GIT_REPLACE_REF_BASE)."""
    server, work, base, agent, head = _agent_zone_change_under_a_human_commit(tmp_path)
    assert server.policy_file is not None
    control = _check(work.path, server.policy_file, base)
    assert "policy/zone-violation" in _ids(control), control
    fake = tmp_path / "fake-shallow"
    fake.write_text(head + "\n")
    verdict = _check(work.path, server.policy_file, base, env={"GIT_SHALLOW_FILE": str(fake)})
    assert "policy/zone-violation" in _ids(verdict), (
        f"with GIT_SHALLOW_FILE in its environment, `gatekeeper check` allows the agent's zone commit {agent[:12]} "
        f"(decision {verdict.get('decision')}, findings {_ids(verdict)})")


def test_local_check_ignores_an_inherited_literal_pathspecs_switch(tmp_path: Path) -> None:
    """Attack / state: `GIT_LITERAL_PATHSPECS=1` in the environment `gatekeeper check` starts in (git takes every
    pathspec literally, magic included: `:(literal).` becomes a path named ":(literal)."). Not dropped by
    `git_environment`. `engine.merge_resolutions` asks `changed_files_each_parent(merges, ["."])`, whose pathspec
    then matches nothing: no merge differs from a parent anywhere, none is re-merged, and an agent merge that threw
    away a person's change to pay/c.py (red61's merge, zone `pay/**`, ai: block) is not a zone change.

    The hook refuses that merge (red61 precondition: asserted here through the check without the variable, which
    finds the zone violation); with `GIT_LITERAL_PATHSPECS=1` the check: ALLOW (observed). The same switch turns
    `skip_paths`' `:(top,exclude,literal)...` excludes into paths that match nothing (`git diff -- <non-matching>` is
    an empty patch) and `changed_paths_between` (policy/changed) blind.

    Who: only whoever starts the check. Severity low. Secure behaviour: git_environment drops GIT_LITERAL_PATHSPECS
    (and GIT_GLOB_PATHSPECS / GIT_NOGLOB_PATHSPECS / GIT_ICASE_PATHSPECS), so pathspecs mean what the code says."""
    server, work, fixed, merge = _agent_merge_dropping_the_cap(tmp_path, "*.md text\n")
    assert server.policy_file is not None
    control = _check(work.path, server.policy_file, fixed)
    assert "policy/zone-violation" in _ids(control), control
    verdict = _check(work.path, server.policy_file, fixed, env={"GIT_LITERAL_PATHSPECS": "1"})
    assert "policy/zone-violation" in _ids(verdict), (
        f"with GIT_LITERAL_PATHSPECS=1 in its environment, `gatekeeper check` allows the agent merge {merge[:12]} "
        f"that dropped a person's change in pay/** (decision {verdict.get('decision')}, findings {_ids(verdict)})")


def test_control_local_check_in_a_shallow_clone_judges_a_range_above_the_cut(tmp_path: Path, repo: RepoBuilder) -> None:
    """(lead) The refusal is for a range that reaches the cut only: above it, a shallow clone checks as usual."""
    for n in range(4):
        repo.commit(f"c{n}\n", {"a.txt": f"{n}\n"})
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{repo.path}", str(shallow)], check=True,
                   capture_output=True)
    assert (shallow / ".git" / "shallow").is_file()
    proc = subprocess.run([str(_GK), "check", "--repo", str(shallow), "--base", "HEAD~1", "--format", "json"],
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0 and json.loads(proc.stdout)["decision"] == "allow", proc.stderr
    subprocess.run(["git", "-C", str(shallow), "branch", "-q", "--unset-upstream"], check=True)
    proc = subprocess.run([str(_GK), "check", "--repo", str(shallow), "--format", "json"], capture_output=True,
                          text=True, check=False, timeout=120)
    assert proc.returncode == 4 and "shallow" in proc.stderr  # the whole history (no upstream) reaches the cut
