"""`gatekeeper action` end to end: real git repositories, event payload files, a local GitHub API.

The click command runs in-process (CliRunner); the GitHub API is pytest-httpserver serving the
corpus's REST examples with synthetic fields (reviewers, commit ids) for the test repository.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer

from gatekeeper.cli_action import action
from gatekeeper.errors import GatekeeperError
from gatekeeper.models import ExitCode
from gatekeeper.modes.action import ActionSettings, run_action
from gatekeeper.provenance.openpgp import ForgeKeys
from tests.github_helpers import (
    TOKEN,
    sarif_validator,
    serve_reviews,
    synthetic_associated_pull,
    synthetic_pr_event,
    synthetic_pull_commit,
    synthetic_review,
    webhook_example,
)
from tests.repo_builder import RepoBuilder
from tests.test_audit_review_trust import forge_key

__all__ = ["forge_key"]  # fixture used below

REPO = "octo-org/octo-repo"
ALICE = ("Alice Mobile", "alice@example.com")
# A base policy that keeps the run fast: mobile commits need one review, only the in-process secrets scanner.
POLICY = """\
version: 1
origins: {mobile_classes: [mobile, tablet], undeclared: desktop}
protected_refs: ["refs/heads/main"]
rules:
  mobile:
    scanners: [secrets]
    block_at: high
    review: {approvals: 1, exclude_authors: true, after_last_mobile_commit: true}
  default:
    scanners: [secrets]
    block_at: critical
"""
MOBILE = "\n\nOrigin-Device: mobile\nOrigin-Client: working-copy/6.1\n"


class Env:
    """The runner's environment for one `gatekeeper action` invocation."""

    def __init__(self, tmp: Path, server: HTTPServer, workspace: Path) -> None:
        self.tmp = tmp
        self.summary = tmp / "summary.md"
        self.output = tmp / "output.txt"
        self.event = tmp / "event.json"
        self.vars = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_API_URL": server.url_for("").rstrip("/"),
            "GITHUB_TOKEN": TOKEN,
            "GITHUB_EVENT_PATH": str(self.event),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_OUTPUT": str(self.output),
            "INPUT_SARIF": "gatekeeper.sarif",
        }

    def run(self, event_name: str, payload: dict[str, Any], *args: str, **extra: str) -> Result:
        self.event.write_text(json.dumps(payload))
        for path in (self.summary, self.output):
            path.write_text("")
        env = {**self.vars, "GITHUB_EVENT_NAME": event_name, **extra}
        return CliRunner().invoke(action, list(args), env=env, standalone_mode=False, catch_exceptions=True)

    def outputs(self) -> dict[str, str]:
        pattern = r"^(\w+)<<(ghadelimiter_[0-9a-f]{32})\n(.*?)\n\2$"
        return {m[0]: m[2] for m in re.findall(pattern, self.output.read_text(), re.M | re.S)}


@pytest.fixture
def gh(tmp_path: Path, httpserver: HTTPServer, repo: RepoBuilder) -> Env:
    return Env(tmp_path, httpserver, repo.path)


@pytest.fixture
def pr_repo(repo: RepoBuilder) -> dict[str, str]:
    """main with the policy; feature with two commits from Alice's phone."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    repo.branch("feature")
    first = repo.commit("phone: first" + MOBILE, {"app.py": "print('hello')\n"}, author=ALICE, committer=ALICE)
    head = repo.commit("phone: second" + MOBILE, {"util.py": "X = 1\n"}, author=ALICE, committer=ALICE)
    return {"base": base, "first": first, "head": head}


def serve_pr(server: HTTPServer, number: int, commits: list[str], reviews: list[dict[str, Any]]) -> None:
    server.clear()
    serve_reviews(server, number, reviews)
    server.expect_request(f"/repos/{REPO}/pulls/{number}/commits").respond_with_json(
        [synthetic_pull_commit(sha, login="alice", email=ALICE[1]) for sha in commits])


def pr_event(shas: dict[str, str], **kwargs: Any) -> dict[str, Any]:
    return synthetic_pr_event(number=7, base_sha=shas["base"], head_sha=shas["head"], author="alice", repo=REPO,
                              **kwargs)


def test_blocks_without_approval_then_allows_after_a_qualifying_one(gh: Env, httpserver: HTTPServer,
                                                                    pr_repo: dict[str, str]) -> None:
    commits = [pr_repo["first"], pr_repo["head"]]
    serve_pr(httpserver, 7, commits, [])
    result = gh.run("pull_request", pr_event(pr_repo))
    assert result.exception is None, result.output
    assert result.return_value == ExitCode.BLOCKED
    assert "::error title=gatekeeper review/missing (blocking)::" in result.output
    assert f"after {pr_repo['head'][:12]}" in result.output
    assert gh.outputs() == {"decision": "block", "blocking": "1", "findings": "1", "sarif": "gatekeeper.sarif"}
    summary = gh.summary.read_text()
    assert "❌ **blocked**" in summary and "### Review still needed" in summary and "status **missing**" in summary
    sarif = json.loads((Path(gh.vars["GITHUB_WORKSPACE"]) / "gatekeeper.sarif").read_text())
    assert not list(sarif_validator().iter_errors(sarif))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["review/missing"]
    assert TOKEN not in result.output + summary

    # SYNTHETIC review: Bob (not an author) approves the head.
    serve_pr(httpserver, 7, commits, [synthetic_review("bob", "APPROVED", pr_repo["head"], rid=1)])
    result = gh.run("pull_request_review", pr_event(pr_repo, action="submitted"))
    assert result.exception is None, result.output
    assert result.return_value == ExitCode.OK
    assert gh.outputs()["decision"] == "allow"
    assert "approved by @bob" in gh.summary.read_text()


@pytest.mark.parametrize(("reviews", "status"), [
    # SYNTHETIC: approved by the author (does not count).
    ([("alice", "APPROVED", "head")], "self"),
    # SYNTHETIC: approved before the last mobile commit (stale).
    ([("bob", "APPROVED", "first")], "stale"),
    # SYNTHETIC: approved, then dismissed.
    ([("bob", "APPROVED", "head"), ("bob", "DISMISSED", "head")], "missing"),
    # SYNTHETIC: approved, then changes requested.
    ([("bob", "APPROVED", "head"), ("bob", "CHANGES_REQUESTED", "head")], "missing"),
    # SYNTHETIC: a bot approves.
    ([("helper[bot]", "APPROVED", "head")], "missing"),
])
def test_non_qualifying_approvals_block(gh: Env, httpserver: HTTPServer, pr_repo: dict[str, str],
                                        reviews: list[tuple[str, str, str]], status: str) -> None:
    served = [synthetic_review(login, state, pr_repo[which], rid=i + 1,
                               user_type="Bot" if login.endswith("[bot]") else "User")
              for i, (login, state, which) in enumerate(reviews)]
    serve_pr(httpserver, 7, [pr_repo["first"], pr_repo["head"]], served)
    result = gh.run("pull_request", pr_event(pr_repo), "--format", "json")
    assert result.return_value == ExitCode.BLOCKED, result.output
    body = result.output.split("\n", 1)[1]
    verdict = json.loads(body[: body.index("\n::gatekeeper-")])
    head = next(c for c in verdict["commits"] if c["sha"] == pr_repo["head"])
    assert head["review"]["status"] == status
    assert head["review"]["source"] == "github"


def test_stale_approval_still_covers_the_earlier_commit(gh: Env, httpserver: HTTPServer,
                                                        pr_repo: dict[str, str]) -> None:
    serve_pr(httpserver, 7, [pr_repo["first"], pr_repo["head"]],
             [synthetic_review("bob", "APPROVED", pr_repo["first"], rid=1)])
    result = gh.run("pull_request", pr_event(pr_repo), "--format", "json")
    body = result.output.split("\n", 1)[1]
    verdict = json.loads(body[: body.index("\n::gatekeeper-")])
    status = {c["sha"]: c["review"]["status"] for c in verdict["commits"]}
    assert status == {pr_repo["first"]: "approved", pr_repo["head"]: "stale"}


def test_github_failure_fails_closed(gh: Env, httpserver: HTTPServer, pr_repo: dict[str, str]) -> None:
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/reviews").respond_with_data("<html>oops</html>")
    result = gh.run("pull_request", pr_event(pr_repo))
    assert result.return_value == ExitCode.BLOCKED
    assert "tool/github-failed" in result.output
    assert "review status unknown" in result.output


def test_no_token_fails_closed(gh: Env, pr_repo: dict[str, str]) -> None:
    del gh.vars["GITHUB_TOKEN"]
    result = gh.run("pull_request", pr_event(pr_repo))
    assert result.return_value == ExitCode.BLOCKED
    assert "no GitHub token" in result.output


def test_fail_mode_warn_reports_but_passes(gh: Env, httpserver: HTTPServer, pr_repo: dict[str, str]) -> None:
    serve_pr(httpserver, 7, [pr_repo["first"], pr_repo["head"]], [])
    result = gh.run("pull_request", pr_event(pr_repo), **{"INPUT_FAIL-MODE": "warn"})
    assert result.return_value == ExitCode.OK
    assert gh.outputs()["decision"] == "block"


def test_policy_is_read_from_the_base_and_changing_it_needs_an_owner(gh: Env, httpserver: HTTPServer,
                                                                   repo: RepoBuilder) -> None:
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, ".github/CODEOWNERS": "/.gatekeeper.yml @sec-lead\n"})
    repo.branch("feature")
    weakened = POLICY.replace("review: {approvals: 1, exclude_authors: true, after_last_mobile_commit: true}",
                              "review: {approvals: 0}")
    head = repo.commit("phone: relax the gate" + MOBILE, {".gatekeeper.yml": weakened}, author=ALICE,
                       committer=ALICE)
    shas = {"base": base, "head": head}
    # SYNTHETIC: Bob (not a policy owner) approves.
    serve_pr(httpserver, 7, [head], [synthetic_review("bob", "APPROVED", head, rid=1)])
    result = gh.run("pull_request", pr_event(shas))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "policy/changed (blocking)" in result.output
    assert "@sec-lead" in result.output
    # The weakened head policy was not used: review was still required (and satisfied by Bob).
    assert "review/missing" not in result.output
    # SYNTHETIC: the policy owner approves too.
    serve_pr(httpserver, 7, [head], [synthetic_review("bob", "APPROVED", head, rid=1),
                                     synthetic_review("sec-lead", "APPROVED", head, rid=2)])
    result = gh.run("pull_request_review", pr_event(shas, action="submitted"))
    assert result.return_value == ExitCode.OK, result.output
    # Finding messages are inert markdown in the summary: mentions are broken with a zero-width space.
    assert "approved by policy owner(s) @&#8203;sec-lead" in gh.summary.read_text()


def test_push_without_reviewed_pr_is_bypassed(gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    before = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    after = repo.commit("phone: direct push" + MOBILE, {"a.py": "A = 1\n"}, author=ALICE, committer=ALICE)
    httpserver.expect_request(f"/repos/{REPO}/commits/{after}/pulls").respond_with_json([])
    payload = {"ref": "refs/heads/main", "before": before, "after": after, "created": False, "deleted": False,
               "forced": False, "repository": {"full_name": REPO}}
    result = gh.run("push", payload)
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "review/bypassed (blocking)" in result.output
    assert "without a merged pull request" in result.output


def test_push_through_an_approved_merged_pr_passes(gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    before = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    repo.branch("feature")
    mobile = repo.commit("phone: change" + MOBILE, {"a.py": "A = 1\n"}, author=ALICE, committer=ALICE)
    repo.checkout("main")
    after = repo.merge("feature", "Merge pull request #9 from octo-org/feature")
    # SYNTHETIC: commit -> merged PR #9 into main, reviewed by Bob on the mobile head.
    pr = synthetic_associated_pull(9, base_ref="main", head_sha=mobile, merged=True, merge_commit_sha=after)
    httpserver.expect_request(f"/repos/{REPO}/commits/{mobile}/pulls").respond_with_json([pr])
    serve_prs = [synthetic_review("bob", "APPROVED", mobile, rid=1)]
    serve_reviews(httpserver, 9, serve_prs)
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json(
        [synthetic_pull_commit(mobile, login="alice", email=ALICE[1])])
    payload = {"ref": "refs/heads/main", "before": before, "after": after, "created": False, "deleted": False,
               "forced": False, "repository": {"full_name": REPO}}
    result = gh.run("push", payload)
    assert result.return_value == ExitCode.OK, result.output


def test_merge_group_uses_the_queued_pr(gh: Env, httpserver: HTTPServer, pr_repo: dict[str, str]) -> None:
    payload = webhook_example("api.github.com/merge_group/checks_requested.payload.json")
    group = payload["merge_group"]
    group["base_sha"], group["head_sha"] = pr_repo["base"], pr_repo["head"]  # SYNTHETIC shas
    group["base_ref"] = "refs/heads/main"
    # The queue branch names the PR it merges (red40: its commits are judged by that PR).
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-7-{pr_repo['head']}"
    for sha in (pr_repo["first"], pr_repo["head"]):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json(
            [synthetic_associated_pull(7, base_ref="main", head_sha=pr_repo["head"], merged=False)])
    serve_reviews(httpserver, 7, [synthetic_review("bob", "APPROVED", pr_repo["head"], rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/commits").respond_with_json(
        [synthetic_pull_commit(s, login="alice", email=ALICE[1]) for s in (pr_repo["first"], pr_repo["head"])])
    result = gh.run("merge_group", payload)
    assert result.return_value == ExitCode.OK, result.output


def test_closed_pull_request_is_skipped(gh: Env, pr_repo: dict[str, str]) -> None:
    result = gh.run("pull_request", pr_event(pr_repo, action="closed"))
    assert result.return_value == ExitCode.OK
    assert "::notice title=gatekeeper::skipped" in result.output
    assert gh.outputs()["decision"] == "skipped"


def test_hostile_commit_subject_cannot_issue_workflow_commands(gh: Env, httpserver: HTTPServer,
                                                              repo: RepoBuilder) -> None:
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    repo.branch("feature")
    head = repo.commit("::set-env name=PWN::1 %0A::add-mask::x" + MOBILE, {"a.py": "A = 2\n"}, author=ALICE,
                       committer=ALICE)
    serve_pr(httpserver, 7, [head], [])
    result = gh.run("pull_request", pr_event({"base": base, "head": head}))
    lines = result.output.splitlines()
    assert lines[0].startswith("::stop-commands::")
    token = lines[0].split("::")[2]
    end = lines.index(f"::{token}::")
    assert any("::set-env" in line for line in lines[:end])
    assert not any("::set-env" in line for line in lines[end:])


def test_shallow_checkout_is_deepened_once(gh: Env, httpserver: HTTPServer, tmp_path: Path,
                                           pr_repo: dict[str, str], repo: RepoBuilder) -> None:
    clone = tmp_path / "clone"
    RepoBuilder(tmp_path).git("clone", "-q", "--depth", "1", "--branch", "feature", repo.path.as_uri(), str(clone))
    gh.vars["GITHUB_WORKSPACE"] = str(clone)
    serve_pr(httpserver, 7, [pr_repo["first"], pr_repo["head"]], [])
    result = gh.run("pull_request", pr_event(pr_repo))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "review/missing" in result.output


def test_shallow_checkout_without_a_reachable_remote_exits_4_with_the_fix(
        gh: Env, tmp_path: Path, pr_repo: dict[str, str], repo: RepoBuilder) -> None:
    clone = tmp_path / "clone"
    RepoBuilder(tmp_path).git("clone", "-q", "--depth", "1", "--branch", "feature", repo.path.as_uri(), str(clone))
    RepoBuilder(clone).git("remote", "set-url", "origin", (tmp_path / "gone").as_uri())
    gh.vars["GITHUB_WORKSPACE"] = str(clone)
    result = gh.run("pull_request", pr_event(pr_repo))
    assert isinstance(result.exception, GatekeeperError)
    assert result.exception.exit_code == ExitCode.CANNOT_EVALUATE
    assert "fetch-depth: 0" in result.exception.fix
    assert "::error title=gatekeeper could not evaluate::" in result.output
    assert gh.outputs()["decision"] == "error"
    assert "could not evaluate" in gh.summary.read_text()


def push_payload(before: str, after: str, *, ref: str = "refs/heads/main", created: bool = False,
                 deleted: bool = False, forced: bool = False) -> dict[str, Any]:
    return {"ref": ref, "before": before, "after": after, "created": created, "deleted": deleted,
            "forced": forced, "repository": {"full_name": REPO}}


def verdict_of(result: Result) -> dict[str, Any]:
    body = result.output.split("\n", 1)[1]
    parsed: dict[str, Any] = json.loads(body[: body.index("\n::gatekeeper-")])
    return parsed


@pytest.mark.parametrize(("reviewed", "signed", "code"), [("head", True, ExitCode.OK), ("older", True, ExitCode.BLOCKED),
                                                     ("head", False, ExitCode.BLOCKED)])
def test_push_of_a_squash_merge_needs_an_approval_of_the_prs_final_head(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: tuple[dict[str, str], ForgeKeys, str],
        reviewed: str, signed: bool, code: ExitCode) -> None:
    """GitHub's squash commit is committed by its web-flow identity and signed with the web-flow key (a key
    the test makes stands in for it, passed to the mode as the forge key). An approval of the PR's final
    head covers it, one of an older commit is stale. The same commit without that signature is not
    demonstrably GitHub's — anyone can write `GitHub <noreply@github.com>` — so the head's approval does
    not cover it (red11: it did, whoever made the commit)."""
    env, keys, fpr = forge_key
    before = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    repo.write("a.py", "A = 1\n")
    repo.git("add", "a.py")
    repo.git("-c", f"user.signingkey={fpr}", "commit", "-q", "-S" if signed else "--no-gpg-sign", "-F", "-",
             input="phone: squashed (#11)" + MOBILE,
             env={**env, "GIT_AUTHOR_NAME": ALICE[0], "GIT_AUTHOR_EMAIL": ALICE[1]})
    squash = repo.head()
    pr_head, older = "f" * 40, "e" * 40  # SYNTHETIC: the PR branch is gone; its commits are not local
    httpserver.expect_request(f"/repos/{REPO}/commits/{squash}/pulls").respond_with_json(
        [synthetic_associated_pull(11, base_ref="main", head_sha=pr_head, merged=True, merge_commit_sha=squash)])
    serve_reviews(httpserver, 11,
                  [synthetic_review("bob", "APPROVED", pr_head if reviewed == "head" else older, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/11/commits").respond_with_json(
        [synthetic_pull_commit(older, login="alice", email=ALICE[1]),
         synthetic_pull_commit(pr_head, login="alice", email=ALICE[1])])
    gh.event.write_text(json.dumps(push_payload(before, squash)))
    verdict = run_action(ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "push"}), forge_keys=keys).verdict
    assert verdict is not None
    (commit,) = verdict.commits
    assert commit.signature.status.value == ("good" if signed else "unsigned")
    assert verdict.exit_code == code, commit.review
    assert commit.review.status.value == ("approved" if code == ExitCode.OK else "stale")
    assert commit.review.detail.startswith("PR #11: ")


def test_new_branch_counts_only_commits_since_its_fork_point(gh: Env, repo: RepoBuilder) -> None:
    repo.commit("base\n", {".gatekeeper.yml": POLICY})
    repo.commit("more history\n", {"b.py": "B = 1\n"})
    repo.branch("topic")
    after = repo.commit("phone: topic work" + MOBILE, {"c.py": "C = 1\n"}, author=ALICE, committer=ALICE)
    result = gh.run("push", push_payload("0" * 40, after, ref="refs/heads/topic", created=True), "--format", "json")
    assert result.return_value == ExitCode.OK, result.output  # topic is not protected: no review needed
    verdict = verdict_of(result)
    assert [c["sha"] for c in verdict["commits"]] == [after]
    assert "fork point" in verdict["range"]
    assert verdict["policy"].startswith(".gatekeeper.yml at base")


def test_deleting_a_protected_branch_is_reported(gh: Env, repo: RepoBuilder) -> None:
    before = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    result = gh.run("push", push_payload(before, "0" * 40, deleted=True))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "policy/ref-deletion" in result.output


@pytest.mark.parametrize("swapped", [True, False])
def test_a_push_that_swaps_mains_first_parent_line_is_a_force_push(gh: Env, repo: RepoBuilder,
                                                                   swapped: bool) -> None:
    """A push event whose new tip is a merge with the old tip as its *second* parent (a `git pull` merge pushed
    straight to main, or one made on purpose to hide how commits came in) rewrites main's first-parent history
    as a force push would: the Action says so as pre-receive and pre-push do. Merged the other way round, the
    same commits are an ordinary push."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    repo.branch("local", base)
    repo.commit("desktop work\n", {"b.py": "B = 1\n"})
    repo.checkout("main")
    before = repo.commit("main moved on\n", {"c.py": "C = 1\n"})
    if swapped:
        repo.checkout("local")
        after = repo.merge("main", "Merge branch 'main' of github.com:octo-org/octo-repo")
    else:
        after = repo.merge("local", "Merge branch 'local'")
    result = gh.run("push", push_payload(before, after), "--format", "json")
    findings = [f["rule_id"] for f in verdict_of(result)["findings"]]
    if swapped:
        assert result.return_value == ExitCode.BLOCKED, result.output
        assert "policy/force-push" in findings
        assert "first-parent line" in result.output
    else:
        assert result.return_value == ExitCode.OK, result.output
        assert "policy/force-push" not in findings


def test_a_pull_requests_range_is_not_judged_as_a_ref_move(gh: Env, httpserver: HTTPServer,
                                                           repo: RepoBuilder) -> None:
    """A pull request's base is the target branch's tip and its head a branch that merged that tip in: the
    head's first-parent line need not hold the base (a PR branch that merged main), and that is no rewrite."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    repo.branch("feature", base)
    first = repo.commit("desktop work\n", {"b.py": "B = 1\n"})
    repo.checkout("main")
    tip = repo.commit("main moved on\n", {"c.py": "C = 1\n"})
    repo.checkout("feature")
    head = repo.merge("main", "Merge branch 'main' into feature")
    serve_pr(httpserver, 7, [first, head], [])
    result = gh.run("pull_request", pr_event({"base": tip, "head": head}), "--format", "json")
    assert "policy/force-push" not in [f["rule_id"] for f in verdict_of(result)["findings"]], result.output
