"""Red team red66: what a repository collaborator can change in the Action's verdict by pushing OTHER refs (notes,
tags, branches) on github.com, where the Action is the only gate and nothing guards a push to an unprotected ref.

Set-up of every test: a bare repository stands in for github.com; a maintainer's clone pushes to it; the runner's
checkout is a real `git clone` of it (what `actions/checkout` with `fetch-depth: 0` fetches: every branch as
`refs/remotes/origin/*`), moved to the pull request's head; `gatekeeper action` runs as the CLI with a GitHub-shaped
`pull_request` payload and a local GitHub API (pytest-httpserver), the harness of tests/test_action.py.

Each test FAILS on the code at the time of writing, for the reason its docstring names, and asserts the secure
behaviour (it passes once fixed).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode
from tests.github_helpers import synthetic_pr_event
from tests.repo_builder import RepoBuilder
from tests.test_action import ALICE, MOBILE, POLICY, REPO, Env, serve_pr

# main's policy: mobile commits need one approval, and no mobile change may touch the payments zone at all.
STRICT = POLICY + 'zones:\n  - {name: payments, paths: ["pay/**"], mobile: block}\n'
# What the collaborator pushes onto an unprotected branch: no zone, and mobile commits need no review.
WEAK = """\
version: 1
origins: {mobile_classes: [mobile, tablet], undeclared: desktop}
protected_refs: ["refs/heads/main"]
rules:
  mobile:
    scanners: [secrets]
    block_at: critical
    review: {approvals: 0}
  default:
    scanners: [secrets]
    block_at: critical
"""


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def _github(tmp_path: Path) -> tuple[Path, RepoBuilder, str, str]:
    """github.com (a bare repository) with main at M (the strict policy, pay/fee.py) and branch `feature` at H: one
    commit from Alice's phone that changes pay/fee.py (zone payments, mobile: block), unreviewed."""
    remote = tmp_path / "github.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    work = RepoBuilder.init(tmp_path / "maintainer")
    work.git("remote", "add", "origin", str(remote))
    base = work.commit("base\n", {".gatekeeper.yml": STRICT, "pay/fee.py": "FEE = 1\n", "app.py": "print(1)\n"})
    work.git("push", "-q", "origin", "main")
    work.branch("feature")
    head = work.commit("phone: waive the fee" + MOBILE, {"pay/fee.py": "FEE = 0\n"}, author=ALICE, committer=ALICE)
    work.git("push", "-q", "origin", "feature")
    work.checkout("main")
    return remote, work, base, head


def _runner_checkout(tmp_path: Path, remote: Path, head: str) -> Path:
    """actions/checkout with fetch-depth: 0: a full clone (every branch under refs/remotes/origin/), at the head."""
    checkout = tmp_path / "runner"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(remote), str(checkout)], check=True)
    _git(checkout, "-c", "advice.detachedHead=false", "checkout", "-q", "--detach", head)
    return checkout


def runner(tmp: Path, httpserver: HTTPServer, remote: Path, head: str, number: int, commits: list[str],
           branches: dict[str, bool] | None = None) -> Env:
    """A fresh runner checkout of `remote` at `head`, and GitHub serving pull request `number` (its `commits`, no
    review) and, for each of `branches`, whether it protects it."""
    gh = Env(tmp, httpserver, _runner_checkout(tmp, remote, head))
    serve_pr(httpserver, number, commits, [])
    for name, protected in (branches or {}).items():
        httpserver.expect_request(f"/repos/{REPO}/branches/{name}").respond_with_json({"name": name,
                                                                                      "protected": protected})
    return gh


def pr(number: int, base: str, head: str, base_ref: str = "main", action: str = "opened") -> dict[str, Any]:
    """Alice's pull request `number`, base..head into `base_ref`, as GitHub's payload says it."""
    return synthetic_pr_event(number=number, base_sha=base, head_sha=head, base_ref=base_ref, author="alice",
                              repo=REPO, action=action)


def assert_zone_blocked(result: Any) -> None:
    assert result.return_value == ExitCode.BLOCKED and "policy/zone-violation" in result.output, result.output


def test_a_moved_unprotected_base_branch_supplies_the_policy_without_policy_changed(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    """Attack (a collaborator; high on github.com, where the Action is the only gate): make a blocked head commit's
    `gatekeeper` check green by choosing the policy it is judged by.

    1. The collaborator's branch `feature` (H) holds an unreviewed phone commit that changes pay/fee.py — the
       payments zone forbids mobile changes. The pull request H → main is BLOCKED (asserted as the control).
    2. They push a branch `develop` at main's tip M (no gate: an unprotected branch) and open a second pull request,
       H → develop. gatekeeper judges it "as for a protected branch" because its result stands on the head commit
       (red40), with the policy of its base, M: still BLOCKED (asserted as the second control).
    3. They push W = M + a commit that drops the zone and the mobile review rule onto `develop` (no gate), and edit
       the second PR's title. GitHub sends `edited` with the base.sha the PR was last pushed against, M (red19);
       actions/checkout fetches `develop` at W.

    `checkout.current_base` trusts `refs/remotes/origin/develop` (W) over base.sha because it is newer (red19's
    fix), so `load_trusted` reads W's weak policy; but the range, and with it `policy/changed`, still start at
    base.sha M (`PolicyChangeCheck` gets `u.old` = M, never the trusted revision), so the configuration difference
    M → W — made by the PR's own author, on a branch anyone with push access moves — is judged nowhere. Observed:
    decision ALLOW, exit 0, the range saying "policy from develop as fetched (…), newer than the event's base". That
    green run stands on H, the head of the first pull request too: GitHub's branch rule for main reads the latest
    `gatekeeper` result of H, which is now green, so the phone's zone change merges into main unreviewed.

    Secure behaviour: the second run is BLOCKED (the zone violation, or `policy/changed` for the configuration the
    base moved to). Fix: trust a newer base tip only when the base branch is protected (policy.is_protected, as
    red19 meant it for main), else judge by the protected/default branch's policy, or judge the configuration
    difference base.sha → trusted tip as `policy/changed` (it is the PR author's change until a policy owner
    approves it)."""
    remote, work, base, head = _github(tmp_path)

    # Control 1: the pull request into main is blocked.
    checkout = _runner_checkout(tmp_path, remote, head)
    gh = Env(tmp_path, httpserver, checkout)
    serve_pr(httpserver, 7, [head], [])
    result = gh.run("pull_request", synthetic_pr_event(number=7, base_sha=base, head_sha=head, author="alice",
                                                       repo=REPO, action="opened"))
    assert result.return_value == ExitCode.BLOCKED and "policy/zone-violation" in result.output, result.output

    # Control 2: a second pull request H -> develop (develop at M) is judged as for a protected branch: blocked.
    work.git("push", "-q", "origin", f"{base}:refs/heads/develop")
    checkout2 = _runner_checkout(tmp_path / "run2", remote, head)
    gh2 = Env(tmp_path / "run2", httpserver, checkout2)
    serve_pr(httpserver, 8, [head], [])
    result = gh2.run("pull_request", synthetic_pr_event(number=8, base_sha=base, head_sha=head, base_ref="develop",
                                                        author="alice", repo=REPO, action="opened"))
    assert result.return_value == ExitCode.BLOCKED and "policy/zone-violation" in result.output, result.output

    # The attack: develop moves to W (weak policy); the PR's title is edited; base.sha is still M.
    work.checkout("main")
    work.branch("develop-local", base)
    work.checkout("develop-local")
    weak = work.commit("chore: tidy config\n", {".gatekeeper.yml": WEAK})
    work.git("push", "-q", "origin", f"{weak}:refs/heads/develop")
    checkout3 = _runner_checkout(tmp_path / "run3", remote, head)
    assert _git(checkout3, "rev-parse", "refs/remotes/origin/develop") == weak
    gh3 = Env(tmp_path / "run3", httpserver, checkout3)
    serve_pr(httpserver, 8, [head], [])
    result = gh3.run("pull_request", synthetic_pr_event(number=8, base_sha=base, head_sha=head, base_ref="develop",
                                                        author="alice", repo=REPO, action="edited"))
    assert gh3.outputs().get("decision") != "error", result.output
    assert result.return_value == ExitCode.BLOCKED, (
        f"the unreviewed phone change to zone payments is ALLOWED (decision {gh3.outputs().get('decision')}): the "
        f"policy came from develop as the collaborator moved it ({weak[:12]}), and no policy/changed judged "
        f"{base[:12]} -> {weak[:12]}; this green result stands on {head[:12]}, the head of the PR into main:\n"
        + result.output[-2000:])
