"""The local mode's review source: it cannot see approvals, so it reports what will be required."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gatekeeper import catalogue
from gatekeeper.config import Policy, ReviewRule
from gatekeeper.interfaces import ReviewResult
from gatekeeper.models import CommitReport, RefUpdate, ReviewInfo, ReviewStatus


class LocalReviewSource:
    id = "local"
    advisory = True  # the local check reports what review will be required; it cannot block on it

    def review(self, commits: Sequence[CommitReport], needing: Sequence[CommitReport], updates: Sequence[RefUpdate],
               policy: Policy, approvals: int, rules: Mapping[str, ReviewRule] | None = None) -> ReviewResult:
        targets = sorted({ref for r in needing for ref in r.refs})
        detail = f"needs {approvals} approval(s) from someone who is not an author, after the last mobile commit"
        reviews = {r.commit.sha: ReviewInfo(ReviewStatus.UNKNOWN, source="local", detail=detail) for r in needing}
        last = needing[-1].commit.sha
        finding = catalogue.rule("review/required").finding(
            f"{len(needing)} mobile-origin commit(s) will need {approvals} approval(s) before "
            f"{', '.join(targets)}; the last mobile commit is {last[:12]}",
            commit=last,
            fix="open a pull request and ask a reviewer who did not author these commits",
        ).with_fingerprint(last, str(approvals))
        return ReviewResult(reviews, (finding,))
