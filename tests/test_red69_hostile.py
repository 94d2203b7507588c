"""Red team red69: attacks on f354508/3571ebc (the default branch's policy decides which branches are protected; a run
for an unprotected branch judges every commit not on the default branch).

Set-up (tests/test_red66_hostile.py): a bare repository stands in for github.com, a maintainer's clone pushes to it,
the runner's checkout is a real `git clone` of it (what `actions/checkout` with `fetch-depth: 0` fetches), and
`gatekeeper action` runs as the CLI with a GitHub-shaped payload and a local GitHub API (tests/test_action.py).

Each test FAILS on the code at the time of writing, for the reason its docstring names, and asserts the secure
behaviour (it passes once fixed).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode
from tests.github_helpers import synthetic_pr_event
from tests.repo_builder import RepoBuilder
from tests.test_action import ALICE, MOBILE, REPO, Env, serve_pr
from tests.test_red66_hostile import STRICT, _git, _runner_checkout, assert_zone_blocked, pr, runner


def _gitflow(tmp_path: Path) -> tuple[Path, RepoBuilder, str, str]:
    """github.com with the default branch `develop` (git-flow) and `main` — the branch the policy protects and
    GitHub's rule requires `gatekeeper` on — both at M (the strict policy); `feature` at H: one unreviewed commit
    from Alice's phone that changes pay/fee.py (zone payments, mobile: block)."""
    remote = tmp_path / "github.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "develop", str(remote)], check=True)
    work = RepoBuilder.init(tmp_path / "maintainer")
    work.git("remote", "add", "origin", str(remote))
    base = work.commit("base\n", {".gatekeeper.yml": STRICT, "pay/fee.py": "FEE = 1\n", "app.py": "print(1)\n"})
    work.git("push", "-q", "origin", "main", f"{base}:refs/heads/develop")
    work.branch("feature")
    head = work.commit("phone: waive the fee" + MOBILE, {"pay/fee.py": "FEE = 0\n"}, author=ALICE, committer=ALICE)
    work.git("push", "-q", "origin", "feature")
    work.checkout("main")
    return remote, work, base, head


def test_an_unprotected_default_branch_decides_that_main_is_not_protected(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    """Attack (any collaborator with push access, in a repository whose default branch is not GitHub-protected —
    git-flow's `develop` as default, the required check on `main`; high: a regression of f354508).

    f354508 made "which branches are protected" the default branch's policy's word. Nothing in docs/action.md says
    the default branch must itself be protected on GitHub, and in git-flow repositories it often is not: `main`
    (release) is. The collaborator pushes onto `develop` a commit that only narrows `protected_refs` so that it no
    longer names `main`. A pull request H -> main is then judged by develop's policy ("main is not a protected
    branch"), over merge-base(develop, H)..H — and develop was pushed onto H itself, so the range is empty.

    Observed: exit 0, decision allow, on H — a PR INTO MAIN, the protected branch whose rule reads this result.
    Before f354508 the same run trusted main's own policy and blocked (the control run, before the push to develop,
    still does). Secure behaviour: BLOCKED — a pull request into a branch GitHub protects (here the very branch the
    result is for) is never judged by a policy, or from a tip, anyone with push access sets."""
    remote, work, base, head = _gitflow(tmp_path)

    checkout = _runner_checkout(tmp_path, remote, head)
    gh = Env(tmp_path, httpserver, checkout)
    serve_pr(httpserver, 7, [head], [])
    httpserver.expect_request(f"/repos/{REPO}/branches/main").respond_with_json({"name": "main", "protected": True})
    result = gh.run("pull_request", synthetic_pr_event(number=7, base_sha=base, head_sha=head, author="alice",
                                                       repo=REPO, action="opened", default_branch="develop"))
    assert result.return_value == ExitCode.BLOCKED and "policy/zone-violation" in result.output, result.output

    # The collaborator pushes develop (the default branch, not protected on GitHub) to H + "protect nothing".
    work.git("checkout", "-q", "-b", "dev-local", head)
    narrowed = work.commit("chore: config\n", {".gatekeeper.yml": STRICT.replace(
        'protected_refs: ["refs/heads/main"]', 'protected_refs: ["refs/heads/release/none"]')})
    work.git("push", "-q", "-f", "origin", f"{narrowed}:refs/heads/develop")

    checkout2 = _runner_checkout(tmp_path / "run2", remote, head)
    assert _git(checkout2, "rev-parse", "refs/remotes/origin/develop") == narrowed
    gh2 = Env(tmp_path / "run2", httpserver, checkout2)
    serve_pr(httpserver, 7, [head], [])
    httpserver.expect_request(f"/repos/{REPO}/branches/main").respond_with_json({"name": "main", "protected": True})
    result = gh2.run("pull_request", synthetic_pr_event(number=7, base_sha=base, head_sha=head, author="alice",
                                                        repo=REPO, action="edited", default_branch="develop"))
    assert gh2.outputs().get("decision") != "error", result.output
    assert result.return_value == ExitCode.BLOCKED, (
        f"PR #7 into main is ALLOWED (decision {gh2.outputs().get('decision')}): develop's policy, as the "
        f"collaborator pushed it ({narrowed[:12]}), says main is not protected, and the range is every commit not "
        f"on develop — none, since develop holds {head[:12]}:\n" + result.output[-2500:])


def test_a_branch_the_default_policy_protects_but_github_does_not_hides_the_blocked_commit(
        tmp_path: Path, httpserver: HTTPServer, instant_backoff: list[float]) -> None:
    """Attack (any collaborator with push access; medium: docs/action.md does say "keep protected_refs in step with
    GitHub's branch protection", but the policy `gatekeeper policy init` writes protects `refs/heads/master` and
    `refs/heads/release/*` as well as main, and "Make it a required check" asks for a rule on `main` (and
    `release/*` "if your policy protects those") — never `master`, which a main-default repository has no reason
    to protect on GitHub, nor does the Action check that GitHub protects it).

    1. PR H -> main is BLOCKED (control).
    2. The collaborator creates `master` at H itself (GitHub does not guard it) and opens PR #8 H2 -> master, H2 =
       H + a clean desktop commit. main's policy protects master, so master's tip is trusted as the base, and the
       range is base.sha..H2 = the clean commit alone.
    Observed: exit 0, decision allow, on H2 — green for PR H2 -> main. Secure behaviour: BLOCKED (e.g. ask GitHub —
    `GET /repos/{repo}/branches/{branch}` says `protected`, with the token's contents: read — before trusting a
    non-default branch's tip, or judge every commit not on the default branch as for an unprotected one)."""
    remote = tmp_path / "github.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    work = RepoBuilder.init(tmp_path / "maintainer")
    work.git("remote", "add", "origin", str(remote))
    init_refs = 'protected_refs: ["refs/heads/main", "refs/heads/master", "refs/heads/release/*"]'
    policy = STRICT.replace('protected_refs: ["refs/heads/main"]', init_refs)
    assert init_refs in policy
    base = work.commit("base\n", {".gatekeeper.yml": policy, "pay/fee.py": "FEE = 1\n", "app.py": "print(1)\n"})
    work.git("push", "-q", "origin", "main")
    work.branch("feature")
    head = work.commit("phone: waive the fee" + MOBILE, {"pay/fee.py": "FEE = 0\n"}, author=ALICE, committer=ALICE)
    clean = work.commit("desktop: docs\n", {"README.md": "hello\n"})
    work.git("push", "-q", "origin", "feature")

    assert_zone_blocked(runner(tmp_path, httpserver, remote, clean, 7, [head, clean]).run("pull_request",
                                                                                          pr(7, base, clean)))

    work.git("push", "-q", "origin", f"{head}:refs/heads/master")
    # (lead) What GitHub answers for the branch: not protected (the fix asks it when the policy protects a branch).
    gh2 = runner(tmp_path / "run2", httpserver, remote, clean, 8, [clean], {"master": False})
    result = gh2.run("pull_request", synthetic_pr_event(number=8, base_sha=head, head_sha=clean, base_ref="master",
                                                        author="alice", repo=REPO, action="opened"))
    assert gh2.outputs().get("decision") != "error", result.output
    assert result.return_value == ExitCode.BLOCKED, (
        f"PR #8 {head[:12]}..{clean[:12]} into master is ALLOWED (decision {gh2.outputs().get('decision')}): master, "
        f"which the policy protects and GitHub does not, was pushed onto the blocked commit {head[:12]}; this green "
        f"result stands on {clean[:12]}, the head of PR #7 into main:\n" + result.output[-2000:])


def test_a_criss_cross_merge_base_rejudges_mains_own_history(tmp_path: Path, httpserver: HTTPServer) -> None:
    """False block (a legitimate pull request; low: availability, a regression of 3571ebc): the range "every commit
    the head holds that the default branch does not" is computed as `git merge-base <main> <head>`..head, and with
    a criss-cross history `git merge-base` returns ONE of several merge bases — here the feature's own commit F1,
    which main also holds — so main's already-merged commits after the other base are judged again.

    main: M0, M1 = merge of #3 (Pm: Alice's phone commit, reviewed when #3 merged), M2 = merge of #4 (F1, the
    feature's desktop commit). The feature meanwhile merged M1 (F2 = merge(F1, M1)): merge bases of M2 and F2 are
    F1 and M1, and git picks F1. PR #9 F2 -> develop (GitHub lists F2 alone: every other commit is on main) is then
    judged over F1..F2 = {F2, M1, Pm}: Pm needs PR #9's review (review/commits-mismatch, blocking). Observed:
    exit 1, BLOCK. Secure behaviour: ALLOW — only commits not reachable from main's tip (`rev-list F2 ^main`)
    belong to the range; a merge base on main can never hide one (every merge base is on main), so choosing
    among several is a matter of false blocks only, and the earliest-excluding choice (or `^main`) is right."""
    remote = tmp_path / "github.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    work = RepoBuilder.init(tmp_path / "maintainer")
    work.git("remote", "add", "origin", str(remote))
    m0 = work.commit("base\n", {".gatekeeper.yml": STRICT, "app.py": "print(1)\n"})
    work.branch("p")
    work.commit("phone: app" + MOBILE, {"app.py": "print(2)\n"}, author=ALICE, committer=ALICE)
    work.checkout("main")
    m1 = work.merge("p", "Merge pull request #3 from octo-org/p")
    work.git("checkout", "-q", "-b", "feature", m0)
    f1 = work.commit("desktop: feature\n", {"f.py": "F = 1\n"})
    work.checkout("main")
    m2 = work.merge("feature", "Merge pull request #4 from octo-org/feature")
    work.checkout("feature")
    f2 = work.merge(m1, "Merge main into feature")
    work.git("push", "-q", "origin", "main", "feature", f"{m2}:refs/heads/develop")
    bases = set(_git(tmp_path / "maintainer", "merge-base", "--all", m2, f2).split())
    assert bases == {f1, m1} and _git(tmp_path / "maintainer", "merge-base", m2, f2) == f1  # the criss-cross
    assert _git(tmp_path / "maintainer", "rev-list", f2, f"^{m2}").split() == [f2]  # all else is on main

    checkout = _runner_checkout(tmp_path, remote, f2)
    gh = Env(tmp_path, httpserver, checkout)
    serve_pr(httpserver, 9, [f2], [])
    result = gh.run("pull_request", synthetic_pr_event(number=9, base_sha=m2, head_sha=f2, base_ref="develop",
                                                       author="alice", repo=REPO, action="opened"))
    assert gh.outputs().get("decision") != "error", result.output
    assert result.return_value == ExitCode.OK, (
        f"PR #9 into develop, whose only commit not on main is {f2[:12]}, is BLOCKED: the range starts at the merge "
        f"base git picked ({f1[:12]}), so main's own merge {m1[:12]} and the phone commit it merged are judged "
        "again:\n" + result.output[-2000:])
