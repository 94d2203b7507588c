"""Review evidence from `Reviewed-by:` trailers, counted only when it can be verified at push time.

A trailer is written by whoever made the commit, so on its own it proves nothing (DESIGN §5). A
`Reviewed-by: R` claim counts for a mobile-origin commit when
- it sits on that commit or on a pushed descendant of it (a merge covering it), so the review came
  after the last mobile commit (unless the rule set says `after_last_mobile_commit: false`), and
- R is verifiably the reviewer: R is the authenticated pusher of this push, or the commit carrying
  the claim has a good signature whose signer (a key in the allowed-signers file) is R, and
- R is none of the commit's people — author, committer, co-authors, and the signer of the signature
  on it, who provably made the commit whatever its author field says (unless `exclude_authors: false`)
  — and not a bot; with the pusher vouching for the claim, the pusher is none of them either. A pusher the
  server names by login alone (GHES, GitLab, a plain `GATEKEEPER_PUSHER` without `GATEKEEPER_PUSHER_EMAIL`) cannot
  vouch for a claim on a signed commit: the signer is an address, and `jdoe` shares no spelling with
  john.doe@example.com whose phone signed it, so "not the signer" cannot be told (red150). Such a claim is
  unverifiable; the reviewer's own signature on the commit carrying it still verifies it.

Anything else is reported as what it is: a self-review, an unverifiable claim, or no review.
Who is who, and who is a bot, is gatekeeper/identity.py's one rule (loose matching: for "is the reviewer
an author?" the stricter answer); the reviewer side is anchored on the server-authenticated pusher or a
verified signature.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gatekeeper import catalogue
from gatekeeper.config import Policy, ReviewRule
from gatekeeper.identity import Identity, parse_identity, same_person, signer_identity, wrote
from gatekeeper.interfaces import ReviewResult
from gatekeeper.models import (
    CommitReport,
    Finding,
    RefUpdate,
    ReviewInfo,
    ReviewStatus,
)

REVIEW_KEYS = ("reviewed-by",)
MAX_CLAIMS = 1000


@dataclass(frozen=True, slots=True)
class Claim:
    """One `Reviewed-by:` line, on the commit that carries it, and how (if at all) it is verified."""

    reviewer: Identity
    carrier: str  # sha of the commit carrying the trailer
    verified_by: str | None  # "pusher", "signature" or None (unverifiable)
    verifier: Identity | None = None  # who vouched for it: the pusher, or the signer of the carrying commit
    signer: Identity | None = None  # the carrying commit's good signer when that is the reviewer (whoever vouched)

    def person(self) -> frozenset[str]:
        """Every spelling of the one person this approval is: the name written and whoever verified it. A
        claim is only verified when the two are the same person, so claims verified by the same pusher or
        signer are one approval however each spells the name (red86: `rvance` and `Rita Vance <rita.vance@…>`,
        each matching the pusher by another spelling, share none with each other)."""
        return frozenset(self.reviewer.keys() | (self.verifier.keys() if self.verifier is not None else set()))


def _claims(reports: Sequence[CommitReport], pusher: Identity | None) -> list[Claim]:
    claims: list[Claim] = []
    for report in reports:
        for value in report.commit.trailer_values(*REVIEW_KEYS):
            if len(claims) >= MAX_CLAIMS:
                return claims
            reviewer = parse_identity(value)
            if not reviewer.keys():
                continue
            verified_by: str | None = None
            verifier: Identity | None = None
            signer = signer_identity(report.signature)
            # A bot's key (a forge instance's, `noreply@…`) signs for whoever clicked: it verifies no reviewer.
            signed = signer if signer is not None and not signer.is_bot and same_person(reviewer, signer) else None
            if pusher is not None and same_person(reviewer, pusher):
                verified_by, verifier = "pusher", pusher
            elif signed is not None:
                verified_by, verifier = "signature", signed
            claims.append(Claim(reviewer, report.commit.sha, verified_by, verifier, signed))
    return claims


def _coverage(reports: Sequence[CommitReport], claims: Sequence[Claim]) -> dict[str, frozenset[int]]:
    """For each pushed commit, the claims on it or on a pushed descendant (reports are oldest first)."""
    own: dict[str, set[int]] = {}
    for index, claim in enumerate(claims):
        own.setdefault(claim.carrier, set()).add(index)
    shas = {r.commit.sha for r in reports}
    covering: dict[str, set[int]] = {r.commit.sha: set(own.get(r.commit.sha, ())) for r in reports}
    # Newest first: a commit's coverage flows to its parents within the push.
    for report in reversed(reports):
        mine = covering[report.commit.sha]
        if not mine:
            continue
        for parent in report.commit.parents:
            if parent in shas:
                covering[parent] |= mine
    return {sha: frozenset(v) for sha, v in covering.items()}


@dataclass(frozen=True, slots=True)
class Assessment:
    info: ReviewInfo
    claims: tuple[Claim, ...] = ()  # the claims looked at for this commit
    people: tuple[frozenset[str], ...] = ()  # each counted approval's person (Claim.person), in info.approvers' order


def assess_trailers(reports: Sequence[CommitReport], needing: Sequence[CommitReport], policy: Policy,
                    approvals: int, pusher: Identity | None, *, strict: bool = False,
                    rules: Mapping[str, ReviewRule] | None = None) -> dict[str, Assessment]:
    """The review status each commit in `needing` gets from Reviewed-by trailers alone.

    `strict` ignores the rules' relaxations (`after_last_mobile_commit`, `exclude_authors`): the
    review must cover the commit and come from none of its people (used for policy changes). `rules`: the
    review each commit needs (checks.review_rule), else its rule set's.
    """
    claims = _claims(reports, pusher)
    coverage = _coverage(reports, claims)
    everything = frozenset(range(len(claims)))
    result: dict[str, Assessment] = {}
    for report in needing:
        rule = None if strict else _rule(report, policy, rules)
        after_last = rule.after_last_mobile_commit if rule is not None else True
        exclude_authors = rule.exclude_authors if rule is not None else True
        covering = sorted(coverage.get(report.commit.sha, frozenset()) if after_last else everything)
        # With the pusher vouching for a claim, the pusher must not have written (or signed) the commit either.
        pusher_wrote = pusher is not None and wrote(pusher, report.commit, signature=report.signature)
        # A pusher the server names by login only cannot be told apart from the signer the commit's signature names
        # (an address): `jdoe` shares no spelling with john.doe@example.com, whose phone signed it (red150).
        # The device registry's `logins:` for the signing device tie the two (identity.commit_people).
        unbound_signer = (pusher is not None and not pusher.email.strip() and not pusher_wrote
                          and _named_signer(report) is not None and not report.signature.logins)
        approvers: list[str] = []
        selfish: list[Claim] = []
        unverifiable: list[Claim] = []
        unbound: list[Claim] = []
        looked: list[Claim] = []
        counted: list[frozenset[str]] = []  # who each approval is: one person spelled twice is one (red54, red86)
        for index in covering:
            claim = claims[index]
            if claim.verified_by == "pusher" and unbound_signer and claim.signer is not None:
                claim = dataclasses.replace(claim, verified_by="signature", verifier=claim.signer)
            looked.append(claim)
            if claim.verified_by is None or claim.reviewer.is_bot:
                unverifiable.append(claim)
            elif exclude_authors and (wrote(claim.reviewer, report.commit, signature=report.signature)
                                      or (claim.verified_by == "pusher" and pusher_wrote)
                                      or (claim.verifier is not None
                                          and wrote(claim.verifier, report.commit, signature=report.signature))):
                selfish.append(claim)
            elif exclude_authors and claim.verified_by == "pusher" and unbound_signer:
                unbound.append(claim)
            elif str(claim.reviewer) not in approvers and not any(_person(claim, pusher) & who for who in counted):
                approvers.append(str(claim.reviewer))
                counted.append(_person(claim, pusher))
        result[report.commit.sha] = Assessment(
            _status(approvers, selfish, unverifiable, claims, covering, approvals, pusher,
                    _unbound_detail(unbound, pusher, report)), tuple(looked),
            tuple(counted))
    return result


def _person(claim: Claim, pusher: Identity | None) -> frozenset[str]:
    """Who a claim's approval is (Claim.person). A signer the registry names no login of may be the pusher named by
    login alone (`rvance` and Rita Reviewer <rita@example.com>, whose laptop signed the merge she pushed, share no
    spelling): her claim verified by her signature and the one her push vouches for are one approval (red152)."""
    person = claim.person()
    if (claim.verified_by == "signature" and pusher is not None and not pusher.email.strip()
            and claim.verifier is not None and not claim.verifier.login.strip()):
        return person | frozenset(pusher.keys())
    return person


def _rule(report: CommitReport, policy: Policy, rules: Mapping[str, ReviewRule] | None) -> ReviewRule | None:
    if rules is not None and report.commit.sha in rules:
        return rules[report.commit.sha]
    return policy.ruleset(report.ruleset).review


def _named_signer(report: CommitReport) -> str | None:
    """The signer a commit's signature names (good or not: it only ever excludes more reviewers)."""
    signer = (report.signature.signer or "").strip() if report.signature is not None else ""
    return signer or None


def _unbound_detail(unbound: Sequence[Claim], pusher: Identity | None, report: CommitReport) -> str:
    if not unbound:
        return ""
    return (f"Reviewed-by {unbound[0].reviewer} is vouched for by the pusher {pusher} alone, a login with no address "
            f"to tell from the signer {_named_signer(report)}; the reviewer signs the commit carrying it, or the "
            "device registry names its owner's logins")


def _status(approvers: list[str], selfish: list[Claim], unverifiable: list[Claim], claims: Sequence[Claim],
            covering: Sequence[int], approvals: int, pusher: Identity | None, unbound: str = "") -> ReviewInfo:
    if approvers and len(approvers) >= approvals:
        how = sorted({c.verified_by or "" for c in claims if str(c.reviewer) in approvers})
        return ReviewInfo(ReviewStatus.APPROVED, tuple(approvers), source="trailer",
                          detail=f"Reviewed-by verified by {' and '.join(how)}")
    if approvers:
        return ReviewInfo(ReviewStatus.MISSING, tuple(approvers), source="trailer",
                          detail=f"{len(approvers)} of {approvals} required approvals verifiable at push time")
    if selfish:
        return ReviewInfo(ReviewStatus.SELF, source="trailer",
                          detail=f"Reviewed-by {selfish[0].reviewer} is an author or committer of the commit")
    if unbound:
        return ReviewInfo(ReviewStatus.UNKNOWN, source="trailer", detail=unbound)
    if unverifiable:
        who = f"pushed by {pusher}, not the reviewer" if pusher is not None else "the pusher is unknown"
        return ReviewInfo(ReviewStatus.UNKNOWN, source="trailer",
                          detail=f"Reviewed-by {unverifiable[0].reviewer} cannot be verified: {who}, and not "
                          "signed by the reviewer")
    if claims and not covering:
        return ReviewInfo(ReviewStatus.STALE, source="trailer",
                          detail="a review in this push does not cover the last mobile commit")
    return ReviewInfo(ReviewStatus.MISSING, source="none", detail="no review evidence")


def review_findings(reviews: Mapping[str, ReviewInfo], needing: Sequence[CommitReport],
                    updates: Sequence[RefUpdate], approvals: int, policy: Policy) -> list[Finding]:
    """One blocking finding per kind of failure (self-review, unverifiable, missing), naming the fix."""
    groups: dict[ReviewStatus, list[CommitReport]] = {}
    for report in needing:
        info = reviews.get(report.commit.sha)
        status = info.status if info is not None else ReviewStatus.MISSING
        if status is not ReviewStatus.APPROVED:
            groups.setdefault(status, []).append(report)
    protected = sorted({ref for r in needing for ref in r.refs if policy.is_protected(ref)})
    targets = ", ".join(protected) or ", ".join(u.ref for u in updates)
    findings: list[Finding] = []
    for status, group in groups.items():
        last = group[-1]
        detail = reviews[last.commit.sha].detail if last.commit.sha in reviews else ""
        shas = [r.commit.sha for r in group]
        count = f"{len(group)} mobile-origin commit(s) to {targets}"
        if status is ReviewStatus.SELF:
            finding = catalogue.rule("review/self-approved").finding(
                f"{count}: the only review comes from an author ({detail})",
                commit=last.commit.sha, enforced=True,
                fix="have someone who did not write these commits review them and push or merge them")
        elif status is ReviewStatus.UNKNOWN:
            finding = catalogue.rule("review/unverifiable").finding(
                f"{count}: {detail}",
                commit=last.commit.sha, enforced=True,
                fix="the reviewer must push the reviewed commits themselves, or land them through a reviewed "
                    "pull request")
        else:
            what = detail if status is ReviewStatus.MISSING and "approvals" in detail else (
                "the review predates the last mobile commit" if status is ReviewStatus.STALE else "no review")
            finding = catalogue.rule("review/missing").finding(
                f"{count} need {approvals} approval(s): {what}",
                commit=last.commit.sha, enforced=True,
                fix="land them through a reviewed pull request, or have a reviewer who is not an author push "
                    "them with a `Reviewed-by:` trailer naming the reviewer")
        findings.append(finding.with_fingerprint(status.value, *shas))
    return findings


class TrailerReviewSource:
    """Review evidence for a plain git server: verifiable `Reviewed-by:` trailers only."""

    id = "trailer"

    def __init__(self, pusher: Identity | None) -> None:
        self.pusher = pusher

    def review(self, commits: Sequence[CommitReport], needing: Sequence[CommitReport], updates: Sequence[RefUpdate],
               policy: Policy, approvals: int, rules: Mapping[str, ReviewRule] | None = None) -> ReviewResult:
        assessed = assess_trailers(commits, needing, policy, approvals, self.pusher, rules=rules)
        reviews = {sha: a.info for sha, a in assessed.items()}
        return ReviewResult(reviews, tuple(review_findings(reviews, needing, updates, approvals, policy)))

