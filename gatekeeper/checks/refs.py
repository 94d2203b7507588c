"""Checks on the refs a push moves, whatever they point at: refs git itself gives a meaning to.

`refs/replace/*` makes git show another object in place of the one named (a decoy commit, a blob
without the key, a policy file from somewhere else). gatekeeper never honours replacements (gatekeeper.git
runs every command with GIT_NO_REPLACE_OBJECTS), but every other reader of the repository does — a
reviewer's `git log`, a CI checkout — so a push that creates, moves or deletes one is refused unless
`pre_receive.allow_replace_refs` says otherwise.

A ref can also stand in for a protected one by its name alone. git resolves a short name through
`refs/<name>` and `refs/tags/<name>` before `refs/heads/<name>`, so a tag `main` (or a ref `refs/main`) is
what `git rev-parse main`, `git log main`, `git reset --hard main` and a CI script naming `main` read, with
only a warning; and a ref whose name ends in a protected one (`refs/tags/refs/heads/main`,
`refs/heads/x/refs/heads/main`) is taken for it by every tool that matches ref names by their tail
(`git name-rev --refs`, `git describe --match`), and a pushed `refs/remotes/<any>/main` poses as a
remote-tracking copy of it. Names are also compared without case: on a case-insensitive file system
(macOS and Windows clients) loose refs that differ only in case are one file. A push that creates or
moves such a ref is refused (for a branch protected by a pattern, while that branch exists; and
creating the branch is refused while such a ref stands) unless `pre_receive.allow_ambiguous_refs` says
otherwise; deleting one is always allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from gatekeeper.catalogue import rule
from gatekeeper.config import glob_match
from gatekeeper.models import Finding, RefKind, is_zero

if TYPE_CHECKING:
    from gatekeeper.checks import CheckContext

REPLACE_PREFIX = "refs/replace/"
REPLACE_REF = rule("policy/replace-ref")
AMBIGUOUS_REF = rule("policy/ambiguous-ref")
_MAGIC = ("refs/for/", "refs/publish/", "refs/drafts/")  # Gerrit's and AGit's push-for-review refs
# Namespaces git and the forges give a meaning to: `refs/<ns>/...` is never a short name for a branch here.
_NAMESPACES = frozenset({"heads", "tags", "remotes", "notes", "replace", "pull", "merge-requests", "changes",
                         "for", "meta", "keep-around", "environments", "pipelines", "stash", "bisect", "prefetch",
                         "rewritten", "worktree", "original", "gatekeeper", "users", "cache-automerge"})


class ReplaceRefCheck:
    id = REPLACE_REF.id
    ids: tuple[str, ...] = (id,)
    description = "pushes that create, move or delete refs/replace/* (object substitution)"

    def run(self, ctx: CheckContext) -> list[Finding]:
        if ctx.policy.pre_receive.allow_replace_refs:
            return []
        findings: list[Finding] = []
        for update in ctx.updates:
            if not update.ref.startswith(REPLACE_PREFIX):
                continue
            action = update.kind.value
            findings.append(REPLACE_REF.finding(
                f"{action} of {update.ref}: replace refs make every git reader see another object in place of the "
                "one named", enforced=True,
                fix="push the real commits instead; replace refs are refused unless the policy sets "
                    "pre_receive.allow_replace_refs: true",
            ).with_fingerprint(update.ref, update.old, update.new))
        return findings


def shadowed(ref: str, is_protected: Callable[[str], bool]) -> str | None:
    """The protected ref that `ref` stands in for by name (see the module's docstring), or None."""
    if ref.startswith("refs/tags/"):
        if is_protected(f"refs/heads/{ref[10:]}"):
            return f"refs/heads/{ref[10:]}"
        # Every clone fetches tags as they are named: a tag `origin/main` is what `git rev-parse origin/main`
        # (`refs/tags/%s` before `refs/remotes/%s`) reads there, in place of the remote-tracking main.
        # (`heads/main`, `remotes/origin/main` reach refs/heads/, refs/remotes/ first: `refs/%s` comes earlier.)
        parts = ref[10:].split("/")
        for i in range(1, len(parts) if parts[0] not in ("heads", "tags", "remotes") else 0):
            if is_protected(f"refs/heads/{'/'.join(parts[i:])}"):
                return f"refs/heads/{'/'.join(parts[i:])}"
    rest = ref[5:] if ref.startswith("refs/") else ""
    if rest and rest.split("/", 1)[0] not in _NAMESPACES:
        for candidate in (f"refs/heads/{rest}", f"refs/tags/{rest}"):
            if is_protected(candidate):
                return candidate
    if ref.startswith("refs/remotes/"):  # a remote-tracking copy of a protected branch, pushed
        parts = ref[13:].split("/")
        for i in range(1, len(parts)):
            if is_protected(f"refs/heads/{'/'.join(parts[i:])}"):
                return f"refs/heads/{'/'.join(parts[i:])}"
    if ref.startswith(_MAGIC):
        return None  # refs/for/refs/heads/main asks Gerrit (or AGit) for a review of main: it names it by design
    at = ref.find("/refs/", 1)
    while at >= 0:
        if is_protected(ref[at + 1:]):
            return ref[at + 1:]
        at = ref.find("/refs/", at + 1)
    return None


class AmbiguousRefCheck:
    id = AMBIGUOUS_REF.id
    ids: tuple[str, ...] = (id,)
    description = "pushes that create or move a ref whose name stands in for a protected ref"

    def run(self, ctx: CheckContext) -> list[Finding]:
        policy = ctx.policy
        if policy.pre_receive.allow_ambiguous_refs:
            return []
        patterns = tuple(_fold(p) for p in policy.protected_refs)
        literal = {_fold(p) for p in policy.protected_refs if not any(c in p for c in "*?[")}
        live = [u for u in ctx.updates if u.kind is not RefKind.DELETE and not is_zero(u.new)]
        deleted = {u.ref for u in ctx.updates if u.kind is RefKind.DELETE or is_zero(u.new)}
        created = {u.ref for u in live}

        def folded_protected(ref: str) -> bool:
            return any(glob_match(p, ref) for p in patterns)

        def there(ref: str) -> bool:
            """Whether `ref` exists once this push lands (unknown: assumed to)."""
            if ref in created:
                return True
            if ref in deleted:
                return False
            return ctx.ref_exists is None or ctx.ref_exists(ref)

        def judged(name: str, protected: Callable[[str], bool]) -> str | None:
            target = shadowed(name, protected)
            if target is not None and _fold(target) not in literal and _by_short_name(name, target) \
                    and not there(target):
                # A tag `release/2.0` beside the pattern `refs/heads/release/*` shadows nothing while no such
                # branch exists (creating that branch is refused below while the tag stands).
                return None
            return target

        findings: list[Finding] = []
        for update in live:
            ref = update.ref
            target = judged(ref, policy.is_protected)
            why = "git and other tools resolve or match it in the protected ref's place"
            folded = _fold(ref)
            if target is None and folded != ref and not policy.is_protected(ref):
                # On a case-insensitive file system (macOS, Windows clients) loose refs that differ only in case
                # are one file: `refs/heads/MAIN` fetched lands on origin/main, a tag `MAIN` is found for `main`.
                target = folded if folded_protected(folded) else judged(folded, folded_protected)
                why = "it differs from it only in case, and on macOS and Windows clients such refs are one file"
            if target is None and policy.is_protected(ref) and update.kind is RefKind.CREATE:
                # The other way round: a new protected branch that an existing tag (or refs/<name>) already shadows.
                standing = _standing_for(ref, ctx, created, there)
                if standing:
                    findings.append(AMBIGUOUS_REF.finding(
                        f"create of protected {ref}: {standing[0]} already stands in for it (git resolves the "
                        "short name to that ref first)", enforced=True,
                        fix=f"delete {standing[0]} first (`git push origin :{standing[0]}`), then create the "
                            "branch",
                    ).with_fingerprint(ref, standing[0]))
                continue
            if target is None or target == ref:
                continue
            findings.append(AMBIGUOUS_REF.finding(
                f"{update.kind.value} of {ref}: its name stands in for protected {target} ({why})", enforced=True,
                fix="choose a name that no protected ref resolves to; such refs are refused unless the policy sets "
                    "pre_receive.allow_ambiguous_refs: true",
            ).with_fingerprint(ref, update.new))
        return findings


def _fold(name: str) -> str:
    """A ref name as a case-insensitive file system compares it: macOS (APFS) folds case by Unicode's rules,
    Windows (NTFS) upper-cases by its table, so upper- then lower-casing meets both — `\u017f` (long s) is `s`,
    `\u0131` (dotless i) is `i` (red37: str.lower() left both alone, and `refs/heads/ma\u0131n` was let through).
    Stricter than either where they differ (`\u00df` meets `ss`)."""
    return name.upper().lower()


def _by_short_name(ref: str, target: str) -> bool:
    """Whether `ref` shadows `target` through git's short-name resolution (a tag or `refs/<name>`), rather
    than by ending in its full name or posing as its remote-tracking copy."""
    return not ref.startswith("refs/remotes/") and not ref.endswith(f"/{target}")


def _standing_for(branch: str, ctx: CheckContext, created: set[str], there: Callable[[str], bool]) -> list[str]:
    """The refs that would stand in for `branch`, being created, by its short name once this push lands: every
    ref that a push is let create while no such branch exists (a tag `release/2.0`, `origin/release/2.0` or
    `Release/2.0`, a ref `refs/release/2.0`), looked for among all refs, not only the two exact names."""
    if not branch.startswith("refs/heads/"):
        return []
    folded = _fold(branch)

    def is_branch(name: str) -> bool:
        return _fold(name) == folded

    names = set(created)
    if ctx.ref_names is not None:
        names.update(ctx.ref_names())
    else:
        short = branch[11:]
        names.update((f"refs/tags/{short}", f"refs/{short}"))
    standing = []
    for name in sorted(names):
        if _fold(name) == folded:
            continue
        for candidate in (name, _fold(name)):
            target = shadowed(candidate, is_branch)
            # Whether the ref is there once the push lands is asked last, of the few names that would stand in: it
            # can be a git call, and a repository holds thousands of refs (a protected branch created beside 1,000
            # others took 1,000 git calls, 11 s, past the hook's budget).
            if target is not None and _by_short_name(candidate, target) and there(name):
                standing.append(name)
                break
    return standing
