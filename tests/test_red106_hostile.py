"""Red team red106: a hostile pull-request author against the GitHub Action's review and provenance judgments.

Same harness as tests/test_action_review_hostile.py: real git repositories (RepoBuilder), event payload files, the
real `gatekeeper action` command (or `run_action` where a stand-in web-flow key is needed), and a local GitHub API
(pytest-httpserver) serving GitHub-shaped answers. SYNTHETIC marks fields edited from the vendored corpus.

Findings (each test FAILS on the code at the time of writing for the reason its docstring names, and asserts the
secure behaviour, so it passes once fixed):

1. MEDIUM (miss, and a false block) — review/semantics.py `_codeowners_regex`: CODEOWNERS is read with gitignore's
   rule that a pattern matching a directory owns everything under it, so `dir/*` owns the whole tree below `dir/`.
   GitHub's CODEOWNERS does not: "The `docs/*` pattern will match files like `docs/getting-started.md` but not
   further nested files like `docs/build-app/troubleshooting.md`" (GitHub's about-code-owners page, quoted in many
   real CODEOWNERS files). With the common shape `* @sec-lead` + `.github/* @docs-writer` (issue templates,
   FUNDING.yml), GitHub makes @sec-lead the owner of `.github/workflows/gatekeeper.yml`; gatekeeper makes
   @docs-writer its policy owner. A pull request that edits the workflow running the gate (`continue-on-error`,
   removing the step) gets `policy/changed` cleared by the docs writer's approval, and the real owner's approval is
   "not an owner" (measured: `owners_for(".github/workflows/gate.yml") == ("@docs-writer",)`; also `/* @x` owns
   every nested path, `docs/*` owns `docs/x/y.md`). Fix: a pattern whose last segment holds a wildcard (`dir/*`,
   `/*`) matches one level only — drop the `(?:/.*)?` suffix unless the pattern ends in `/` or has no wildcard in
   its last segment.
2. MEDIUM-LOW (miss, defence in depth) — review/github_source.py `_associated` (merge_group): a commit the queue
   made that `commits/{sha}/pulls` cannot place falls back to the PR the queue branch names — any such commit, not
   only that PR's own. In a group of two squash- (or rebase-) merged PRs, #5 (Alice's unreviewed phone change) then
   #7 (a reviewed docs change), the merge_group run for #7's entry (`gh-readonly-queue/main/pr-7-…`, head = the
   squash of #7 on top of the squash of #5) judges #5's squash commit by #7's approval: a web-flow-signed commit
   "made when merging" is covered by an approval of the named PR's head. The run is green and the detail says
   "PR #7: … approved by @bob" for #5's phone change. With "Only merge non-failing pull requests" off (a queue
   setting) a passing later entry merges the earlier PR whose own entry failed; the push run after the merge flags
   it (`commits/{sha}/pulls` then names #5), after the fact. The gate already knows better: the same commit's origin
   evidence is `forge/pr-merge` with pr=5, verified by the web-flow signature. Fix: judge a queue-made commit by
   the PR its verified forge evidence names (`(#5)`, `Merge pull request #5`), and fall back to the named PR only
   for a commit that names it or none.

Noted, no test (a fix needs GitHub's GraphQL API, whose query shape a test would have to guess):
- LOW (miss) — a `Co-authored-by:` person is matched by spelling only (identity.py): a co-author named
  `Robert Roe <rroe@personal.example>` whose GitHub login is `bobr` (GitHub links the co-author through the
  verified address and shows the avatar) can approve the pull request. REST lists only the author and committer
  logins; GraphQL `Commit.authors` resolves every co-author to its `user.login`.

Tried and held (read or run, no test): a DISMISSED approval, a later CHANGES_REQUESTED, an unknown or lower-case
state (latest_decisive); an approval with `commit_id` of an older head or of a commit force-pushed away; reviews
whose `user` is null (ghost) or of type Bot/Organization/Mannequin, or a `-bot`/`[bot]` login; permission answers
404, 403, 5xx, about another account, custom roles based on read, `triage`; the PR author's approval (GitHub
refuses it, and the PR author is excluded); a co-author or author known by a noreply address or a local part equal
to the login; pagination past 20 pages and past 250 commits (fail closed); push with `forced: true` (judged as a
force push, a missing `before` falls back to the fork point or all commits); merge_group for a single PR (the queue
squash needs an approval of the head the queue branch names); `pull_request_target` (same parser); a forged
`GitHub <noreply@github.com>` committer without the web-flow signature (needs its own approval); device
revocation (judged at check time, not at the commit's own date); workflow commands in subjects, paths, ref names
and error messages (guarded by `::stop-commands::` with a content-hash token, properties escaped); markdown, HTML,
autolinks and mentions in the step summary (escaped, ZWSP); GITHUB_OUTPUT (random heredoc delimiter). The
`pull_request_review` run not knowing the pusher is documented (docs/action.md, "What the Action cannot see").
"""

from __future__ import annotations

import json
from typing import Any

from pytest_httpserver import HTTPServer

from gatekeeper.models import ExitCode, ReviewStatus
from gatekeeper.modes.action import ActionSettings, run_action
from gatekeeper.provenance.openpgp import ForgeKeys
from gatekeeper.review.semantics import parse_codeowners
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
from tests.test_action import ALICE, MOBILE, POLICY, REPO, Env, gh
from tests.test_audit_review_trust import forge_key

__all__ = ["forge_key", "gh"]  # fixtures used below

DANA = ("Dana Desktop", "dana@example.com")

# -- 1. CODEOWNERS `dir/*` owns one level, as GitHub reads it ------------------------------------------------------

CODEOWNERS = """\
# Everything: the security lead.
*            @sec-lead
# Issue templates, FUNDING.yml and the like: the docs writer.
.github/*    @docs-writer
"""
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


def test_codeowners_dir_star_owns_only_the_files_directly_in_it_as_on_github() -> None:
    """The unit view of finding 1: GitHub's own example (`docs/*` owns `docs/getting-started.md`, not
    `docs/build-app/troubleshooting.md`) and the workflow file under `.github/*`."""
    owners = parse_codeowners(CODEOWNERS + "docs/*  docs@example.com\n")
    assert owners.owners_for("docs/getting-started.md") == ("docs@example.com",)
    assert owners.owners_for(".github/FUNDING.yml") == ("@docs-writer",)
    assert owners.owners_for("docs/build-app/troubleshooting.md") == ("@sec-lead",), "docs/* owns nested files"
    assert owners.owners_for(".github/workflows/gatekeeper.yml") == ("@sec-lead",), ".github/* owns workflows"


def _workflow_pr(repo: RepoBuilder) -> dict[str, str]:
    """main with the policy, CODEOWNERS and the workflow that runs the gate; a PR (Dana, desktop: no mobile review
    needed) that lets the gate's step fail without failing the job."""
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, ".github/CODEOWNERS": CODEOWNERS,
                                  ".github/workflows/gatekeeper.yml": WORKFLOW, "app.py": "print('hi')\n"})
    repo.branch("feature")
    head = repo.commit("ci: tidy the gate job\n",
                       {".github/workflows/gatekeeper.yml": WORKFLOW + "        continue-on-error: true\n"},
                       author=DANA, committer=DANA)
    return {"base": base, "head": head}


def _event(shas: dict[str, str], action: str = "synchronize") -> dict[str, Any]:
    return synthetic_pr_event(number=7, base_sha=shas["base"], head_sha=shas["head"], author="dana", repo=REPO,
                              action=action)


def _serve_dana_pr(server: HTTPServer, head: str, reviews: list[dict[str, Any]]) -> None:
    server.clear()
    serve_reviews(server, 7, reviews)  # COLLABORATOR reviewers with write access
    server.expect_request(f"/repos/{REPO}/pulls/7/commits").respond_with_json(
        [synthetic_pull_commit(head, login="dana", email=DANA[1])])


def test_a_workflow_change_is_not_cleared_by_the_owner_of_github_star(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder) -> None:
    """Finding 1 end to end. The PR changes `.github/workflows/gatekeeper.yml`, a gate path: `policy/changed`
    needs its CODEOWNERS owner, which on GitHub is @sec-lead (`*`; `.github/*` does not reach workflows/).
    gatekeeper takes @docs-writer for the owner: the docs writer's approval clears the change (exit 0), and
    @sec-lead's approval alone would be "not an owner" (a false block)."""
    shas = _workflow_pr(repo)
    _serve_dana_pr(httpserver, shas["head"], [synthetic_review("docs-writer", "APPROVED", shas["head"], rid=1)])
    result = gh.run("pull_request", _event(shas))
    assert result.exception is None, result.output
    assert result.return_value == ExitCode.BLOCKED, (
        "the docs writer (owner of .github/* only) cleared a change to the gate's workflow:\n" + result.output)
    assert "policy/changed (blocking)" in result.output
    assert "@sec-lead" in result.output

    _serve_dana_pr(httpserver, shas["head"], [synthetic_review("sec-lead", "APPROVED", shas["head"], rid=2)])
    result = gh.run("pull_request_review", _event(shas, "submitted"))
    assert result.return_value == ExitCode.OK, "the real owner's approval does not count:\n" + result.output


# -- 2. merge queue: another PR's squash is judged by the named PR's approval -------------------------------------

def test_a_queue_squash_of_another_pr_in_the_group_is_not_covered_by_the_named_prs_approval(
        gh: Env, httpserver: HTTPServer, repo: RepoBuilder, forge_key: tuple[dict[str, str], ForgeKeys, str]) -> None:
    """Finding 2. The queue holds #5 (Alice's phone change, no approval) and then #7 (Dana's docs, approved by Bob
    at its head). For #7's entry GitHub builds `gh-readonly-queue/main/pr-7-<#7's head>` = main + S5 (squash of #5)
    + S7 (squash of #7), both web-flow-signed. `commits/{sha}/pulls` knows neither (they are only on the queue
    branch); the gate falls back to #7 for both, and S5, "made when merging", is covered by Bob's approval of #7's
    head. Secure: S5's review is not #7's — the run blocks (review/missing), as #5's own entry does."""
    env, keys, fpr = forge_key
    base = repo.commit("base\n", {".gatekeeper.yml": POLICY, "app.py": "print('hi')\n", "README.md": "x\n"})
    s5 = web_flow_commit(repo, env, fpr, "phone: change the greeting (#5)" + MOBILE, {"app.py": "print('pwned')\n"}, ALICE)
    s7 = web_flow_commit(repo, env, fpr, "docs: typo (#7)\n", {"README.md": "y\n"}, DANA)
    head7, head5 = "7" * 40, "5" * 40  # SYNTHETIC: the PRs' own branches are not in the runner's clone

    payload = webhook_example("api.github.com/merge_group/checks_requested.payload.json")
    group = payload["merge_group"]
    group["base_sha"], group["head_sha"], group["base_ref"] = base, s7, "refs/heads/main"  # SYNTHETIC
    group["head_ref"] = f"refs/heads/gh-readonly-queue/main/pr-7-{head7}"
    for sha in (s5, s7):  # queue-made commits: no pull request lists them
        httpserver.expect_request(f"/repos/{REPO}/commits/{sha}/pulls").respond_with_json([])
    serve_reviews(httpserver, 7, [synthetic_review("bob", "APPROVED", head7, rid=1)])
    httpserver.expect_request(f"/repos/{REPO}/pulls/7/commits").respond_with_json(
        [synthetic_pull_commit(head7, login="dana", email=DANA[1])])
    serve_reviews(httpserver, 5, [])  # #5: nobody approved
    httpserver.expect_request(f"/repos/{REPO}/pulls/5/commits").respond_with_json(
        [synthetic_pull_commit(head5, login="alice", email=ALICE[1])])
    httpserver.expect_request(f"/repos/{REPO}/pulls/5").respond_with_json(
        synthetic_associated_pull(5, base_ref="main", head_sha=head5, merged=False, author="alice",
                                  title="phone: change the greeting"))  # (the squash's subject is it + " (#5)")

    gh.event.write_text(json.dumps(payload))
    settings = ActionSettings.from_env({**gh.vars, "GITHUB_EVENT_NAME": "merge_group"})
    verdict = run_action(settings, forge_keys=keys).verdict
    assert verdict is not None
    phone = next(c for c in verdict.commits if c.commit.sha == s5)
    assert phone.signature.status.value == "good"  # the stand-in web-flow key verified: GitHub made it
    assert phone.review.status is not ReviewStatus.APPROVED, (
        f"#5's phone change is approved by #7's reviewer: {phone.review.detail}")
    assert phone.review.detail.startswith("PR #5"), phone.review.detail  # judged by its own PR, as GitHub holds it
    assert verdict.exit_code == ExitCode.BLOCKED, phone.review.detail
