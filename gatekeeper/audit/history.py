"""`gatekeeper audit`: one streaming pass over a whole history, for the security team.

Where the code came from (device class, AI involvement, forge merges), what was signed and by which
registered device, what review evidence each commit carries, DCO, compliance-zone violations, and —
joined from the decision log — which gate decision admitted it. Nothing here decides; it reports.

How it stays fast and flat on 100,000-commit histories:
- commits stream from one `git log -z --pretty=raw` process per side of the protected line (the raw
  headers say whether a commit is signed without verifying it), newest first, never collected;
- commits are handled in windows of `WINDOW` raw records (at most WINDOW_BYTES of them; two windows held while
  the NUL scan beside the walk reads their stored objects); each record is first looked at as bytes: one
  that carries no evidence (only the headers every commit has, no note, ordinary author and committer,
  no word any detector or the review reader keys on) becomes a PlainRecord — no Commit, no trailer
  parse unless it has a sign-off of an unusual shape, no detector — counted and rendered from a
  template (tests/test_audit_fastpath.py proves it writes what the full path writes, commit by commit);
- the rest are parsed and judged in full: only a window's signed commits are verified (one `cat-file`
  for the window), only its mobile / AI / personal-device commits get their changed paths read (for
  zones), only its commits are looked up in the decision log;
- what is kept across the run is counters and lists capped at `list_cap` (the report says when a
  list was cut).

Which commits "reached a protected branch": those reachable from a ref the policy protects (local
branches, and remote-tracking branches read as the branch they track). The range is split along that
line with merge bases, so each commit is walked once and labelled by which side it came from.

Origin, signatures, zones and DCO reuse the engine's own pieces (origin detectors and resolver, the
provenance source, the zone check, the trailer parser): the audit has no classifier of its own.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import datetime as dt
import gc
import itertools
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from gatekeeper import origin as origin_pkg
from gatekeeper.audit.decisionlog import Admission, LogError, Store
from gatekeeper.config import Policy, glob_match, ruleset_for
from gatekeeper.errors import GatekeeperError, GitError, UsageError
from gatekeeper.git import (
    BlobReader,
    BrokenNotes,
    Git,
    Landing,
    NulScan,
    RawParts,
    commit_from_parts,
    declares_encoding,
    person_of,
    raw_parts,
    stored_object,
)
from gatekeeper.identity import Identity, commit_people, parse_identity, same_person, signer_identity
from gatekeeper.lazy_regex import lazy
from gatekeeper.models import (
    OBJECT_ID_PATTERN,
    AIInvolvement,
    Commit,
    CommitReport,
    DeviceClass,
    Origin,
    Person,
    SignatureInfo,
    SignatureStatus,
    Trailer,
    Trust,
)
from gatekeeper.origin.agents import match_identity
from gatekeeper.origin.ai import (
    AGENT_TRACE_REF,
    AI_NOTES_REF,
    ORIGIN_NOTE_REFS,
    SESSION_LINKS,
    TOOL_TITLES,
    WORKSPACE_SESSION,
    body_lines,
)
from gatekeeper.origin.attribution import TRACE_FILE, trace_file_records
from gatekeeper.origin.base import DeviceFact, OriginContext
from gatekeeper.origin.heuristics import GITHUB_WEB_FLOW, GITLAB_COMMITTER
from gatekeeper.origin.recorded import PushOriginStore
from gatekeeper.provenance.source import MAX_COMMIT_BYTES, NUL_DOUBT, ProvenanceSource, Reader, identity_doubt
from gatekeeper.review.evidence import history_evidence
from gatekeeper.sanitize import clip, safe
from gatekeeper.trailers import parse_ident, parse_trailers

if TYPE_CHECKING:  # the attestation reader (and its crypto) loads only when a repository has attestations
    from gatekeeper.attest.survey import AttestationFact, AttestationIndex
    from gatekeeper.checks import ZoneCheck
    from gatekeeper.provenance.openpgp import ForgeKeys

WINDOW = 512
WINDOW_BYTES = 32 << 20  # and at most this much of them held (then fewer are written at once)
DEFAULT_LIST_CAP = 200
# List items keep this much of a subject, an author, a path or a message; the report clips them shorter
# (render) once the secrets in them are redacted, so a token the short clip would cut is still recognised.
LIST_TEXT = 2000
LANDING_LIMIT = 5_000  # candidates whose landing merge is looked up at all
HEAVY_PER_PART = 32  # commits with notes or trace records of up to MAX_NOTE each judged together (_Runner._judged)

# Review evidence kinds, strongest first (the JSON `review.evidence` values).
PR_MERGE = "forge-pr-merge"
GERRIT = "gerrit"
VERIFIED_REVIEWED_BY = "reviewed-by-verified"
CLAIMED_REVIEWED_BY = "reviewed-by-claimed"  # a self-asserted trailer: shown, never counted as review
NO_REVIEW = "none"
REVIEWED = (PR_MERGE, GERRIT, VERIFIED_REVIEWED_BY)
VERIFIED = Trust.VERIFIED.value  # the review trust a pusher cannot write: a forge's or the reviewer's signature


# -- what the audit finds per commit ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    model: str | None = None
    session: str | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class AuditReview:
    kind: str = NO_REVIEW
    trust: str | None = None
    pr: int | None = None
    reviewers: tuple[str, ...] = ()
    change_id: str | None = None
    url: str | None = None
    # Always None in a commit's record: the commit's own evidence is what the record says; the merge a commit came in
    # by is found after the walk (_resolve_pending) and listed in the summary (via_merge).
    via: str | None = None

    @property
    def reviewed(self) -> bool:
        return self.kind in REVIEWED


@dataclass(frozen=True, slots=True)
class CommitAudit:
    commit: Commit
    protected: bool
    origin: Origin
    device_class: DeviceClass  # the class the policy applies (undeclared → the policy's `undeclared`)
    mobile: bool
    signature: SignatureInfo
    review: AuditReview
    dco: bool | None  # None for merges (git and forges make them without sign-offs)
    agents: tuple[Agent, ...] = ()
    zones: tuple[tuple[str, str], ...] = ()  # (path, message)
    decisions: tuple[Admission, ...] = ()
    attestation: AttestationFact | None = None  # a signed SLSA Source VSA note for this revision
    plain: bool = False  # no evidence of any kind: rendered from a template
    # Why the commit git reads (and the gate judges) may not be the one the object stores, as the gate's
    # provenance/ambiguous-identity says it (identity_doubt): the gate refuses such a commit.
    ambiguous_identity: str | None = None


class PlainRecord(NamedTuple):
    """A commit the fast path proved carries no evidence (see `_Runner.flush`): what its JSON record and its
    counts need, read from the raw record without a Commit. `audit()` is the CommitAudit the full path makes
    for it. (An immutable NamedTuple rather than a frozen dataclass: one is made per commit, and a tuple is
    cheaper to make.)"""

    sha: str
    when: int  # commit time
    merge: bool
    author: Person
    subject: str
    protected: bool
    device_class: DeviceClass  # the policy's `undeclared` class (never a mobile one: the fast path is off then)
    dco: bool | None
    raw: bytes  # the raw record, for audit()

    def audit(self) -> CommitAudit:
        return CommitAudit(commit_from_parts(raw_parts(self.raw, {})), self.protected, _PLAIN_ORIGIN,
                           self.device_class, False, _UNSIGNED, _NO_REVIEW, self.dco, plain=True)


@dataclass(frozen=True, slots=True)
class AuditRange:
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    every_ref: bool
    since: str | None
    description: str


@dataclass(frozen=True, slots=True)
class AuditRequest:
    git: Git
    policy: Policy
    reader: Reader
    range: AuditRange
    now: dt.datetime
    log: Store | None = None
    log_repositories: frozenset[str] = frozenset()  # the log's records joined: those under these names only
    list_cap: int = DEFAULT_LIST_CAP
    progress: Callable[[int], None] | None = None
    attestations: AttestationIndex | None = None
    forge_keys: ForgeKeys | None = None  # None: the keys gatekeeper ships (tests stand their own in)


# -- the summary ----------------------------------------------------------------------------------------

@dataclass
class Capped:
    """A list kept to `cap` items; `total` still counts everything."""

    cap: int
    items: list[dict[str, object]] = field(default_factory=list)
    total: int = 0

    def add(self, item: dict[str, object]) -> None:
        self.total += 1
        if len(self.items) < self.cap:
            self.items.append(item)

    def room(self) -> bool:
        return len(self.items) < self.cap

    @property
    def truncated(self) -> bool:
        return self.total > len(self.items)


@dataclass
class Summary:
    list_cap: int
    commits: int = 0
    merges: int = 0
    protected: int = 0
    mobile: int = 0
    ai_involved: int = 0
    first_time: int | None = None
    last_time: int | None = None
    classes: Counter[str] = field(default_factory=Counter)  # device class (policy-effective)
    declared: Counter[str] = field(default_factory=Counter)  # device class as the evidence says (unknown kept)
    ai: Counter[str] = field(default_factory=Counter)
    signatures: Counter[str] = field(default_factory=Counter)
    protected_signatures: Counter[str] = field(default_factory=Counter)
    reviews: Counter[str] = field(default_factory=Counter)
    review_trust: Counter[tuple[str, str]] = field(default_factory=Counter)  # (review kind, its trust), evidence only
    dco: Counter[str] = field(default_factory=Counter)
    devices: Counter[tuple[str, bool]] = field(default_factory=Counter)  # (device id, registered)
    agents: Counter[str] = field(default_factory=Counter)
    evidence: Counter[str] = field(default_factory=Counter)
    months: dict[str, Counter[str]] = field(default_factory=dict)
    weeks: dict[str, Counter[str]] = field(default_factory=dict)
    decided: Counter[str] = field(default_factory=Counter)  # commits by the decision that admitted them
    attested: Counter[str] = field(default_factory=Counter)  # "level N" / "unreadable" / "failed verification"
    unreviewed: Capped = field(default_factory=lambda: Capped(DEFAULT_LIST_CAP))
    # Mobile/AI commits on a protected branch counted as reviewed on evidence nobody verified: a forge merge read
    # from its committer and subject (anyone can write both), Gerrit trailers.
    unverified: Capped = field(default_factory=lambda: Capped(DEFAULT_LIST_CAP))
    via_merge: Capped = field(default_factory=lambda: Capped(DEFAULT_LIST_CAP))  # reviewed through their landing
    unsigned_protected: Capped = field(default_factory=lambda: Capped(DEFAULT_LIST_CAP))
    revoked_protected: Capped = field(default_factory=lambda: Capped(DEFAULT_LIST_CAP))
    zone_violations: Capped = field(default_factory=lambda: Capped(DEFAULT_LIST_CAP))
    ambiguous_identity: Capped = field(default_factory=lambda: Capped(DEFAULT_LIST_CAP))  # on any branch
    notes: list[str] = field(default_factory=list)
    # Where each device id or agent the origin detectors clipped was read from (a clipped token is no longer
    # recognisable): the whole values of the commit's trailers and body lines that start as it does, else every
    # line of the message where that start occurs and the message's two ends (_source_of). The report's
    # redaction reads them. One per clipped value, at most SOURCES_CAP of them and SOURCES_BYTES in all; past
    # that `sources_full` is set, and the report withholds a clipped value it could not check.
    sources: dict[str, str] = field(default_factory=dict)
    sources_bytes: int = 0
    sources_full: bool = False
    complete: bool = True
    protected_refs: list[str] = field(default_factory=list)
    duration_ms: int = 0

    combos: Counter[tuple[Any, ...]] = field(default_factory=Counter)  # one key per kind of commit and UTC day
    # The same for commits without evidence, keyed (class, dco, merge, day) only: the rest of their key is fixed.
    plain_combos: Counter[tuple[Any, ...]] = field(default_factory=Counter)
    # Commits reviewed "via merge" (_resolve_pending) by UTC day: counted as reviewed in their month and week too.
    landed_reviewed: Counter[int] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        for name in ("unreviewed", "unverified", "via_merge", "unsigned_protected", "revoked_protected",
                     "zone_violations", "ambiguous_identity"):
            getattr(self, name).cap = self.list_cap

    def finish(self) -> None:
        """Expand the per-commit combination counts into the report's tables (idempotent)."""
        combos, self.combos = self.combos, Counter()
        for (cls, dco, merge, day), n in self.plain_combos.items():
            combos[(cls, _PLAIN_ORIGIN.device, _PLAIN_ORIGIN.ai, SignatureStatus.UNSIGNED, NO_REVIEW, None, dco, False,
                    merge, day)] += n
        self.plain_combos = Counter()
        outside = 0
        for (cls, device, ai, status, review, trust, dco, mobile, merge, day), n in combos.items():
            if not _FIRST_TIME <= day * 86400 <= _LAST_TIME:
                outside += n
            month, week = _periods(day * 86400)
            self.commits += n
            self.merges += n if merge else 0
            self.mobile += n if mobile else 0
            self.ai_involved += n if ai is not AIInvolvement.NONE else 0
            self.classes[cls.value] += n
            self.declared[device.value] += n
            self.ai[ai.value] += n
            self.signatures[status.value] += n
            self.reviews[review] += n
            if trust is not None:
                self.review_trust[(review, trust)] += n
            self.dco["n/a" if dco is None else ("yes" if dco else "no")] += n
            for table, key in ((self.months, month), (self.weeks, week)):
                row = table.get(key)
                if row is None:
                    row = table[key] = Counter()
                row["commits"] += n
                row[f"class:{cls.value}"] += n
                row["mobile"] += n if mobile else 0
                row["ai"] += n if ai is not AIInvolvement.NONE else 0
                row["reviewed"] += n if review in REVIEWED else 0
        landed, self.landed_reviewed = self.landed_reviewed, Counter()
        for day, n in landed.items():
            month, week = _periods(day * 86400)
            for table, key in ((self.months, month), (self.weeks, week)):
                if key in table:
                    table[key]["reviewed"] += n
        if outside:
            self.notes.append(f"{outside} commit(s) carry a commit time outside years 1-9999 (written by their "
                              "committer): shown and counted at the nearest end of that range")


# -- range and protected line ---------------------------------------------------------------------------------

def resolve_range(git: Git, rev_range: str | None, since: str | None, every_ref: bool) -> AuditRange:
    """The commits to audit: `--rev-range A..B` or a revision, `--all`, else HEAD's whole history."""
    git.info()
    if since is not None and (not since.strip() or since.startswith("-") or any(ord(c) < 32 for c in since)):
        raise UsageError(f"invalid date {since!r}", "pass --since with a date such as 2026-01-31 or '6 months ago'")
    if since is not None:
        git.check_since(since)
    head = git.try_resolve("HEAD")
    if head is None and not git.refs("refs/heads/", "refs/remotes/"):
        raise GitError(f"{git.path.resolve()} has no commits yet: nothing to audit",
                       "run the audit in a repository with history, or pass --repo")
    suffix = f" since {since}" if since else ""
    if every_ref:
        if rev_range:
            raise UsageError("--all and --rev-range exclude each other", "pass one of them")
        return AuditRange((), (), True, since, f"all branches, tags and remote-tracking branches{suffix}")
    if not rev_range:
        head = head or git.resolve("HEAD", "HEAD")  # no HEAD but branches: resolve() says what is wrong
        return AuditRange((head,), (), False, since, f"the whole history of HEAD ({head[:12]}){suffix}")
    if "..." in rev_range:
        raise UsageError(f"--rev-range {rev_range!r}: symmetric ranges (A...B) are not supported",
                         "pass A..B (the commits of B not in A) or a single revision")
    if ".." in rev_range:
        base, _, tip = rev_range.partition("..")
        tip_sha = git.resolve(tip or "HEAD", "revision")
        base_sha = git.resolve(base or "HEAD", "revision")
        return AuditRange((tip_sha,), (base_sha,), False, since,
                          f"{rev_range} ({base_sha[:12]}..{tip_sha[:12]}){suffix}")
    sha = git.resolve(rev_range, "revision")
    return AuditRange((sha,), (), False, since, f"the history of {rev_range} ({sha[:12]}){suffix}")


def protected_tips(git: Git, policy: Policy, listed: Mapping[str, str] | None = None) -> dict[str, str]:
    """Refs the policy protects, with their tips: local branches, and `refs/remotes/R/X` as `refs/heads/X` for
    a remote R this repository's config names (on a server, a pushed `refs/remotes/evil/main` is nobody's
    main: taken as protected it could name forged merges as the ones that brought commits in). `listed`: the
    refs as already read (`git.refs`), those under refs/heads/ and refs/remotes/ among them."""
    found: dict[str, str] = {}
    if listed is None:
        listed = git.refs("refs/heads/", "refs/remotes/")
    for ref, sha in listed.items():
        if ref.startswith("refs/heads/") and policy.is_protected(ref):
            found[ref] = sha
    tracking = {ref: sha for ref, sha in listed.items() if ref.startswith("refs/remotes/")}
    remotes = _remotes(git) if tracking else []
    for ref, sha in tracking.items():
        branch = _tracked_branch(ref, remotes)
        if branch is not None and policy.is_protected(branch):
            found.setdefault(ref, sha)
    return found


def _remotes(git: Git) -> list[str]:
    """The configured remotes, longest name first (so `origin/x` is matched before `origin`)."""
    return sorted(git.remote_names(), key=len, reverse=True)


def _tracked_branch(ref: str, remotes: Sequence[str]) -> str | None:
    """`refs/heads/X` for a remote-tracking `refs/remotes/R/X` of a configured remote R, else None."""
    remote = next((r for r in remotes if ref.startswith(f"refs/remotes/{r}/")), None)
    branch = ref[len(f"refs/remotes/{remote}/"):] if remote is not None else ""
    return f"refs/heads/{branch}" if branch and branch != "HEAD" else None


def _rank(policy: Policy, ref: str, remotes: Sequence[str]) -> int:
    """The index of the first of protected_refs that `ref` matches, len(protected_refs) when none does. A
    remote-tracking `refs/remotes/R/X` is read as the branch protected_tips took it for, `refs/heads/X` for
    its configured remote R, and nothing else (`origin/release/main` is release/main, not main)."""
    name = _tracked_branch(ref, remotes) if ref.startswith("refs/remotes/") else ref
    if name is None:
        return len(policy.protected_refs)
    return next((i for i, pattern in enumerate(policy.protected_refs) if glob_match(pattern, name)),
                len(policy.protected_refs))


class _Stream(NamedTuple):
    """One walk of the range: whether its commits are on the protected side, and git's arguments for it."""

    protected: bool
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    every_ref: bool

    def records(self, git: Git, since: str | None, traced: set[str] | None) -> Iterator[list[bytes]]:
        """The walk's raw records; the commits among them that change the Agent Trace file (what they add is
        what trace_file_records reads) are added to `traced` as they come (None: not looked for — a partial
        clone has no trees to compare)."""
        return git.iter_raw_records(self.include, self.exclude, since=since, every_ref=self.every_ref,
                                    touching=None if traced is None else (TRACE_FILE, traced))


def _streams(git: Git, rng: AuditRange, tips: Mapping[str, str]) -> tuple[list[_Stream], tuple[str, ...]]:
    """The walks that together cover the range once, split along the protected line; and where the protected
    stream starts."""
    protected = sorted(set(tips.values()))
    if not protected:
        return [_Stream(False, tuple(rng.include), tuple(rng.exclude), rng.every_ref)], ()
    if rng.every_ref:
        inside = protected
    else:
        bases: list[str] = []
        for tip in rng.include:
            # (A protected tip holds all of its own history: no git call for the usual audit of main.)
            shared = [tip] if tip in protected else git.shared_starts(tip, protected)
            if shared is None:
                for p in protected:
                    bases.extend([tip] if tip == p else git.merge_bases(tip, p))
            else:
                bases.extend(shared)
        inside = sorted(set(bases))
    streams: list[_Stream] = []
    if inside:
        streams.append(_Stream(True, tuple(inside), tuple(rng.exclude), False))
    if rng.every_ref or not set(rng.include) <= set(inside):
        # (Nothing is left outside when every tip of the range is itself a protected tip: no second walk.)
        streams.append(_Stream(False, tuple(rng.include), (*rng.exclude, *inside), rng.every_ref))
    return streams, tuple(inside)


# -- per-commit pieces ----------------------------------------------------------------------------------------



def has_dco(commit: Commit) -> bool | None:
    """A Signed-off-by whose e-mail is the author's (as DcoCheck and the DCO bots judge); None for merges."""
    if commit.is_merge:
        return None
    return _signed_off(commit.trailers, commit.author.email)


def _signed_off(trailers: tuple[Trailer, ...], author_email: str) -> bool:
    if not trailers:
        return False
    email = author_email.strip().lower()
    return bool(email) and any((ident := parse_ident(t.value)) is not None and ident[1] == email
                               for t in trailers if t.name == "signed-off-by")


def review_evidence(commit: Commit, origin: Origin, signature: SignatureInfo) -> AuditReview:
    """The strongest review evidence the commit itself carries (gatekeeper.review.evidence reads it):
    a forge PR merge, a Gerrit change with its reviewers, or a Reviewed-by, which on the commit itself is
    only claimed."""
    items = history_evidence(commit, origin)
    if not items:
        return _NO_REVIEW
    for item in items:
        if item.source == "forge/pr-merge":
            return AuditReview(PR_MERGE, item.trust.value, pr=item.pr)
    reviewers = tuple(i.reviewer for i in items if i.source == "trailer/reviewed-by" and i.reviewer)
    gerrit = next((i for i in items if i.source == "gerrit"), None)
    # A Gerrit change is review only by someone other than its authors (DESIGN §5; red131: golang/net's self +2s, an
    # agent commit whose one Reviewed-by is its author). Its committer may be one: Gerrit's submit makes whoever
    # submitted the change its committer, normally one of its reviewers (343 of golang/net's 1,813 changes).
    others = _not_by(reviewers, commit_people(commit, committer=False)) if gerrit is not None else ()
    if gerrit is not None and others:
        change = commit.trailer_values("change-id")
        return AuditReview(GERRIT, gerrit.trust.value, reviewers=others,
                           change_id=clip(change[-1].strip(), 80) if change else None, url=gerrit.url)
    if not reviewers:
        return _NO_REVIEW
    # Never verified by the commit's own signature: its signer made the commit, whatever its author field
    # says, and the reviewer must be none of the commit's people (review/reviewed_by.py, DESIGN §5; red29: an
    # agent-authored commit signed and `Reviewed-by:` by the one who committed it). A reviewer's signature
    # verifies a Reviewed-by only on a merge that brought the commit in (_Runner._landing_review).
    return AuditReview(CLAIMED_REVIEWED_BY, "declared", reviewers=reviewers)


def _not_by(reviewers: tuple[str, ...], people: Sequence[Identity]) -> tuple[str, ...]:
    """The reviewers who are none of `people` (identity.same_person)."""
    return tuple(r for r in reviewers if not any(same_person(parse_identity(r), p) for p in people))


def agents_of(origin: Origin) -> tuple[Agent, ...]:
    """The AI agents the origin evidence names, with model and session when the detectors found them."""
    found: dict[str, Agent] = {}
    for e in origin.evidence:
        if not e.source.startswith("ai/"):
            continue
        # Without an agent id the evidence's own words stand in (e.g. the value of an Assisted-by trailer).
        agent_id = e.agent or clip(e.detail.split(": ", 1)[-1].strip(), 60)
        known = found.get(agent_id)
        if known is None or (not known.model and e.model) or (not known.session and e.session):
            found[agent_id] = Agent(agent_id, e.model or (known.model if known else None),
                                    e.session or (known.session if known else None), e.source)
    return tuple(found.values())


# -- the run ----------------------------------------------------------------------------------------------------

def run_audit(request: AuditRequest, emit: Callable[[CommitAudit], None],
              emit_plain: Callable[[list[PlainRecord]], None] | None = None) -> Summary:
    """Stream the range, call `emit` once per commit (newest first within each side), return the summary.

    With `emit_plain`, commits the fast path proves carry no evidence go there instead, as runs of
    PlainRecords in the same order (no Commit built, no detector run, one call per run of consecutive
    plain commits); without it every commit takes the full path. Both give the same
    records and the same summary (tests/test_audit_fastpath.py checks every commit of real histories)."""
    started = time.monotonic()
    git = request.git
    policy = request.policy
    summary = Summary(list_cap=request.list_cap)
    # One read of the refs the run looks at: the protected tips, and the notes refs evidence is read from.
    listed = git.refs("refs/heads/", "refs/remotes/", "refs/notes/")
    tips = protected_tips(git, policy, listed)
    summary.protected_refs = sorted(tips)
    if not tips:
        # (HEAD's branch is named as the likely fix: a history whose default branch is `edge` or `develop`
        # otherwise audits as if nothing reached a protected branch.)
        head = git.current_branch()
        fix = (f"; to audit HEAD's branch as protected, add {safe(head, limit=200)!r} to protected_refs in the "
               "policy file" if head is not None and head.startswith("refs/heads/") else "")
        summary.notes.append("no branch the policy protects exists here (protected_refs: "
                             f"{', '.join(policy.protected_refs)}): no commit counts as on a protected branch{fix}")
    if git.info().shallow:
        summary.complete = False
        summary.notes.append("this clone is shallow: history before its shallow boundary is not here and was not "
                             "audited (`git fetch --unshallow` for all of it)")
    partial = _partial_clone(git)
    if partial:
        summary.notes.append("this is a partial clone: changed paths are not read (git would fetch missing trees), "
                             "so compliance zones were not checked")
    rng = request.range
    window: set[str] | None = None
    limit: str | None = None
    if rng.since is not None:
        try:
            found = git.since_window(rng.include, rng.exclude, rng.since, every_ref=rng.every_ref)
        except GitError as exc:
            # A missing object anywhere in the range stops the window's walk; git's own --since may never reach
            # it (red36: the audit failed outright). Its walk is the answer then, said to be possibly short.
            summary.complete = False
            summary.notes.append(f"the --since window could not be checked for backdated commits ({exc.message}): "
                                 "git's own --since chose the commits, and it stops at a commit dated before the "
                                 "date, so commits under a backdated one may be missing")
            limit = rng.since
        else:
            window = found.commits
            # With no backdated commit, git's --since walks exactly the window: every commit above a window commit
            # is then dated inside it, and none under a commit dated before it is in it (the cutoff is passed as
            # read, not the words again). With one, git's walk would stop at it, so the whole range is walked and
            # the window kept here (either way, only its commits are).
            limit = None if found.backdated else f"@{found.cutoff}"
            if found.backdated:
                summary.notes.append(
                    f"{found.backdated} commit(s) carry a commit time before {rng.since!r} yet sit above commits "
                    "after it (or after a parent outside the range): a commit is made after its parents, so these "
                    "were backdated by whoever committed them; audited as inside the window (git's own --since "
                    "would have hidden them and every commit under them)")
            if found.rests_on > 1:
                # One is where history enters the window (inside the range, or its excluded side). Others are
                # branches started before the date and merged (or pushed) since: what they brought may have
                # reached the branches inside the window, dated earlier — which dates cannot show, and the order of
                # a merge's parents is the pusher's to choose, so no walk can tell which side was already there
                # (red38, red39).
                summary.notes.append(
                    f"the window rests on {found.rests_on} commits outside it (one is where history enters it; the "
                    f"others are branches started before {rng.since!r} and merged or pushed since): commits under "
                    "them are outside the window as their dates say, though some may have reached the branches "
                    "inside it, merged with old dates — audit without --since, or with --rev-range from where the "
                    "branch stood, to see them")
    streams, inside = _streams(git, rng, tips)
    runner = _Runner(request, summary, tips, emit, emit_plain, check_zones=bool(policy.zones) and not partial,
                     from_tips=bool(inside) and set(inside) <= set(tips.values()), refs=listed)
    count = 0
    # Commits that change the Agent Trace file, whatever the tips hold now: a later commit that deletes it hides
    # nothing (red71; the gate's own reading since red55). Said by the walk itself, before each record.
    # A partial clone has no trees to compare (and the audit fetches nothing): its records are walked plainly and
    # the report says the trace-file evidence was not read (red73: the whole walk failed on the first tree).
    traced: set[str] | None = None if partial else set()
    if partial:
        summary.complete = False
        summary.notes.append(f"this is a partial clone: the Agent Trace records commits add to {TRACE_FILE} were "
                             "not looked for (git would fetch missing trees); AI involvement shown only by them is "
                             "not counted")
    with _fewer_collections(), contextlib.closing(runner):
        for spec in streams:
            protected = spec.protected
            try:
                for batch in spec.records(git, limit, traced):
                    if traced:
                        runner.traced |= traced
                        runner.described |= traced
                        traced.clear()
                    if window is not None:
                        batch = [raw for raw in batch if _record_id(raw) in window]
                    runner.add(batch, protected)
                    count += len(batch)
                    if request.progress is not None:
                        request.progress(count)
            except GitError as exc:
                # A missing or corrupt object stops git's walk: what was read is reported, the gap is said.
                runner.flush()
                summary.complete = False
                summary.notes.append(f"git stopped walking the history: {exc.message} — commits beyond it were "
                                     "not audited (missing objects: fetch them, or run `git fsck`)")
            else:
                runner.flush()
        runner.finish()
    summary.finish()
    if request.progress is not None:
        request.progress(count)
    if summary.commits == 0:
        summary.notes.append("the range holds no commits")
    summary.duration_ms = int((time.monotonic() - started) * 1000)
    return summary


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """The walk makes a handful of short-lived objects per commit and no reference cycles of its own (memory
    is freed by reference counting as each window is written), yet at the default threshold the cyclic
    collector scans the young generation every 700 allocations: about 3 % of a 100,000-commit audit. Raised
    for the walk, restored after it; cycles are still collected, just in larger batches."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], 50_000), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _partial_clone(git: Git) -> bool:
    return any(git.config_values("extensions.partialclone", "remote.origin.promisor").values())


class _Runner:
    """Collects a window of commits, does the window's batched work, emits and counts."""

    def __init__(self, request: AuditRequest, summary: Summary, tips: Mapping[str, str],
                 emit: Callable[[CommitAudit], None], emit_plain: Callable[[list[PlainRecord]], None] | None, *,
                 check_zones: bool, from_tips: bool = False, refs: Mapping[str, str] | None = None) -> None:
        """`refs`: refs/heads/, refs/remotes/ and refs/notes/ as run_audit read them (read here without it)."""
        if refs is None:
            refs = request.git.refs("refs/heads/", "refs/remotes/", "refs/notes/")
        self.request = request
        self.summary = summary
        self.tips = sorted(set(tips.values()))
        self.emit = emit
        self.emit_plain = emit_plain
        self.check_zones = check_zones
        self.window: list[bytes] = []  # raw records
        self.window_bytes = 0  # their size
        self.window_protected: list[bool] = []  # whether each came from the protected stream
        policy = request.policy
        self.mobile_classes = policy.origins.mobile_classes
        self.noted: dict[str, set[str]] = {}  # notes ref → the commits it has a note for
        self.traced: set[str] = set()  # commits that change TRACE_FILE (may add Agent Trace records), found so far
        self.recorded: set[str] = set()  # commits the server kept push-time origin records for
        self.push_records = PushOriginStore.in_git_dir(request.git.info().git_dir)
        self._evidence_sources(tips, refs)
        # A commit any of those sources describes takes the full path, where they are read for its window.
        self.described: set[str] = set().union(*self.noted.values(), self.traced, self.recorded)
        self.base_ctx = OriginContext(aliases=dict(policy.origins.aliases),
                                      trailer_aliases=policy.origins.trailer_aliases,
                                      ai_identities=policy.origins.ai_identities,
                                      ai_markers=policy.origins.ai_markers)
        # The policy's own AI markers, found in a record's bytes as its message holds them (exact text: no case
        # folding), send the commit down the full path (_plain).
        self.markers = tuple(m.encode() for m in policy.origins.ai_markers)
        self.signatures = ProvenanceSource(reader=request.reader, forge_keys=request.forge_keys, forge_history=True)
        self.landings: dict[str, AuditReview] = {}
        # At most LANDING_LIMIT (sha, its own review, list item, on a first-parent line), resolved together.
        # At most LANDING_LIMIT (sha, its own review, list item, on a first-parent line, its people: who may not
        # review it), resolved together.
        # (sha, own review, list item, committed onto a protected line, its people, commit time)
        self.pending: list[tuple[str, AuditReview, dict[str, object], bool, tuple[Identity, ...], int]] = []
        # Landing merges whose good signature is a reviewer's they name in `Reviewed-by:` (merge → (reviewer,
        # as written)): review of each commit brought in whose people the reviewer is none of.
        self.landing_signers: dict[str, tuple[Identity, str]] = {}
        self.resolved = 0
        # Protected ref → its tip as read before the walk, in the order of the policy's protected_refs (the
        # rank of the first pattern each matches: `main` before `release/*`), which the landing rule uses.
        remotes = _remotes(request.git) if any(ref.startswith("refs/remotes/") for ref in tips) else []
        self.rank = {ref: _rank(policy, ref, remotes) for ref in tips}
        self.protected = dict(sorted(tips.items(), key=lambda item: (self.rank[item[0]], item[0])))
        # The trunk: the branch HEAD names (on a server, the default branch) and, in a clone, the one origin/HEAD
        # names. Read from symbolic refs a push cannot set, not from protected_refs' order, in which a pusher
        # can create a branch (`master` beside `main`) that ranks above the one a landing is on (red team).
        # (Neither is asked when nothing is protected, origin/HEAD only when the ref exists: symbolic-ref answers
        # nothing otherwise.)
        self.trunk = {ref for ref in (request.git.current_branch() if tips else None,
                                      request.git.origin_head() if tips and _ORIGIN_HEAD in refs else None)
                      if ref in tips}
        # The first-parent lines of the protected tips, followed down the protected stream when it starts at
        # them: the next commit expected on each line. A commit on one was committed onto the branch itself,
        # not brought by a merge, so it needs no landing walk (one whole-history walk). git's order puts a
        # commit before its parents unless commit times are skewed; then a line is lost here, and its commits
        # are simply looked up by the walk (which finds the same: never the other way round, as only a commit
        # found as the first parent of one on the line is taken as on it).
        self.line: set[str] | None = set(self.tips) if from_tips else None
        self.direct: set[str] = set()  # this window's full-path commits found on a first-parent line
        self.plain_class = ruleset_for(DeviceClass.UNKNOWN, policy)
        self.zone_check: ZoneCheck | None = None
        if check_zones:
            # Only a policy with zones pays for the checks package (and what it imports) at start-up.
            from gatekeeper.checks import ZoneCheck

            self.zone_check = ZoneCheck()
        # The fast path: on when the caller takes PlainRecords and a commit without evidence gets the default
        # rules (with `undeclared: mobile` every such commit is a mobile one: zones and review lists need it
        # whole, so the full path runs).
        self.fast = emit_plain is not None and not self.plain_class[0]
        words = tuple(w for w in (*_WORDS, *policy.origins.trailer_aliases) if w)
        self.words = _evidence_words(words)
        # An ASCII message is lowered as bytes and searched without IGNORECASE, far cheaper than a
        # case-insensitive alternation and the same answer for ASCII words (a non-ASCII alias, e.g. one with a
        # Kelvin sign, can match ASCII text only under Unicode case folding: then every message takes `words`).
        self.ascii_words = (_literal_alternation([w.lower().encode() for w in words])
                            if all(w.isascii() for w in words) else None)
        # And the same words found in a whole window at once where Hyperscan is there (_WordMarks): built with the
        # first window that takes the fast path.
        self.word_list = [w.lower().encode() for w in words] if self.ascii_words is not None else None
        self.word_marks: _WordMarks | None = None
        self.people: dict[bytes, Person] = {}  # one Person per raw identity, for raw_parts
        # Every walked commit's stored object is looked into for a NUL byte beside the walk (git's records stop at
        # one: red81, red84); a window is written once the scan has passed it, so the walk keeps two windows.
        # (One scan per walk: started by its first records, spent by the flush that ends the walk.)
        self.nul: NulScan | None = None
        self.nul_off = False  # the scan failed once: not started again
        self.flushed = 0  # records of this scan's walk handed to flush so far (it answers in that order)
        self.objects: BlobReader | None = None  # one `git cat-file --batch` for stored messages (_stored_messages)
        self.objects_failed = False  # that cat-file stopped: not started again
        self.idents: dict[bytes, tuple[Person, bool | None]] = {}  # raw identity → (Person, clean: _ident)
        self.undeclared = policy.origins.undeclared
        # This window's notes and Agent Trace records, by commit, as one text (what _source_of reads besides the
        # commit: a device id or an agent cut short in the report may have been read from any of them).
        self.window_notes: Mapping[str, str] = {}
        self.elsewhere: Counter[str] = Counter()  # other repository names the log judged audited commits under

    def _evidence_sources(self, tips: Mapping[str, str], refs: Mapping[str, str]) -> None:
        """What the gate's engine reads origin evidence from besides the commit itself (engine._read_notes,
        _trace_files, the push-origin store): the origin, git-ai and Agent Trace notes refs; and the push-time
        origin a server recorded ($GIT_DIR/gatekeeper/push-origin). One that cannot be read is a note in the
        report (the audit reports, it does not fail), and the report is marked incomplete. (The records a commit
        adds to .agent-trace/traces.jsonl are named by the walk that reads the range: run_audit.)"""
        git = self.request.git
        present = {ref for ref in refs if ref.startswith("refs/notes/")}
        for ref, _limit in ORIGIN_NOTE_REFS:
            try:
                self.noted[ref] = git.notes_shas(ref) if ref in present else set()
            except BrokenNotes as exc:
                self.noted[ref] = set()
                self.summary.complete = False
                self.summary.notes.append(f"{ref} is not a notes ref ({exc.problem}): the origin evidence its notes "
                                          "would hold was not read (an administrator must repair or delete it)")
        try:
            self.recorded = self.push_records.commits()
        except GatekeeperError as exc:
            self.summary.complete = False
            self.summary.notes.append(f"the push-time origin records were not read: {exc.message}")

    def close(self) -> None:
        if self.objects is not None:
            self.objects.__exit__(None, None, None)
            self.objects = None
        if self.nul is not None:
            self.nul.close()
            self.nul = None

    def _nul_failed(self, why: str) -> None:
        if self.nul is not None:
            self.nul.close()
            self.nul = None
        self.nul_off = True
        self.summary.complete = False
        self.summary.notes.append(f"stored commits were not all looked into for NUL bytes ({why}): a commit whose "
                                  "message git reads only up to one may be missing from the ambiguous-identity list")

    def _nul_held(self, window: list[bytes], last: bool) -> set[str]:
        """The window's commits whose stored object holds a NUL byte (waits for the scan to pass the window).
        `last`: the window ends the walk (its scan is spent)."""
        nul = self.nul
        if nul is None:
            return set()
        self.flushed += len(window)
        try:
            found = nul.through(self.flushed, last=last)
        except (GitError, OSError, ValueError) as exc:
            # (What it named before it stopped is still reported; the note says the rest was not looked into.)
            found = nul.found
            self._nul_failed(exc.message if isinstance(exc, GitError) else f"{exc.__class__.__name__}: {exc}")
            return found & {_record_id(raw) for raw in window}
        if last:
            nul.close()
            self.nul = None
        if not found:
            return set()
        held = found & {_record_id(raw) for raw in window}
        found -= held  # (what later windows may still need stays: a batch of git's output can straddle two)
        return held

    def _stored_messages(self, commits: list[Commit]) -> list[Commit]:
        """The commits with their messages as the objects store them (what `%B` gives the gate: the bytes after
        the headers, up to a NUL), from one long-lived `git cat-file --batch` — for the few whose raw record lost
        trailing whitespace that may matter (_git_text_needed). A commit it cannot read keeps its record's."""
        if self.objects_failed:
            return commits
        if self.objects is None:
            self.objects = self.request.git.batch().__enter__()
        fixed: list[Commit] = []
        for commit in commits:
            try:
                kind, raw = self.objects.read(commit.sha, max_size=MAX_COMMIT_BYTES)
            except GitError as exc:
                # A cat-file that stopped is not asked again (red82): these keep their records' messages, and the
                # report says so.
                self.close()
                self.objects_failed = True
                self.summary.complete = False
                self.summary.notes.append(f"a commit's stored message could not be read again ({exc.message}): "
                                          "some trailers may be read as git's raw format prints them")
                return fixed + commits[len(fixed) :]
            cut = raw.find(b"\n\n") if kind == "commit" and raw is not None else -1
            if raw is None or cut < 0:
                fixed.append(commit)
                continue
            body = raw[cut + 2 :]
            message = body[: body.find(b"\0")] if b"\0" in body else body
            text = message.decode("utf-8", "replace")
            fixed.append(dataclasses.replace(commit, message=text, trailers=parse_trailers(text)))
        return fixed

    def finish(self) -> None:
        self.flush()
        self._resolve_pending()
        if self.elsewhere:
            # Not joined, but said: a renamed or moved repository keeps its old records under its old name.
            shown = sorted(self.elsewhere)
            self.summary.notes.append(
                f"the decision log also judged audited commits under {len(shown)} other repository name(s) "
                f"({', '.join(repr(n[:200]) for n in shown[:5])}{', …' if len(shown) > 5 else ''}): not joined "
                "(--log-repository NAME joins one, e.g. the name before a rename)")

    def add(self, batch: list[bytes], protected: bool) -> None:
        self.window.extend(batch)
        self.window_protected.extend([protected] * len(batch))
        nul = self.nul
        if nul is None and not self.nul_off and batch:
            try:
                nul = self.nul = self.request.git.nul_scan(max_size=MAX_COMMIT_BYTES)
            except OSError as exc:
                self._nul_failed(f"git cat-file could not start ({exc.strerror or exc})")
            self.flushed = len(batch) - len(self.window)  # (records held before it started were not sent to it)
        if nul is not None:
            # (A record begins with git's `commit <id>` line, after the newline git puts between records.)
            nul.send([raw[raw.find(b"commit ") + 7 : raw.find(b"\n", 8)] for raw in batch])
            if nul.error is not None:
                self._nul_failed(nul.error)
        # With the scan, the oldest window is written once a second one is read: by then the scan has passed it.
        # Commits of a megabyte each (a pusher's to make) are written sooner: the records held stay under
        # WINDOW_BYTES, whatever their count.
        self.window_bytes += sum(map(len, batch))
        hold = 2 * WINDOW if self.nul is not None else WINDOW
        while len(self.window) >= hold or (self.window_bytes > WINDOW_BYTES and self.window):
            self.flush(WINDOW if len(self.window) >= hold else max(1, len(self.window) // 2))

    def _ident(self, raw: bytes) -> tuple[Person, bool | None]:
        """The Person of a raw identity and whether it is clean: neither an agent nor a forge, so a commit by
        it may take the fast path; None when it holds another `<` or `>` (git and libgit2 read other people from
        it: red82), which raw_parts and identity_doubt read."""
        idents = self.idents
        if len(idents) > 100_000:
            idents.clear()
        person = person_of(raw)
        email = person.email.strip().lower()
        clean = None if raw.count(b"<") > 1 or raw.count(b">") > 1 else (
            match_identity(person.name, person.email, self.base_ctx.ai_identities) is None
            and (person.name.strip().lower(), email) != GITHUB_WEB_FLOW and email != GITLAB_COMMITTER)
        found = idents[raw] = (person, clean)
        return found

    def _plain(self, raw: bytes, protected: bool, skip: Mapping[str, object],
               mark: int | None = None) -> PlainRecord | RawParts | None:
        """The fast path's test, on the raw bytes: a PlainRecord only when no detector can find evidence in the
        commit and it shows no review — the record has only the headers every commit has (no signature, no
        mergetag, no encoding), no note, no decision or attestation to join (`skip`), author and committer
        neither an agent nor a forge, and no word in the message that any detector or the review reader keys
        on (searched anywhere, case-insensitively: a superset of the detectors' own anchored,
        trailer-block-bound matches). Not a judgment otherwise: a commit whose headers had that shape comes
        back as the parts `raw_parts` would read from it (read here once already), any other as None, and
        takes the full path. `mark`: what _WordMarks found in the record (None: not looked for, searched here)."""
        m = _PLAIN_HEAD.match(raw)
        if m is None:
            return None
        sha_b, parents, author_b, author_when, committer_b, when_b = m.groups()
        sha = sha_b.decode()  # hex digits: the pattern admits nothing else
        idents = self.idents
        author, clean = idents.get(author_b) or self._ident(author_b)
        committer, clean_committer = (author, clean) if committer_b == author_b else (
            idents.get(committer_b) or self._ident(committer_b))
        body = raw[m.end():]
        if clean is None or clean_committer is None:
            return None
        if (not (clean and clean_committer) or sha in self.described or sha in skip
                or (self.markers and any(m in body for m in self.markers))):
            return self._parts(sha, parents, author, author_when, committer, when_b, body)
        merge = parents.count(b"\n") > 1
        words = self.ascii_words
        message = None
        dco: bool | None = None if merge else False
        if words is not None and body.isascii():
            if mark is None:
                low = body.lower()
                if words.search(low) is not None:
                    return self._parts(sha, parents, author, author_when, committer, when_b, body)
                signoff = not merge and b"signed-off-by" in low
            elif mark & _WordMarks.WORD:
                return self._parts(sha, parents, author, author_when, committer, when_b, body)
            else:
                # (The mark may come from the headers: the body is looked into for the sign-off itself.)
                signoff = not merge and mark & _WordMarks.SIGN_OFF != 0 and b"signed-off-by" in (low := body.lower())
            if signoff:
                # (A last paragraph of `Signed-off-by: ` lines only reads the same whatever whitespace the record
                # lost: _simple_sign_off.)
                simple = _simple_sign_off(body, author.email)
                if simple is not None:
                    signoff = False
                    dco = simple
                elif (b"    signed-off-by:\n" in low or b" >8 ---" in low or b"\n    conflicts:\n" in low
                      or b"    (cherry picked from commit\n" in low or _folded_sign_off(low)):
                    # Otherwise the DCO bit, the only trailer judgment left here, may hang on a line whose trailing
                    # whitespace the record lost (_git_text_needed, whose lines these look for lower-cased, a
                    # superset; a record's every line ends in LF): the full way, which reads the stored message.
                    return self._parts(sha, parents, author, author_when, committer, when_b, body)
        else:
            message = _message(body)
            # re's case-insensitive search finds an ASCII word in a message where _WordMarks finds it in the bytes,
            # unless the message holds one of the four letters outside ASCII that match an ASCII one (the dotless i
            # and the dotted capital I match i, the long s s, the Kelvin sign k: tests/test_audit_fastpath.py checks
            # every code point): that search costs 60 us on a long message, and a fifth of git.git's messages are
            # not ASCII (the names in their sign-offs).
            found = None if mark is None or _ASCII_FOLDING.search(body) is not None else mark
            if ((self.words.search(message) is not None if found is None else found & _WordMarks.WORD)
                    or _git_text_needed(message)):
                return self._parts(sha, parents, author, author_when, committer, when_b, body, message)
            signoff = not merge and (_SIGN_OFF.search(message) is not None if found is None
                                     else found & _WordMarks.SIGN_OFF != 0)
        if signoff:
            dco = _signed_off(parse_trailers(message if message is not None else _message(body)), author.email)
        end = body.find(b"\n")
        subject = (body[:end] if end >= 0 else body)[4:].decode("utf-8", "replace").strip()
        # tuple.__new__ is a C call; the NamedTuple's own __new__ is a Python function around it.
        return _new_tuple(PlainRecord, (sha, int(when_b), merge, author, subject, protected, self.undeclared, dco,
                                        raw))

    @staticmethod
    def _parts(sha: str, parents: bytes, author: Person, author_when: bytes, committer: Person, when: bytes,
               body: bytes, message: str | None = None) -> RawParts:
        """What raw_parts reads from a record whose headers _PLAIN_HEAD matched (tests/test_audit_fastpath.py
        holds the two to the same answer on every record): the parent lines right after `tree`, identities up
        to the line's last `>`, the message unindented, and no signature (the pattern admits no other header)."""
        ids = tuple(line[7:].decode("ascii", "replace") for line in parents.split(b"\n") if line) if parents else ()
        return (sha, ids, author, int(author_when), committer, int(when),
                _message(body) if message is None else message, False)

    def flush(self, size: int | None = None) -> None:
        if size is None:
            window, self.window = self.window, []
            self.window_bytes = 0
            flags, self.window_protected = self.window_protected, []
        else:
            window, self.window = self.window[:size], self.window[size:]
            self.window_bytes = sum(map(len, self.window))
            flags, self.window_protected = self.window_protected[:size], self.window_protected[size:]
        if not window:
            return
        request = self.request
        git = request.git
        # The decision log and the attestation index are joined for the window's commits at once; a commit
        # either of them knows takes the full path.
        admissions: Mapping[str, list[Admission]] = {}
        facts: Mapping[str, AttestationFact] = {}
        if request.log is not None or request.attestations is not None:
            shas = [_record_id(raw) for raw in window]
            if request.log is not None:
                try:
                    names = request.log_repositories
                    logged = request.log.admissions(shas)
                    admissions = {sha: kept for sha, found in logged.items()
                                  if (kept := [a for a in found if a.repository in names])}
                    for found in logged.values():
                        self.elsewhere.update(a.repository for a in found if a.repository not in names)
                except LogError as exc:
                    self.summary.notes.append(f"the decision log could not be read, decisions are not joined: "
                                              f"{exc.message}")
                    request = dataclasses.replace(request, log=None)
                    self.request = request
            if request.attestations is not None:
                facts = request.attestations.lookup(shas)
        skip = {sha: True for sha, found in admissions.items() if found}
        skip.update(dict.fromkeys(facts, True))
        held = self._nul_held(window, last=size is None)
        skip.update(dict.fromkeys(held, True))
        # The window in order as runs of plain records, each run followed by the full-path commit after it
        # (the last run has none): runs[i] is written before commits[i].
        runs: list[list[PlainRecord]] = []
        run: list[PlainRecord] = []
        commits: list[Commit] = []
        commits_protected: list[bool] = []
        signed: list[Commit] = []
        encoded: list[int] = []  # indexes into commits of records that declare an encoding
        exact: list[int] = []  # and of those whose message is read again as stored (_git_text_needed)
        # Records whose headers the gate's identity_doubt could doubt (another header of a kind, or an encoding):
        # (index into commits, record).
        doubtful: list[tuple[int, bytes]] = []
        plain = self._plain if self.fast else None
        marks: Sequence[int | None] = [None] * len(window)
        if plain is not None and self.word_list is not None:
            if self.word_marks is None:
                self.word_marks = _WordMarks.of(self.word_list)
            if self.word_marks is not None:
                marks = self.word_marks.marks(window)
        people = self.people
        line = self.line
        self.direct = direct = set()
        for raw, protected, mark in zip(window, flags, marks, strict=True):
            record = plain(raw, protected, skip, mark) if plain is not None else None
            if isinstance(record, PlainRecord):
                run.append(record)
                if line is not None and protected and record.sha in line:
                    line.discard(record.sha)
                    # A plain record's headers were matched whole: its first parent line, if any, is the third.
                    # Read as raw_parts reads it: git leaves a parent line of a short object unchecked (red team:
                    # `parent \xc3\xa9` in a commit of a few dozen bytes), and what it holds is only a name here.
                    at = raw.find(b"\nparent ", 0, 240)
                    if at >= 0:
                        line.add(raw[at + 8 : raw.index(b"\n", at + 8)].decode("ascii", "replace"))
                continue
            parts = record if record is not None else raw_parts(raw, people)
            commit = commit_from_parts(parts)
            runs.append(run)
            run = []
            declared = False
            if record is None:
                # (A record the fast path matched has one header of each kind and no encoding: nothing to doubt.)
                declared = declares_encoding(raw)
                if declared:
                    encoded.append(len(commits))
                cut = raw.find(b"\n\n", 1)
                head = raw if cut < 0 else raw[:cut]
                if (declared or head.count(b"\nauthor ") > 1 or head.count(b"\ncommitter ") > 1
                        or _ODD_IDENT.search(head) is not None):
                    doubtful.append((len(commits), raw))
            if not declared and _git_text_needed(commit.message):
                exact.append(len(commits))
            commits.append(commit)
            commits_protected.append(protected)
            if parts[7]:
                signed.append(commit)
            if line is not None and protected and commit.sha in line:
                line.discard(commit.sha)
                direct.add(commit.sha)
                if commit.parents:
                    line.add(commit.parents[0])
        if encoded or exact:
            # Text in a declared encoding, as git decodes it for the gate (red71, red72: which header counts, which
            # names iconv knows, what an unknown one means are git's rules, not Python's codecs); a message whose
            # trailers may hang on the trailing whitespace git's raw format drops, as stored (red79).
            for at, fixed in zip(encoded, git.with_git_text([commits[i] for i in encoded]), strict=True):
                commits[at] = fixed
            for at, fixed in zip(exact, self._stored_messages([commits[i] for i in exact]), strict=True):
                commits[at] = fixed
            by_sha = {c.sha: c for c in commits}
            signed = [by_sha[c.sha] for c in signed]
        doubts: dict[str, str] = {}
        if doubtful:
            # git's own reading of those that declare an encoding (as the gate compares them).
            decoded = git.decoded_records([commits[at].sha for at in encoded])
            doubts = {commits[at].sha: reason for at, raw in doubtful
                      if (reason := identity_doubt(stored_object(raw), commits[at], decoded.get(commits[at].sha)))
                      is not None}
        # (The gate's identity_doubt says a NUL first, whatever else the object holds.)
        doubts.update(dict.fromkeys(held, NUL_DOUBT))
        audits: Iterator[CommitAudit] = iter(())
        if commits:
            sigs: Mapping[str, SignatureInfo] = {}
            devices: Mapping[str, DeviceFact] = {}
            if signed:
                result = self.signatures.verify(git, signed, request.policy, request.now)
                sigs, devices = result.signatures, result.devices
            audits = self._judged(commits, commits_protected, sigs, devices, admissions, facts, doubts)
        runs.append(run)
        emit, emit_plain = self.emit, self.emit_plain
        count, count_plains = self._count, self._count_plains
        for index, before in enumerate(runs):
            if before:
                count_plains(before)
                assert emit_plain is not None
                emit_plain(before)
            if index < len(commits):
                audit = next(audits)
                count(audit)
                emit(audit)

    def _judged(self, commits: list[Commit], protected: list[bool], sigs: Mapping[str, SignatureInfo],
                devices: Mapping[str, DeviceFact], admissions: Mapping[str, list[Admission]],
                facts: Mapping[str, AttestationFact], doubts: Mapping[str, str]) -> Iterator[CommitAudit]:
        """The window's full-path commits judged, in order, a part at a time: a part holds at most
        HEAVY_PER_PART commits with a git-ai or Agent Trace note or trace-file records (each read up to
        MAX_NOTE), so pushed notes of a megabyte each on every commit of a window cannot make the audit hold
        hundreds of megabytes. Each part's notes are read when its first commit is asked for, after the
        previous part was counted (the caller counts each audit before asking for the next)."""
        heavy = (self.noted[AI_NOTES_REF], self.noted[AGENT_TRACE_REF], self.traced)
        start = 0
        while start < len(commits):
            end, weight = start, 0
            while end < len(commits) and (weight < HEAVY_PER_PART or end == start):
                weight += any(commits[end].sha in found for found in heavy)
                end += 1
            part = commits[start:end]
            ctx = dataclasses.replace(self.base_ctx, signatures=sigs, devices=devices,
                                      **self._described_in(self.request.git, [c.sha for c in part]))
            full = [self._commit(c, p, ctx, sigs, admissions) for c, p in zip(part, protected[start:end], strict=True)]
            if self.check_zones:
                full = self._zones(full)
            if facts:
                full = [dataclasses.replace(a, attestation=facts[a.commit.sha], plain=False)
                        if a.commit.sha in facts else a for a in full]
            if doubts:
                full = [dataclasses.replace(a, ambiguous_identity=doubts[a.commit.sha], plain=False)
                        if a.commit.sha in doubts else a for a in full]
            yield from full
            start = end

    def _described_in(self, git: Git, shas: list[str]) -> dict[str, Any]:
        """The OriginContext fields the evidence sources give for a window's full-path commits; also sets
        window_notes."""
        texts: dict[str, list[str]] = {}
        fields: dict[str, Any] = {}
        for (ref, limit), name in zip(ORIGIN_NOTE_REFS, ("notes", "ai_notes", "trace_notes"), strict=True):
            noted = self.noted[ref]
            wanted = [sha for sha in shas if sha in noted]
            found: Mapping[str, str] = {}
            if wanted:
                try:
                    found = git.notes(wanted, ref, max_size=limit)
                except BrokenNotes:  # replaced since the walk began: what was asked is said missing
                    self.summary.complete = False
                    self.summary.notes.append(f"{ref} changed during the audit and could not be read")
            fields[name] = found
            for sha, text in found.items():
                texts.setdefault(sha, []).append(text)
        traced = [sha for sha in shas if sha in self.traced]
        fields["trace_files"] = trace_file_records(git, traced) if traced else {}
        for sha, text in fields["trace_files"].items():
            texts.setdefault(sha, []).append(text)
        recorded = [sha for sha in shas if sha in self.recorded]
        fields["recorded"] = {}
        if recorded:
            try:
                fields["recorded"] = self.push_records.lookup(recorded)
            except GatekeeperError as exc:
                self.summary.complete = False
                self.summary.notes.append(f"a push-time origin record was not read: {exc.message}")
        self.window_notes = {sha: "\n".join(parts) for sha, parts in texts.items()}
        return fields

    def _commit(self, commit: Commit, protected: bool, ctx: OriginContext, sigs: Mapping[str, SignatureInfo],
                admissions: Mapping[str, list[Admission]]) -> CommitAudit:
        policy = self.request.policy
        origin, _ = origin_pkg.detect(commit, ctx, self.mobile_classes)
        signature = sigs.get(commit.sha, _UNSIGNED)
        decided = tuple(admissions.get(commit.sha, ()))
        if not origin.evidence and signature is _UNSIGNED:
            # No origin evidence and no signature: if the trailers show no review either, everything but the
            # DCO bit is the same for every such commit, and the JSON record comes from a template.
            review = review_evidence(commit, origin, signature) if commit.trailers else _NO_REVIEW
            if review.kind == NO_REVIEW:
                mobile, _ruleset = self.plain_class
                return CommitAudit(commit, protected, origin, policy.origins.undeclared, mobile, signature,
                                   _NO_REVIEW, has_dco(commit), decisions=decided, plain=not decided)
        mobile, _ruleset = ruleset_for(origin.device, policy)
        effective = policy.origins.undeclared if origin.device is DeviceClass.UNKNOWN else origin.device
        agents = agents_of(origin) if origin.ai is not AIInvolvement.NONE else ()
        return CommitAudit(commit, protected, origin, effective, mobile, signature,
                           review_evidence(commit, origin, signature), has_dco(commit), agents, decisions=decided)

    def _zones(self, audits: list[CommitAudit]) -> list[CommitAudit]:
        # A PlainRecord is never mobile (the fast path is off when plain commits are), has no AI, no device.
        interesting = [a for a in audits
                       if a.mobile or a.origin.ai is not AIInvolvement.NONE or a.origin.managed is False]
        if not interesting:
            return audits
        git = self.request.git
        changes = git.changed_files(a.commit.sha for a in interesting)
        reports = [CommitReport(a.commit, a.origin, a.mobile, "mobile" if a.mobile else "default") for a in interesting]
        from gatekeeper.checks import CheckContext
        from gatekeeper.engine import merge_resolutions, zone_globs

        ctx = CheckContext(self.request.policy, reports, changes, (), "audit", self.request.now,
                           merge_resolutions=lambda shas: merge_resolutions(git, shas,
                                                                            zone_globs(self.request.policy)))
        found: dict[str, list[tuple[str, str]]] = {}
        assert self.zone_check is not None  # made whenever zones are checked
        for finding in self.zone_check.run(ctx):
            if finding.commit:
                found.setdefault(finding.commit, []).append((finding.path or "", finding.message))
        return [dataclasses.replace(a, zones=tuple(found[a.commit.sha]), plain=False)
                if a.commit.sha in found else a for a in audits]

    def _resolve_pending(self) -> None:
        """Unreviewed mobile/AI commits on a protected branch may have arrived through a reviewed merge. One
        walk of the protected tips finds how each reached every one of them (git.landings); a commit counts as
        reviewed "via merge" only when each of those landings is a merge with review evidence, or holds
        another landing of it that is: one unreviewed way onto a protected branch is enough to list it. So a
        merge made to look reviewed (its message and committer are the pusher's to write) on a new branch
        cannot cover the way the commit really came in, and a back-merge that brings a reviewed merge along
        does not undo its review."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        s = self.summary
        git = self.request.git
        asked = [sha for sha, _, _, direct, _, _ in pending if not direct]
        if asked:
            # The stream follows the protected first-parent lines only when it starts at the tips: otherwise
            # git's own walk of those lines says which candidates were committed onto a branch (unreviewed, no
            # landing walk in Python needed).
            on_line = git.on_first_parent_lines(asked, list(self.protected.values()))
            if on_line:
                pending = [(sha, kind, item, direct or sha in on_line, people, when)
                           for sha, kind, item, direct, people, when in pending]
                asked = [sha for sha in asked if sha not in on_line]
        traced = git.landings(asked, self.protected) if asked else {}
        if traced is None:
            s.notes.append(f"how {len(asked)} unreviewed mobile/AI commit(s) reached the protected branches could not "
                           "be traced (git could not walk the protected tips, or their histories are too tangled "
                           "to trace within the work budget): they are listed as unreviewed")
        landings = traced or {}
        points = sorted({landing.point for sha, found in landings.items() for landing in found
                         if landing.point != sha and landing.point not in self.landings})
        self._read_landings(points[: max(0, 10_000 - len(self.landings))])
        for sha, own, item, direct, people, when in pending:
            landed = None if direct else self._landed_reviewed(sha, landings.get(sha, ()), people)
            if landed is None:
                s.unreviewed.add(item)
                continue
            point, review = landed
            kind = f"{review.kind} (via merge)"
            # (Each commit's own record was written when the walk reached it, before this one walk of the protected
            # tips could say how it came in: this list is where a reader joins the two — red116.)
            s.via_merge.add({**item, "review": review.kind, "trust": review.trust or Trust.HEURISTIC.value,
                             "pr": review.pr, "via": point})
            s.reviews[own.kind] -= 1
            s.reviews[kind] += 1
            s.landed_reviewed[when // 86400] += 1  # (the per-period `reviewed` counts: Summary.finish)
            if own.trust is not None:
                s.review_trust[(own.kind, own.trust)] -= 1
            s.review_trust[(kind, review.trust or Trust.HEURISTIC.value)] += 1
            if review.trust != VERIFIED:
                s.unverified.add({**item, "review": review.kind, "trust": review.trust, "via": point})

    def _read_landings(self, points: list[str]) -> None:
        """The review evidence of the merges commits landed through, a window at a time (a merge can be large;
        only its review is kept). Their signatures are checked as the audited commits' are, so a pull-request
        merge the forge itself made is `verified` and one that only looks like it (committer and subject are
        the pusher's to write) `heuristic`; and a merge whose good signature is the reviewer's it names in
        `Reviewed-by:` is kept aside (landing_signers), for _landing_review to judge per commit brought in."""
        git, policy, now = self.request.git, self.request.policy, self.request.now
        for start in range(0, len(points), WINDOW):
            commits: list[Commit] = []
            signed: list[Commit] = []
            encoded: set[str] = set()
            exact: list[int] = []
            for batch in git.iter_raw_records(points[start : start + WINDOW], no_walk=True):
                for raw in batch:
                    parts = raw_parts(raw, self.people)
                    commit = commit_from_parts(parts)
                    commits.append(commit)
                    if parts[7]:
                        signed.append(commit)
                    if declares_encoding(raw):
                        encoded.add(commit.sha)
                    elif _git_text_needed(commit.message):
                        exact.append(len(commits) - 1)
            for at, found in zip(exact, self._stored_messages([commits[i] for i in exact]), strict=True):
                commits[at] = found
            if encoded:
                fixed = {c.sha: c for c in git.with_git_text([c for c in commits if c.sha in encoded])}
                commits = [fixed.get(c.sha, c) for c in commits]
            if encoded or exact:
                by_sha = {c.sha: c for c in commits}
                signed = [by_sha[c.sha] for c in signed]
            # Only signed merges are verified: a policy's trust files are read for them alone, as for the range.
            sigs = self.signatures.verify(git, signed, policy, now).signatures if signed else {}
            ctx = dataclasses.replace(self.base_ctx, signatures=sigs)
            for commit in commits:
                origin, _ = origin_pkg.detect(commit, ctx, self.mobile_classes)
                review = self.landings[commit.sha] = review_evidence(commit, origin, _UNSIGNED)
                signature = sigs.get(commit.sha)
                # The gate's rule for who a signature names (identity.signer_identity: good, and no forge's key).
                signer = signer_identity(signature) if review.kind == CLAIMED_REVIEWED_BY else None
                if signer is not None:
                    # A bot never counts as a reviewer (the gate: claim.reviewer.is_bot, red31).
                    named = next((v for v in review.reviewers if same_person(parse_identity(v), signer)
                                  and not parse_identity(v).is_bot and not signer.is_bot), None)
                    if named is not None:
                        self.landing_signers[commit.sha] = (signer, named)

    def _landing_review(self, point: str, people: tuple[Identity, ...]) -> AuditReview:
        """The review a landing merge gives a commit it brought in, whose people are `people`: its own evidence
        (a forge PR merge, a Gerrit change), or its `Reviewed-by: R` when the merge's good signature is R's and
        R is none of the commit's people — the gate's rule for a reviewer's signed merge (review/reviewed_by.py):
        a reviewer's signature vouches for the commits a merge brings in, except those the reviewer wrote,
        committed, co-authored or signed (red10: a pusher's own signed merge naming the pusher as reviewer of
        the pusher's own agent commit)."""
        review = self.landings.get(point, _NO_REVIEW)
        if review.kind == GERRIT:
            # The merge's Gerrit reviewers review what it brings in only where they are none of its people (red131).
            others = _not_by(review.reviewers, people)
            if others:
                return review if others == review.reviewers else dataclasses.replace(review, reviewers=others)
            review = _NO_REVIEW
        elif review.reviewed:
            return review
        signed = self.landing_signers.get(point)
        # Neither the signer nor the trailer's own spelling of the reviewer may be one of the commit's people (the
        # gate compares the trailer's identity; the signer's is compared too, the stricter answer).
        if signed is not None and not any(same_person(who, p) for who in (signed[0], parse_identity(signed[1]))
                                          for p in people):
            return AuditReview(VERIFIED_REVIEWED_BY, VERIFIED, reviewers=(signed[1],))
        return review

    def _landed_reviewed(self, sha: str, found: tuple[Landing, ...],
                         people: tuple[Identity, ...]) -> tuple[str, AuditReview] | None:
        """The review evidence of the first of `found` (sha's landings, one per protected tip) when every one
        of them is reviewed: the merge itself, or, on a branch other than the trunk, the trunk's landing that
        it holds (a release branch that merges main back brings main's reviewed PR merge along). Never a
        landing of another branch: a protected branch made at a reviewed-looking merge that an unreviewed
        landing happens to hold would otherwise cover it (red team: `release/evil`, then a new `master`).
        None when any landing is not reviewed; else the merge that holds the evidence, with it (the first one
        whose evidence is not verified, if any: the weakest way in is the one the report names)."""
        trunk = {landing.point for landing in found if landing.ref in self.trunk}
        chosen: tuple[str, AuditReview] | None = None
        for landing in found:
            if landing.point == sha:
                return None  # committed onto a protected branch itself, without review
            held = () if landing.ref in self.trunk else sorted(p for p in landing.holds if p != sha and p in trunk)
            review = next(((p, r) for p, r in ((p, self._landing_review(p, people)) for p in (landing.point, *held))
                           if r.reviewed), None)
            if review is None:
                return None
            if chosen is None or (chosen[1].trust == VERIFIED and review[1].trust != VERIFIED):
                chosen = review
        return chosen

    def _unreviewed_item(self, audit: CommitAudit) -> dict[str, object]:
        return {**_brief(audit), "class": audit.device_class.value, "ai": audit.origin.ai.value,
                "agents": [a.id for a in audit.agents], "review": audit.review.kind,
                "evidence": [e.source for e in audit.origin.evidence][:8]}

    def _count(self, audit: CommitAudit) -> None:
        # One tuple-keyed counter per commit instead of a dozen counters: expanded once, in Summary.finish().
        s = self.summary
        commit = audit.commit
        when = commit.commit_time
        if s.first_time is None or when < s.first_time:
            s.first_time = when
        if s.last_time is None or when > s.last_time:
            s.last_time = when
        review = audit.review
        s.combos[(audit.device_class, audit.origin.device, audit.origin.ai, audit.signature.status,
                  review.kind, review.trust, audit.dco, audit.mobile, commit.is_merge, when // 86400)] += 1
        if audit.attestation is not None:
            fact = audit.attestation
            s.attested["failed verification" if fact.verified is False else
                       "unreadable" if fact.level is None else f"level {fact.level}"] += 1
        if audit.decisions:
            for decision in {a.decision for a in audit.decisions}:
                s.decided[decision] += 1
        if audit.plain:
            if audit.protected:
                s.protected += 1
                s.protected_signatures[audit.signature.status.value] += 1
                if s.unsigned_protected.room():
                    s.unsigned_protected.add(_brief(audit))
                else:
                    s.unsigned_protected.total += 1
                if audit.mobile:  # `undeclared: mobile`: every commit without evidence counts as mobile
                    self._unreviewed(audit)
            return
        for e in audit.origin.evidence:
            s.evidence[e.source] += 1
        for value in (audit.origin.device_id or "", *(a.id for a in audit.agents)):
            if value.endswith("\u2026") and value not in s.sources and not s.sources_full:
                source = _source_of(audit.commit, value[:-1], self.window_notes.get(audit.commit.sha))
                if len(s.sources) >= SOURCES_CAP or s.sources_bytes + len(source) > SOURCES_BYTES:
                    s.sources_full = True
                    break
                s.sources[value] = source  # "" where nothing read holds its start: the report withholds it
                s.sources_bytes += len(source)
        # A device id is registered when the commit's good signature is a registered device's key and names it; a
        # trailer's id is only what the commit says (red116: a self-declared id was charted as a registered device).
        registered = audit.signature.device_id
        named = audit.origin.device_id or registered
        if named:
            s.devices[(named, named == registered)] += 1
        for agent in audit.agents:
            s.agents[agent.id] += 1
        if audit.ambiguous_identity is not None:
            s.ambiguous_identity.add({**_brief(audit), "protected": audit.protected,
                                      "reason": clip(audit.ambiguous_identity, LIST_TEXT)})
        for path, message in audit.zones:
            s.zone_violations.add({**_brief(audit), "path": clip(path, LIST_TEXT), "message": clip(message, LIST_TEXT)})
        if not audit.protected:
            return
        s.protected += 1
        status = audit.signature.status
        s.protected_signatures[status.value] += 1
        if status is SignatureStatus.UNSIGNED:
            if s.unsigned_protected.room():
                s.unsigned_protected.add(_brief(audit))
            else:
                s.unsigned_protected.total += 1
        elif status is SignatureStatus.REVOKED:
            s.revoked_protected.add({**_brief(audit), "signer": audit.signature.signer,
                                     "device_id": audit.signature.device_id})
        if audit.mobile or audit.origin.ai is not AIInvolvement.NONE:
            if not review.reviewed:
                self._unreviewed(audit)
            elif review.trust != VERIFIED:
                s.unverified.add({**self._unreviewed_item(audit), "trust": review.trust, "via": None})

    def _count_plains(self, records: list[PlainRecord]) -> None:
        """_count for a run of commits without evidence (what _count's `plain` branch does for a CommitAudit),
        kept in Summary.plain_combos until Summary.finish."""
        s = self.summary
        combos = s.plain_combos
        first = s.first_time
        last = s.last_time
        protected = 0
        listed = s.unsigned_protected
        room = listed.cap - len(listed.items)
        for record in records:
            when = record[1]
            if first is None or when < first:
                first = when
            if last is None or when > last:
                last = when
            combos[(record[6], record[7], record[2], when // 86400)] += 1
            if record[5]:
                protected += 1
                if room > 0:
                    room -= 1
                    listed.items.append(_brief_of(record[0], when, record[4], record[3], None))
        s.first_time, s.last_time = first, last
        if protected:
            s.protected += protected
            s.protected_signatures[_UNSIGNED_STATUS] += protected
            listed.total += protected

    def _unreviewed(self, audit: CommitAudit) -> None:
        """Held (at most LANDING_LIMIT, a few hundred bytes each) until one landing walk can tell which of them
        arrived through a reviewed merge; past the limit they are listed as they are."""
        if self.protected and self.resolved < LANDING_LIMIT:
            self.resolved += 1
            direct = audit.commit.sha in self.direct
            self.pending.append((audit.commit.sha, audit.review, self._unreviewed_item(audit), direct,
                                 tuple(commit_people(audit.commit, signature=audit.signature)),
                                 audit.commit.commit_time))
            if self.resolved == LANDING_LIMIT:
                self.summary.notes.append(f"the merges that brought unreviewed mobile/AI commits onto a protected "
                                          f"branch were looked up for the first {LANDING_LIMIT} only; later ones are "
                                          "judged by their own review evidence")
            return
        s = self.summary
        if s.unreviewed.room():
            s.unreviewed.add(self._unreviewed_item(audit))
        else:
            s.unreviewed.total += 1


_new_tuple = tuple.__new__
_ORIGIN_HEAD = "refs/remotes/origin/HEAD"
_UNSIGNED = SignatureInfo(SignatureStatus.UNSIGNED, detail="the commit has no signature")
_UNSIGNED_STATUS = SignatureStatus.UNSIGNED.value
_NO_REVIEW = AuditReview()
_PLAIN_ORIGIN = Origin()
# Every word a detector or the review reader keys on. Origin trailers (Origin-Device, -Device-Id, -Client);
# AI trailers and body lines (Assisted-by, Generated-by, Co-authored-by, the vendor markers, Entire-*,
# "Generated with" / "Generated by" footers, and the same with "Made", "Created", "Written", oh-my-opencode's
# "Ultraworked with"; the vendors' session links and Copilot Workspace's; a tool's title mark, TOOL_TITLES);
# Reviewed-by; GitLab's "See merge request". Searched anywhere, case-insensitively with the same engine and flags as
# origin.ai's body scan, so whatever those match, this matches.
_WORDS = ("origin-device", "origin-client", "assisted-by", "generated-by", "co-authored-by", "co-developed-by",
          "claude-session", "claude-generated-by", "copilot-session", "agent-logs-url", "made-with",
          "replit-commit-author", "replit-commit-session-id", "amp-thread-id", "entire-", "generated with",
          "generated by", "made with", "made by", "created with", "created by", "written with", "written by",
          "ultraworked with", "reviewed-by", "merge request", *(prefix for prefix, _ in SESSION_LINKS),
          WORKSPACE_SESSION, *(mark for mark, _ in TOOL_TITLES))
_SIGN_OFF = lazy("signed-off-by", re.IGNORECASE)
# The lines git's trailer parser reads differently with trailing whitespace (trailers.py: a scissors line counts
# only exact, an old `Conflicts:` block only from `Conflicts:` exactly, git's own lines only as `Signed-off-by: `
# and `(cherry picked from commit ` with their space, red81) — and `git log --pretty=raw`, which the audit
# reads, cuts trailing whitespace (spaces, tabs, the CR of CRLF) off every line of a message (red79). A message
# holding one of them as printed is read again as stored (`%B`): it may have been any of them with whitespace
# after it.
_WHITESPACE_SENSITIVE = ("# ------------------------ >8 ------------------------", "Conflicts:", "Signed-off-by:",
                         "(cherry picked from commit")
# A trailer folded onto a next line: git keeps a CR or spaces before the fold in the value (trailer.c
# unfold_value), which the raw format cut (libgit2's history: one CRLF message). Any trailer-like line followed by
# an indented one, wherever it is (red85: a comment paragraph after the trailers hid a last-paragraph test).
_TRAILER_LINE = lazy(r"[A-Za-z0-9-]+[ \t]*:")


def _git_text_needed(message: str) -> bool:
    return any(_has_line(message, line) for line in _WHITESPACE_SENSITIVE) or _folded_trailer(message)


def _folded_trailer(message: str) -> bool:
    """Whether a line shaped as a trailer (`token:`) is followed by an indented one in the paragraph git reads
    trailers from: the last one once the trailing blank and comment lines are left out (red85: a comment paragraph
    after the trailers; a scissors line or a `Conflicts:` block has the message read again anyway). str.find over
    the line breaks before an indent and an anchored match at the line before each: no pattern over the message."""
    end = len(message)
    while end > 0:
        start = message.rfind("\n", 0, end) + 1
        line = message[start:end]
        if line.strip(" \t\r") and not line.startswith("#"):
            break
        end = start - 1
    if end <= 0:
        return False
    blank = message.rfind("\n\n", 0, end)
    start = blank + 2 if blank >= 0 else 0
    for indent in ("\n ", "\n\t"):
        at = message.find(indent, start, end)
        while at >= 0:
            if _TRAILER_LINE.match(message, message.rfind("\n", 0, at) + 1) is not None:
                return True
            at = message.find(indent, at + 2, end)
    return False


def _folded_sign_off(low: bytes) -> bool:
    """Whether a sign-off line of a lower-cased record body is folded onto the next (an indented line after it:
    git keeps the CR or spaces before the fold in its value, red85)."""
    at = low.find(b"signed-off-by:")
    while at >= 0:
        end = low.find(b"\n", at)
        if end < 0:
            return False
        if low.startswith((b"\n     ", b"\n    \t"), end):
            return True
        at = low.find(b"signed-off-by:", end)
    return False


def _has_line(message: str, line: str) -> bool:
    """Whether `line` is a whole line of `message` (str.find, not a multi-line pattern: one anchored at every line
    start cost git/git's audit a tenth of its time)."""
    at = message.find(line)
    while at >= 0:
        end = at + len(line)
        if (at == 0 or message[at - 1] == "\n") and (end == len(message) or message[end] == "\n"):
            return True
        at = message.find(line, end)
    return False


# An author or committer line with more than one `<` or more than one `>` (git reads the e-mail up to the first
# `>`, the date after the last; libgit2 from the last `<` to the last `>`): identity_doubt judges it (red84: two
# `<` and no `>` slipped past a test for three of either).
_ODD_IDENT = lazy(rb"\n(?:author|committer) [^\n]*(?:<[^\n]*<|>[^\n]*>)")


def _literal_alternation(words: list[bytes]) -> re.Pattern[bytes]:
    """A pattern matching any of `words` (non-empty byte strings), grouped by first byte: `a(?:gent-…|ssisted-by)|…`.
    The same matches as a flat alternation, about a quarter cheaper to search for, as re tries each group only
    where its first byte is."""
    groups: dict[bytes, list[bytes]] = {}
    for word in sorted(set(words)):
        groups.setdefault(word[:1], []).append(word[1:])
    return re.compile(b"|".join(re.escape(first) + b"(?:" + b"|".join(re.escape(rest) for rest in tails) + b")"
                                for first, tails in groups.items()))


class _WordMarks:
    """Which raw records of a window hold an evidence word, and which `signed-off-by`, ASCII case-insensitively: one
    Hyperscan scan of the window's bytes joined, instead of lowering each record's message and searching it with `re`
    (an audit of git.git, whose messages are long, took a tenth less CPU). A word found anywhere in a record marks it
    — in its headers too, or begun at the end of the record before it: a superset of what the per-record search finds
    in the message, so at most a commit more takes the full path, which reads what a detector reads. `of` is None
    without Hyperscan (a platform without its wheel): each record is then searched on its own (_Runner._plain)."""

    WORD = 1
    SIGN_OFF = 2

    def __init__(self, hyperscan: Any, words: Sequence[bytes]) -> None:
        expressions = [re.escape(word) for word in (*words, b"signed-off-by")]
        database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        database.compile(expressions=expressions, ids=[self.WORD] * len(words) + [self.SIGN_OFF],
                         elements=len(expressions), flags=[hyperscan.HS_FLAG_CASELESS] * len(expressions))
        self._database = database

    @classmethod
    def of(cls, words: Sequence[bytes]) -> _WordMarks | None:
        try:
            import hyperscan
        except ImportError:  # pragma: no cover - platforms without a wheel
            return None
        return cls(hyperscan, words)

    def marks(self, window: list[bytes]) -> bytearray:
        """Per record of `window`, WORD | SIGN_OFF for what it holds."""
        marks = bytearray(len(window))
        ends = list(itertools.accumulate(map(len, window)))

        def found(kind: int, start: int, end: int, flags: int, context: object) -> None:
            # (`end` is past the match: its last byte is in the first record that ends after it.)
            marks[bisect.bisect_right(ends, end - 1)] |= kind

        self._database.scan(b"".join(window), match_event_handler=found)
        return marks


# The UTF-8 of the letters outside ASCII that re.IGNORECASE matches to ASCII ones: U+0130, U+0131, U+017F, U+212A.
_ASCII_FOLDING = lazy(b"\xc4[\xb0\xb1]|\xc5\xbf|\xe2\x84\xaa")


def _evidence_words(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


# A raw record with only the headers every commit has (a signature, a mergetag, an encoding or any other header
# makes it fail, and the commit takes the full path): sha, parents, author identity and time, committer
# identity and time. Identities and times are read as raw_parts reads them (the identity up to the line's last
# `>` before the time). The commit's own id, which the JSON template writes unescaped, is held to is_sha's rule
# in the pattern itself (a record whose id breaks it takes the full path, whose parser refuses it); the tree
# line git validated when it parsed the commit. Parent lines git leaves unchecked in a short object (red team
# red9-1): they are read as raw_parts reads them, "anything to the end of the line", a name to look for,
# never trusted.
# (An identity with another `<` or `>` is not clean (_Runner._ident): read the full way, where identity_doubt sees it.)
_PLAIN_HEAD = lazy(rb"\n*commit (" + OBJECT_ID_PATTERN.encode() + rb")\ntree [^\n]+\n((?:parent [^\n]+\n)*)"
                         rb"author ([^\n]*>) ([0-9]+) [+-][0-9]{4}\ncommitter ([^\n]*>) ([0-9]+) [+-][0-9]{4}\n"
                         rb"(?:\n|\Z)")


SOURCES_CAP = 2000
SOURCES_BYTES = 64 * 1024 * 1024
SOURCE_SPAN = 65536


def _source_of(commit: Commit, start: str, note: str | None = None) -> str:
    """What a device id or agent clipped to `start` was read from (Summary.sources). The detectors read those
    from trailers, body lines and the commit's origin note: every value of those whose whole value starts so
    (as written, or as shown), so that an earlier copy of the start cannot stand in for the real value (red18:
    a decoy start in the body, the token in the trailer 6 KB below; red20: the value in a note). Where none
    does (an odd spelling): every line of the message or note where the start occurs, from it to the line's
    end, and the message's two ends; "" where the start occurs in none of them (the report withholds it)."""
    noted = [value.strip() for line in (note or "").split("\n") for key, sep, value in (line.partition(":"),) if sep]
    values = (*(t.value.strip() for t in commit.trailers), *(line.value for line in body_lines(commit.message)),
              *noted)
    whole = [v for v in values if start and (v.startswith(start) or safe(v).startswith(start))]
    if whole:
        return "\n".join(whole)
    if not start or (start not in commit.message and start not in (note or "")):
        return ""
    message = commit.message + ("\n" + note if note else "")
    found: list[str] = []
    at = message.find(start) if start else -1
    while at >= 0:  # each line once: its first occurrence reaches to the line's end
        end = message.find("\n", at)
        found.append(message[at : end if end >= 0 else len(message)])
        at = message.find(start, end + 1) if end >= 0 else -1
    ends = message if len(message) <= 2 * SOURCE_SPAN else message[:SOURCE_SPAN] + "\n" + message[-SOURCE_SPAN:]
    return "\n".join([*found, ends])


def _record_id(raw: bytes) -> str:
    """A raw record's commit id, read to the end of its line (40 hex digits, or 64 with SHA-256)."""
    raw = raw.lstrip(b"\n")
    end = raw.find(b"\n")
    return raw[7 : end if end >= 0 else len(raw)].decode("ascii", "replace")


_SIGNED_OFF_LINE = b"    Signed-off-by: "  # as the raw record indents it
_SIGNED_OFF_AT_LINE_START = b"\n" + _SIGNED_OFF_LINE


def _simple_sign_off(body: bytes, author_email: str) -> bool | None:
    """has_dco for the common shape, read from an ASCII raw body without parsing trailers: the message ends
    with a paragraph of `Signed-off-by: ` lines only (git's own spelling), after a title it does not belong
    to, with no scissors line. Such a paragraph is the trailer block under git's rules (every line a
    git-generated trailer, the blank line before it ends the scan, nothing after it to ignore), so the
    answer is the same as `_signed_off(parse_trailers(message), …)`. None for any other shape: the caller
    parses the trailers."""
    cut = body.rfind(b"\n    \n")
    if cut < 0 or not body[:cut].strip(b" \t\r\n") or b" >8 " in body:
        return None
    block = body[cut + 6 :]
    if block.endswith(b"\n"):
        block = block[:-1]
    # Every line starts with the prefix when the prefix occurs at as many line starts as there are lines (it
    # holds no newline, so two occurrences cannot share a line); the usual block is one line.
    lines = block.count(b"\n") + 1
    if (b"\n" + block).count(_SIGNED_OFF_AT_LINE_START) != lines:
        return None
    email = author_email.strip().lower()
    if not email:
        return False
    if lines == 1:
        return _sign_off_email(block) == email
    return any(_sign_off_email(line) == email for line in block.split(b"\n"))


_SIGN_OFF_EMAILS: dict[bytes, str | None] = {}


def _sign_off_email(line: bytes) -> str | None:
    """The e-mail parse_ident reads from a raw `    Signed-off-by: ` line (the same few recur: kept)."""
    found = _SIGN_OFF_EMAILS.get(line, "")
    if found == "":
        ident = parse_ident(line[19:].decode().strip(" \t\r\n"))
        found = None if ident is None else ident[1]
        if len(_SIGN_OFF_EMAILS) < 100_000:
            _SIGN_OFF_EMAILS[line] = found
    return found


def _message(body: bytes) -> str:
    """A raw record's message (indented by four spaces) as raw_parts decodes it."""
    return (b"\n" + body).replace(b"\n    ", b"\n")[1:].decode("utf-8", "replace") if body else ""


_PERIODS: dict[int, tuple[str, str]] = {}


# A commit's time is whatever its committer wrote: one far outside the calendar (year 33658, or before year 1)
# is shown at the nearest end of it, and the summary counts such commits (Summary.finish).
_FIRST_TIME = int(dt.datetime(1, 1, 1, tzinfo=dt.UTC).timestamp())
_LAST_TIME = int(dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC).timestamp())


def _in_calendar(when: int) -> int:
    return _FIRST_TIME if when < _FIRST_TIME else _LAST_TIME if when > _LAST_TIME else when


def _periods(when: int) -> tuple[str, str]:
    when = _in_calendar(when)
    day = when // 86400
    found = _PERIODS.get(day)
    if found is None:
        date = dt.datetime.fromtimestamp(when, dt.UTC).date()
        iso = date.isocalendar()
        found = (f"{date.year:04d}-{date.month:02d}", f"{iso.year:04d}-W{iso.week:02d}")
        if len(_PERIODS) < 100_000:
            _PERIODS[day] = found
    return found


_DAYS: dict[int, str] = {}  # UTC day → "2026-01-31"
_CLOCKS: dict[int, str] = {}  # second of the day → "T12:00:00Z" (at most 86,400 entries)


def iso_time(when: int) -> str:
    """`2026-01-31T12:00:00Z`, from a cache of the date part per day and one of the clock part per second of
    the day (this runs for every commit). A time outside years 1-9999 is shown at the nearest end of them."""
    if _FIRST_TIME <= when <= _LAST_TIME:
        day, rest = divmod(when, 86400)
        date = _DAYS.get(day)
        clock = _CLOCKS.get(rest)
        if date is not None and clock is not None:
            return date + clock
    return _iso_time(when)


def _iso_time(when: int) -> str:
    day, rest = divmod(_in_calendar(when), 86400)
    date = _DAYS.get(day)
    if date is None:
        found = dt.datetime.fromtimestamp(day * 86400, dt.UTC)
        date = f"{found.year:04d}-{found.month:02d}-{found.day:02d}"  # strftime's %Y does not pad year 5
        if len(_DAYS) < 100_000:
            _DAYS[day] = date
    hours, minutes = divmod(rest, 3600)
    clock = _CLOCKS[rest] = f"T{hours:02d}:{minutes // 60:02d}:{minutes % 60:02d}Z"
    return date + clock


def _brief(audit: CommitAudit) -> dict[str, object]:
    commit = audit.commit
    return _brief_of(commit.sha, commit.commit_time, commit.subject, commit.author, audit.review.pr)


def _brief_of(sha: str, when: int, subject: str, author: Person, pr: int | None) -> dict[str, object]:
    return {"sha": sha, "time": iso_time(when), "subject": clip(subject, LIST_TEXT),
            "author": clip(str(author), LIST_TEXT), "pr": pr}


LOGGED_DECISIONS = frozenset({"allow", "warn", "block", "error"})  # what the gate's log entries decide


def decisions_over_time(store: Store, repositories: Iterable[str],
                        cap: int = 20) -> tuple[dict[str, Counter[str]], Counter[str], int, int]:
    """From the decision log's records of `repositories`: decisions per month, the rules that blocked most
    often, the record count, and how many of those records were not counted: a body that is not a JSON object,
    or one that does not say it is that repository's record (edited, or moved from another chain: red41)."""
    months: dict[str, Counter[str]] = {}
    rules: Counter[str] = Counter()
    total = unbelieved = 0
    for record in (r for name in sorted(set(repositories)) for r in store.records(name)):
        total += 1
        data = record.believable()
        if data is None:
            unbelieved += 1
            continue
        month = str(data.get("time", ""))[:7] or "unknown"
        # Each month's row has a column per decision the gate writes; any other name the log holds counts as
        # `other` (red44: a record deciding "period" overwrote the month of its row).
        decision = data.get("decision")
        # (A string: a list or an object there is no name at all, and cannot be looked up in a set — red137.)
        known = isinstance(decision, str) and decision in LOGGED_DECISIONS
        months.setdefault(month, Counter())[str(decision) if known else "other"] += 1
        blocking = data.get("blocking_rules")
        for rule in blocking if isinstance(blocking, list) else ():
            rules[str(rule)] += 1
    return months, Counter(dict(rules.most_common(cap))), total, unbelieved

