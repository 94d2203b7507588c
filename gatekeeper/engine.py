"""The engine: RefUpdates → new commits → origin → checks → findings → policy → Verdict.

One function, `evaluate`, used by every mode. What it runs comes in as parameters (`Services`):
scanners, the signature source and the review source, so modes pick profiles and tests pass
fakes. Anything that could not run becomes a finding; nothing is skipped silently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar, cast

from gatekeeper import catalogue
from gatekeeper import origin as origin_pkg
from gatekeeper.checks import CHECKS, Check, CheckContext, review_rule
from gatekeeper.config import Policy, glob_match
from gatekeeper.config import ruleset_for as ruleset_for  # re-exported: audit/history.py imports it from here
from gatekeeper.errors import GitError
from gatekeeper.git import (
    NOTES_REF,
    BrokenNotes,
    Git,
    RefTarget,
    TreeEntry,
    commit_from_parts,
    declares_encoding,
    is_zero,
    raw_parts,
)
from gatekeeper.git.diff import WIDE_MERGE_PARENTS
from gatekeeper.interfaces import LooseBlob, ReviewSource, ScanJob, Scanner, ScanResult, SignatureSource
from gatekeeper.models import (
    AIInvolvement,
    BypassClaim,
    Commit,
    CommitReport,
    DeviceClass,
    FileChange,
    Finding,
    RefKind,
    RefUpdate,
    ReviewInfo,
    ReviewStatus,
    ScannerStat,
    Severity,
    SignatureInfo,
    Stats,
    Verdict,
    display_path,
    is_sha,
)
from gatekeeper.origin.ai import AGENT_TRACE_REF, AI_NOTES_REF, ORIGIN_NOTE_REFS
from gatekeeper.origin.attribution import MAX_NOTE, record_strings, trace_file_records
from gatekeeper.origin.base import Detector, DeviceFact, ForgeInfo, OriginContext
from gatekeeper.origin.heuristics import forgeable_merge_claim
from gatekeeper.origin.recorded import PushOriginStore
from gatekeeper.policy import Outcome, decide
from gatekeeper.review.evidence import history_evidence
from gatekeeper.scan.ai_scope import AIScope

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Request:
    git: Git
    updates: tuple[RefUpdate, ...]
    policy: Policy
    mode: str = "local"
    pushed: bool = False  # pre-receive semantics: new commits are those no existing ref reaches
    range_description: str = ""
    push_options: tuple[str, ...] = ()
    forge: ForgeInfo | None = None
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    baseline: frozenset[str] = frozenset()
    deadline: float | None = None  # time.monotonic() budget end for cuttable work
    deferred_scanners: tuple[str, ...] = ()  # named in policy pre_receive.defer: left to CI, reported
    extra_findings: tuple[Finding, ...] = ()  # findings the mode established (a push through a symbolic ref)
    bypass: BypassClaim | None = None  # a break-glass claim (pre-receive: push options + pusher); decide judges it
    # The updates are ref moves a push made (the Action's push events), judged as pre-receive and pre-push
    # judge theirs: never a pull request's range, whose base is another branch's tip.
    moves_refs: bool = False


@dataclass(frozen=True, slots=True)
class Services:
    scanners: Mapping[str, Scanner] = field(default_factory=dict)
    signatures: SignatureSource | None = None
    review: ReviewSource | None = None
    detectors: Sequence[Detector] = origin_pkg.REGISTRY
    checks: Sequence[Check] = CHECKS
    push_records: PushOriginStore | None = None  # pre-receive: push-time origin the server kept
    # pre-receive: told the commits this push brings into the repository as soon as they are known, before anything
    # slow — it records their push-time origin then, so a push its watchdog accepts on timeout does not arrive
    # without it (red54). Not the commits already here that a protected ref reaches with the push: what a push
    # claims of those is recorded only once it is accepted (red57: a refused push planted records on them).
    on_commits: Callable[[Sequence[Commit], Sequence[Commit]], None] | None = None  # (new, already here)
    # The secrets scanner as a redactor only, for a run whose scanners leave it out (the hook's
    # pre_receive.scanners): a token in a ref's name or a subject is never shown, whatever the policy scans.
    redactor: Scanner | None = None
    # The Action: which of these commits, whose message claims a GitHub pull-request merge a browser editor could
    # have written (heuristics.forgeable_merge_claim), GitHub knows no merged pull request for. Asked only where it
    # changes the rules: when web edits get the mobile rules.
    merge_claims: Callable[[Sequence[Commit]], frozenset[str]] | None = None


def collect_commits(request: Request) -> tuple[list[Commit], dict[str, tuple[str, ...]], int]:
    """The commits to judge (each once, oldest first), the refs each arrives under, and how many of the first
    commits were already in the repository (pre-receive: they reach a protected ref with the push).

    Outside pre-receive that is `old..new` of each update. In pre-receive (`pushed`) it is what no
    existing ref reaches (`rev-list NEW --not --all`) — plus, for a protected ref, every commit that
    reaches it with this push: `new ^old` for a branch update; for a created protected ref and for every
    protected tag (annotated or lightweight, created or moved), what no other protected ref reaches. A
    mobile commit pushed first to an unprotected branch and then fast-forwarded to main, or tagged
    `v1.0`, must still meet that ref's review rule.
    """
    git = request.git
    live = [u for u in request.updates if u.kind is not RefKind.DELETE and not is_zero(u.new)]
    if not live:
        return [], {}, 0
    include = list(dict.fromkeys(u.new for u in live))
    reaching: dict[str, set[str]] = {}
    if request.pushed:
        fresh = git.commits(include, exclude_all=True)
        known = {c.sha for c in fresh}
        earlier: list[Commit] = []
        protected: list[RefTarget] | None = None
        for update in live:
            if not request.policy.is_protected(update.ref):
                continue
            if update.kind is RefKind.TAG or is_zero(update.old) or update.ref.startswith("refs/tags/"):
                if protected is None:
                    # Refs that name a blob or a tree hold no commits (and rev-list refuses them).
                    protected = [t for t in git.ref_targets(request.policy.is_protected)
                                 if t.reaches_commit]
                others = [t.sha for t in protected if t.name != update.ref]
                arriving = git.rev_list([update.new], others, oldest_first=True)
            else:
                arriving = git.rev_list([update.new], [update.old], oldest_first=True)
            reaching[update.ref] = set(arriving)
            # Only the commits not already read are parsed (usually none: a plain push brings them all).
            missing = [sha for sha in arriving if sha not in known]
            if missing:
                earlier.extend(git.iter_log(missing, no_walk=True))
                known.update(missing)
        # Commits already in the repository are older than the ones this push brings.
        commits, present = earlier + fresh, len(earlier)
    else:
        exclude = list(dict.fromkeys(u.old for u in live if not is_zero(u.old)))
        commits, present = git.commits(include, exclude), 0
    refs: dict[str, list[str]] = {c.sha: [] for c in commits}
    if len(live) == 1:
        for sha in refs:
            refs[sha].append(live[0].ref)
    else:
        for update in live:
            members = set(git.new_commit_ids(update, pushed=request.pushed)) | reaching.get(update.ref, set())
            for sha in members:
                if sha in refs:
                    refs[sha].append(update.ref)
    return commits, {sha: tuple(r) for sha, r in refs.items()}, present


BAD_NOTES_FIX = ("push only notes commits made by `git notes` (a tree of notes named by the ids they annotate); "
                 "an administrator repairs a broken one with `git update-ref -d <ref>` on the server")


def _read_notes(request: Request, commits: Sequence[Commit], refs: Mapping[str, tuple[str, ...]],
                findings: list[Finding], quoted: list[str]) -> dict[str, dict[str, str]]:
    """The notes gatekeeper reads (origin, git-ai, Agent Trace) for the judged commits, by notes ref.

    Every notes ref a push moves must be a well-formed notes commit, or the update is refused
    (`policy/bad-notes-ref`): stored, it would make every later push unreadable. A notes ref that is
    already broken does not stop unrelated pushes: it is reported, and blocks only where its evidence
    matters — when commits reach a protected ref — unless this push repairs or deletes it. Notes pushed
    together with the commits they tag are read from the pushed notes commit (inside pre-receive the
    ref has not moved yet). `quoted` gets the whole tree path a finding quotes cut, for the redaction.
    """
    git = request.git
    pushed = {u.ref: u for u in request.updates if u.ref.startswith("refs/notes/")}
    repaired: set[str] = set()
    for ref, update in pushed.items():
        if update.kind is RefKind.DELETE or is_zero(update.new):
            repaired.add(ref)
            continue
        _, problem, path = git.notes_index(update.new)
        if problem is None:
            repaired.add(ref)
            continue
        if path is not None:
            quoted.append(path)
        findings.append(catalogue.rule("policy/bad-notes-ref").finding(
            f"{ref} pushed as {update.new[:12]}: {problem}", enforced=True,
            fix=BAD_NOTES_FIX).with_fingerprint(ref, update.new, problem))
    findings.extend(_declared_after_landing(request, {c.sha for c in commits}, pushed, repaired))
    shas = [c.sha for c in commits]
    matters = any(request.policy.is_protected(ref) for names in refs.values() for ref in names)
    result: dict[str, dict[str, str]] = {}
    for ref, limit in ORIGIN_NOTE_REFS:
        found: dict[str, str] = {}
        if shas:
            try:
                found = git.notes(shas, ref, max_size=limit)
            except BrokenNotes as exc:
                if exc.path is not None:
                    quoted.append(exc.path)
                if ref not in repaired:
                    where = "commits reach a protected ref: their origin evidence cannot be read" if matters else (
                        "no protected ref is involved")
                    findings.append(catalogue.rule("policy/bad-notes-ref").finding(
                        f"{ref} on the server is not a notes ref ({exc.problem}); {where}",
                        severity=Severity.HIGH if matters else Severity.MEDIUM, enforced=matters,
                        fix=BAD_NOTES_FIX).with_fingerprint(ref, exc.tip, exc.problem))
            tip = pushed[ref].new if ref in pushed else None
            if tip is not None and ref in repaired and not is_zero(tip):
                found = {**found, **git.notes_at(tip, shas, max_size=limit)}
        result[ref] = found
    return result


LATE_NOTES = 200  # commits a pushed notes ref may newly describe that are read (past it: one finding says so)


def _declared_after_landing(request: Request, judged: set[str], pushed: Mapping[str, RefUpdate],
                            valid: set[str]) -> list[Finding]:
    """`origin/declared-after-landing`: a notes ref this push moves (origin, git-ai, Agent Trace) that adds or
    changes the note of a commit already in the repository, not judged now, so that the commit now reads as
    mobile or AI-involved. It was judged without that declaration; the push is not refused (the note is a
    record worth keeping), but it is not silent either (red team red22)."""
    git = request.git
    policy = request.policy
    found: list[Finding] = []
    for ref, update in pushed.items():
        if ref not in (NOTES_REF, AI_NOTES_REF, AGENT_TRACE_REF) or ref not in valid or is_zero(update.new):
            continue
        new_index, problem, _ = git.notes_index(update.new)
        if problem is not None:
            continue
        old_index = {} if is_zero(update.old) else git.notes_index(update.old)[0]
        changed = [sha for sha, blob in new_index.items() if old_index.get(sha) != blob and sha not in judged]
        kinds = git.object_types(changed) if changed else {}  # one batch-check: notes on blobs are no cover
        commits_described = [sha for sha in changed if kinds.get(sha) == "commit"]
        described = commits_described[:LATE_NOTES]
        if len(commits_described) > LATE_NOTES:
            found.append(catalogue.rule("origin/declared-after-landing").finding(
                f"{ref} pushed as {update.new[:12]} adds or changes the notes of {len(commits_described)} commits "
                f"already in the repository; the first {LATE_NOTES} were read, the others were not",
                enforced=False, fix="push notes together with the commits they describe",
            ).with_fingerprint(ref, update.new, "too-many"))
        if not described:
            continue
        texts = git.notes_at(update.new, described, max_size=MAX_NOTE)
        notes: dict[str, Mapping[str, str]] = {NOTES_REF: {}, AI_NOTES_REF: {}, AGENT_TRACE_REF: {}, ref: texts}
        ctx = OriginContext(aliases=dict(policy.origins.aliases), trailer_aliases=policy.origins.trailer_aliases,
                            ai_identities=policy.origins.ai_identities, ai_markers=policy.origins.ai_markers,
                            notes=notes[NOTES_REF],
                            ai_notes=notes[AI_NOTES_REF], trace_notes=notes[AGENT_TRACE_REF])
        for batch in git.iter_raw_records(described, no_walk=True):
            for raw in batch:
                commit = commit_from_parts(raw_parts(raw, {}))
                if declares_encoding(raw):  # its text as git decodes it for the rest of the gate (red72)
                    commit = git.with_git_text([commit])[0]
                origin, _ = origin_pkg.detect(commit, ctx, policy.origins.mobile_classes)
                mobile = origin.device in policy.origins.mobile_classes
                if not mobile and origin.ai is AIInvolvement.NONE:
                    continue
                what = " and ".join(x for x in (origin.device.value if mobile else "",
                                                f"AI-{origin.ai.value}" if origin.ai is not AIInvolvement.NONE else "")
                                    if x)
                found.append(catalogue.rule("origin/declared-after-landing").finding(
                    f"{ref} pushed as {update.new[:12]} declares {commit.sha[:12]} {what}; it is already in the "
                    "repository and was judged without that declaration", commit=commit.sha, enforced=False,
                    fix=f"review {commit.sha[:12]} under the {what} rules and push notes with their commits",
                ).with_fingerprint(ref, commit.sha, what))
    return found


def loose_content(request: Request) -> tuple[list[LooseBlob], list[Finding]]:
    """What a push makes reachable outside any commit, and the refusal of it on protected refs.

    A ref (any ref: tags, `refs/backup/*`, …) may name a blob or a tree, directly or through annotated
    tags; no commit walk ever reaches that content, so it is listed here for the scanners (every blob
    of such a tree; gitlinks have no content). On a protected ref such content is refused outright
    (`policy/ref-target`): protected history is made of commits, which are what review and provenance
    judge. Only in pre-receive: a local or PR range is commits by construction.
    """
    if not request.pushed:
        return [], []
    live = [u for u in request.updates if u.kind is not RefKind.DELETE and not is_zero(u.new)]
    peeled = request.git.peel(u.new for u in live) if live else {}
    blobs: list[LooseBlob] = []
    findings: list[Finding] = []
    trees: dict[str, list[TreeEntry]] = {}
    for update in live:
        kind, target = peeled.get(update.new, ("missing", update.new))
        if kind not in ("blob", "tree"):
            continue
        if request.policy.is_protected(update.ref):
            findings.append(catalogue.rule("policy/ref-target").finding(
                f"{update.ref} would name a {kind} ({target[:12]}), not a commit: protected refs hold reviewed "
                "history", enforced=True, fix="point protected refs (release tags included) at commits; keep other "
                "objects under an unprotected ref").with_fingerprint(update.ref, target))
        if kind == "blob":
            blobs.append(LooseBlob(update.ref, "", target))
        else:
            if target not in trees:
                trees[target] = request.git.tree_blobs(target)
                # A hand-made tree git reads two ways (red160's shapes) is as misleading here as in a commit: the
                # `.gitattributes` git's lookup reads is not the one `git archive` or a checkout of it writes (red161).
                findings.extend(catalogue.rule("scan/unreadable").finding(
                    f"{update.ref} names a tree ({target[:12]}) made by hand that {_MISREAD[problem]}: what a "
                    "checkout of it writes was not what was judged", path=display_path(raw), severity=Severity.HIGH,
                    enforced=True, fix="write trees with git itself; on the server, set receive.fsckObjects=true",
                ).with_fingerprint(update.ref, target, problem, display_path(raw))
                    for raw, problem in request.git.misread_tree(target) if problem != "empty")  # (its name: scanned)
            # Directories and gitlinks are names only (no content to read here): a key as one's name leaks like a
            # file's (red163: nothing beneath an empty directory or a gitlink named it).
            blobs.extend(LooseBlob(update.ref, e.path, e.sha if e.type == "blob" else "", target, e.raw)
                         for e in trees[target])
    return blobs, findings


def evaluate(request: Request, services: Services) -> Verdict:
    started = time.monotonic()
    policy = request.policy
    git = request.git
    commits, refs, present = collect_commits(request)
    if services.on_commits is not None:
        services.on_commits(commits[present:], commits[:present])
    findings: list[Finding] = list(request.extra_findings)

    quoted: list[str] = []  # what findings quote cut from hostile data, whole: read by the redaction
    notes_by_ref = _read_notes(request, commits, refs, findings, quoted)
    notes, ai_notes, trace_notes = (notes_by_ref[NOTES_REF], notes_by_ref[AI_NOTES_REF],
                                    notes_by_ref[AGENT_TRACE_REF])
    trace_files = _trace_files(git, request, commits)

    # Provenance first: a registered device key is the strongest origin signal.
    signatures: Mapping[str, SignatureInfo] = {}
    devices: Mapping[str, DeviceFact] = {}
    if services.signatures is not None and commits:
        result = services.signatures.verify(git, commits, policy, request.now)
        signatures, devices = result.signatures, result.devices
        findings.extend(result.findings)
    elif any(rs.require_signature or rs.require_registered_device for rs in policy.rules) and commits:
        findings.append(catalogue.rule("tool/provenance-unavailable").finding(
                                "the policy requires signatures but no signature verification is configured",
                                fix="configure allowed_signers/devices in the policy").with_fingerprint("provenance"))

    unconfirmed: frozenset[str] = frozenset()
    if services.merge_claims is not None and DeviceClass.WEB in policy.origins.mobile_classes:
        claims = [c for c in commits if forgeable_merge_claim(c) is not None]
        unconfirmed = services.merge_claims(claims) if claims else frozenset()
    ctx = OriginContext(
        unconfirmed_merges=unconfirmed,
        aliases=dict(policy.origins.aliases),
        trailer_aliases=policy.origins.trailer_aliases,
        ai_identities=policy.origins.ai_identities,
        ai_markers=policy.origins.ai_markers,
        notes=notes,
        ai_notes=ai_notes,
        trace_notes=trace_notes,
        trace_files=trace_files,
        push_options=request.push_options,
        forge=request.forge,
        signatures=signatures,
        devices=devices,
        recorded=services.push_records.lookup(c.sha for c in commits) if services.push_records and commits else {},
    )
    reports: list[CommitReport] = []
    for commit in commits:
        origin, origin_findings = origin_pkg.detect(commit, ctx, policy.origins.mobile_classes, services.detectors)
        findings.extend(origin_findings)
        mobile, ruleset = ruleset_for(origin.device, policy)
        reports.append(CommitReport(commit=commit, origin=origin, mobile=mobile, ruleset=ruleset,
                                    signature=signatures.get(commit.sha, SignatureInfo()),
                                    refs=refs.get(commit.sha, ())))

    # Changed paths are needed by zones and scanners; one diff-tree process for all commits.
    needs_changes = bool(policy.zones) or any(policy.ruleset(r.ruleset).scanners for r in reports) or (
        policy.ai.scan is not None and any(r.origin.ai is not AIInvolvement.NONE for r in reports))
    changes: Mapping[str, tuple[FileChange, ...]] = {}
    unreadable_trees: list[str] = []
    if commits and needs_changes:
        changes, unreadable_trees = _changed_files(git, commits)
        findings.extend(_misread_trees(request, commits, unreadable_trees, _holds_secret(services)))
    # Objects a partial clone or a damaged repository lacks: named per commit, left out of the scan, and
    # the rest of the range is judged as usual (one missing blob used to abort the whole run). A partial
    # clone is checked up front; elsewhere only once a scanner could not read something (a damaged
    # repository is rare, and the check walks whole trees).
    view = _ScanView(request, commits, changes, unreadable_trees)
    if unreadable_trees or (changes and git.is_partial_clone()):
        findings.extend(view.exclude_missing())

    resolutions = _Resolutions(git, zone_globs(policy))  # each merge re-merged at most once, for zones and review
    check_ctx = CheckContext(policy, reports, changes, request.updates, request.mode, request.now,
                             ref_exists=git.ref_exists if request.pushed else _upstream_ref_exists(git),
                             ref_names=lambda: git.refs().keys(), on_first_parent_line=git.first_parent_holds,
                             moves_refs=request.moves_refs, merge_resolutions=resolutions)
    for check in services.checks:
        findings.extend(check.run(check_ctx))

    reports, review_findings = _review(request, services, reports, changes, resolutions)
    findings.extend(review_findings)

    scannable = [r for r in reports if r.commit.sha not in unreadable_trees]
    loose, loose_findings = loose_content(request)
    findings.extend(loose_findings)
    ai_scope = AIScope(policy, scannable, view.changes) if policy.ai.scan is not None else None
    scan_findings, scanner_stats, files_scanned = _scan(request, services, commits, scannable, view, loose,
                                                        ai_scope)
    findings.extend(scan_findings)

    outcome = decide(findings, reports, policy, today=request.now.date(), baseline=request.baseline,
                     bypass=request.bypass)
    # What the origin fields were read from, whole (a device id, a class or an agent's tool or model is clipped
    # in the model, cutting a token the detector then cannot recognise): push options, origin notes, git-ai and
    # Agent Trace notes and the Agent Trace records the commits add are read with the commits' data.
    records = (*ai_notes.values(), *trace_notes.values(), *trace_files.values())
    sources = (*request.push_options, *notes.values(), *records, *quoted,
               *(value for record in records for value in record_strings(record)))
    updates, described, outcome, reports = _redact_names(services, request, outcome, reports, sources)
    stats = Stats(
        commits=len(commits),
        files_scanned=files_scanned,
        duration_ms=int((time.monotonic() - started) * 1000),
        scanners=tuple(sorted(_redact_stats(services, scanner_stats).items())),
    )
    return Verdict(
        decision=outcome.decision,
        updates=updates,
        commits=tuple(reports),
        findings=outcome.findings,
        suppressed=outcome.suppressed,
        stats=stats,
        mode=request.mode,
        range_description=described,
        policy_source=policy.source,
    )


def _redact_names(services: Services, request: Request, outcome: Outcome, reports: list[CommitReport],
                  sources: Sequence[str] = ()) -> tuple[tuple[RefUpdate, ...], str, Outcome, list[CommitReport]]:
    """A key in a file's or a ref's name is shown redacted wherever the verdict names it — every finding's
    path and message (semgrep's, bandit's and the checks' included, not only the secrets scanner's own), the
    ref updates, the refs each commit goes to, and the range — so no renderer, the decision log or a pusher's
    terminal prints it. Done after the decision: ignore globs and baselines match the names as pushed."""
    secrets = services.scanners.get("secrets") or services.redactor
    redact_named = getattr(secrets, "redact_named", None)
    redact_text = getattr(secrets, "redact_text", None)
    redact_paths = getattr(secrets, "redact_paths", None)
    updates, described = tuple(request.updates), request.range_description
    if redact_named is None or redact_text is None:
        return updates, described, outcome, reports
    if redact_paths is not None:
        # Every ref's name is read here, whatever the scan read (a deleted ref's is not scanned as content, and
        # a policy can turn the scanner off): what is found joins the names redacted below, in findings'
        # messages (policy/ref-deletion) as everywhere else.
        redact_paths([u.ref for u in updates])
    redact_strings = getattr(secrets, "redact_strings", None)
    if redact_strings is not None:
        # The commits' own data — subject, author, trailer values, device id, evidence — is shown by every
        # renderer and kept by the logs: a token pasted into a subject or an Origin-Device-Id must not come
        # back out of the gate that refused it (red team). Read once for all commits, then replaced wherever
        # the verdict holds it, findings' messages included.
        findings_text = [*outcome.findings, *(s.finding for s in outcome.suppressed)]
        texts: set[str] = {t for f in findings_text for t in (f.message, f.fix) if t}
        texts.update(sources)
        for report in reports:
            texts.update(_strings_of(report))
        if redact_strings(texts):  # almost never: only then is the commits' data read again and rebuilt
            reports = [_map_strings(r, redact_text) for r in reports]
    findings = tuple(redact_named(list(outcome.findings)))
    hidden = redact_named([s.finding for s in outcome.suppressed])
    suppressed = tuple(s if s.finding is f else dataclasses.replace(s, finding=f)
                       for s, f in zip(outcome.suppressed, hidden, strict=True))
    updates = tuple(u if redact_text(u.ref) == u.ref else dataclasses.replace(u, ref=redact_text(u.ref))
                    for u in updates)
    # A commit's refs are the names it was pushed under (the JSON verdict's commits[].refs, kept in the logs).
    reports = [r if all(redact_text(ref) == ref for ref in r.refs)
               else dataclasses.replace(r, refs=tuple(redact_text(ref) for ref in r.refs)) for r in reports]
    if redact_paths is not None:
        reports = [_redact_ai_paths(r, redact_paths) for r in reports]
    return (updates, redact_text(described), dataclasses.replace(outcome, findings=findings, suppressed=suppressed),
            reports)


_INIT_FIELDS: dict[type, tuple[str, ...]] = {}


def _init_fields(value: object) -> tuple[str, ...]:
    kind = type(value)
    names = _INIT_FIELDS.get(kind)
    if names is None:
        names = _INIT_FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value) if f.init)  # type: ignore[arg-type]
    return names


def _strings_of(value: object) -> Iterator[str]:
    """Every string a verdict's value holds (dataclasses, tuples, sets, mappings), object ids left out."""
    if isinstance(value, str):
        if not isinstance(value, Enum) and not is_sha(value):
            yield value
    elif isinstance(value, (tuple, list, frozenset, set)):
        for item in value:
            yield from _strings_of(item)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings_of(key)
            yield from _strings_of(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for name in _init_fields(value):
            yield from _strings_of(getattr(value, name))


def _map_strings(value: _T, fn: Callable[[str], str]) -> _T:
    """`value` with `fn` applied to every string it holds (object ids left as they are); the same object
    where nothing changed."""
    new: Any = value
    if isinstance(value, Enum) or value is None or isinstance(value, (bool, int, float, bytes)):
        return value
    if isinstance(value, str):
        new = value if is_sha(value) else fn(value)
    elif isinstance(value, (tuple, list, frozenset, set)):
        items = [_map_strings(item, fn) for item in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            new = type(value)(items)
    elif isinstance(value, Mapping):
        pairs = [(_map_strings(k, fn), _map_strings(v, fn)) for k, v in value.items()]
        if any(a is not k or b is not v for (a, b), (k, v) in zip(pairs, value.items(), strict=True)):
            new = dict(pairs)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for name in _init_fields(value):
            old = getattr(value, name)
            mapped = _map_strings(old, fn)
            if mapped is not old:
                changes[name] = mapped
        if changes:
            new = dataclasses.replace(value, **changes)
    return cast(_T, new)


def _redact_stats(services: Services, stats: dict[str, ScannerStat]) -> dict[str, ScannerStat]:
    """A scanner that fails may say what it was reading: every scanner's `error` and `detail` (the JSON verdict
    and the logs keep them) are read for keys like a file's name is, whatever the scanner did with its own
    output, and shown with them redacted."""
    redact_paths = getattr(services.scanners.get("secrets") or services.redactor, "redact_paths", None)
    if redact_paths is None:
        return stats
    texts = sorted({t for stat in stats.values() for t in (stat.error, stat.detail) if t})
    if not texts:
        return stats
    shown = dict(zip(texts, redact_paths(texts), strict=True))
    return {name: dataclasses.replace(stat, error=shown.get(stat.error or "", stat.error),
                                      detail=shown.get(stat.detail or "", stat.detail))
            for name, stat in stats.items()}


def _redact_ai_paths(report: CommitReport, redact_paths: Callable[[Sequence[str]], list[str]]) -> CommitReport:
    """The paths an agent wrote (origin.ai_paths, each evidence's ai_lines), as Agent Trace or git-ai records
    name them: shown in the JSON verdict and kept in the logs, so redacted like every other path."""
    origin = report.origin
    if origin.ai_paths is None and not any(e.ai_lines for e in origin.evidence):
        return report
    evidence = []
    for e in origin.evidence:
        if e.ai_lines:
            paths = redact_paths([path for path, _ in e.ai_lines])
            e = dataclasses.replace(e, ai_lines=tuple((p, lines) for p, (_, lines) in zip(paths, e.ai_lines,
                                                                                             strict=True)))
        evidence.append(e)
    ai_paths = None if origin.ai_paths is None else frozenset(redact_paths(sorted(origin.ai_paths)))
    if ai_paths == origin.ai_paths and tuple(evidence) == origin.evidence:
        return report
    return dataclasses.replace(report, origin=dataclasses.replace(origin, evidence=tuple(evidence), ai_paths=ai_paths))


def _trace_files(git: Git, request: Request, commits: Sequence[Commit]) -> dict[str, str]:
    """Agent Trace records each commit adds to .agent-trace/traces.jsonl: one `git log --no-walk` over the
    judged commits. (Looked for only when the file existed at a tip, a later commit of the push that deleted it
    hid the records an earlier one added: red55.)"""
    if not commits:
        return {}
    return trace_file_records(git, (c.sha for c in commits))


def _review(request: Request, services: Services, reports: list[CommitReport],
            changes: Mapping[str, tuple[FileChange, ...]],
            resolutions: Callable[[Sequence[str]], Mapping[str, tuple[str, ...]]] | None = None,
            ) -> tuple[list[CommitReport], list[Finding]]:
    policy = request.policy
    bound = [r for r in reports if r.mobile and any(policy.is_protected(ref) for ref in r.refs)]
    # What a mobile merge's author resolved otherwise than git's own re-merge counts as touched (red89), when a
    # zone asks for review of mobile changes.
    resolved: Mapping[str, tuple[str, ...]] = {}
    if resolutions is not None and any(z.mobile_review is not None for z in policy.zones):
        merges = [r.commit.sha for r in bound if r.commit.is_merge]
        resolved = resolutions(merges) if merges else {}
    # The review each mobile commit bound for a protected branch needs: its rule set's, made stricter by the zones
    # it touches (a zone asks for review even where the rule set does not: red86).
    rules = {r.commit.sha: rule for r in bound
             if (rule := review_rule(r, changes.get(r.commit.sha, ()), policy, resolved.get(r.commit.sha, ())))
             is not None}
    needing = [r for r in reports if r.commit.sha in rules]
    approvals = max((rule.approvals for rule in rules.values()), default=0)
    findings: list[Finding] = []
    reviews: Mapping[str, ReviewInfo] = {}
    if needing and approvals > 0:
        if services.review is None:
            findings.append(catalogue.rule("review/unverifiable").finding(
                f"{len(needing)} mobile-origin commit(s) need review but no review evidence is available here",
                enforced=True, fix="land the change through a reviewed pull request",
            ).with_fingerprint(*(r.commit.sha for r in needing)))
        else:
            result = services.review.review(reports, needing, request.updates, policy, approvals, rules)
            reviews = result.reviews
            findings.extend(result.findings)
            findings.extend(_unverified(services.review, needing, reviews, result.findings))
    needing_shas = {r.commit.sha for r in needing} if approvals > 0 else set()
    not_required = ReviewInfo(ReviewStatus.NOT_REQUIRED, source="policy")
    unknown = ReviewInfo(ReviewStatus.UNKNOWN, source="none")
    updated = []
    for r in reports:
        info = reviews.get(r.commit.sha, unknown) if r.commit.sha in needing_shas else not_required
        # What the history shows about review (Gerrit, PR merges, trailers) rides along as evidence with
        # its trust level; it never changes the status, which only verifiable review decides.
        evidence = history_evidence(r.commit, r.origin)
        if evidence:
            info = dataclasses.replace(info, evidence=info.evidence + evidence)
        updated.append(CommitReport(r.commit, r.origin, r.mobile, r.ruleset, r.signature, info, r.refs))
    return updated, findings


def _unverified(source: ReviewSource, needing: Sequence[CommitReport], reviews: Mapping[str, ReviewInfo],
                found: Sequence[Finding]) -> list[Finding]:
    """The review requirement never lapses silently: when commits that need review are not approved and
    the source said nothing that blocks (e.g. only a `tool/*` failure, which `on_tool_error: warn` lets
    through), an enforced `review/unverifiable` is added. A review that could not be verified is never an
    approval. Advisory sources (the local check, which cannot see approvals) are exempt."""
    if getattr(source, "advisory", False):
        return []
    open_ = [r for r in needing if reviews.get(r.commit.sha, ReviewInfo()).status is not ReviewStatus.APPROVED]
    if not open_ or any(f.enforced and f.category == "review" for f in found):
        return []
    last = open_[-1]
    info = reviews.get(last.commit.sha, ReviewInfo())
    why = info.detail or f"review status {info.status.value}"
    return [catalogue.rule("review/unverifiable").finding(
        f"{len(open_)} mobile-origin commit(s) need review that could not be verified: {why}",
        commit=last.commit.sha, enforced=True,
        fix="fix what kept the review evidence from being read (see the other findings) and re-run; until then the "
            "change counts as unreviewed",
    ).with_fingerprint("unverified", *(r.commit.sha for r in open_))]


OBJECT_MISSING = catalogue.rule("scan/object-missing")
MAX_EXCLUDED_PATHS = 1000  # pathspec excludes passed to git; beyond that whole commits are left out
_MISSING_FIX = ("fetch the missing objects (`git fetch --refetch origin`, or a clone without --filter) and run the "
                "gate again; `git rev-list --objects --missing=print REV` lists what is missing")


def _upstream_ref_exists(git: Git) -> Callable[[str], bool]:
    """Whether a ref exists where the update goes, seen from a clone (check, pre-push, the Action): a branch
    of the server's lives here as `refs/remotes/<remote>/<name>`, so a branch counts when any configured
    remote has it too. The server's own hook reads its refs as they are."""
    remotes: list[set[str]] = []  # read at the first branch asked about

    def exists(ref: str) -> bool:
        if git.ref_exists(ref):
            return True
        if not ref.startswith("refs/heads/"):
            return False
        if not remotes:
            remotes.append(git.remote_names())
        return any(git.ref_exists(f"refs/remotes/{remote}/{ref[11:]}") for remote in remotes[0])

    return exists


class _Resolutions:
    """merge_resolutions for one run, each merge asked of git at most once (the zone check and the review both
    need them)."""

    def __init__(self, git: Git, zone_paths: Sequence[str]) -> None:
        self.git = git
        self.zone_paths = zone_paths
        self.known: dict[str, tuple[str, ...]] = {}

    def __call__(self, shas: Sequence[str]) -> Mapping[str, tuple[str, ...]]:
        missing = [sha for sha in dict.fromkeys(shas) if sha not in self.known]
        if missing:
            self.known.update(merge_resolutions(self.git, missing, self.zone_paths))
        return {sha: self.known.get(sha, ()) for sha in shas}


def zone_globs(policy: Policy) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for zone in policy.zones for p in zone.paths))


def merge_resolutions(git: Git, shas: Sequence[str], zone_paths: Sequence[str]) -> Mapping[str, tuple[str, ...]]:
    """For each merge of `shas`, the paths under the zones' globs that its author resolved otherwise than git's
    own re-merge of its parents (Git.merge_resolution); for a merge git cannot re-merge (an octopus, or a failure),
    every such path at which it differs from ANY of its parents — decided per merge (red58). More paths, never
    fewer. Only a merge that differs from a parent somewhere in a zone can have resolved anything there (a path
    equal in all its parents is equal in the automatic merge): one diff of all of them finds those, and only they
    are re-merged, one process each (red59). What the re-merge names is kept where the merge differs from a
    parent (red60: a directory rename git guessed put a file at a path no version has); a path git moved aside
    in a file/directory conflict (`pay/c.py~<label>`) counts as the path itself (red60: a side's directory taken
    over main's fixed zone file)."""
    parents = git.parents(shas)
    merges = [sha for sha in shas if len(parents.get(sha, ())) > 1]
    found: dict[str, tuple[str, ...]] = {sha: () for sha in shas}
    each = git.changed_files_each_parent(merges, ["."]) if merges else {}
    for sha in merges:
        differs = [c.path for c in each.get(sha, ())]
        # diff-tree -m compares a merge with its first WIDE_MERGE_PARENTS parents: the rest one by one (red60).
        for parent in parents[sha][WIDE_MERGE_PARENTS:]:
            differs.extend(git.changed_paths_between(parent, sha, ["."]))
        zoned = tuple(dict.fromkeys(p for p in differs if any(glob_match(z, p) for z in zone_paths)))
        if not zoned:
            continue
        try:
            if len(parents[sha]) != 2:
                raise GitError("git does not re-merge an octopus merge", "")
            resolved = git.merge_resolution(sha)
        except GitError:
            found[sha] = zoned
            continue
        found[sha] = tuple(p for p in zoned if p in resolved or any(r.startswith(p + "~") for r in resolved))
    return found


def _changed_files(git: Git, commits: Sequence[Commit]) -> tuple[dict[str, tuple[FileChange, ...]], list[str]]:
    """Changed files per commit, and the commits whose trees cannot be read (each then asked alone)."""
    try:
        return dict(git.changed_files(c.sha for c in commits)), []
    except GitError:
        changes: dict[str, tuple[FileChange, ...]] = {}
        unreadable: list[str] = []
        for commit in commits:
            try:
                changes.update(git.changed_files([commit.sha]))
            except GitError:
                unreadable.append(commit.sha)
        return changes, unreadable


_MISREAD = {"twice": "names this entry twice (`git fsck`: duplicateEntries); a checkout writes the last, git's "
                      "lookups by name read the first",
            "unsorted": "lists this entry out of git's order (`git fsck`: treeNotSorted); a checkout writes it, "
                        "git's lookups by name miss it",
            "slash": "names one entry with this whole path (`git fsck`: fullPathname); a checkout writes it at the "
                     "path, git's lookups by name miss it",
            "empty": "names an empty directory here, a secret in its name (git never writes an empty directory "
                     "from an index); no change to a file shows the name, yet every clone fetches it"}


def _holds_secret(services: Services) -> Callable[[str], bool] | None:
    """Whether the secrets scanner finds a secret in a name; None when this run does not scan for secrets."""
    redact_paths = getattr(services.scanners.get("secrets"), "redact_paths", None)
    if redact_paths is None:
        return None
    return lambda name: redact_paths([name])[0] != name


def _misread_trees(request: Request, commits: Sequence[Commit], unreadable: Sequence[str],
                   holds_secret: Callable[[str], bool] | None = None) -> list[Finding]:
    """`scan/unreadable` (high, enforced) for each entry of these commits' trees that git reads two ways
    (Diffs.misread_entries: a name held twice, one out of git's order, one with a `/`): what was judged under that
    name is not what a checkout writes, so nothing read there can be trusted (red160). An empty directory (only a
    tree made by hand holds one) is one only when its name holds a secret: no patch shows that name, so nothing else
    reads it (red163); a harmless one is nothing a checkout writes."""
    skip = set(unreadable)
    try:
        misread = request.git.misread_entries([(c.sha, c.parents) for c in commits if c.sha not in skip])
    except GitError as exc:
        return [catalogue.rule("scan/unreadable").finding(
            f"the trees of the commits could not be read whole ({exc.message}): whether git reads one two ways was "
            "not checked", severity=Severity.HIGH, enforced=True,
            fix="check the repository with `git fsck`").with_fingerprint("misread-trees", exc.message)]
    what = _MISREAD
    return [catalogue.rule("scan/unreadable").finding(
        f"a tree made by hand {what[problem]}: what a clone holds here was not what was judged", commit=sha,
        path=display_path(raw), severity=Severity.HIGH, enforced=True,
        fix="rewrite the commit with git itself (its trees then list each entry once, in order); on the server, set "
            "receive.fsckObjects=true").with_fingerprint(sha, problem, display_path(raw))
        for sha, raw, problem in misread
        if problem != "empty" or (holds_secret is not None and holds_secret(display_path(raw)))]


class _ScanView:
    """What the scanners read: the repository and changes, minus paths whose objects are missing."""

    def __init__(self, request: Request, commits: Sequence[Commit], changes: Mapping[str, tuple[FileChange, ...]],
                 unreadable_trees: Sequence[str]) -> None:
        self.request = request
        self.commits = commits
        self.git = request.git
        self.changes = changes
        self.unreadable_trees = unreadable_trees
        self.excluded: set[str] = set()  # commits left out of scanning altogether
        self.checked = False

    def exclude_missing(self) -> list[Finding]:
        """Find the missing objects once; a finding per affected commit, their paths left out of the scan.

        Content left unscanned, so the policy's `unscanned` decides (by default: blocks a mobile commit on a
        protected ref, warns otherwise); in pre-receive it is enforced, since a server that cannot read
        what it is asked to let in must not let it in.
        """
        if self.checked:
            return []
        self.checked = True
        git, commits, changes = self.request.git, self.commits, self.changes
        inside = {c.sha for c in commits}
        bases = [p for c in commits for p in c.parents if p not in inside]
        try:
            missing = git.missing_objects([*inside, *bases]) if changes else set()
        except GitError:
            missing = set()
        findings: list[Finding] = []
        enforced = self.request.pushed
        for sha in self.unreadable_trees:
            findings.append(OBJECT_MISSING.finding(
                "the commit's tree cannot be read (missing objects): none of its files were scanned", commit=sha,
                enforced=enforced, fix=_MISSING_FIX).with_fingerprint(sha, "tree"))
        skip: set[bytes] = set()
        for commit in commits:
            bad = [f for f in changes.get(commit.sha, ()) if f.new_blob in missing or f.old_blob in missing]
            if not bad:
                continue
            skip.update(f.key for f in bad)
            shown = ", ".join(f.path for f in bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
            findings.append(OBJECT_MISSING.finding(
                f"{len(bad)} file(s) cannot be read (missing objects: a partial clone or a damaged repository) and "
                f"were not scanned: {shown}", commit=commit.sha, path=bad[0].path, enforced=enforced,
                fix=_MISSING_FIX).with_fingerprint(commit.sha, *sorted(f.path for f in bad)))
        if skip and len(skip) <= MAX_EXCLUDED_PATHS:
            self.changes = {sha: tuple(f for f in files if f.key not in skip) for sha, files in changes.items()}
            self.git = git.without_paths(skip)
        elif skip:
            # Too many to exclude one by one (a blob-less clone of a long range): the affected commits are
            # not scanned at all; a scanner that still needs a missing object fails closed (tool/*-failed).
            self.excluded.update(f.commit for f in findings if f.commit)
        return findings


def _scan(request: Request, services: Services, commits: list[Commit], reports: list[CommitReport],
          view: _ScanView, loose: Sequence[LooseBlob] = (), ai_scope: AIScope | None = None,
          ) -> tuple[list[Finding], dict[str, ScannerStat], int]:
    policy = request.policy
    wanted: dict[str, list[Commit]] = {}
    for report in reports:
        # The commit's own rule set, plus (policy `ai.scan`) the AI set's scanners for an AI-involved
        # commit: still one job per scanner; ai_scope sorts the findings by who wrote the line.
        extra = ai_scope.extra_scanners(report.commit.sha) if ai_scope is not None else ()
        for name in dict.fromkeys((*policy.ruleset(report.ruleset).scanners, *extra)):
            wanted.setdefault(name, []).append(report.commit)
    # Loose content has no origin evidence: it gets the scanners of an undeclared commit's rule set.
    loose_scanners = set(policy.ruleset(ruleset_for(DeviceClass.UNKNOWN, policy)[1]).scanners) if loose else set()
    for name in loose_scanners:
        wanted.setdefault(name, [])
    # Tag messages are content too (DESIGN §10): the secrets scanner reads every annotated tag the
    # updates move, even when the push brings no new commit (a tag of an existing commit).
    moved = [u for u in request.updates if u.kind is not RefKind.DELETE and not is_zero(u.new)]
    types = request.git.object_types(u.new for u in moved) if moved else {}
    tags = tuple((u.ref, u.new) for u in moved if types.get(u.new) == "tag")
    if tags and "secrets" not in wanted and any("secrets" in rs.scanners for rs in policy.rules):
        wanted["secrets"] = []
    findings: list[Finding] = []
    stats: dict[str, ScannerStat] = {}
    files = 0
    head = commits[-1].sha if commits else None
    refs_by_sha = {r.commit.sha: r.refs for r in reports}
    for name in sorted(wanted):
        subset = wanted[name]
        if name in request.deferred_scanners:
            stats[name] = ScannerStat(ran=False, error="deferred to CI (pre_receive.defer)")
            findings.append(catalogue.rule("gate/deferred").finding(
                f"{name} deferred to CI for {len(subset)} commit(s)",
                fix="the CI gate runs it; do not merge before it passes").with_fingerprint(name))
            continue
        scanner = services.scanners.get(name)
        if scanner is None:
            stats[name] = ScannerStat(ran=False, error="scanner not available")
            findings.append(Finding(
                f"tool/{name}-failed", Severity.HIGH, f"scanner {name} is not available, {len(subset)} commit(s) "
                "were not scanned", fix=f"install {name} (pip install gatekeeper pulls it in) or remove it from "
                "the policy's scanners").with_fingerprint(name, "missing"))
            continue
        if request.deadline is not None and time.monotonic() > request.deadline:
            stats[name] = ScannerStat(ran=False, error="time budget exhausted")
            findings.append(catalogue.rule("tool/timeout").finding(
                f"{name} did not run: the time budget was used up",
                fix="push fewer commits at once, or let CI run the full gate").with_fingerprint(name, "budget"))
            continue
        t0 = time.monotonic()
        ran, errors, details, scanned = True, [], [], 0
        per_commit = bool(getattr(scanner, "per_commit", False))
        groups = _head_groups(request, subset, head, refs_by_sha, per_commit) if subset else []
        if not groups and name == "secrets" and tags:
            groups = [(head, [])]  # a push that only moves annotated tags: their messages still get scanned
        for number, (job_head, job_commits) in enumerate(groups):
            job_tags = tags if name == "secrets" and number == 0 else ()
            if not job_tags and not [c for c in job_commits if c.sha not in view.excluded]:
                continue
            try:
                result = scanner.scan(_job(request, view, job_commits, job_head, job_tags))
            except GitError:
                # Something could not be read: find the missing objects (once), leave their paths out, retry.
                findings.extend(view.exclude_missing())
                try:
                    result = scanner.scan(_job(request, view, job_commits, job_head, job_tags))
                except GitError as exc:
                    # Still unreadable: this scanner's run fails closed, the others still run.
                    result = ScanResult(stat=ScannerStat(ran=False, error=f"could not read the repository: {exc}"))
                    findings.append(Finding(
                        f"tool/{name}-failed", Severity.HIGH, f"{name} could not read the repository: {exc}",
                        fix=_MISSING_FIX).with_fingerprint(name, "git"))
            ran = ran and result.stat.ran
            errors += [result.stat.error] if result.stat.error else []
            details += [result.stat.detail] if result.stat.detail else []
            scanned += result.files
            if ai_scope is None:
                findings.extend(result.findings)
                continue
            kept, left_out = ai_scope.apply(name, per_commit, result.findings)
            findings.extend(kept)
            if left_out:
                details.append(f"{left_out} finding(s) on lines no agent wrote left out: only ai.scan runs {name} "
                               "on their commits")
        if name in loose_scanners:
            scan_blobs = getattr(scanner, "scan_blobs", None)
            if scan_blobs is None:
                content = [b for b in loose if b.blob]
                if content:
                    findings.append(catalogue.rule("scan/loose-content-skipped").finding(
                        f"{name} reads commits only: {len(content)} blob(s) refs of this push name outside any commit "
                        f"({_listed_refs(content)}) were not scanned by it", fix="let CI or a reviewer look at them",
                    ).with_fingerprint(name, *sorted({b.blob for b in content})))
            else:
                result = scan_blobs(request.git, loose, request.deadline)
                ran = ran and result.stat.ran
                errors += [result.stat.error] if result.stat.error else []
                scanned += result.files
                findings.extend(result.findings)
        ms = int((time.monotonic() - t0) * 1000)
        stats[name] = ScannerStat(ran=ran, ms=ms, error="; ".join(errors) or None, files=scanned,
                                  detail="; ".join(details) or None)
        files = max(files, scanned)
    # Ref names are stored in the repository too (`refs/heads/AKIA…`): scanned whenever the secrets scanner
    # is available and a rule set names it, even for a push that brings no new commit.
    secrets_scanner = services.scanners.get("secrets")
    scan_ref_names = getattr(secrets_scanner, "scan_ref_names", None)
    if scan_ref_names is not None and moved and any("secrets" in rs.scanners for rs in policy.rules):
        findings.extend(scan_ref_names([u.ref for u in moved]))
    if "semgrep" in stats and "bandit" in stats:
        from gatekeeper.scan.themes import one_per_line

        # One finding per line and theme, not one per scanner; bandit defers to our rules where they ran.
        semgrep_ran = [c.sha for c in wanted["semgrep"]] if stats["semgrep"].ran else []
        findings = one_per_line(findings, semgrep_ran)
    return findings, stats, files


def _job(request: Request, view: _ScanView, commits: list[Commit], head: str | None,
         tags: tuple[tuple[str, str], ...] = ()) -> ScanJob:
    kept = [c for c in commits if c.sha not in view.excluded]
    return ScanJob(git=view.git, commits=kept, changes=view.changes, head=head, deadline=request.deadline,
                   tags=tags)


def _listed_refs(loose: Sequence[LooseBlob]) -> str:
    refs = sorted({b.ref for b in loose})
    return ", ".join(refs[:3]) + (f" and {len(refs) - 3} more" if len(refs) > 3 else "")


def _head_groups(request: Request, commits: list[Commit], head: str | None, refs_by_sha: Mapping[str, tuple[str, ...]],
                 per_commit: bool) -> list[tuple[str | None, list[Commit]]]:
    """Scanner jobs: one for the whole range, or, for scanners that read files as they are at a head,
    one per pushed tip when a push moves several refs (each tip's files are what would land there)."""
    live = [u for u in request.updates if u.kind is not RefKind.DELETE and not is_zero(u.new)]
    if per_commit or len(live) <= 1:
        return [(head, commits)]
    groups: list[tuple[str | None, list[Commit]]] = []
    for update in live:
        member = [c for c in commits if update.ref in refs_by_sha.get(c.sha, ())]
        if member:
            groups.append((request.git.try_resolve(update.new) or member[-1].sha, member))
    return groups or [(head, commits)]
