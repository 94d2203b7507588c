"""Review evidence at push time: the forge's own merge metadata first, then verifiable trailers.

GitHub Enterprise Server runs the pre-receive hook for pull request merges with `GITHUB_VIA` set to
`pull request merge button` / `pull request merge api` / `merge` and names both the merging user
(`GITHUB_USER_LOGIN`) and the pull request's author (`GITHUB_PULL_REQUEST_AUTHOR_LOGIN`): a merge by
someone other than the author is a review by the server's own account; a self-merge is not, and
neither is a merge by someone who wrote the commits (their author, committer or a co-author), since
the pull request's author need not be the commits' (DESIGN §5), nor the merge of a pull request a bot opened
(the commits' author may be the merger under a login that is no spelling of theirs: red150).
Gitea marks pull request merges with `GITEA_PUSH_TRIGGER` but does not name the pull request's
author, so the merging user is compared with the commits' authors and co-authors instead (not the
committer: a rebase merge makes the merger the committer). GitLab gives no merge metadata to hooks.

A login cannot be compared exactly with a commit's name and e-mail; every comparison goes through
gatekeeper/identity.py's `same_person` (name, e-mail, its local part, GitHub noreply forms), and a
merger who signed the commits wrote them too.

Commits the forge says nothing about fall back to `Reviewed-by:` trailers (review/reviewed_by.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from gatekeeper.checks.policy_change import PolicyReview, PolicyReviewer
from gatekeeper.config import Policy, ReviewRule
from gatekeeper.identity import Identity, same_person, wrote
from gatekeeper.interfaces import ReviewResult
from gatekeeper.models import CommitReport, RefUpdate, ReviewInfo, ReviewStatus
from gatekeeper.origin.base import ForgeInfo
from gatekeeper.review.reviewed_by import Assessment, assess_trailers, review_findings
from gatekeeper.sanitize import safe

if TYPE_CHECKING:
    from gatekeeper.checks import CheckContext

# Better evidence wins when the forge and the trailers disagree.
_RANK = {ReviewStatus.APPROVED: 5, ReviewStatus.SELF: 4, ReviewStatus.UNKNOWN: 3, ReviewStatus.STALE: 2,
         ReviewStatus.MISSING: 1, ReviewStatus.NOT_REQUIRED: 0}


def forge_review(forge: ForgeInfo | None, report: CommitReport, pusher: Identity | None) -> ReviewInfo | None:
    """What the forge's merge metadata says about one commit; None when it says nothing."""
    if forge is None or not forge.pr_merge:
        return None
    via = safe(forge.via or "merge", limit=60)
    merger = _merger(forge, pusher)
    if merger is None or merger.is_bot:
        return None
    if forge.forge == "github":
        if not forge.pr_author:
            return None
        if Identity(login=forge.pr_author).is_bot:
            # An automation opened the pull request (create-pull-request, a bot account): the server then names no
            # person who wrote the commits (their author lines are the pusher's to write), so the merger may be their
            # author under a login no spelling of theirs (red150). Not "missing": a colleague's merge may well be a
            # review, the hook just cannot tell the two apart — unverifiable, with the evidence that can.
            return ReviewInfo(ReviewStatus.UNKNOWN, source="forge",
                              detail=f"@{safe(merger.login, limit=60)} merged a pull request a bot opened "
                                     f"(@{safe(forge.pr_author, limit=60)}; {via}): the server names no person who "
                                     "wrote the commits, so whether the merger did cannot be told — have the reviewer "
                                     "sign the merge with a registered key, or open the pull request as its author")
        if same_person(merger, Identity(login=forge.pr_author)):
            return ReviewInfo(ReviewStatus.SELF, source="forge",
                              detail=f"@{safe(merger.login, limit=60)} merged their own pull request ({via})")
        if wrote(merger, report.commit, signature=report.signature):
            return ReviewInfo(ReviewStatus.SELF, source="forge",
                              detail=f"@{safe(merger.login, limit=60)} merged a pull request with their own commits "
                                     f"({via})")
        return ReviewInfo(ReviewStatus.APPROVED, (merger.login,), source="forge",
                          detail=f"merged by @{safe(merger.login, limit=60)} ({via}); pull request by "
                                 f"@{safe(forge.pr_author, limit=60)}")
    if forge.forge == "gitea":
        if wrote(merger, report.commit, committer=False, signature=report.signature):
            return ReviewInfo(ReviewStatus.SELF, source="forge",
                              detail=f"{merger} merged a pull request with their own commits ({via})")
        return ReviewInfo(ReviewStatus.APPROVED, (str(merger),), source="forge",
                          detail=f"pull request merged by {merger} ({via})")
    return None


class PushReviewSource:
    """The pre-receive review source: forge merge metadata, else verifiable Reviewed-by trailers."""

    id = "push"

    def __init__(self, forge: ForgeInfo | None, pusher: Identity | None) -> None:
        self.forge = forge
        self.pusher = pusher

    def review(self, commits: Sequence[CommitReport], needing: Sequence[CommitReport], updates: Sequence[RefUpdate],
               policy: Policy, approvals: int, rules: Mapping[str, ReviewRule] | None = None) -> ReviewResult:
        reviews = self.assess(commits, needing, policy, approvals, rules=rules)
        return ReviewResult(reviews, tuple(review_findings(reviews, needing, updates, approvals, policy)))

    def assess(self, commits: Sequence[CommitReport], needing: Sequence[CommitReport], policy: Policy,
               approvals: int, *, strict: bool = False,
               rules: Mapping[str, ReviewRule] | None = None) -> dict[str, ReviewInfo]:
        """The review each commit in `needing` has at push time (forge merge and/or verified trailers);
        `strict` and `rules` as in assess_trailers (policy changes: no relaxations)."""
        trailer = assess_trailers(commits, needing, policy, approvals, self.pusher, strict=strict, rules=rules)
        merger = _merger(self.forge, self.pusher)
        return {report.commit.sha: _combine(trailer[report.commit.sha], forge_review(self.forge, report, self.pusher),
                                            merger, approvals)
                for report in needing}


def policy_review(source: PushReviewSource, fix: str) -> PolicyReviewer:
    """The push's judgement of a configuration change (checks/policy_change.py): the same evidence the hook
    accepts for mobile commits, always with the strict rule (the review covers each commit that made the
    change; the reviewer is not one of its people)."""

    def judge(ctx: CheckContext, changers: Sequence[CommitReport], paths: Sequence[str]) -> PolicyReview:
        reviews = source.assess(ctx.commits, changers, ctx.policy, 1, strict=True)
        unreviewed = [r for r in changers if reviews[r.commit.sha].status is not ReviewStatus.APPROVED]
        if not unreviewed:
            approvers = sorted({a for r in changers for a in reviews[r.commit.sha].approvers})
            sources = sorted({reviews[r.commit.sha].source for r in changers})
            return PolicyReview(True, f"reviewed by {', '.join(approvers)} ({', '.join(sources)}); later pushes are "
                                      "judged by the new policy")
        info = reviews[unreviewed[-1].commit.sha]
        if info.status is ReviewStatus.SELF:
            why = f"the only review comes from an author ({info.detail})"
        elif info.status is ReviewStatus.UNKNOWN:
            why = info.detail
        elif info.status is ReviewStatus.STALE:
            why = "the review in this push does not cover the last commit that changed it"
        else:
            why = "no review"
        return PolicyReview(False, why, fix)

    return judge


def _merger(forge: ForgeInfo | None, pusher: Identity | None) -> Identity | None:
    """Who merged: GitHub's merging login; on Gitea the pusher (login and e-mail). forge_review judges the merge
    by this identity, and _combine counts trailer approvals against it."""
    if forge is None or not forge.pr_merge:
        return None
    if forge.forge == "github":
        return Identity(login=forge.user) if forge.user else None
    if forge.forge == "gitea":
        return pusher or (Identity(login=forge.user) if forge.user else None)
    return None


def _combine(assessed: Assessment, from_forge: ReviewInfo | None, merger: Identity | None,
             approvals: int) -> ReviewInfo:
    from_trailers = assessed.info
    if from_forge is None:
        return from_trailers
    if from_forge.status is not ReviewStatus.APPROVED:
        return from_forge if _RANK[from_forge.status] >= _RANK[from_trailers.status] else from_trailers
    # A forge merge is one approval; verified trailers by other people add to it. "Other" is judged on every
    # spelling of each: the merger's own (login, and e-mail on Gitea), and each counted trailer's reviewer with
    # whoever verified it (red86: the PR author's `Reviewed-by: rvance`, verified by Rita's merge push, was a
    # second approval because her forge approval was compared as the login "rvance <rita.vance@…>").
    approvers = list(from_forge.approvers)
    seen = [frozenset(merger.keys())] if merger is not None else []  # the forge's one approver is the merger
    if from_trailers.status in (ReviewStatus.APPROVED, ReviewStatus.MISSING):
        for name, person in zip(from_trailers.approvers, assessed.people, strict=True):
            if not any(person & who for who in seen):
                approvers.append(name)
                seen.append(person)
    source = "forge" if len(approvers) == len(from_forge.approvers) else "forge+trailer"
    if len(approvers) >= approvals:
        return ReviewInfo(ReviewStatus.APPROVED, tuple(approvers), source, from_forge.detail)
    return ReviewInfo(ReviewStatus.MISSING, tuple(approvers), source,
                      f"{from_forge.detail}; {len(approvers)} of {approvals} required approvals verifiable at "
                      "push time")
