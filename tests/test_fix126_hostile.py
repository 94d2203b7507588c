"""fix126: red126's findings attacked as classes (tests/test_red126_hostile.py holds the red team's own cases).

1. What the merge queue made for the PR its branch names is tied to that PR by content when the PR's head is in the
   clone: its rebased copies are the longest message-matched top run whose commits together apply the PR's head
   onto the parent of the lowest (the group head's tree is that merge), its squash is the group's head only when its
   tree is the PR's head merged onto its parent. A rebase drops a commit whose change the group already has, and
   then an earlier entry's commit under that commit's message (or a `<title> (#N)` subject) sits where a copy would.
   Legitimate copies keep passing: a dropped commit in the middle, a commit and its revert (the longest run, not the
   shortest, that ties). Without the head in the clone (a fork's branch) only the group's head is the PR's, by place.
2. In a merge group a commit is tied to an open PR only when that PR's head is in the group and holds the commit —
   not to the first open PR GitHub lists for it; a stacked PR that is queued too still reviews it.
"""

from __future__ import annotations

from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode, ReviewStatus, Verdict
from tests.github_helpers import (
    serve_reviews,
    synthetic_associated_pull,
    synthetic_review,
    web_flow_commit,
)
from tests.repo_builder import RepoBuilder
from tests.test_action import MOBILE, POLICY, REPO, Env, gh
from tests.test_audit_review_trust import forge_key
from tests.test_red118_hostile import ALICE, DANA, MALLORY, ForgeKey
from tests.test_red126_hostile import _listed, _merge_as_github, _queue_payload, _run_queue

__all__ = ["forge_key", "gh"]  # fixtures used below

FILES = {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n", "README.md": "x\n", "CHANGELOG.md": "# changes\n",
         "login.py": "LOGIN = 1\n"}


def _review(verdict: Verdict, sha: str) -> tuple[ReviewStatus, str]:
    report = next(c for c in verdict.commits if c.commit.sha == sha)
    return report.review.status, report.review.detail


def _no_pulls(httpserver: HTTPServer, *shas: str) -> None:
    for sha in shas:
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([])


# -- 1. rebase-method queue: the named PR's copies and squash, by content ------------------------------------------

def test_copies_around_a_dropped_commit_stay_the_named_prs(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """Alice's #9: D1 (phone, login.py), D2 (a changelog line Dana's earlier entry #8 also adds: the rebase drops it),
    D3 (phone, app.py); Bob approved D3. The group: R8 (Dana's line), R9a, R9c. The window of three reaches R8, whose
    message is none of #9's, so the run is R9c, R9a — and it applies #9's head onto R8 (R8's line merges with D2's
    identical one): both copies are #9's and pass on Bob's approval."""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", FILES)
    m1, m2, m3 = "login: tidy" + MOBILE, "changelog: login entry\n", "app: greet" + MOBILE
    repo.git("checkout", "-q", "-b", "alice/login", base)
    d1 = repo.commit(m1, {"login.py": "LOGIN = 2\n"}, author=ALICE, committer=ALICE)
    d2 = repo.commit(m2, {"CHANGELOG.md": "# changes\n- login\n"}, author=ALICE, committer=ALICE)
    d3 = repo.commit(m3, {"app.py": "print('hello')\n"}, author=ALICE, committer=ALICE)
    repo.git("checkout", "-q", "main")
    r8 = web_flow_commit(repo, env, fpr, "changelog: note the login work\n", {"CHANGELOG.md": "# changes\n- login\n"},
                         DANA)
    r9a = web_flow_commit(repo, env, fpr, m1, {"login.py": "LOGIN = 2\n"}, ALICE)
    r9c = web_flow_commit(repo, env, fpr, m3, {"app.py": "print('hello')\n"}, ALICE)
    _no_pulls(httpserver, r8, r9a, r9c)
    serve_reviews(httpserver, 9, [synthetic_review("bob", "APPROVED", d3, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json(
        [_listed(d1, ALICE, "alice", m1), _listed(d2, ALICE, "alice", m2), _listed(d3, ALICE, "alice", m3)])
    verdict = _run_queue(gh, _queue_payload(base, r9c, 9, d3), keys)
    for sha in (r9a, r9c):
        status, detail = _review(verdict, sha)
        assert status is ReviewStatus.APPROVED, detail
    assert verdict.exit_code == ExitCode.OK


def test_a_commit_and_its_revert_are_copies_too(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """Alice's #9: D1 (phone: a debug line), D2 (its revert), D3 (phone: the real change); approved at D3. The top
    run of one (R9c) applies #9's head as well as the run of three does (D1 and D2 net to nothing): the copies are
    the LONGEST run that ties, so R9a — a phone commit — is #9's, not review/missing."""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", FILES)
    m1, m2, m3 = "app: debug line" + MOBILE, "Revert \"app: debug line\"\n", "login: tidy" + MOBILE
    repo.git("checkout", "-q", "-b", "alice/login", base)
    d1 = repo.commit(m1, {"app.py": "print('hi')\nprint('debug')\n"}, author=ALICE, committer=ALICE)
    d2 = repo.commit(m2, {"app.py": "print('hi')\n"}, author=ALICE, committer=ALICE)
    d3 = repo.commit(m3, {"login.py": "LOGIN = 2\n"}, author=ALICE, committer=ALICE)
    repo.git("checkout", "-q", "main")
    r9a = web_flow_commit(repo, env, fpr, m1, {"app.py": "print('hi')\nprint('debug')\n"}, ALICE)
    r9b = web_flow_commit(repo, env, fpr, m2, {"app.py": "print('hi')\n"}, ALICE)
    r9c = web_flow_commit(repo, env, fpr, m3, {"login.py": "LOGIN = 2\n"}, ALICE)
    _no_pulls(httpserver, r9a, r9b, r9c)
    serve_reviews(httpserver, 9, [synthetic_review("bob", "APPROVED", d3, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json(
        [_listed(d1, ALICE, "alice", m1), _listed(d2, ALICE, "alice", m2), _listed(d3, ALICE, "alice", m3)])
    verdict = _run_queue(gh, _queue_payload(base, r9c, 9, d3), keys)
    for sha in (r9a, r9c):
        status, detail = _review(verdict, sha)
        assert status is ReviewStatus.APPROVED, detail
    assert verdict.exit_code == ExitCode.OK


def test_a_copy_git_cannot_compare_stays_the_group_heads_by_place(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """Alice's #9: D1 (login.py 1 -> 2) and D2 (2 -> 3), both phone; Dana's earlier entry #8 makes D1's change too, so
    the rebase drops D1 and copies D2 (R9, 2 -> 3) cleanly. Git's merge of #9's head onto R8 conflicts (1 -> 2 on one
    side, 1 -> 3 on the other): the content cannot be shown either way, and the group's head stays #9's copy by its
    place, as it is without #9's head in the clone — approved, exit 0."""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", FILES)
    m1, m2 = "login: two" + MOBILE, "login: three" + MOBILE
    repo.git("checkout", "-q", "-b", "alice/login", base)
    d1 = repo.commit(m1, {"login.py": "LOGIN = 2\n"}, author=ALICE, committer=ALICE)
    d2 = repo.commit(m2, {"login.py": "LOGIN = 3\n"}, author=ALICE, committer=ALICE)
    repo.git("checkout", "-q", "main")
    r8 = web_flow_commit(repo, env, fpr, "login: bump\n", {"login.py": "LOGIN = 2\n"}, DANA)
    r9 = web_flow_commit(repo, env, fpr, m2, {"login.py": "LOGIN = 3\n"}, ALICE)
    assert "CONFLICT" in repo.git("merge-tree", "--write-tree", r8, d2, check=False)  # premise
    _no_pulls(httpserver, r8, r9)
    serve_reviews(httpserver, 9, [synthetic_review("bob", "APPROVED", d2, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json(
        [_listed(d1, ALICE, "alice", m1), _listed(d2, ALICE, "alice", m2)])
    verdict = _run_queue(gh, _queue_payload(base, r9, 9, d2), keys)
    status, detail = _review(verdict, r9)
    assert status is ReviewStatus.APPROVED, detail
    assert verdict.exit_code == ExitCode.OK


def _all_dropped(gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey,
                 subject: str) -> tuple[Verdict, str]:
    """Mallory's #9 (one commit D on login.py, approved by Carol, titled "Tidy the login") queued after her #8: R8a
    makes D's change, so the rebase drops D and #9 adds nothing; R8b, her phone change to app.py, is the group's
    head under `subject`. Returns the verdict and R8b."""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", FILES)
    message = "login: tidy" + MOBILE
    repo.git("checkout", "-q", "-b", "mallory/login", base)
    d = repo.commit(message, {"login.py": "LOGIN = 2\n"}, author=MALLORY, committer=MALLORY)
    repo.git("checkout", "-q", "main")
    r8a = web_flow_commit(repo, env, fpr, "login: first cut\n", {"login.py": "LOGIN = 2\n"}, MALLORY)
    r8b = web_flow_commit(repo, env, fpr, subject + MOBILE, {"app.py": "print('pwned')\n"}, MALLORY)
    _no_pulls(httpserver, r8a, r8b)
    serve_reviews(httpserver, 9, [synthetic_review("carol", "APPROVED", d, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json(
        [_listed(d, MALLORY, "mallory", message)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/9").respond_with_json(
        synthetic_associated_pull(9, base_ref="main", head_sha=d, merged=False, author="mallory",
                                  title="Tidy the login"))
    return _run_queue(gh, _queue_payload(base, r8b, 9, d), keys), r8b


def test_an_earlier_entrys_head_is_not_the_squash_of_a_pr_the_rebase_emptied(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """#9 added nothing, so the group's head is R8b — subjected `Tidy the login (#9)`, #9's squash subject, words
    Mallory writes in a rebase-method queue. By place and subject it was "#9's squash", covered by Carol's approval;
    its tree is not #9's head merged onto its parent (that is R8a's tree): review/missing, blocked."""
    verdict, r8b = _all_dropped(gh, httpserver, repo, forge_key, "Tidy the login (#9)")
    status, detail = _review(verdict, r8b)
    assert status is not ReviewStatus.APPROVED, detail
    assert verdict.exit_code == ExitCode.BLOCKED


def test_an_earlier_entrys_head_is_not_a_copy_of_a_pr_the_rebase_emptied(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """The same group with R8b under D's own message: the one-commit window holds R8b alone and its message matches,
    but it does not apply #9's head onto R8a: not #9's copy, review/missing, and the detail says why."""
    verdict, r8b = _all_dropped(gh, httpserver, repo, forge_key, "login: tidy")
    status, detail = _review(verdict, r8b)
    assert status is not ReviewStatus.APPROVED, detail
    assert "not shown to be a rebased copy" in detail, detail
    assert verdict.exit_code == ExitCode.BLOCKED


def test_without_the_prs_head_only_the_group_head_is_its_copy(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """red126's finding 1 with #9 opened from a fork (its head not in the clone: nothing to compare with). Only the
    group's head is #9's, by its place (as its squash would be); R8b below it, under the dropped commit's message,
    is not: review/missing, and the detail names the missing head."""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", FILES)
    typo, sync = "docs: typo" + MOBILE, "changelog: note the docs fix" + MOBILE
    repo.write("CHANGELOG.md", "# changes\n- docs fix\n")
    r8a = web_flow_commit(repo, env, fpr, "changelog: docs fix entry\n", {"CHANGELOG.md": "# changes\n- docs fix\n"},
                          MALLORY)
    r8b = web_flow_commit(repo, env, fpr, sync, {"app.py": "print('pwned')\n"}, MALLORY)
    r9 = web_flow_commit(repo, env, fpr, typo, {"README.md": "y\n"}, MALLORY)
    d1, d2 = "d" * 40, "e" * 40  # SYNTHETIC: the fork's commits are not in the clone
    _no_pulls(httpserver, r8a, r8b, r9)
    serve_reviews(httpserver, 9, [synthetic_review("carol", "APPROVED", d2, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json(
        [_listed(d1, MALLORY, "mallory", typo), _listed(d2, MALLORY, "mallory", sync)])
    verdict = _run_queue(gh, _queue_payload(base, r9, 9, d2), keys)
    status, detail = _review(verdict, r9)
    assert status is ReviewStatus.APPROVED, detail
    status, detail = _review(verdict, r8b)
    assert status is not ReviewStatus.APPROVED, detail
    assert "not in the clone" in detail, detail
    assert verdict.exit_code == ExitCode.BLOCKED


# -- 2. merge-method queue: an open PR reviews a commit of the group only when the group merges its head ----------

def test_a_queued_stacked_pr_still_reviews_the_commit_it_holds(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """Alice's #8 (X, phone, not reviewed on its own) and #12 stacked on it (X + Y, approved by Carol at Y) are both
    queued before Dana's #11. X is listed by #12 first; #12's head is in the group (its merge's second parent) and
    holds X, and Carol's review of #12 showed X's change: X is #12's, approved, exit 0 — the head-in-group rule does
    not make a reviewed stack fail."""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", FILES)
    x_msg, y_msg = "login: tidy" + MOBILE, "login: audit" + MOBILE
    repo.git("checkout", "-q", "-b", "alice/login", base)
    x = repo.commit(x_msg, {"login.py": "LOGIN = 2\n"}, author=ALICE, committer=ALICE)
    y = repo.commit(y_msg, {"audit.py": "LOG = True\n"}, author=ALICE, committer=ALICE)
    repo.git("checkout", "-q", "-b", "dana/docs", base)
    d = repo.commit("docs: typo\n", {"README.md": "y\n"}, author=DANA, committer=DANA)
    repo.git("checkout", "-q", "main")
    m8 = _merge_as_github(repo, env, fpr, base, x, "Merge pull request #8 from alice/login\n\nlogin\n")
    m12 = _merge_as_github(repo, env, fpr, m8, y, "Merge pull request #12 from alice/audit\n\naudit\n")
    m11 = _merge_as_github(repo, env, fpr, m12, d, "Merge pull request #11 from dana/docs\n\ndocs\n")
    stacked = synthetic_associated_pull(12, base_ref="main", head_sha=y, merged=False, author="alice")
    httpserver.expect_request(f"/repos/{REPO}/commits/{x}/pulls").respond_with_json(
        [stacked, synthetic_associated_pull(8, base_ref="main", head_sha=x, merged=False, author="alice")])
    httpserver.expect_request(f"/repos/{REPO}/commits/{y}/pulls").respond_with_json([stacked])
    _no_pulls(httpserver, m8, m12, m11, d)
    serve_reviews(httpserver, 11, [synthetic_review("carol", "APPROVED", d, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/11/commits").respond_with_json([_listed(d, DANA, "dana",
                                                                                            "docs: typo\n")])
    serve_reviews(httpserver, 12, [synthetic_review("carol", "APPROVED", y, rid=2)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/12/commits").respond_with_json(
        [_listed(x, ALICE, "alice", x_msg), _listed(y, ALICE, "alice", y_msg)])
    serve_reviews(httpserver, 8, [])
    httpserver.expect_request(f"/repos/{REPO}/pulls/8/commits").respond_with_json([_listed(x, ALICE, "alice", x_msg)])
    verdict = _run_queue(gh, _queue_payload(base, m11, 11, d), keys)
    for sha in (x, y):
        status, detail = _review(verdict, sha)
        assert status is ReviewStatus.APPROVED, detail
        assert detail.startswith("PR #12"), detail
    assert verdict.exit_code == ExitCode.OK


def test_an_open_pr_whose_head_the_group_does_not_merge_reviews_nothing_in_it(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """red126's finding 2 where GitHub lists ONLY the outside PR: Mallory's X reaches the group by #8's merge, and
    `commits/{X}/pulls` names just #10 (X + its revert, approved by Carol, never queued). #10's head is not in the group:
    X has no PR that brought it (the named #11's approval does not cover it either), review/missing, blocked."""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", FILES)
    x_msg = "login: tweak" + MOBILE
    repo.git("checkout", "-q", "-b", "mallory/login", base)
    x = repo.commit(x_msg, {"app.py": "print('pwned')\n"}, author=MALLORY, committer=MALLORY)
    y = repo.commit("revert: login tweak\n", {"app.py": "print('hi')\n"}, author=MALLORY, committer=MALLORY)
    repo.git("checkout", "-q", "-b", "dana/docs", base)
    d = repo.commit("docs: typo\n", {"README.md": "y\n"}, author=DANA, committer=DANA)
    repo.git("checkout", "-q", "main")
    m8 = _merge_as_github(repo, env, fpr, base, x, "Merge pull request #8 from mallory/login\n\nlogin\n")
    m11 = _merge_as_github(repo, env, fpr, m8, d, "Merge pull request #11 from dana/docs\n\ndocs\n")
    httpserver.expect_request(f"/repos/{REPO}/commits/{x}/pulls").respond_with_json(
        [synthetic_associated_pull(10, base_ref="main", head_sha=y, merged=False, author="mallory")])
    _no_pulls(httpserver, m8, m11, d)
    serve_reviews(httpserver, 11, [synthetic_review("carol", "APPROVED", d, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/11/commits").respond_with_json([_listed(d, DANA, "dana",
                                                                                            "docs: typo\n")])
    serve_reviews(httpserver, 10, [synthetic_review("carol", "APPROVED", y, rid=2)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/10/commits").respond_with_json(
        [_listed(x, MALLORY, "mallory", x_msg), _listed(y, MALLORY, "mallory", "revert: login tweak\n")])
    verdict = _run_queue(gh, _queue_payload(base, m11, 11, d), keys)
    status, detail = _review(verdict, x)
    assert status is not ReviewStatus.APPROVED, detail
    assert "PR #10" not in detail, detail
    assert verdict.exit_code == ExitCode.BLOCKED
