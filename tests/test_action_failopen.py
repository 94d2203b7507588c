"""Issue #9's Action items, end to end against the GitHub-shaped local API (pytest-httpserver):
unverifiable review never approves (22), review states normalised (23), outputs always written (25),
the range read from git (7), retargeted PRs (15), merge-reverted policy (6)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from gatekeeper.errors import GatekeeperError
from gatekeeper.models import ExitCode
from gatekeeper.review.github import _GitHubRetry
from tests.github_helpers import serve_pull_commits, serve_reviews, synthetic_pull_commit, synthetic_review
from tests.repo_builder import RepoBuilder
from tests.test_action import ALICE, MOBILE, POLICY, REPO, Env, gh, pr_event, pr_repo, serve_pr

__all__ = ["gh", "pr_repo"]  # fixtures used below

WARN_TOOLS = POLICY + "on_tool_error: warn\n"


def warn_repo(repo: RepoBuilder) -> dict[str, str]:
    base = repo.commit("base\n", {".gatekeeper.yml": WARN_TOOLS, "app.py": "print('hi')\n"})
    repo.branch("feature")
    head = repo.commit("phone: change" + MOBILE, {"app.py": "print('hello')\n"}, author=ALICE, committer=ALICE)
    return {"base": base, "head": head}


@pytest.mark.parametrize("failure", ["garbage", "500", "403"])
def test_unverifiable_review_blocks_whatever_on_tool_error_says(gh: Env, httpserver: HTTPServer, repo: RepoBuilder,
                                                               failure: str, monkeypatch: pytest.MonkeyPatch) -> None:
    backoffs: list[float] = []  # the client's real retries, without its real 2+4+8 s of sleeping
    monkeypatch.setattr(_GitHubRetry, "_sleep_backoff", lambda self: backoffs.append(self.get_backoff_time()))
    shas = warn_repo(repo)
    reviews = httpserver.expect_request(f"/repos/{REPO}/pulls/7/reviews")
    if failure == "garbage":
        reviews.respond_with_data("<html>oops</html>")
    elif failure == "500":
        reviews.respond_with_data("down", status=500)
    else:
        reviews.respond_with_data("no", status=403)
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/commits").respond_with_json(
        [synthetic_pull_commit(shas["head"], login="alice", email=ALICE[1])])
    result = gh.run("pull_request", pr_event(shas), "--format", "json")
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert gh.outputs()["decision"] == "block"
    assert "review/unverifiable (blocking)" in result.output
    assert "tool/github-failed" in result.output
    assert (len(backoffs) >= 3) == (failure == "500"), backoffs  # a 500 is retried; the others are not


def test_page_cap_exhausted_by_comment_reviews_does_not_drop_review(gh: Env, httpserver: HTTPServer,
                                                                    repo: RepoBuilder) -> None:
    """A PR author can post thousands of comment reviews: the API then fails at the page cap."""
    shas = warn_repo(repo)
    page = [synthetic_review("mallory", "COMMENTED", shas["head"], rid=i) for i in range(1, 101)]
    url = httpserver.url_for(f"/repos/{REPO}/pulls/7/reviews")
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/reviews").respond_with_json(
        page, headers={"Link": f'<{url}?per_page=100&page=2>; rel="next"'})
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/commits").respond_with_json(
        [synthetic_pull_commit(shas["head"], login="alice", email=ALICE[1])])
    result = gh.run("pull_request", pr_event(shas))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "more than 20 pages" in result.output
    assert "review/unverifiable (blocking)" in result.output


def test_no_token_with_warn_still_requires_review(gh: Env, repo: RepoBuilder) -> None:
    shas = warn_repo(repo)
    del gh.vars["GITHUB_TOKEN"]
    result = gh.run("pull_request", pr_event(shas))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "review/unverifiable (blocking)" in result.output


@pytest.mark.parametrize(("later", "expected"), [
    ("Changes_Requested", ExitCode.BLOCKED),
    ("changes_requested", ExitCode.BLOCKED),
    ("dismissed", ExitCode.BLOCKED),
    ("REJECTED", ExitCode.BLOCKED),  # unknown: withdraws
    ("", ExitCode.BLOCKED),  # unknown: withdraws
    ("commented", ExitCode.OK),  # a comment changes nothing
    ("Pending", ExitCode.OK),  # a draft changes nothing
])
def test_review_states_are_normalised_and_unknown_later_states_withdraw(
        gh: Env, httpserver: HTTPServer, pr_repo: dict[str, str], later: str, expected: ExitCode) -> None:
    # SYNTHETIC: Bob approves the head, then submits a review in another state (or letter case).
    serve_pr(httpserver, 7, [pr_repo["first"], pr_repo["head"]],
             [synthetic_review("bob", "APPROVED", pr_repo["head"], rid=1),
              synthetic_review("bob", later, pr_repo["head"], rid=2)])
    result = gh.run("pull_request_review", pr_event(pr_repo, action="submitted"))
    assert result.return_value == expected, result.output


@pytest.mark.parametrize("state", ["approved", "Approved", " APPROVED "])
def test_lower_case_approval_counts(gh: Env, httpserver: HTTPServer, pr_repo: dict[str, str], state: str) -> None:
    serve_pr(httpserver, 7, [pr_repo["first"], pr_repo["head"]],
             [synthetic_review("bob", state, pr_repo["head"], rid=1)])
    result = gh.run("pull_request_review", pr_event(pr_repo, action="submitted"))
    assert result.return_value == ExitCode.OK, result.output




REGISTRY = """\
version: 1
devices:
  - id: pixel8-jdoe
    owner: jdoe@example.com
    class: mobile
    managed: false
    keys: ["0123456789ABCDEF0123456789ABCDEF01234567"]
    enrolled: 2026-02-30
"""


@pytest.mark.parametrize(("files", "where"), [
    ({".gatekeeper.yml": POLICY + "ignore:\n  - {rule: semgrep/x, reason: r, expires: 2027-02-30}\n"},
     "ignore[0].expires"),
    ({".gatekeeper.yml": POLICY + "pre_receive: {budget_seconds: !!int abc}\n"}, "pre_receive.budget_seconds"),
    ({".gatekeeper.yml": POLICY + "on_timeout: !!python/object/apply:os.system ['true']\n"}, "on_timeout"),
    ({".gatekeeper.yml": POLICY + "devices: devices.yml\n",
      "devices.yml": REGISTRY}, "devices[0].enrolled"),
    ({".gatekeeper.yml": POLICY + "baseline: b.json\n", "b.json": '{"version": true, "fingerprints": []}'},
     "version"),
])
def test_bad_trusted_config_is_a_config_error_and_outputs_are_written(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, files: dict[str, str], where: str) -> None:
    base = repo.commit("base\n", files)
    repo.branch("feature")
    head = repo.commit("phone: change" + MOBILE, {"app.py": "x = 1\n"}, author=ALICE, committer=ALICE)
    serve_pr(httpserver, 7, [head], [])
    result = gh.run("pull_request", pr_event({"base": base, "head": head}))
    assert isinstance(result.exception, GatekeeperError), result.output
    assert result.exception.exit_code == ExitCode.CONFIG, result.exception.message
    assert where in result.exception.message
    assert gh.outputs()["decision"] == "error"
    assert "could not evaluate" in gh.summary.read_text()
    assert "::error title=gatekeeper could not evaluate::" in result.output


def test_outputs_are_written_when_the_environment_itself_is_unusable(gh: Env, pr_repo: dict[str, str]) -> None:
    result = gh.run("pull_request", pr_event(pr_repo), INPUT_FORMAT="bogus")
    assert isinstance(result.exception, GatekeeperError)
    assert result.exception.exit_code == ExitCode.USAGE
    assert gh.outputs() == {"decision": "error", "blocking": "0", "findings": "0", "sarif": ""}


def test_outputs_are_written_on_an_internal_error(gh: Env, pr_repo: dict[str, str]) -> None:
    gh.event.parent.joinpath("dir-event").mkdir()
    result = gh.run("pull_request", pr_event(pr_repo), GITHUB_EVENT_PATH=str(gh.event.parent / "dir-event"))
    assert result.exception is not None
    assert gh.outputs()["decision"] == "error"


HOSTILE_TAG = 'refs/tags/<img src=x onerror=alert(1)>'


def test_skipped_event_summary_escapes_the_ref(gh: Env, repo: RepoBuilder) -> None:
    sha = repo.commit("base\n", {"a": "1\n"})
    payload = {"ref": HOSTILE_TAG, "before": "0" * 40, "after": sha, "created": True, "deleted": False,
               "forced": False, "repository": {"full_name": REPO}}
    result = gh.run("push", payload)
    assert result.return_value == ExitCode.OK, result.output
    summary = gh.summary.read_text()
    assert "gatekeeper: skipped" in summary
    assert "<img" not in summary and "&lt;img src=x onerror=alert(1)&gt;" in summary


def test_summary_breaks_autolinks_and_mentions_in_commit_data(gh: Env, httpserver: HTTPServer,
                                                              repo: RepoBuilder) -> None:
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    repo.branch("feature")
    subject = "phone: see https://evil.example/login and www.evil.example, ping @octo-org/admins mail x@evil.example #1"
    head = repo.commit(subject + MOBILE, {"a.py": "A = 1\n"}, author=ALICE, committer=ALICE)
    serve_pr(httpserver, 7, [head], [])
    result = gh.run("pull_request", pr_event({"base": base, "head": head}))
    assert result.return_value == ExitCode.BLOCKED
    summary = gh.summary.read_text()
    assert "evil.example/login" in summary  # still readable
    for live in ("https://evil", "www.evil", "@octo-org", "x@evil", "#1"):
        assert live not in summary, live


def test_retargeted_pull_request_is_judged_against_its_new_base(gh: Env, httpserver: HTTPServer,
                                                                pr_repo: dict[str, str]) -> None:
    """Issue #9 item 15: opened against unprotected `dev`, then retargeted to main (`edited`). (Since red40 the run
    into `dev` is judged as for a protected branch too, and blocks: its result stands on the head commit.)"""
    commits = [pr_repo["first"], pr_repo["head"]]
    serve_pr(httpserver, 7, commits, [])
    result = gh.run("pull_request", pr_event(pr_repo, action="opened", base_ref="dev"))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "judged as for a protected branch" in result.output
    payload = pr_event(pr_repo, action="edited")
    payload["changes"] = {"base": {"ref": {"from": "dev"}, "sha": {"from": pr_repo["base"]}}}
    result = gh.run("pull_request", payload)
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "review/missing (blocking)" in result.output
    assert gh.outputs()["decision"] == "block"
    assert "retargeted from dev" in gh.summary.read_text()
    # A title-only edit is judged too (never a skipped green run after a red one).
    payload["changes"] = {"title": {"from": "old title"}}
    result = gh.run("pull_request", payload)
    assert result.return_value == ExitCode.BLOCKED, result.output


def _many_commits(repo: RepoBuilder, count: int) -> list[str]:
    """`count` desktop commits by Alice on the current branch, written with one `git fast-import`."""
    parent = repo.head()
    lines = []
    for i in range(count):
        message = f"desktop change {i}\n".encode()
        lines.append(b"commit refs/heads/feature\n")
        lines.append(f"mark :{i + 1}\n".encode())
        stamp = f"{1_767_300_000 + i} +0000"
        lines.append(f"author {ALICE[0]} <{ALICE[1]}> {stamp}\ncommitter {ALICE[0]} <{ALICE[1]}> {stamp}\n".encode())
        lines.append(f"data {len(message)}\n".encode() + message)
        lines.append(f"from {parent}\n".encode() if i == 0 else f"from :{i}\n".encode())
        lines.append(f"M 100644 inline many/{i}.txt\ndata 2\n{i % 10}\n\n".encode())
    repo.git("fast-import", "--quiet", "--force", input=b"".join(lines))
    repo.git("reset", "-q", "--hard", "refs/heads/feature")
    return repo.git("rev-list", "--reverse", f"{parent}..HEAD").split()


MALLORY = ("Mallory", "mallory@corp.example")


@pytest.fixture
def big_pr(repo: RepoBuilder) -> dict[str, Any]:
    """251 commits: 250 desktop commits by Alice, then Mallory's mobile commit (a non-GitHub address)."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    repo.branch("feature")
    shas = _many_commits(repo, 250)
    head = repo.commit("phone: sneak" + MOBILE, {"x.py": "X = 1\n"}, author=MALLORY, committer=MALLORY)
    return {"base": base, "head": head, "shas": [*shas, head]}


def test_251st_commit_author_cannot_approve_a_truncated_pr(gh: Env, httpserver: HTTPServer,
                                                           big_pr: dict[str, Any]) -> None:
    """Issue #9 item 7: GitHub lists 250 commits; Mallory wrote the 251st and approves."""
    listed = [synthetic_pull_commit(sha, login="alice", email=ALICE[1]) for sha in big_pr["shas"][:250]]
    serve_pull_commits(httpserver, REPO, 7, listed)
    serve_reviews(httpserver, 7, [synthetic_review("mallory", "APPROVED", big_pr["head"], rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/commits/{big_pr['head']}").respond_with_json(
        synthetic_pull_commit(big_pr["head"], login="mallory", email=MALLORY[1]))
    result = gh.run("pull_request", pr_event(big_pr))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "review/missing (blocking)" in result.output
    assert "not counted (an author, committer or co-author): @mallory" in result.output
    # Someone else's approval is enough: the lookup made the range whole, it did not just block.
    httpserver.clear()
    serve_pull_commits(httpserver, REPO, 7, listed)
    serve_reviews(httpserver, 7, [synthetic_review("mallory", "APPROVED", big_pr["head"], rid=1),
         synthetic_review("bob", "APPROVED", big_pr["head"], rid=2)])
    httpserver.expect_request(f"/repos/{REPO}/commits/{big_pr['head']}").respond_with_json(
        synthetic_pull_commit(big_pr["head"], login="mallory", email=MALLORY[1]))
    result = gh.run("pull_request_review", pr_event(big_pr, action="submitted"))
    assert result.return_value == ExitCode.OK, result.output


def test_truncated_pr_whose_missing_commit_cannot_be_read_fails_closed(gh: Env, httpserver: HTTPServer,
                                                                       big_pr: dict[str, Any]) -> None:
    listed = [synthetic_pull_commit(sha, login="alice", email=ALICE[1]) for sha in big_pr["shas"][:250]]
    serve_pull_commits(httpserver, REPO, 7, listed)
    serve_reviews(httpserver, 7, [synthetic_review("bob", "APPROVED", big_pr["head"], rid=2)])
    httpserver.expect_request(f"/repos/{REPO}/commits/{big_pr['head']}").respond_with_data("nope", status=404)
    result = gh.run("pull_request", pr_event(big_pr))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "review/unverifiable (blocking)" in result.output


@pytest.mark.parametrize("how", ["fewer", "foreign"])
def test_api_and_git_disagreeing_fails_closed(gh: Env, httpserver: HTTPServer, pr_repo: dict[str, str],
                                              how: str) -> None:
    listed = [pr_repo["head"]] if how == "fewer" else [pr_repo["first"], pr_repo["head"], "f" * 40]
    serve_pr(httpserver, 7, listed, [synthetic_review("bob", "APPROVED", pr_repo["head"], rid=1)])
    result = gh.run("pull_request", pr_event(pr_repo))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "review/commits-mismatch (blocking)" in result.output


STRICT = POLICY.replace("undeclared: desktop", "undeclared: mobile")


def test_policy_revert_by_merge_of_an_old_main_commit_is_a_policy_change(gh: Env, httpserver: HTTPServer,
                                                                         repo: RepoBuilder) -> None:
    """Issue #9 item 6: the PR's only commit merges an old main commit and takes its weaker policy; the
    combined diff hides the file (it matches one parent), the range base..head does not."""
    old = repo.commit("base\n", {".gatekeeper.yml": POLICY, ".github/CODEOWNERS": "/.gatekeeper.yml @sec-lead\n"})
    base = repo.commit("Tighten: undeclared commits count as mobile\n", {".gatekeeper.yml": STRICT})
    repo.branch("feature")
    # A merge of base and the old commit (an ancestor: only commit-tree makes such a merge) with its policy.
    repo.git("checkout", old, "--", ".gatekeeper.yml")
    tree = repo.git("write-tree")
    head = repo.git("commit-tree", tree, "-p", base, "-p", old, "-m", "Merge an old main commit", env={
        "GIT_AUTHOR_NAME": ALICE[0], "GIT_AUTHOR_EMAIL": ALICE[1], "GIT_COMMITTER_NAME": ALICE[0],
        "GIT_COMMITTER_EMAIL": ALICE[1]})
    repo.git("reset", "-q", "--hard", head)
    assert repo.git("diff-tree", "-c", "--name-only", "-r", "--no-commit-id", head) == ""  # hidden from -c
    serve_pr(httpserver, 7, [head], [synthetic_review("bob", "APPROVED", head, rid=1)])
    result = gh.run("pull_request", pr_event({"base": base, "head": head}))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "policy/changed (blocking)" in result.output
    assert "@sec-lead" in result.output
    # The policy owner's approval makes it a reviewed change.
    serve_pr(httpserver, 7, [head], [synthetic_review("bob", "APPROVED", head, rid=1),
                                     synthetic_review("sec-lead", "APPROVED", head, rid=2)])
    result = gh.run("pull_request_review", pr_event({"base": base, "head": head}, action="submitted"))
    assert result.return_value == ExitCode.OK, result.output


@pytest.mark.parametrize("path", [".github/workflows/ci.yml", ".github/CODEOWNERS", "CODEOWNERS",
                                  ".gatekeeper/rules/extra.yml"])
def test_every_gate_configuration_path_counts_in_the_action(gh: Env, httpserver: HTTPServer, repo: RepoBuilder,
                                                            path: str) -> None:
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY})
    repo.branch("feature")
    head = repo.commit("tweak\n", {path: "name: ci\non: push\njobs: {}\n"})
    serve_pr(httpserver, 7, [head], [])
    result = gh.run("pull_request", pr_event({"base": base, "head": head}))
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert "policy/changed (blocking)" in result.output and path in result.output


def test_merging_main_into_a_pr_after_a_reviewed_policy_change_is_not_one(gh: Env, httpserver: HTTPServer,
                                                                         repo: RepoBuilder) -> None:
    """The merge brings the base's own policy: nothing changes against the base, nothing to approve."""
    repo.commit("base\n", {".gatekeeper.yml": POLICY})
    repo.branch("feature")
    repo.commit("work\n", {"a.py": "A = 1\n"})
    repo.checkout("main")
    base = repo.commit("Tighten\n", {".gatekeeper.yml": STRICT})
    repo.checkout("feature")
    head = repo.merge("main", "Merge main into feature")
    commits = repo.git("rev-list", "--reverse", f"{base}..{head}").split()
    serve_pr(httpserver, 7, commits, [synthetic_review("bob", "APPROVED", head, rid=1)])
    result = gh.run("pull_request", pr_event({"base": base, "head": head}))
    assert result.return_value == ExitCode.OK, result.output
    assert "policy/changed" not in result.output


def test_a_hand_added_baseline_entry_cannot_turn_an_api_failure_into_allow(gh: Env, httpserver: HTTPServer,
                                                                           repo: RepoBuilder) -> None:
    """Issue #9 item 21: tool/github-failed has the same fingerprint in every repository."""
    from gatekeeper.review.github_source import failure_finding

    why = "GET /repos/octo-org/octo-repo/pulls/7/reviews: 404 not found (or not visible to this token)"
    material = failure_finding(why).fingerprint
    baseline = json.dumps({"version": 1, "fingerprints": [material]})
    base = repo.commit("base\n", {".gatekeeper.yml": WARN_TOOLS.replace("on_tool_error: warn\n", "") +
                                  "baseline: .gatekeeper/baseline.json\n", ".gatekeeper/baseline.json": baseline})
    repo.branch("feature")
    head = repo.commit("phone: change" + MOBILE, {"app.py": "x = 2\n"}, author=ALICE, committer=ALICE)
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/reviews").respond_with_data("no", status=404)
    result = gh.run("pull_request", pr_event({"base": base, "head": head}), "--format", "json")
    assert result.return_value == ExitCode.BLOCKED, result.output
    assert '"rule_id":"tool/github-failed"' in result.output
    assert '"suppressed":[]' in result.output
