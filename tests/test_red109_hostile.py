"""Red team red109: today's changes on main (3837504..a937965) attacked as a hostile pusher / PR author would, and
checked for false alarms on ordinary code.

Harness: real bandit and real semgrep through the real `gatekeeper check` (tests/scan_helpers.check_commit,
ALL_SCANNERS_POLICY); the real `gatekeeper action` mode (`run_action`) with a local GitHub API (pytest-httpserver,
GitHub-shaped answers from the vendored corpus, SYNTHETIC marks fields edited) and a stand-in for GitHub's web-flow
key (tests/test_audit_review_trust.forge_key), as tests/test_red106_hostile.py does.

Findings (each test FAILS on a937965 for the reason its docstring names, and asserts the secure behaviour):

1. HIGH (miss, regression of f0fd60d) — scan/bandit_tar.py `_SAFE_FILTER_NAMES` / `_SAFE_FILTER_FUNCTIONS`: a tar
   extraction with `filter="tar"` or `filter=tarfile.tar_filter` is "safe", so bandit's B202 (HIGH/HIGH) is dropped
   and nothing else blocks it (the semgrep rule python-tarfile-extract-unfiltered accepts any filter that is not
   fully_trusted/None). The `tar` filter is not for untrusted archives: it keeps links to absolute paths and links
   that point outside the destination (PEP 706's own example: "exposing a password file by symlinking it to a
   public place"; only `data` refuses them, also in 3.14's tarfile), and on the Python this machine runs (3.11.7)
   a hard link to an absolute path followed by a regular member of the same name OVERWROTE a file outside the
   destination (measured: victim.txt "original" -> "pwned"; `filter="data"` raises AbsoluteLinkError). Measured
   through `gatekeeper check`: an upload handler `tarfile.open(fileobj=upload)` + `extractall(dest,
   filter='tar')` (and `filter=tarfile.tar_filter`) -> exit 0, no finding; before f0fd60d bandit's B202 blocked
   both. Fix: only `"data"` / `tarfile.data_filter` are safe (as bandit itself reads it).
2. MEDIUM (miss, regression of 71cddd8) — review/semantics.py `_codeowners_regex`: `one_level` is any anchored
   pattern whose LAST SEGMENT HOLDS a wildcard, not only the lone `*` segment GitHub documents (`docs/*`). So
   `/.gatekeeper*`, `/.git*`, `/packages/auth-*`, `/.github/workflow?` no longer own anything under the directory
   they match; with gitignore's rule (which CODEOWNERS follows except for `dir/*`) they own it all. Both
   independent GitHub emulations agree with gitignore here: hmarr/codeowners (testdata/patterns.json: `/f*` owns
   `foo/bar/baz`; only a lone `*` segment is one level) and snyk/github-codeowners (only rules ending `/*`).
   Measured over 99 pattern/path pairs of hmarr's table plus 8 gate-critical ones: 7 disagreements, 6 of them new
   with 71cddd8 (the 7th, `foo/**/` vs `foo/bar`, is older). Gate-critical: with `* @dev-lead` + `/.git* @sec-lead`
   (".gitignore, .gitattributes, .github/: security"), a PR that sets `continue-on-error` on the gate's own workflow
   is cleared by @dev-lead's approval (exit 0); on GitHub the owner is @sec-lead. Same with `/.gatekeeper*`
   (`.gatekeeper/allowed_signers`: a new trusted key). Fix: one level only when the last segment IS `*`.
3. review/github_source.py `_associated` (merge_group), regression of 71cddd8: a queue-made commit whose subject
   names another PR (`(#N)`, `Merge pull request #N`) is judged by `self._pull(N)` — built with pr=None, so with
   the QUEUE BRANCH's head sha and the queued PR's author, and with no check of N's base, state, or that N is in
   the group at all.
   a. MEDIUM (miss) — in a rebase-method queue GitHub re-creates each commit of the PR (committer web-flow, signed
      by GitHub, the author's own message kept), so the subject is the PR author's choice. Mallory's unapproved
      PR #9 into main holds "phone: tidy the login (#3)"; #3 is her other PR from the same branch into a scratch
      base, approved there by Bob at the same head. #9's queue entry judges the rebased commit by #3: "PR #3: 1 of
      1 qualifying approval(s); approved by @bob", exit 0 (before 71cddd8: judged by #9, blocked). red96 already
      ruled that an approval of a PR into another base does not cover main. Naming an old, merged, approved PR
      redirects too, but fails closed (its approvals are checked against #9's head: stale).
   b. MEDIUM (false block) — the squash of an EARLIER PR of the group, now judged by its own PR as intended, is
      checked against the queue branch's head (the LATER PR's), so that PR's real approval never covers it:
      group #5 (phone change, approved by Bob at #5's head) + #7 (approved), squash method — #7's entry blocks,
      "PR #5: 0 of 1 qualifying approval(s); stale …; its head 777777777777 is not in the clone". Every queue
      entry behind a PR that needs review fails (GitHub batches several PRs per group).
   Fix: fetch PR N (GET /pulls/N: head sha, author, base, state) and use it only when its base is the queue's and
   it is open and queued ahead in this group (its squash/merge is an ancestor of the head); otherwise the named PR.
4. MEDIUM (miss; contract claim wrong; partly pre-existing) — origin/heuristics.py classify_forge_commit: the
   docstring says forging a pr-merge "gains nothing"; it gains the whole `mobile` rule set where a project follows
   the README ("add `web` for browser edits": `mobile_classes: [mobile, tablet, web]`). A browser-editor user types
   the commit message; GitHub signs the one-parent web-flow commit. A message "Merge pull request #4 from
   dana/patch-1" (new with adc7e3f), or any title whose body ends "---------" + only Co-authored-by lines (new with
   adc7e3f), or a title ending "(#4)" (older) makes it `forge/pr-merge` with no device class: `undeclared`
   (desktop) rules, so no semgrep/bandit, no review. Measured through the Action on a push to main (no pull request
   lists the commit: `commits/{sha}/pulls` = []): the plain web edit is blocked (review missing), each of the
   three messages passes (exit 0). Fix (Action/push, where the API can tell): a one-parent pr-merge the API ties to
   no merged PR is a web edit; in the docs, drop "gains nothing" or say under which policy it holds.

Tried and held (read or run, no test):
- bandit_tar scoping: a name bound to ZipFile in one function and to a tar archive (assignment, walrus, for target,
  with-item, comprehension, match capture, except-as, parameter, `global`, `del`, import) anywhere else keeps B202;
  `import tarfile as zipfile` in a nested scope, a parameter named `zipfile`/`ZipFile`, a `class ZipFile`,
  `try: from backports import tarfile / except ImportError: import tarfile` (kept, fail closed), `**options`,
  `setattr`, attribute stores of ZipFile/extractall/data_filter, two calls on one line. `filter` is keyword-only
  in every tarfile that has it (a positional filter is a TypeError) and a Python without PEP 706 raises TypeError
  on `filter=` (no silent ignore); `extraction_filter` does not matter when `filter=` is passed.
  Not closed, but no new capability: a module-level binding made only through `globals()[...]`, `vars(zipfile)[
  "ZipFile"] = tarfile.open`, a pushed sibling `zipfile.py` shadowing the stdlib for a script run from its
  directory, a monkeypatch of `zipfile.ZipFile` in another module. A hostile author already had an easier miss:
  B202 fires only in a module that imports tarfile, and the semgrep rule needs `tarfile.open` in the same scope,
  so `helpers.open_upload(p).extractall(d)` was never reported, before or after f0fd60d.
- scan cache (head.code_digest): every module on the path from tool output to a cached RawFinding is in
  gatekeeper/scan/*.py except models.Severity.parse (re-parsed from the label on read, so not stale) and yamlio
  (rule messages, semgrep only); a second `gatekeeper check` of the same commit is served from the cache
  (tests/test_scan_cache_safety.py). bandit's key carries gatekeeper's Python version while bandit runs under
  `self.python` (older, not today's).
- CODEOWNERS shapes agreeing with GitHub's documented list: `*`, `*.js`, `/build/logs/`, `docs/*`, `apps/`,
  `/docs/`, `**/logs`, `/apps/` + `/apps/github` with no owners, `/*`, `/*/`, `foo/*.txt`, `foo/**/bar/b*`.
- merge_group with a squash-method queue: the squash subject is the PR title + " (#9)", so the trailing number is
  the queue's own (a title "x (#3)" becomes "x (#3) (#9)").
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode, ReviewStatus
from gatekeeper.modes.action import ActionSettings, run_action
from gatekeeper.provenance.openpgp import ForgeKeys
from gatekeeper.review.semantics import parse_codeowners
from gatekeeper.scan.themes import theme_of
from tests.github_helpers import (
    serve_reviews,
    synthetic_associated_pull,
    synthetic_pr_event,
    synthetic_pull_commit,
    synthetic_review,
    web_flow_commit,
    webhook_example,
)
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit
from tests.test_action import ALICE, MOBILE, POLICY, REPO, Env, gh, push_payload
from tests.test_audit_review_trust import forge_key

__all__ = ["forge_key", "gh"]  # fixtures used below

DANA = ("Dana Desktop", "dana@example.com")
MALLORY = ("Mallory Phone", "mallory@example.com")


# -- 1. bandit_tar: filter="tar" is not a safe filter for an uploaded archive ---------------------------------------

TAR_FILTER_MODULES = {
    "svc/upload_tar.py": ("import tarfile\n\n\ndef unpack(upload, dest):\n"
                          "    with tarfile.open(fileobj=upload) as archive:\n"
                          "        archive.extractall(dest, filter='tar')\n"),
    "svc/upload_tar_filter.py": ("import tarfile\n\n\ndef unpack(upload, dest):\n"
                                 "    with tarfile.open(fileobj=upload) as archive:\n"
                                 "        archive.extractall(dest, filter=tarfile.tar_filter)\n"),
}


def _hostile_archive(outside: Path) -> io.BytesIO:
    """A symlink member pointing at a file outside the destination (PEP 706's "exposing a password file")."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as out:
        link = tarfile.TarInfo("avatar.png")
        link.type = tarfile.SYMTYPE
        link.linkname = str(outside)
        out.addfile(link)
    buf.seek(0)
    return buf


@pytest.mark.parametrize("rel", sorted(TAR_FILTER_MODULES))
def test_a_tar_filter_extraction_of_an_upload_is_still_blocked(tmp_path: Path, rel: str) -> None:
    """Finding 1. Premise, run here: the committed module's own `unpack()` on a hostile upload leaves a link in the
    destination that reads a file outside it. Then the same module through `gatekeeper check`: bandit's B202 is
    dropped by bandit_tar (`tar` counted as a safe filter) and semgrep accepts any filter: nothing blocks."""
    namespace: dict[str, Any] = {}
    exec(compile(TAR_FILTER_MODULES[rel], rel, "exec"), namespace)
    secret = tmp_path / "outside-secret.txt"
    secret.write_text("outside the destination\n")
    dest = tmp_path / "dest"
    dest.mkdir()
    namespace["unpack"](_hostile_archive(secret), str(dest))
    assert (dest / "avatar.png").read_text() == "outside the destination\n", "premise: the tar filter let it out"

    code, result = check_commit(tmp_path / "check", {rel: TAR_FILTER_MODULES[rel]}, ALL_SCANNERS_POLICY)
    blocking = [f for f in result["findings"] if f["path"] == rel and f["blocking"]
                and theme_of(f["rule_id"]) == "path-traversal"]
    assert blocking and code == 1, f"an unsafe tar extraction passes (exit {code}): {result['findings']}"


# -- 2. CODEOWNERS: only a lone `*` last segment is one level ------------------------------------------------------

def test_codeowners_wildcard_last_segment_owns_the_directory_it_matches() -> None:
    """Finding 2, unit view: gitignore semantics (and hmarr/codeowners, snyk/github-codeowners) — a last segment that
    is not a lone `*` matches a directory and so owns everything under it. `docs/*` stays one level."""
    owners = parse_codeowners("*  @dev-lead\n/.gatekeeper*  @sec-lead\n/.git*  @sec-lead\n"
                              "/packages/auth-*  @auth-team\n/f*  @f-owner\ndocs/*  @docs\n")
    assert owners.owners_for("docs/build-app/troubleshooting.md") == ("@dev-lead",)  # GitHub's documented case
    assert owners.owners_for(".gatekeeper.yml") == ("@sec-lead",)
    wrong = {path: owners.owners_for(path) for path, want in {
        ".gatekeeper/allowed_signers": ("@sec-lead",),
        ".github/workflows/gatekeeper.yml": ("@sec-lead",),
        "packages/auth-core/login.py": ("@auth-team",),
        "foo/bar/baz": ("@f-owner",),
    }.items() if owners.owners_for(path) != want}
    assert not wrong, f"gatekeeper's owners differ from GitHub's: {wrong}"


WORKFLOW = """\
name: gate
on: [pull_request]
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: octo-org/gatekeeper@v1
"""


def test_a_workflow_change_under_git_star_needs_the_security_lead(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Finding 2 end to end. CODEOWNERS `* @dev-lead` then `/.git* @sec-lead`: on GitHub @sec-lead owns
    `.github/workflows/gatekeeper.yml` (`/.git*` matches the `.github` directory). Dana's PR lets the gate's step
    fail without failing the job; @dev-lead approves. gatekeeper takes @dev-lead for the owner and clears
    `policy/changed` (exit 0). Secure: blocked until @sec-lead approves."""
    codeowners = "*        @dev-lead\n/.git*   @sec-lead\n"
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, ".github/CODEOWNERS": codeowners,
                                  ".github/workflows/gatekeeper.yml": WORKFLOW, "app.py": "print('hi')\n"})
    repo.branch("feature")
    head = repo.commit("ci: tidy the gate job\n",
                       {".github/workflows/gatekeeper.yml": WORKFLOW + "        continue-on-error: true\n"},
                       author=DANA, committer=DANA)
    serve_reviews(httpserver, 7, [synthetic_review("dev-lead", "APPROVED", head, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/commits").respond_with_json(
        [synthetic_pull_commit(head, login="dana", email=DANA[1])])
    event = synthetic_pr_event(number=7, base_sha=base, head_sha=head, author="dana", repo=REPO,
                               action="synchronize")
    result = gh.run("pull_request", event)
    assert result.exception is None, result.output
    assert result.return_value == ExitCode.BLOCKED, (
        "the owner of `*` cleared a change to the gate's workflow that `/.git*` gives to @sec-lead:\n"
        + result.output)
    assert "@sec-lead" in result.output


# -- 3. merge queue (rebase method): a commit subject names an approved PR ----------------------------------------

def test_a_rebased_commit_naming_another_pr_is_not_judged_by_it(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: tuple[dict[str, str], ForgeKeys, str]) -> None:
    """Finding 3a. Mallory's PR #9 into main (a phone commit, nobody approved) is queued; the queue rebases it: R =
    her commit re-created by GitHub (web-flow, GitHub's key), subject as she wrote it: "phone: tidy the login
    (#3)". #3 is her other PR from the same branch into a scratch base, which Bob approved at the same head.
    `commits/{R}/pulls` knows nothing (R is only on the queue branch); the gate reads "(#3)", judges R by #3 (no
    check of its base, its state or that it is in the group) and finds Bob's approval. Secure: R is #9's,
    unapproved — the run blocks, as it did before 71cddd8."""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n"})
    rebased = web_flow_commit(repo, env, fpr, "phone: tidy the login (#3)" + MOBILE,
                            {"app.py": "print('pwned')\n"}, MALLORY)
    head9 = "9" * 40  # SYNTHETIC: the PR's own branch is not in the runner's clone (#3 has the same head)

    payload = webhook_example("api.github.com/merge_group/checks_requested.payload.json")
    group = payload["merge_group"]
    group["base_sha"], group["head_sha"], group["base_ref"] = base, rebased, "refs/heads/main"  # SYNTHETIC
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-9-{head9}"
    httpserver.expect_request(f"/repos/{REPO}/commits/{rebased}/pulls").respond_with_json([])
    serve_reviews(httpserver, 9, [])  # #9: nobody approved
    # (After the review: the rebased commit keeps her message whole, trailers included, as GitHub lists it; and #3
    # as GitHub holds it, open into her scratch branch.)
    message = "phone: tidy the login (#3)" + MOBILE
    httpserver.expect_request(f"/repos/{REPO}/pulls/9/commits").respond_with_json(
        [synthetic_pull_commit(head9, login="mallory", email=MALLORY[1], message=message)])
    serve_reviews(httpserver, 3, [synthetic_review("bob", "APPROVED", head9, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/3/commits").respond_with_json(
        [synthetic_pull_commit(head9, login="mallory", email=MALLORY[1], message=message)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/3").respond_with_json(
        synthetic_associated_pull(3, base_ref="scratch", head_sha=head9, merged=False, author="mallory"))

    gh.event.write_text(json.dumps(payload))
    settings = ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "merge_group"})
    verdict = run_action(settings, forge_keys=keys).verdict
    assert verdict is not None
    (judged,) = verdict.commits
    assert judged.signature.status.value == "good"  # the stand-in web-flow key verified: GitHub made it
    assert judged.review.status is not ReviewStatus.APPROVED, (
        f"Mallory's unapproved phone change is approved through the PR its subject names: {judged.review.detail}")
    assert not judged.review.detail.startswith("PR #3"), judged.review.detail
    assert verdict.exit_code == ExitCode.BLOCKED, judged.review.detail


# -- 4. a browser edit whose message looks like a PR merge skips the web (mobile) rules ---------------------------

WEB_POLICY = POLICY.replace("mobile_classes: [mobile, tablet]", "mobile_classes: [mobile, tablet, web]")

BROWSER_MESSAGES = {
    "plain": "Update app.py\n",
    "merge-button-title": "Merge pull request #4 from dana/patch-1\n",
    "squash-layout": "Update app.py\n\n---------\n\nCo-authored-by: Bob Builder <bob@example.com>\n",
    "number-suffix": "Update app.py (#4)\n",
}


@pytest.mark.parametrize("shape", sorted(BROWSER_MESSAGES))
def test_a_browser_edit_pushed_to_main_gets_the_web_rules_whatever_its_message(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: tuple[dict[str, str], ForgeKeys, str],
        shape: str) -> None:
    """Finding 4. Policy: `mobile_classes: [mobile, tablet, web]` (README: "add `web` for browser edits"). Dana
    edits app.py in GitHub's browser editor on main: one parent, committer web-flow, signed by GitHub; she writes
    the message. No pull request lists the commit. "plain" is blocked (web -> mobile rules -> review missing); the
    other messages make it a `forge/pr-merge` with no device class, judged by the desktop rules: exit 0. Secure:
    every one is blocked like "plain" ("merge-button-title" and "squash-layout" are new with adc7e3f,
    "number-suffix" is older)."""
    env, keys, fpr = forge_key
    before = repo.commit("base\n", {".gatekeeper.yml": WEB_POLICY, "app.py": "print('hi')\n"})
    edit = web_flow_commit(repo, env, fpr, BROWSER_MESSAGES[shape], {"app.py": "print('edited in the browser')\n"},
                           DANA)
    httpserver.expect_request(f"/repos/{REPO}/commits/{edit}/pulls").respond_with_json([])
    gh.event.write_text(json.dumps(push_payload(before, edit)))
    verdict = run_action(ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "push"}), forge_keys=keys).verdict
    assert verdict is not None
    (commit,) = verdict.commits
    assert commit.signature.status.value == "good"
    sources = [e.source for e in commit.origin.evidence]
    assert verdict.exit_code == ExitCode.BLOCKED, (
        f"a browser edit ({shape}) skipped the web rules: evidence {sources}, device {commit.origin.device}")




def test_a_queue_group_of_two_approved_squashes_passes(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: tuple[dict[str, str], ForgeKeys, str]) -> None:
    """Finding 3b (false block, regression of 71cddd8). The queue holds #5 (Alice's phone change, approved by Bob at #5's head) then #7
    (Dana's docs, approved by Carol at #7's head), squash method. For #7's entry S5 is now judged by #5 — but
    `_pull(5)` is built with the queue branch's head (#7's) and #7's author, so Bob's approval of #5's real head
    covers nothing. Secure: both squashes are approved, the run passes."""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n", "README.md": "x\n"})
    # #5's head is in the clone (fetch-depth: 0 fetches its branch): S5's tree shows it is #5's squash (fix118: the
    # words of a squash are the author's own in a rebase-method queue; the tree is not).
    repo.git("checkout", "-q", "-b", "alice/greeting", base)
    head5 = repo.commit("phone: change the greeting" + MOBILE, {"app.py": "print('hey')\n"}, author=ALICE)
    repo.git("checkout", "-q", "main")
    s5 = web_flow_commit(repo, env, fpr, "phone: change the greeting (#5)" + MOBILE, {"app.py": "print('hey')\n"},
                       ALICE)
    s7 = web_flow_commit(repo, env, fpr, "docs: typo (#7)\n", {"README.md": "y\n"}, DANA)
    head7 = "7" * 40  # SYNTHETIC: #7's own branch is not in the runner's clone
    payload = webhook_example("api.github.com/merge_group/checks_requested.payload.json")
    group = payload["merge_group"]
    group["base_sha"], group["head_sha"], group["base_ref"] = base, s7, "refs/heads/main"  # SYNTHETIC
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-7-{head7}"
    for sha in (s5, s7):
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([])
    serve_reviews(httpserver, 7, [synthetic_review("carol", "APPROVED", head7, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/commits").respond_with_json(
        [synthetic_pull_commit(head7, login="dana", email=DANA[1])])
    serve_reviews(httpserver, 5, [synthetic_review("bob", "APPROVED", head5, rid=2)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/5/commits").respond_with_json(
        [synthetic_pull_commit(head5, login="alice", email=ALICE[1])])
    # (After the review: #5 as GitHub holds it, open into main — what the fix reads before judging by it.)
    httpserver.expect_request(f"/repos/{REPO}/pulls/5").respond_with_json(
        synthetic_associated_pull(5, base_ref="main", head_sha=head5, merged=False, author="alice",
                                  title="phone: change the greeting"))  # (the squash's subject is it + " (#5)")
    gh.event.write_text(json.dumps(payload))
    settings = ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "merge_group"})
    verdict = run_action(settings, forge_keys=keys).verdict
    assert verdict is not None
    phone = next(c for c in verdict.commits if c.commit.sha == s5)
    assert phone.review.status is ReviewStatus.APPROVED, f"#5's own approval does not count: {phone.review.detail}"
    assert verdict.exit_code == ExitCode.OK


# -- after the review: what GitHub confirms stays a pull-request merge ----------------------------------------------

@pytest.mark.parametrize(("message", "number"), [("Update app.py (#4)\n", 4),
                                                 ("Merge pull request #4 from dana/patch-1\n", 4),
                                                 ("Update app.py\n\n---------\n\nCo-authored-by: Bob <b@example.com>\n",
                                                  None)])
def test_a_squash_github_confirms_stays_a_pull_request_merge(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: tuple[dict[str, str], ForgeKeys, str],
        message: str, number: int | None) -> None:
    """The same one-parent web-flow commits, when `commits/{sha}/pulls` names the merged pull request the message
    claims (or, without a number, the merged PR whose merge the commit is): a PR merge, not a web edit."""
    env, keys, fpr = forge_key
    before = repo.commit("base\n", {".gatekeeper.yml": WEB_POLICY, "app.py": "print('hi')\n"})
    squash = web_flow_commit(repo, env, fpr, message, {"app.py": "print('reviewed change')\n"}, DANA)
    httpserver.expect_request(f"/repos/{REPO}/commits/{squash}/pulls").respond_with_json(
        [synthetic_associated_pull(number or 4, base_ref="main", head_sha="4" * 40, merged=True,
                                   merge_commit_sha=squash, author="dana")])
    gh.event.write_text(json.dumps(push_payload(before, squash)))
    verdict = run_action(ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "push"}), forge_keys=keys).verdict
    assert verdict is not None
    (commit,) = verdict.commits
    sources = [e.source for e in commit.origin.evidence]
    assert "forge/pr-merge" in sources and "forge/web-edit" not in sources, sources
    assert commit.origin.device.value != "web"


def test_a_merge_claim_github_cannot_be_asked_about_is_a_web_edit(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: tuple[dict[str, str], ForgeKeys, str], instant_backoff: list[float]) -> None:
    """Fail closed: when `commits/{sha}/pulls` fails, the claim is not confirmed and the browser rules apply."""
    env, keys, fpr = forge_key
    before = repo.commit("base\n", {".gatekeeper.yml": WEB_POLICY, "app.py": "print('hi')\n"})
    edit = web_flow_commit(repo, env, fpr, "Update app.py (#4)\n", {"app.py": "print('edited')\n"}, DANA)
    httpserver.expect_request(f"/repos/{REPO}/commits/{edit}/pulls").respond_with_data("boom", status=500)
    gh.event.write_text(json.dumps(push_payload(before, edit)))
    verdict = run_action(ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "push"}), forge_keys=keys).verdict
    assert verdict is not None
    (commit,) = verdict.commits
    assert "forge/web-edit" in [e.source for e in commit.origin.evidence]
    assert verdict.exit_code == ExitCode.BLOCKED
    assert instant_backoff, "the failing request was not retried"
