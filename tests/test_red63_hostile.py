"""Red team red63: what the pull request's author controls in the checkout the Action (or `check`) judges in.

Found: git reads `.gitmodules` from the WORK TREE for every diff, including tree-to-tree plumbing
(`diff-tree --raw`, `diff --raw`, `log --raw`, `diff -p`): `submodule.<name>.ignore = all` there makes git drop
every change to that gitlink (a submodule pointer) from its output (diff.c `is_submodule_ignored` ->
`set_diffopt_flags_from_submodule_config` -> `submodule_from_path`, which reads the work tree's `.gitmodules`,
else the index's, else HEAD's; observed with git 2.39). In the hook's bare repository there is no work tree and
git reads no `.gitmodules` at all, so the change is seen. `Runner._attr_free` only covers the patch streams, and even
there git falls back to `HEAD:.gitmodules` (the checkout's HEAD: the pull request). `changed_files`
(`diff-tree --stdin -r -c --raw`), `changed_files_each_parent`, `changed_paths_between` and `range_files` run with
cwd = the checkout: the checked-out `.gitmodules` is the pull request's own.

Each test FAILS on the code at the time of writing, for the reason its docstring names, and asserts the secure
behaviour (it passes once fixed). Real repositories, real pushes into a bare repository with the installed hook,
the real CLI (check, audit) and the real `gatekeeper action` command with a local GitHub API.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode
from tests.hook_helpers import make_server, spush
from tests.repo_builder import RepoBuilder
from tests.test_action import Env, pr_event, serve_pr
from tests.test_red50_hostile import AI_ZONE_SERVER_POLICY, COPILOT
from tests.test_red61_hostile import _audit, _check

# The pull request's own `.gitmodules`: a submodule at pay/vendor whose changes every diff is told to ignore.
GITMODULES_IGNORE_ALL = ('[submodule "vendor"]\n\tpath = pay/vendor\n\turl = https://example.com/vendor.git\n'
                         "\tignore = all\n")
GITMODULES_PLAIN = '[submodule "vendor"]\n\tpath = pay/vendor\n\turl = https://example.com/vendor.git\n'
ATTACKER_PIN = "1111111111111111111111111111111111111111"  # the submodule commit the agent points pay/vendor at


def _agent_gitlink_commit(work: RepoBuilder, gitmodules: str) -> str:
    """An agent (Co-authored-by: Copilot) adds `.gitmodules` (outside the zone) and points the gitlink pay/vendor
    (inside the `pay/**` zone, ai: block) at a submodule commit of its choosing. The work tree is left at it."""
    work.write(".gitmodules", gitmodules)
    work.git("add", ".gitmodules")
    work.git("update-index", "--add", "--cacheinfo", f"160000,{ATTACKER_PIN},pay/vendor")
    sha = work.commit("pay: bump the vendored payments library\n\n" + COPILOT)
    assert work.git("ls-tree", sha, "pay/vendor").startswith("160000 commit " + ATTACKER_PIN)
    return sha


def _zone_finding_ids(verdict: dict) -> list[str]:
    return [str(f.get("id") or f.get("rule")) for f in verdict.get("findings", [])]


# -- 1. `gatekeeper check` in the agent's clone ------------------------------------------------------------------

def test_local_check_sees_a_zone_gitlink_change_hidden_by_the_work_trees_gitmodules(tmp_path: Path) -> None:
    """Attack: the agent's commit adds `.gitmodules` saying `ignore = all` for the submodule at pay/vendor and
    moves that gitlink (zone `pay/**`, ai: block) to a commit of its choosing.

    The hook (bare repository: git reads no `.gitmodules`) sees pay/vendor change and refuses the push with
    policy/zone-violation (asserted as the precondition). `gatekeeper check --policy <the server's policy>` in the
    clone runs the same engine, but `Diffs.changed_files` (`git diff-tree --stdin -r -c --raw`) runs with the clone
    as cwd: git reads the checked-out `.gitmodules`, drops the gitlink change from its output, and the commit
    changes only `.gitmodules` as far as the zone check knows: decision ALLOW, no finding (observed).

    Severity medium (check and hook disagree; the hook still stops it). Secure behaviour: the local check finds the
    zone violation the hook finds. Fix: run every diff with `--ignore-submodules=none` (overrides the submodule
    config: `override_submodule_config`), or without any `.gitmodules` (attribute-free env + a HEAD that is not the
    checkout's), in Diffs and History alike."""
    server = make_server(tmp_path / "srv", policy=AI_ZONE_SERVER_POLICY)
    assert server.policy_file is not None
    work = server.clone()
    base = work.commit("Initial commit\n", {"README.md": "hello\n"})
    assert spush(server, work, "origin", "main").code == 0
    sha = _agent_gitlink_commit(work, GITMODULES_IGNORE_ALL)
    pushed = spush(server, work, "origin", "main")
    assert pushed.code != 0 and "policy/zone-violation" in pushed.remote_text and "pay/vendor" in pushed.remote_text, \
        pushed.output
    verdict = _check(work, server.policy_file, base)
    assert "policy/zone-violation" in json.dumps(verdict), (
        f"`gatekeeper check` in the clone allows the agent's gitlink change {sha[:12]} to pay/vendor that the hook "
        f"refused (decision {verdict.get('decision')}, findings {_zone_finding_ids(verdict)})")


def test_control_local_check_refuses_the_gitlink_change_without_ignore(tmp_path: Path) -> None:
    """Control: the same commit with a `.gitmodules` that does not say `ignore`: the local check finds the zone
    violation on pay/vendor (so gitlinks are zone paths to the engine; only the work tree's `ignore` hides it)."""
    server = make_server(tmp_path / "srv", policy=AI_ZONE_SERVER_POLICY)
    assert server.policy_file is not None
    work = server.clone()
    base = work.commit("Initial commit\n", {"README.md": "hello\n"})
    assert spush(server, work, "origin", "main").code == 0
    _agent_gitlink_commit(work, GITMODULES_PLAIN)
    verdict = _check(work, server.policy_file, base)
    assert verdict.get("decision") == "block" and "pay/vendor" in json.dumps(verdict), verdict


# -- 2. the GitHub Action in the checkout of the pull request ------------------------------------------------------

def _action_pr(tmp_path: Path, httpserver: HTTPServer, gitmodules: str) -> tuple[Env, dict[str, str], RepoBuilder]:
    repo = RepoBuilder.init(tmp_path / "work")
    base = repo.commit("base\n", {".gatekeeper.yml": AI_ZONE_SERVER_POLICY, "README.md": "hello\n"})
    repo.branch("feature")
    head = _agent_gitlink_commit(repo, gitmodules)  # the runner's checkout of the PR: its .gitmodules in the work tree
    serve_pr(httpserver, 7, [head], [])
    return Env(tmp_path, httpserver, repo.path), {"base": base, "head": head}, repo


def test_action_judges_a_zone_gitlink_change_hidden_by_the_prs_gitmodules(tmp_path: Path,
                                                                          httpserver: HTTPServer) -> None:
    """Attack: a pull request whose agent-written commit adds `.gitmodules` with `ignore = all` for pay/vendor and
    moves that gitlink (zone `pay/**`, ai: block, in the BASE commit's policy) to a submodule commit of its choosing.

    `gatekeeper action` (pull_request, the runner's checkout of the PR as GITHUB_WORKSPACE) judges
    base.sha..head.sha with Git(GITHUB_WORKSPACE): the PR's `.gitmodules` is checked out there, git drops the gitlink
    change from `diff-tree -c --raw`, and the run publishes decision=allow, exit 0, no finding (observed) — the
    bare hook refuses the very same commit with policy/zone-violation (test 1). The Action is a required check: the
    agent lands a new pointer for the payments submodule, which the zone exists to stop, with one file outside it.

    Severity high where the Action is the gate (no hook: github.com). Secure behaviour: blocked with
    policy/zone-violation on pay/vendor. Fix: as in test 1."""
    gh, shas, _ = _action_pr(tmp_path, httpserver, GITMODULES_IGNORE_ALL)
    result = gh.run("pull_request", pr_event(shas))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    outputs = gh.outputs()
    assert outputs.get("decision") != "error", result.output
    assert result.return_value == ExitCode.BLOCKED and "policy/zone-violation" in result.output, (
        f"the Action allows the agent's change of gitlink pay/vendor in zone payments (decision "
        f"{outputs.get('decision')}, exit {result.return_value}); the hook refuses it:\n{result.output[-1500:]}")


def test_control_action_blocks_the_gitlink_change_without_ignore(tmp_path: Path, httpserver: HTTPServer) -> None:
    """Control: the same pull request with a `.gitmodules` that does not say `ignore`: the Action blocks it with
    policy/zone-violation on pay/vendor."""
    gh, shas, _ = _action_pr(tmp_path, httpserver, GITMODULES_PLAIN)
    result = gh.run("pull_request", pr_event(shas))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "policy/zone-violation" in result.output and "pay/vendor" in result.output, result.output


# -- 3. the history audit in a clone -------------------------------------------------------------------------------

def test_audit_in_a_clone_lists_the_zone_gitlink_change_its_bare_mirror_lists(tmp_path: Path) -> None:
    """Attack (after the fact): the same agent commit audited with the real CLI (`gatekeeper audit --all --policy P
    --format json`) in a bare mirror and in the clone, where the commit's own `.gitmodules` (ignore = all) is
    checked out — as in any clone of a repository where it landed without the hook. The mirror's audit names
    pay/vendor in the commit's zones (asserted as precondition); the clone's is expected to as well.

    Severity medium: the after-the-fact control misses an AI change to a zone depending on where it runs and on a
    file the audited history itself wrote. Secure behaviour: both audits name pay/vendor. Fix: as in test 1."""
    policy = tmp_path / "policy.yml"
    policy.write_text(AI_ZONE_SERVER_POLICY)
    work = RepoBuilder.init(tmp_path / "work")
    work.commit("Initial commit\n", {"README.md": "hello\n"})
    sha = _agent_gitlink_commit(work, GITMODULES_IGNORE_ALL)
    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(work.path), str(mirror)], check=True, capture_output=True)
    in_mirror = _audit(mirror, policy)
    assert any(z.get("path") == "pay/vendor" for z in in_mirror[sha]["zones"]), in_mirror[sha]
    in_clone = _audit(work.path, policy)
    zones = in_clone[sha]["zones"]
    assert any(z.get("path") == "pay/vendor" for z in zones), (
        f"the audit in the clone lists no zone for the agent's gitlink change {sha[:12]} that its bare mirror's audit "
        f"names pay/vendor for: {zones}")
