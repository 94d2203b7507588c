"""Red team red70: attacks on e00ab51 (a run for a branch that the default branch's policy or GitHub does not protect is
judged twice — by its base and by the default branch's policy over `head ^default` — and the stricter verdict stands).

Set-up (tests/test_red66_hostile.py, tests/test_red69_hostile.py): a bare repository stands in for github.com, a
maintainer's clone pushes to it, the runner's checkout is a real `git clone` of it (what `actions/checkout` with
`fetch-depth: 0` fetches), and `gatekeeper action` runs as the CLI with a GitHub-shaped payload and a local GitHub API
(tests/test_action.py) that also answers `GET /repos/{repo}/branches/{branch}`.

Each test FAILS on the code at the time of writing, for the reason its docstring names, and asserts the secure
behaviour (it passes once fixed).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode
from tests.github_helpers import (
    serve_reviews,
    synthetic_associated_pull,
    synthetic_pr_event,
    synthetic_pull_commit,
    synthetic_review,
)
from tests.repo_builder import RepoBuilder
from tests.test_action import ALICE, MOBILE, REPO, Env, serve_pr
from tests.test_red66_hostile import STRICT, _runner_checkout, assert_zone_blocked, pr, runner

# `gatekeeper policy init`'s protected refs: main, master and release/* (red69).
INIT_REFS = 'protected_refs: ["refs/heads/main", "refs/heads/master", "refs/heads/release/*"]'
INIT_POLICY = STRICT.replace('protected_refs: ["refs/heads/main"]', INIT_REFS)


def _github(tmp_path: Path) -> tuple[Path, RepoBuilder, str, str, str]:
    """github.com with main at M (policy init's protected refs + the payments zone); `feature` at H (an unreviewed phone
    commit changing pay/fee.py: zone payments, mobile: block) + H2 (a clean desktop commit)."""
    assert INIT_REFS in INIT_POLICY
    remote = tmp_path / "github.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    work = RepoBuilder.init(tmp_path / "maintainer")
    work.git("remote", "add", "origin", str(remote))
    base = work.commit("base\n", {".gatekeeper.yml": INIT_POLICY, "pay/fee.py": "FEE = 1\n", "app.py": "print(1)\n"})
    work.git("push", "-q", "origin", "main")
    work.branch("feature")
    head = work.commit("phone: waive the fee" + MOBILE, {"pay/fee.py": "FEE = 0\n"}, author=ALICE, committer=ALICE)
    clean = work.commit("desktop: docs\n", {"README.md": "hello\n"})
    work.git("push", "-q", "origin", "feature")
    work.checkout("main")
    return remote, work, base, head, clean


@pytest.mark.parametrize("answer", ["deleted", "rate-limited"])
def test_github_not_answering_for_the_base_branch_restores_its_tip_as_trusted(
        tmp_path: Path, httpserver: HTTPServer, answer: str, instant_backoff: list[float]) -> None:
    """Attack (any collaborator with push access; high: e00ab51's fix of red69 undone by making GitHub's answer None).

    e00ab51 asks GitHub whether a branch the default branch's policy protects is really protected
    (`GET /repos/{repo}/branches/{branch}`), but any answer that is not a bool — 404, 403/429, 5xx, a timeout — is
    None and "the policy's word stands": the branch is trusted alone, its tip as the start of the range. The
    collaborator controls that answer:
    - "deleted": red69's attack (push `master` — named by `policy init`, not guarded by GitHub — onto the blocked
      commit H, open PR #8 H2 -> master), then delete `master` as soon as the run is queued (the payload already says
      `opened`; the commits stay reachable from `feature`). GitHub answers 404 "Branch not found".
    - "rate-limited": the same without deleting, after exhausting the repository's GITHUB_TOKEN rate limit (1,000
      requests an hour) with runs of their own; the base judgement over H..H2 needs no other API call.
    The run then judges PR #8 once, by master's policy over H..H2 = the clean desktop commit alone. Observed: exit 0,
    decision allow, on H2 — the head of PR #7 into main, blocked for the zone change. Secure behaviour: BLOCKED — a
    branch whose protection GitHub does not confirm is judged as an unprotected one (both judgements)."""
    remote, work, base, head, clean = _github(tmp_path)

    assert_zone_blocked(runner(tmp_path, httpserver, remote, clean, 7, [head, clean]).run("pull_request",
                                                                                          pr(7, base, clean)))

    work.git("push", "-q", "origin", f"{head}:refs/heads/master")
    # Control: while GitHub says master is not protected, PR #8 is judged twice and blocked (e00ab51).
    gh2 = runner(tmp_path / "run2", httpserver, remote, clean, 8, [clean], {"master": False})
    pr8 = synthetic_pr_event(number=8, base_sha=head, head_sha=clean, base_ref="master", author="alice", repo=REPO,
                             action="opened")
    result = gh2.run("pull_request", pr8)
    assert result.return_value == ExitCode.BLOCKED and "policy/zone-violation" in result.output, result.output

    serve_pr(httpserver, 8, [clean], [])
    if answer == "deleted":
        work.git("push", "-q", "origin", ":refs/heads/master")
        httpserver.expect_request(f"/repos/{REPO}/branches/master").respond_with_json(
            {"message": "Branch not found", "documentation_url": "https://docs.github.com/rest/branches/branches"
                                                                 "#get-a-branch", "status": "404"}, status=404)
    else:
        httpserver.expect_request(f"/repos/{REPO}/branches/master").respond_with_json(
            {"message": "API rate limit exceeded for installation."}, status=403,
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"})
    checkout3 = _runner_checkout(tmp_path / "run3", remote, clean)
    gh3 = Env(tmp_path / "run3", httpserver, checkout3)
    result = gh3.run("pull_request", pr8)
    assert gh3.outputs().get("decision") != "error", result.output
    assert result.return_value == ExitCode.BLOCKED, (
        f"PR #8 {head[:12]}..{clean[:12]} into master is ALLOWED (decision {gh3.outputs().get('decision')}) once "
        f"GitHub's answer for master is not a bool ({answer}): master's tip, the blocked commit {head[:12]}, is "
        f"trusted again, and this green result stands on {clean[:12]}, the head of PR #7 into main:\n"
        + result.output[-2000:])


def _diverged(tmp_path: Path, branch: str, *, workflow: bool = True) -> tuple[Path, RepoBuilder, str, str]:
    """github.com with `branch` cut from main at M; main then moves on: M2 edits the CI workflow (a gate configuration
    path, .github/workflows/), as a maintainer's reviewed PR does any day — or, `workflow=False`, the docs. Returns
    (remote, work, M, M2)."""
    remote = tmp_path / "github.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    work = RepoBuilder.init(tmp_path / "maintainer")
    work.git("remote", "add", "origin", str(remote))
    m = work.commit("base\n", {".gatekeeper.yml": INIT_POLICY, "pay/fee.py": "FEE = 1\n", "app.py": "print(1)\n",
                               ".github/workflows/ci.yml": "on: push\n"})
    work.git("push", "-q", "origin", f"main:refs/heads/{branch}", "main")
    m2 = (work.commit("ci: cache\n", {".github/workflows/ci.yml": "on: [push, pull_request]\n"}) if workflow
          else work.commit("docs\n", {"docs.md": "how to\n"}))
    work.git("push", "-q", "origin", "main")
    return remote, work, m, m2


def test_a_pull_request_into_develop_is_blocked_by_mains_later_configuration_change(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    """False block (every contributor; medium: availability of every branch but the default one, a regression of
    e00ab51 — 3571ebc started the second range at the fork point).

    The default branch's judgement of a run for an unprotected branch is a RefUpdate whose `old` is the default
    branch's TIP, not the fork point. PolicyChangeCheck compares old..new trees (`_unattributed`): every gate
    configuration path main changed since `develop` was cut — here .github/workflows/ci.yml, edited on main by
    a reviewed merge — shows as changed by the update; no commit in the range accounts for it, so it is attributed to
    the head commit, and a blocking `policy/changed` asks a policy owner to approve "the change" on `develop`. Observed: exit 1 for a pull request that adds one desktop commit (README) to develop; every pull request
    into any branch cut before main's last workflow/policy/CODEOWNERS change is blocked until it merges main.
    Secure behaviour: ALLOW — the range `head ^main` changes nothing in the gate's configuration."""
    remote, work, m, m2 = _diverged(tmp_path, "develop")
    work.git("checkout", "-q", "-b", "topic", m)
    topic = work.commit("desktop: docs\n", {"README.md": "hello\n"})
    work.git("push", "-q", "origin", "topic")

    checkout = _runner_checkout(tmp_path, remote, topic)
    gh = Env(tmp_path, httpserver, checkout)
    serve_pr(httpserver, 11, [topic], [])
    result = gh.run("pull_request", synthetic_pr_event(number=11, base_sha=m, head_sha=topic, base_ref="develop",
                                                       author="alice", repo=REPO, action="opened"))
    assert gh.outputs().get("decision") != "error", result.output
    assert result.return_value == ExitCode.OK, (
        f"PR #11 {m[:12]}..{topic[:12]} into develop (one desktop README commit) is BLOCKED: the default branch's "
        f"judgement runs from main's tip {m2[:12]}, so main's later workflow edit counts as changed by this "
        "update:\n" + result.output[-2500:])


def test_a_fast_forward_push_to_a_release_branch_github_does_not_protect_is_a_force_push(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    """False block (any maintainer's ordinary push or merge; medium: availability, a regression of e00ab51).

    `policy init` protects `refs/heads/release/*`; GitHub protects only main, so GitHub answers `protected: false`
    for release/1.x and a push run there is judged twice. The second judgement's update is
    RefUpdate(release/1.x, old=<main's tip>, new=<pushed tip>, UPDATE) on a `push` event (moves_refs): the ref is
    protected by main's policy, so RefUpdateCheck asks whether `old` is on the new tip's first-parent line — main's
    tip never is once main moved on after the branch was cut — and reports a blocking `policy/force-push` ("takes its
    old tip off its first-parent line"). Observed: exit 1 for a plain fast-forward push of one desktop commit (before
    = release's tip, an ancestor of after). Secure behaviour: ALLOW — no history was rewritten; the default branch's
    tip is not the ref's old tip."""
    remote, work, m, m2 = _diverged(tmp_path, "release/1.x", workflow=False)
    work.git("checkout", "-q", "-b", "rel", m)
    fix = work.commit("desktop: backport a fix\n", {"app.py": "print(2)\n"})
    work.git("push", "-q", "origin", "rel:refs/heads/release/1.x")

    checkout = _runner_checkout(tmp_path, remote, fix)
    gh = Env(tmp_path, httpserver, checkout)
    # (GitHub's answer; the client asks for branches/release%2F1.x, which the stand-in server sees decoded.)
    httpserver.expect_request(f"/repos/{REPO}/branches/release/1.x").respond_with_json(
        {"name": "release/1.x", "protected": False})
    payload = {"ref": "refs/heads/release/1.x", "before": m, "after": fix, "created": False, "deleted": False,
               "forced": False, "repository": {"full_name": REPO, "default_branch": "main"}}
    result = gh.run("push", payload)
    assert gh.outputs().get("decision") != "error", result.output
    assert "is not protected" in result.output, result.output  # it was judged twice
    assert result.return_value == ExitCode.OK and "policy/force-push" not in result.output, (
        f"the fast-forward push {m[:12]}..{fix[:12]} to release/1.x is BLOCKED as a force push: the default branch's "
        f"judgement takes main's tip {m2[:12]} as the ref's old tip:\n" + result.output[-2500:])


def test_a_pull_request_into_a_release_branch_is_blocked_by_its_earlier_reviewed_commits(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    """False block (every contributor to a branch the default policy protects but GitHub does not — `policy init`'s
    release/* — or does not protect at all, e.g. develop; medium: availability, every pull request into such a
    branch once one mobile commit has landed on it).

    The default branch's judgement of a pull request event ranges over `head ^main`: it includes the commits that
    already landed on release/1.x (here P, Alice's phone commit, approved by Bob in PR #3 and merged), which are not
    commits of THIS pull request. GitHubReviewSource reconciles the range with the PR's commit list from GitHub
    (`_reconcile`: "git's range has 2 (first missing P)") and answers a blocking `review/commits-mismatch` for the
    whole pull request. Observed: exit 1 for PR #12, one desktop commit into release/1.x. Secure behaviour: ALLOW —
    commits outside the pull request are judged as landed ones (as a push run of release/1.x does: P arrived through
    PR #3, approved after it), never reconciled with this pull request's list."""
    remote, work, m, m2 = _diverged(tmp_path, "release/1.x", workflow=False)
    work.git("checkout", "-q", "-b", "backport", m)
    phone = work.commit("phone: fix" + MOBILE, {"app.py": "print(2)\n"}, author=ALICE, committer=ALICE)
    work.git("checkout", "-q", "-b", "rel", m)
    merged = work.merge("backport", "Merge pull request #3 from octo-org/backport")
    work.git("push", "-q", "origin", "rel:refs/heads/release/1.x")
    work.git("checkout", "-q", "-b", "topic")
    topic = work.commit("desktop: docs\n", {"README.md": "hello\n"})
    work.git("push", "-q", "origin", "topic")

    checkout = _runner_checkout(tmp_path, remote, topic)
    gh = Env(tmp_path, httpserver, checkout)
    serve_pr(httpserver, 12, [topic], [])
    httpserver.expect_request(f"/repos/{REPO}/branches/release/1.x").respond_with_json(
        {"name": "release/1.x", "protected": False})
    # PR #3 as GitHub has it: merged into release/1.x, approved by Bob at its head P.
    httpserver.expect_request(f"/repos/{REPO}/commits/{phone}/pulls").respond_with_json(
        [synthetic_associated_pull(3, base_ref="release/1.x", head_sha=phone, merged=True, merge_commit_sha=merged,
                                   author="alice")])
    serve_reviews(httpserver, 3, [synthetic_review("bob", "APPROVED", phone, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/3/commits").respond_with_json(
        [synthetic_pull_commit(phone, login="alice", email=ALICE[1])])
    result = gh.run("pull_request", synthetic_pr_event(number=12, base_sha=merged, head_sha=topic,
                                                       base_ref="release/1.x", author="carol", repo=REPO,
                                                       action="opened"))
    assert gh.outputs().get("decision") != "error", result.output
    assert "is not protected" in result.output, result.output  # it was judged twice
    assert result.return_value == ExitCode.OK and "review/commits-mismatch" not in result.output, (
        f"PR #12 {merged[:12]}..{topic[:12]} into release/1.x (one desktop commit) is BLOCKED: the default branch's "
        f"judgement ranges over every commit not on main, so PR #3's reviewed phone commit {phone[:12]} is reconciled "
        "with PR #12's commit list:\n" + result.output[-2500:])


def test_a_push_to_a_branch_github_says_is_unprotected_is_attested(tmp_path: Path, httpserver: HTTPServer) -> None:
    """Fault (any maintainer's push to a branch the policy names and GitHub does not guard; low-medium: a signed claim
    that is not true, consumed by whoever verifies the repository's attestations).

    e00ab51 defines a protected branch as one the default branch's policy names AND GitHub protects (docs/action.md
    "Trust comes from the base"), and asks GitHub. But `_attest` still signs a passing push whenever the CHOSEN
    policy — on a tie, the base's — names the ref: `policy.is_protected(update.ref)`, GitHub's `protected: false`
    ignored. A push to release/1.x (policy init's release/*, no GitHub rule: anyone with write access may force-push
    or delete it) gets a signed provenance + VSA with its SLSA Source level, whose controls claim force pushes and
    deletions refused. Observed: outputs `attestation` and `slsa-level`, and the bundle is written. Secure behaviour:
    no attestation for a branch GitHub says is not protected (as for any unprotected branch)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tests.test_attest_action import outputs

    remote = tmp_path / "github.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    work = RepoBuilder.init(tmp_path / "maintainer")
    work.git("remote", "add", "origin", str(remote))
    m = work.commit("base\n", {".gatekeeper.yml": INIT_POLICY, "app.py": "print(1)\n"})
    work.git("push", "-q", "origin", "main:refs/heads/release/1.x", "main")
    work.git("checkout", "-q", "-b", "rel", m)
    fix = work.commit("desktop: release notes\n", {"NOTES.md": "1.0.1\n"})
    work.git("push", "-q", "origin", "rel:refs/heads/release/1.x")

    checkout = _runner_checkout(tmp_path, remote, fix)
    gh = Env(tmp_path, httpserver, checkout)
    httpserver.expect_request(f"/repos/{REPO}/branches/release/1.x").respond_with_json(
        {"name": "release/1.x", "protected": False})
    pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()).decode()
    payload = {"ref": "refs/heads/release/1.x", "before": m, "after": fix, "created": False, "deleted": False,
               "forced": False, "repository": {"full_name": REPO, "default_branch": "main"}}
    result = gh.run("push", payload, **{"INPUT_ATTEST-KEY": pem})
    assert result.return_value == ExitCode.OK, result.output
    assert "is not protected" in result.output, result.output  # GitHub's answer was read: judged twice
    values = outputs(gh)
    assert "attestation" not in values and not (checkout / "gatekeeper-attestation.intoto.jsonl").exists(), (
        f"the push {m[:12]}..{fix[:12]} to release/1.x, which GitHub says is not protected, is attested "
        f"(SLSA source level {values.get('slsa-level')}): {values}")


def test_a_broken_policy_pushed_onto_an_unguarded_default_branch_errors_every_pull_request_into_main(
        tmp_path: Path, httpserver: HTTPServer) -> None:
    """Denial of service (any collaborator with push access, in a repository whose default branch GitHub does not
    protect — git-flow's `develop` as default, the required check on `main`, red69's set-up; low: exit 3, never green).

    Every run for a branch other than the default one loads the default branch's policy first (`load_trusted` of
    the default tip) — before, and whatever, GitHub says about the run's own branch. The collaborator pushes onto
    develop a .gatekeeper.yml that does not parse (`protected_refs: 7`). Observed: a legitimate pull request into main
    (GitHub-protected, its own valid policy, one desktop commit) ends `decision=error`, exit 3 ("at base <develop's
    tip>: protected_refs: expected a list of strings"), and so does every other run until a maintainer repairs
    develop. Secure behaviour: the run is judged (here ALLOW) — a default branch's policy that cannot be read says
    nothing about a branch GitHub protects, which its own base then judges (or: judged by the base alone, as
    unprotected-by-the-default-policy, which is never weaker)."""
    from tests.test_red69_hostile import _gitflow

    remote, work, base, _head = _gitflow(tmp_path)
    work.git("checkout", "-q", "-b", "dev-local", base)
    broken = work.commit("chore: config\n", {".gatekeeper.yml": "version: 1\nprotected_refs: 7\n"})
    work.git("push", "-q", "-f", "origin", f"{broken}:refs/heads/develop")
    work.git("checkout", "-q", "-b", "docs", base)
    docs = work.commit("desktop: docs\n", {"README.md": "hello\n"})
    work.git("push", "-q", "origin", "docs")

    checkout = _runner_checkout(tmp_path, remote, docs)
    gh = Env(tmp_path, httpserver, checkout)
    serve_pr(httpserver, 13, [docs], [])
    httpserver.expect_request(f"/repos/{REPO}/branches/main").respond_with_json({"name": "main", "protected": True})
    result = gh.run("pull_request", synthetic_pr_event(number=13, base_sha=base, head_sha=docs, author="alice",
                                                       repo=REPO, action="opened", default_branch="develop"))
    assert gh.outputs().get("decision") == "allow" and result.return_value == ExitCode.OK, (
        f"PR #13 {base[:12]}..{docs[:12]} into main (one desktop commit) ends decision={gh.outputs().get('decision')}: "
        f"the default branch develop's policy, broken by a push ({broken[:12]}), is loaded for every run: "
        f"{result.exception!r}\n" + result.output[-1500:])
