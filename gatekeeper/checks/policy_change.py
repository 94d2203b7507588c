"""`policy/changed`: a change to the gate's own configuration, judged the same way by every front door.

The configuration that judges a change is read from a trusted revision (see trusted.py), so a change
cannot weaken the gate that judges *it* — but it would weaken the gate for everything after it. So a
change to any gate-configuration path (trusted.gate_paths) reaching a guarded ref needs review that
the door can verify; the door passes that judgement in as a callable (`PolicyReviewer`): pre-receive
accepts a forge merge by someone who wrote none of it or a verified `Reviewed-by:`, the Action an
approval by a CODEOWNERS owner of those paths.

What counts as a change is decided over the whole range of each update, never from the combined diff
of a merge (which hides a file that matches one parent — a merge that takes an old, weaker policy from
an old commit):
- a commit changes a path when its version differs from at least one parent's (`diff-tree -m`), from
  the update's starting point (its old tip, else the trusted revision), and from every parent inside
  the range (a merge that only brings in a change made by another commit of the range is not its
  author);
- the update's net tree diff (old tip → new tip) catches the rest: what no commit accounts for is
  attributed to the range's merges (else its tip), or reported on its own (e.g. a force push back to
  an old commit brings no new commit at all).
Reviewed changes on a guarded ref stay an informational note naming the reviewers; a change on an
unguarded ref is a warning (landing it on a guarded ref needs review).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gatekeeper.catalogue import rule
from gatekeeper.errors import ConfigError
from gatekeeper.git import Git, is_zero
from gatekeeper.models import CommitReport, Finding, RefKind, Severity
from gatekeeper.sanitize import safe
from gatekeeper.trusted import GatePaths, TrustedPolicy, policy_branch_after

if TYPE_CHECKING:
    from gatekeeper.checks import CheckContext

CHANGED = rule("policy/changed")
SOURCE_SWITCH = rule("policy/source-switch")
FORCE_PUSH = rule("policy/force-push")
REF_DELETION = rule("policy/ref-deletion")


@dataclass(frozen=True, slots=True)
class PolicyReview:
    """The door's verdict on the review of a configuration change."""

    approved: bool
    detail: str  # approved: "reviewed by … (source)…"; otherwise why not
    fix: str = ""
    findings: tuple[Finding, ...] = ()  # e.g. the API failure that kept review from being verified


# (the run's context, the commits that made the change, the paths changed) -> the review's verdict
PolicyReviewer = Callable[["CheckContext", Sequence[CommitReport], Sequence[str]], PolicyReview]


class PolicyChangeCheck:
    id = CHANGED.id
    ids: tuple[str, ...] = (id,)  # and whatever the door's reviewer reports (PolicyReview.findings)
    description = ("changes to the gate's configuration: policy, device registry, allowed signers, baseline, "
                   "CODEOWNERS, workflows")

    def __init__(self, git: Git, paths: GatePaths, review: PolicyReviewer, *, trusted_ref: str | None,
                 trusted_rev: str | None, fix: str) -> None:
        """`trusted_ref`: the ref the configuration is read from (always guarded); `trusted_rev`: its
        tip before the change, the starting point of updates that have none; `fix`: what to do about a
        change on an unguarded ref."""
        self.git = git
        self.paths = paths
        self.review = review
        self.trusted_ref = trusted_ref
        self.trusted_rev = trusted_rev
        self.fix = fix

    def guarded(self, ref: str, ctx: CheckContext) -> bool:
        return ref == self.trusted_ref or ctx.policy.is_protected(ref)

    def run(self, ctx: CheckContext) -> list[Finding]:
        reports = list(ctx.commits)
        touched = self._touched(ctx, reports)
        orphans = self._unattributed(ctx, reports, touched)
        guarded = [r for r in reports if r.commit.sha in touched and any(self.guarded(ref, ctx) for ref in r.refs)]
        judged = {r.commit.sha for r in guarded}
        others = [r for r in reports if r.commit.sha in touched and r.commit.sha not in judged]
        findings: list[Finding] = []
        if guarded:
            findings.extend(self._judge(ctx, guarded, touched))
        for ref, paths in orphans.items():
            findings.append(CHANGED.finding(
                f"the update of {safe(ref, limit=200)} changes the gate's policy ({_listed(paths)}) and no commit "
                "in it accounts for the change", enforced=True, fix=self.fix,
            ).with_fingerprint("policy-changed", ref, *paths))
        if others:
            refs = sorted({ref for r in others for ref in r.refs})
            paths = sorted({p for r in others for p in touched[r.commit.sha]})
            findings.append(CHANGED.finding(
                f"{len(others)} commit(s) change the gate's policy ({_listed(paths)}) on {_listed(refs)}; landing "
                "them on a protected ref needs review", severity=Severity.MEDIUM, commit=others[-1].commit.sha,
                fix=self.fix,
            ).with_fingerprint("policy-changed", *paths, *(r.commit.sha for r in others)))
        return findings

    # -- which commits change what ------------------------------------------------------------------
    def _touched(self, ctx: CheckContext, reports: list[CommitReport]) -> dict[str, list[str]]:
        if not reports:
            return {}
        roots = self.paths.roots()
        in_range = {r.commit.sha for r in reports}
        candidates = {sha: changes for sha, changes in
                      self.git.changed_files_each_parent((r.commit.sha for r in reports), roots).items() if changes}
        if not candidates:
            return {}
        starts = self._starting_points(ctx)
        trees: dict[str, dict[str, tuple[str, str]]] = {}

        def tree(rev: str | None) -> dict[str, tuple[str, str]]:
            if rev is None or is_zero(rev):
                return {}
            if rev not in trees:
                trees[rev] = self.git.tree_files(rev, roots)
            return trees[rev]

        touched: dict[str, list[str]] = {}
        for report in reports:
            changes = candidates.get(report.commit.sha)
            if not changes:
                continue
            inside = [p for p in report.commit.parents if p in in_range]
            references = [starts.get(ref) for ref in report.refs] or [self.trusted_rev]
            hits: list[str] = []
            for change in changes:
                path = change.path
                if not self.paths.match(path) or path in hits:
                    continue
                mine = None if change.new_mode == "000000" or is_zero(change.new_blob) else (
                    change.new_mode, change.new_blob)
                if any(tree(p).get(path) == mine for p in inside):
                    continue  # brought in from a parent inside the range, which is judged itself
                if all(tree(ref).get(path) == mine for ref in references):
                    continue  # the same as where the update starts: nothing changes
                hits.append(path)
            if hits:
                touched[report.commit.sha] = hits
        return touched

    def _starting_points(self, ctx: CheckContext) -> dict[str, str | None]:
        return {u.ref: (u.old if not is_zero(u.old) else self.trusted_rev) for u in ctx.updates}

    def _unattributed(self, ctx: CheckContext, reports: list[CommitReport],
                      touched: dict[str, list[str]]) -> dict[str, list[str]]:
        """Configuration paths a guarded update changes (old tip → new tip) that none of its commits
        accounts for: attributed to its merges (else its tip), or returned per ref when it has none."""
        orphans: dict[str, list[str]] = {}
        for update in ctx.updates:
            if update.kind not in (RefKind.UPDATE, RefKind.FORCE) or not self.guarded(update.ref, ctx):
                continue
            if is_zero(update.old) or is_zero(update.new):
                continue
            members = [r for r in reports if update.ref in r.refs]
            changed = {p for p in self.git.changed_paths_between(update.old, update.new, self.paths.roots())
                       if self.paths.match(p)}
            accounted = {p for r in members for p in touched.get(r.commit.sha, ())}
            left = sorted(changed - accounted)
            if not left:
                continue
            culprits = [r for r in members if r.commit.is_merge] or [r for r in members if r.commit.sha == update.new]
            if not culprits:
                orphans[update.ref] = left
            for report in culprits:
                mine = touched.setdefault(report.commit.sha, [])
                mine.extend(p for p in left if p not in mine)
        return orphans

    # -- the verdict --------------------------------------------------------------------------------
    def _judge(self, ctx: CheckContext, changers: list[CommitReport], touched: Mapping[str, list[str]]
               ) -> list[Finding]:
        refs = _listed(sorted({ref for r in changers for ref in r.refs if self.guarded(ref, ctx)}))
        paths = sorted({p for r in changers for p in touched[r.commit.sha]})
        count = f"{len(changers)} commit(s) change the gate's policy on {refs} ({_listed(paths)})"
        material = ("policy-changed", *paths, *(r.commit.sha for r in changers))
        verdict = self.review(ctx, changers, paths)
        last = changers[-1].commit.sha
        if verdict.approved:
            finding = CHANGED.finding(f"{count}; {verdict.detail}", severity=Severity.INFO, commit=last)
        else:
            finding = CHANGED.finding(f"{count} without a verifiable review: {verdict.detail}", commit=last,
                                      enforced=True, fix=verdict.fix or self.fix)
        return [finding.with_fingerprint(*material), *verdict.findings]


class PolicySourceCheck:
    """The branch that supplies the trusted policy is itself protected, whatever the policy says.

    The policy is trusted because it is read from the default branch before the push; a pusher who could
    delete, rewind or replace that branch — or create the branch a dangling HEAD names, or a second
    candidate that leaves the default ambiguous — would choose the policy that judges every later push.
    So (gate configuration changes there are `policy/changed`, guarded like a protected ref):
    - deleting it is `policy/ref-deletion`, whatever `pre_receive.allow_delete` says;
    - a force push to it is `policy/force-push` unless `pre_receive.allow_force_push`;
    - a push after which another branch (or none, or no single one) would supply the policy is
      `policy/source-switch`: the switch is the server administrator's (HEAD, init.defaultBranch).
    """

    id = SOURCE_SWITCH.id
    ids: tuple[str, ...] = (id, REF_DELETION.id, FORCE_PUSH.id)
    description = "deleting, rewinding or replacing the branch the gate's policy is read from"

    def __init__(self, git: Git, source: str) -> None:
        self.git = git
        self.source = source  # the branch the policy was read from, before this push

    def run(self, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        source = safe(self.source, limit=200)
        pre = ctx.policy.pre_receive
        protected = ctx.policy.is_protected(self.source)
        for update in ctx.updates:
            if update.ref != self.source:
                continue
            if update.kind is RefKind.DELETE and (protected is False or pre.allow_delete):
                findings.append(REF_DELETION.finding(
                    f"deleting {source}, the branch the gate's policy is read from", enforced=True,
                    fix="the default branch cannot be deleted by a push; an administrator first points the server's "
                        "HEAD at another branch (`git symbolic-ref HEAD refs/heads/<branch>`)",
                ).with_fingerprint("policy-source", update.ref, update.old))
            if update.kind is RefKind.FORCE and not pre.allow_force_push and not protected:
                findings.append(FORCE_PUSH.finding(
                    f"force push to {source}, the branch the gate's policy is read from, rewrites its history",
                    enforced=True, fix="rebase onto the current tip and push without --force",
                ).with_fingerprint("policy-source", update.ref, update.old, update.new))
        try:
            after = policy_branch_after(self.git, ctx.updates)
        except ConfigError as exc:
            findings.append(self._switch(f"after this push no single branch would supply the gate's policy "
                                         f"({exc.message})"))
            return findings
        if after != self.source and not any(f.rule_id == REF_DELETION.id for f in findings):
            became = (f"{safe(after, limit=200)} would supply the gate's policy instead of {source}" if after
                      else f"the repository would be left without a policy (no {source})")
            findings.append(self._switch(f"after this push {became}"))
        return findings

    def _switch(self, message: str) -> Finding:
        here = safe(self.source, limit=200)
        return SOURCE_SWITCH.finding(
            message, enforced=True,
            fix=f"leave {here} as the branch that holds the policy (on the server: `git symbolic-ref HEAD {here}`); "
                "moving the policy to another branch is an administrator's change to the server's HEAD, made after "
                "review",
        ).with_fingerprint("policy-source", self.source, message)


PUSH_FIX = ("land policy changes through a reviewed merge, or have a reviewer who is not an author push them "
            "with a `Reviewed-by:` trailer naming the reviewer")


def push_checks(git: Git, trusted: TrustedPolicy,
                review: PolicyReviewer) -> tuple[PolicyChangeCheck | PolicySourceCheck, ...]:
    """pre-receive's guard of its own configuration: `policy/changed` (judged by `review`, see
    review.forge.policy_review) and the protection of the branch the policy is read from. None with a
    server-side policy (the repository's files are not the gate's); no source check in an empty repository."""
    if trusted.ref is None:
        return ()
    change = PolicyChangeCheck(git, trusted.paths, review, trusted_ref=trusted.ref, trusted_rev=trusted.sha,
                               fix=PUSH_FIX)
    return (change,) if trusted.sha is None else (change, PolicySourceCheck(git, trusted.ref))


def _listed(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(safe(i, limit=80) for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
