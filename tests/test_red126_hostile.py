"""Red team red126: the merge-queue review ties of the last sessions — the named PR's rebased copies matched one to
one with its non-merge commits (`_copies_of`, a0fc52a), an earlier entry's squash tied by tree (`_squash_of` ->
`Git.squashes` / `merged_tree`, e618bad), the merge-method fallback to `commits/{sha}/pulls` (`_associated`), and the
memory-cap fallback's per-merge literal pathspecs (`_literal_paths`, e50b780).

Harness: real repositories (RepoBuilder), the real `gatekeeper action` (`run_action`) for `merge_group` events against
a local GitHub API (pytest-httpserver, corpus-shaped answers from tests/github_helpers.py; SYNTHETIC marks edited
fields), queue commits made as GitHub makes them (web-flow committer, signed with the stand-in web-flow key; merges
are `git merge-tree --write-tree` of their parents). The PRs' branches are in the clone (fetch-depth: 0).

Findings (each test FAILS on 80ddf67 for the reason its docstring names, and asserts the secure behaviour):

1. MEDIUM (miss of review; rebase-method queue with HEADGREEN grouping / "only merge non-failing" off — the
   precondition red115/red118 rated) — review/github_source.py `_copies_of`: the named PR's copies are still tied by
   PLACE and MESSAGE only. The window is "as many topmost commits as the PR has non-merge commits", each matched to a
   different listed message; but a rebase drops a commit that becomes empty (GitHub's rebase, as fix118's own test
   takes it), so the window reaches into the earlier entry, and that entry's copy carrying the dropped commit's
   message — the author's to write, public on the PR — is "#9's copy". Mallory: #9 (docs typo + a changelog line,
   approved by Carol) and #8 queued before it (the same changelog line, then her phone change under #9's changelog
   message). The rebase drops #9's changelog commit; her phone change passes on Carol's approval of #9 (exit 0).
   fix118 closed only the variant where the copy repeats the message of a commit that WAS copied. Fix: tie copies by
   content, not words — e.g. the named PR's span is the smallest top run whose head tree equals
   `merged_tree(<its bottom's parent>, <PR head>)` (the tie `_squash_of` already uses), or each copy's
   `git patch-id` equals that of the listed commit it is matched to (the PR's commits are in the clone; else
   review/missing).
2. MEDIUM (miss of review; merge-method queue, same HEADGREEN precondition — docs/action.md says merge-method queues
   "are not affected") — `_associated`, merge_group branch: an earlier entry's own commit (kept verbatim under the
   queue's merge) is judged by the FIRST open PR into the branch that `commits/{sha}/pulls` lists, whether or not that
   PR is in the group. Mallory's phone commit X is #8 (queued, unapproved) and also #10 = X + its revert (nets to
   nothing; Carol approves it; never queued). In #11's run X is "PR #10: approved by @carol" and the group — which
   merges X WITHOUT the revert — passes (exit 0). red96 closed this for push runs (`_merge_holds`: the PR's merge must
   be in the judged history); the queue has no such bound. Which PR GitHub lists first Mallory sets by the order she
   opens them. Fix: in a merge group tie a commit only to an open PR whose head is in the group's history (its merge's
   second parent there), else review/missing.
3. LOW (false positive, same root as 2) — the mirror: a team's follow-up PR #12 opened against main from a branch built
   on #8's (GitHub lists #8's commits in it until #8 merges), not yet reviewed. #8 (approved by Bob) and #11 queued,
   merge method: in #11's run Alice's phone commit of #8 is judged by #12 when GitHub lists #12 first — review/missing,
   #11 is thrown out of the queue although everything in the group was reviewed. Same fix.

Tried and held (read or run here, no test kept):
- squash tie by tree: a tree id covers modes, symlinks and gitlinks, so no squash "equal by tree but different in
  content" exists; `merged_tree` refuses unrelated histories and conflicts (None -> not a squash), runs attribute-free
  (no pushed merge driver), needs the head in the clone (`resolve_commit(head) == head`); a head that is an ancestor of
  the squash's parent ties only an empty commit. Stale: `_queued_before` reads the PR's CURRENT head (an approval of a
  head since force-pushed covers nothing; a squash of the old head no longer matches the new head's tree).
- merges with crafted parents: a queue merge ties to #N only with #N's head as parents[1]; a PR-title message
  "Merge pull request #5 from …" on #8's merge ties to #5 only when its second parent IS #5's head (then what it adds is
  what #5's reviewers approved); a hand-made clean "GitHub" merge adds nothing itself (its parents are judged).
- an old approved PR's number/merge: `_queued_before` refuses closed, merged or other-base PRs; push runs tie by
  `merge_commit_sha` from GitHub and `_merge_holds`; an evil merge needs an approval of itself.
- the named PR's own copies and squash (group head) keep passing on its approval (asserted in test 1); the named PR's
  commit listed in another PR stays the named PR's (red40). (Read, not run: when the earlier entry's queue merge is
  itself mobile, `_queued_before` caches its PR first and X is then judged by it; GitHub's merges carry no phone tag,
  so the `commits/{sha}/pulls` fallback of finding 2 is the usual path — the test shows the merge is not mobile.)
- `_literal_paths`: `:(top,literal)` per path (magic, options, newline names), directory widening a superset, None
  past the top level — fix118's tests cover it; nothing new found.
"""

from __future__ import annotations

import json
from typing import Any

from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode, ReviewStatus, Verdict
from gatekeeper.modes.action import ActionSettings, run_action
from gatekeeper.provenance.openpgp import ForgeKeys
from tests.github_helpers import (
    serve_reviews,
    synthetic_associated_pull,
    synthetic_pull_commit,
    synthetic_review,
    web_flow_commit,
    webhook_example,
)
from tests.repo_builder import RepoBuilder
from tests.test_action import MOBILE, POLICY, REPO, Env, gh
from tests.test_audit_review_trust import forge_key
from tests.test_red118_hostile import ALICE, DANA, MALLORY, ForgeKey

__all__ = ["forge_key", "gh"]  # fixtures used below


def _queue_payload(base: str, head: str, number: int, queue_head: str) -> dict[str, Any]:
    """SYNTHETIC: the corpus merge_group/checks_requested payload for a group on main ending at `head`, its branch
    naming PR `number` and that PR's head `queue_head` (`gh-readonly-queue/main/pr-<n>-<sha>`)."""
    payload: dict[str, Any] = webhook_example("api.github.com/merge_group/checks_requested.payload.json")
    group = payload["merge_group"]
    group["base_sha"], group["head_sha"], group["base_ref"] = base, head, "refs/heads/main"
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-{number}-{queue_head}"
    return payload


def _run_queue(gh: Env, payload: dict[str, Any], keys: ForgeKeys) -> Verdict:
    gh.event.write_text(json.dumps(payload))
    settings = ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "merge_group"})
    verdict = run_action(settings, forge_keys=keys).verdict
    assert verdict is not None
    return verdict


def _merge_as_github(repo: RepoBuilder, env: dict[str, str], fpr: str, first: str, second: str, message: str) -> str:
    """A merge the queue writes (merge method): git's merge of the two, committed and signed as GitHub's web-flow."""
    tree = repo.git("merge-tree", "--write-tree", first, second).split()[0]
    return repo.git("-c", f"user.signingkey={fpr}", "commit-tree", "-S", tree, "-p", first, "-p", second,
                    "-F", "-", input=message, env=env).strip()


def _listed(sha: str, who: tuple[str, str], login: str, message: str) -> dict[str, Any]:
    return synthetic_pull_commit(sha, login=login, email=who[1], message=message)


# -- 1. rebase-method queue: a copy matched to the message of a commit the rebase dropped ------------------------

def test_an_earlier_entrys_copy_with_the_message_of_a_dropped_commit_is_not_the_named_prs_copy(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """Finding 1. Rebase-method queue on main: Mallory's #8 (a changelog line, then a phone change to app.py; nobody
    approved it) and her #9 (D1 docs typo, D2 the SAME changelog line; Carol approved #9's head D2). Rebased onto #8's
    copies, D2 becomes empty and is dropped: the group is R8a, R8b, R9 (= D1). `_copies_of` takes the top 2 (#9 lists
    2 non-merge commits) and matches R9 to D1's message and R8b — whose message Mallory wrote as D2's, both phone
    tagged — to D2's: R8b is "#9's rebased copy", APPROVED by Carol, exit 0. Nothing GitHub wrote ties R8b to #9: its
    change (app.py) is in no commit of #9. Secure: review/missing for R8b (an earlier entry's copy has no PR), while
    #9's own copy R9 stays approved."""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n", "README.md": "x\n",
                                  "CHANGELOG.md": "# changes\n"})
    typo = "docs: typo" + MOBILE
    sync = "changelog: note the docs fix" + MOBILE
    repo.git("checkout", "-q", "-b", "mallory/docs", base)
    d1 = repo.commit(typo, {"README.md": "y\n"}, author=MALLORY, committer=MALLORY)
    d2 = repo.commit(sync, {"CHANGELOG.md": "# changes\n- docs fix\n"}, author=MALLORY, committer=MALLORY)
    repo.git("checkout", "-q", "main")
    # The group: #8's two copies (its changelog line, then its phone change under #9's second message), then #9's
    # one copy: #9's changelog commit became empty on top of #8's and the rebase dropped it.
    r8a = web_flow_commit(repo, env, fpr, "changelog: docs fix entry\n", {"CHANGELOG.md": "# changes\n- docs fix\n"},
                          MALLORY)
    r8b = web_flow_commit(repo, env, fpr, sync, {"app.py": "print('pwned')\n"}, MALLORY)
    r9 = web_flow_commit(repo, env, fpr, typo, {"README.md": "y\n"}, MALLORY)
    payload = _queue_payload(base, r9, 9, d2)
    for sha in (r8a, r8b, r9):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([])
    serve_reviews(httpserver, 9, [synthetic_review("carol", "APPROVED", d2, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json(
        [_listed(d1, MALLORY, "mallory", typo), _listed(d2, MALLORY, "mallory", sync)])
    verdict = _run_queue(gh, payload, keys)
    own = next(c for c in verdict.commits if c.commit.sha == r9)
    assert own.review.status is ReviewStatus.APPROVED, own.review.detail  # #9's own copy stays #9's
    phone = next(c for c in verdict.commits if c.commit.sha == r8b)
    assert phone.signature.status.value == "good" and phone.mobile  # premise: GitHub made it; it needs review
    assert phone.review.status is not ReviewStatus.APPROVED, (
        f"an earlier entry's phone change passed as the named PR's copy under the message of a commit the rebase "
        f"dropped (exit {verdict.exit_code}): {phone.review.detail}")
    assert verdict.exit_code == ExitCode.BLOCKED


def _merge_queue_with_x_in_two_prs(gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey, *,
                                   hostile: bool) -> tuple[Verdict, str]:
    """Merge-method queue on main: #8 (X, a phone commit on app.py) then #11 (Dana's docs, approved), #11's run. X is
    also listed by another open PR into main that is not in the group, listed FIRST by `commits/{X}/pulls`:
    `hostile` — Mallory's #10 = X + its revert, approved by Carol, #8 unapproved; else a team's follow-up #12 built on
    #8's branch (not reviewed yet), #8 approved by Bob. Returns the verdict and X."""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n", "README.md": "x\n"})
    repo.git("checkout", "-q", "-b", "alice/login", base)
    author, login = (MALLORY, "mallory") if hostile else (ALICE, "alice")
    x_msg = "phone: login tweak" + MOBILE
    x = repo.commit(x_msg, {"app.py": "print('pwned')\n" if hostile else "print('hello')\n"},
                    author=author, committer=author)
    repo.git("checkout", "-q", "-b", "other", x)
    if hostile:  # #10: X then its revert — what Carol reviewed nets to nothing
        y_msg = "revert: login tweak\n"
        y = repo.commit(y_msg, {"app.py": "print('hi')\n"}, author=author, committer=author)
    else:  # #12: a PR stacked on #8's branch, not reviewed yet
        y_msg = "phone: login audit log" + MOBILE
        y = repo.commit(y_msg, {"audit.py": "LOG = True\n"}, author=author, committer=author)
    repo.git("checkout", "-q", "-b", "dana/docs", base)
    d = repo.commit("docs: typo\n", {"README.md": "y\n"}, author=DANA, committer=DANA)
    repo.git("checkout", "-q", "main")
    m8 = _merge_as_github(repo, env, fpr, base, x, "Merge pull request #8 from x/login\n\nlogin tweak\n")
    m11 = _merge_as_github(repo, env, fpr, m8, d, "Merge pull request #11 from dana/docs\n\ndocs: typo\n")
    other = 10 if hostile else 12
    payload = _queue_payload(base, m11, 11, d)
    httpserver.expect_request(f"/repos/{REPO}/commits/{x}/pulls").respond_with_json([
        synthetic_associated_pull(other, base_ref="main", head_sha=y, merged=False, author=login),
        synthetic_associated_pull(8, base_ref="main", head_sha=x, merged=False, author=login)])
    for sha in (m8, m11, d):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([])
    serve_reviews(httpserver, 11, [synthetic_review("carol", "APPROVED", d, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/11/commits").respond_with_json(
        [_listed(d, DANA, "dana", "docs: typo\n")])
    serve_reviews(httpserver, other, [synthetic_review("carol", "APPROVED", y, rid=2)] if hostile else [])
    httpserver.expect_request(f"/repos/{REPO}/pulls/{other}/commits").respond_with_json(
        [_listed(x, author, login, x_msg), _listed(y, author, login, y_msg)])
    serve_reviews(httpserver, 8, [] if hostile else [synthetic_review("bob", "APPROVED", x, rid=3)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/8/commits").respond_with_json([_listed(x, author, login, x_msg)])
    verdict = _run_queue(gh, payload, keys)
    return verdict, x


# -- 2./3. merge-method queue: an earlier entry's commit judged by whichever open PR GitHub lists first ----------

def test_an_earlier_entrys_commit_is_not_judged_by_an_open_pr_outside_the_group(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """Finding 2. X reaches the group through #8's merge, unapproved; `_associated` asks `commits/{X}/pulls`, takes
    the first open PR into main — #10, which is not queued and whose head (the revert) is not in the group — and
    Carol's approval of #10's head covers X (an ancestor of it): "PR #10: approved by @carol", exit 0. What Carol
    reviewed nets to nothing; what the group merges is X without the revert. Secure: X is judged by the PR that brought
    it into the group (#8: its head is the merge's second parent), review/missing, blocked."""
    verdict, x = _merge_queue_with_x_in_two_prs(gh, httpserver, repo, forge_key, hostile=True)
    phone = next(c for c in verdict.commits if c.commit.sha == x)
    assert phone.mobile  # premise: it needs review
    assert not any(c.mobile for c in verdict.commits if len(c.commit.parents) == 2)  # premise: the merges need none
    assert phone.review.status is not ReviewStatus.APPROVED, (
        f"the earlier entry's unapproved phone commit passed on the approval of an open PR outside the group that "
        f"also reverts it (exit {verdict.exit_code}): {phone.review.detail}")
    assert verdict.exit_code == ExitCode.BLOCKED


def test_an_approved_earlier_entrys_commit_is_not_judged_by_a_follow_up_pr(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: ForgeKey) -> None:
    """Finding 3 (false positive). Alice's #8 is approved by Bob at its head X and queued; her follow-up #12 (built on
    #8's branch, into main, not reviewed yet) lists X too and GitHub lists it first. In #11's run X is judged by #12:
    "PR #12: 0 of 1 qualifying approval(s)", review/missing, exit 1 — #11 leaves the queue though every commit of the
    group was reviewed. Secure: X is #8's (its head is in the group), approved, exit 0."""
    verdict, x = _merge_queue_with_x_in_two_prs(gh, httpserver, repo, forge_key, hostile=False)
    phone = next(c for c in verdict.commits if c.commit.sha == x)
    assert phone.review.status is ReviewStatus.APPROVED, (
        f"a reviewed earlier entry's commit was judged by an unreviewed follow-up PR outside the group "
        f"(exit {verdict.exit_code}): {phone.review.detail}")
    assert verdict.exit_code == ExitCode.OK
