"""Policy checks over what the engine already knows (origins, changed paths, ref updates).

Each check is a small object with a stable id, registered explicitly in CHECKS: `id` is the finding id it
is named by and `ids` every finding id it can emit (`id` first), each registered in gatekeeper.catalogue
(tests/test_catalogue.py holds both to the ids the code really builds). Scanners,
signatures and review are separate seams (see interfaces.py) because they read content or talk to
services; these only look at the facts gathered so far.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from gatekeeper.catalogue import rule
from gatekeeper.checks.ai import AIAttributionCheck
from gatekeeper.checks.provenance import DcoCheck, SignatureCheck
from gatekeeper.checks.refs import AmbiguousRefCheck, ReplaceRefCheck
from gatekeeper.config import Policy, ReviewRule, glob_match
from gatekeeper.models import AIInvolvement, CommitReport, FileChange, Finding, RefKind, RefUpdate
from gatekeeper.origin.attribution import record_path


@dataclass(frozen=True, slots=True)
class CheckContext:
    policy: Policy
    commits: Sequence[CommitReport]
    changes: Mapping[str, tuple[FileChange, ...]]
    updates: Sequence[RefUpdate]
    mode: str
    now: dt.datetime
    # Whether a ref (full name) exists in the repository before this push; None where no repository is read.
    ref_exists: Callable[[str], bool] | None = None
    # Every ref's full name before this push (one for-each-ref, read only when asked); None where no
    # repository is read.
    ref_names: Callable[[], Iterable[str]] | None = None
    # Whether a commit (old tip) lies on another's (new tip) first-parent line; None where no repository is read.
    on_first_parent_line: Callable[[str, str], bool] | None = None
    # The updates are ref moves a push made outside the hooks (the Action's push events); pre-receive and
    # pre-push updates always are, a pull request's range never is.
    moves_refs: bool = False
    # The paths each merge's author resolved otherwise than git's automatic merge (Git.merge_resolutions), for the
    # merges asked; None where no repository is read (then a merge's changes are its combined diff only).
    merge_resolutions: Callable[[Sequence[str]], Mapping[str, tuple[str, ...]]] | None = None


class Check(Protocol):
    id: str  # its main finding id
    ids: tuple[str, ...]  # every finding id it emits, `id` first
    description: str

    def run(self, ctx: CheckContext) -> list[Finding]: ...


RESERVED_REF_PREFIX = "refs/notes/gatekeeper/"

ZONE_VIOLATION = rule("policy/zone-violation")
FORCE_PUSH = rule("policy/force-push")
REF_DELETION = rule("policy/ref-deletion")
RESERVED_REF = rule("policy/reserved-ref")


class ZoneCheck:
    id = ZONE_VIOLATION.id
    ids: tuple[str, ...] = (id,)
    description = "compliance zones: mobile, personal-device or AI changes to paths a zone forbids"

    def run(self, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        resolved = self._resolutions(ctx)
        for zone in ctx.policy.zones:
            for report in ctx.commits:
                origin = report.origin
                reasons = []
                if zone.mobile == "block" and report.mobile:
                    reasons.append(f"{origin.device.value}-origin change")
                if zone.unmanaged_device == "block" and (
                        origin.managed is False or (origin.managed is None and report.mobile)):
                    reasons.append("change from a personal/unregistered device"
                                   if origin.managed is None else "change from a personal (BYOD) device")
                if zone.ai == "block" and origin.ai is not AIInvolvement.NONE:
                    reasons.append(f"AI-{origin.ai.value} change")
                if not reasons:
                    continue
                changed = [c.path for c in ctx.changes.get(report.commit.sha, ())]
                # A merge also changes what its author resolved otherwise than the automatic merge (red53: an
                # agent's merge took a side's old zone file, equal to that parent, so no combined-diff change).
                # A resolution is a choice of a whole file, which no line record describes: never narrowed (red57).
                chosen = resolved.get(report.commit.sha, ())
                changed.extend(p for p in chosen if p not in changed)
                # Line records that name none of the commit's changed paths say nothing about what it changed:
                # the whole commit counts (red52: one record for an unchanged file cleared the zone).
                ai_paths = origin.ai_paths
                if ai_paths is not None and not any(record_path(path) in ai_paths for path in changed):
                    ai_paths = None
                for path in changed:
                    if not any(glob_match(p, path) for p in zone.paths):
                        continue
                    for reason in reasons:
                        # With line-level attribution (git-ai, Agent Trace) the AI rule applies to the paths
                        # holding AI-written lines; otherwise to every path of an AI-involved commit.
                        if (reason.startswith("AI-") and ai_paths is not None and path not in chosen
                                and record_path(path) not in ai_paths):
                            continue
                        findings.append(ZONE_VIOLATION.finding(
                            f"{reason} to {path} in zone {zone.name!r}",
                            commit=report.commit.sha, path=path, enforced=True,
                            fix=f"make this change from a managed desktop device, or have the {zone.name} owners "
                                "land it",
                        ).with_fingerprint(zone.name, reason, path, report.commit.sha))
        return findings

    @staticmethod
    def _resolutions(ctx: CheckContext) -> Mapping[str, tuple[str, ...]]:
        """How each merge a zone rule applies to was resolved (asked only for those: git re-merges each)."""
        if ctx.merge_resolutions is None or not ctx.policy.zones:
            return {}
        merges = [r.commit.sha for r in ctx.commits if r.commit.is_merge and (
            r.mobile or r.origin.managed is False or r.origin.ai is not AIInvolvement.NONE)]
        return ctx.merge_resolutions(merges) if merges else {}


_PUSH_MODES = ("pre-receive", "pre-push")  # where an update is a real ref move, not a pull request's range


class RefUpdateCheck:
    id = FORCE_PUSH.id
    ids: tuple[str, ...] = (id, REF_DELETION.id, RESERVED_REF.id)
    description = "force pushes and deletions of protected refs, pushes to the refs only the gate writes"

    def run(self, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        pre = ctx.policy.pre_receive
        for update in ctx.updates:
            if update.ref.startswith(RESERVED_REF_PREFIX):
                # The gate's own records (attestations) are written by the server after acceptance;
                # a pusher who could write, move or delete them could forge or erase provenance.
                findings.append(RESERVED_REF.finding(
                    f"{update.ref} is written only by the gate itself (signed attestations)",
                    enforced=True, fix="do not push refs/notes/gatekeeper/*; fetch them instead",
                ).with_fingerprint(update.ref, update.old, update.new))
                continue
            if not ctx.policy.is_protected(update.ref):
                continue
            if update.kind is RefKind.FORCE and not pre.allow_force_push:
                findings.append(FORCE_PUSH.finding(
                    f"force push to protected {update.ref} rewrites its history",
                    enforced=True, fix="rebase onto the current tip and push without --force",
                ).with_fingerprint(update.ref, update.old, update.new))
            elif (update.kind is RefKind.UPDATE and not pre.allow_force_push
                  and (ctx.mode in _PUSH_MODES or ctx.moves_refs)
                  and ctx.on_first_parent_line is not None and not ctx.on_first_parent_line(update.old, update.new)):
                # A fast-forward to a merge that has the old tip as a second parent (`git pull` with a merge,
                # pushed; or made on purpose): the branch's first-parent line, which `git log --first-parent`,
                # release notes and the audit's landings read as how commits came in, is swapped for another
                # history, as a force push would. A pusher could so make an old unreviewed landing vanish.
                findings.append(FORCE_PUSH.finding(
                    f"push to protected {update.ref} takes its old tip off its first-parent line (a merge with "
                    "the old tip as a second parent): its first-parent history is rewritten as by a force push",
                    enforced=True, fix="merge the other way round: on top of the current tip, merge your branch "
                                       "into it (or `git pull --rebase`), then push",
                ).with_fingerprint(update.ref, update.old, update.new, "first-parent"))
            if update.kind is RefKind.DELETE and not pre.allow_delete:
                findings.append(REF_DELETION.finding(
                    f"deleting protected {update.ref}",
                    enforced=True, fix="protected refs cannot be deleted; ask an administrator",
                ).with_fingerprint(update.ref, update.old))
        return findings


CHECKS: tuple[Check, ...] = (ZoneCheck(), RefUpdateCheck(), ReplaceRefCheck(), AmbiguousRefCheck(), SignatureCheck(),
                             DcoCheck(), AIAttributionCheck())


def review_rule(report: CommitReport, changes: Sequence[FileChange], policy: Policy,
                resolved: Sequence[str] = ()) -> ReviewRule | None:
    """The review a commit needs: its rule set's review, made stricter by every zone with a mobile review that
    a mobile commit touches — the most approvals any asks for, and each relaxation (`exclude_authors: false`,
    `after_last_mobile_commit: false`) only where every rule that asks for approvals allows it. A zone asks for
    review whether or not the rule set does (red86: `review: {approvals: 0}` beside a zone's `mobile: {review:
    …}` dropped the zone's requirement). A merge touches what its combined diff names and what its author
    resolved otherwise than git's own re-merge (`resolved`, engine.merge_resolutions: red89, a phone merge that
    kept a side's old zone file, as ZoneCheck reads it since red53). None when nothing asks for an approval."""
    rules: list[ReviewRule] = []
    own = policy.ruleset(report.ruleset).review
    if own is not None and own.approvals > 0:
        rules.append(own)
    if report.mobile:
        for zone in policy.zones:
            if (zone.mobile_review is not None and zone.mobile_review.approvals > 0
                    and any(glob_match(p, path) for path in (*(c.path for c in changes), *resolved)
                            for p in zone.paths)):
                rules.append(zone.mobile_review)
    if not rules:
        return None
    if len(rules) == 1:
        return rules[0]
    return ReviewRule(approvals=max(r.approvals for r in rules),
                      exclude_authors=any(r.exclude_authors for r in rules),
                      after_last_mobile_commit=any(r.after_last_mobile_commit for r in rules))
