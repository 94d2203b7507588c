"""`gatekeeper check`: a range in a working clone, judged with the work tree's policy (advisory).

Range rules when no --base is given: the upstream of the current branch; else the commits not on
the default branch; else (HEAD is the default branch and has no upstream) every commit of HEAD.
The range used is always said in the output.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.audit.decisionlog import log_verdict, path_name
from gatekeeper.catalogue import rule
from gatekeeper.checks import CHECKS, Check, CheckContext
from gatekeeper.config import Policy, discover_policy, load_policy_file
from gatekeeper.engine import Request, Services, evaluate
from gatekeeper.errors import GitError
from gatekeeper.git import Git
from gatekeeper.models import Finding, RefKind, RefUpdate, Severity, Verdict
from gatekeeper.provenance.source import ProvenanceSource, filesystem_reader
from gatekeeper.review.local import LocalReviewSource
from gatekeeper.sanitize import safe
from gatekeeper.scan import build_scanners
from gatekeeper.scan.baseline import load_baseline
from gatekeeper.trusted import gate_paths


@dataclass(frozen=True, slots=True)
class LocalRange:
    base: str | None  # None: from the root
    head: str
    target_ref: str
    description: str


def resolve_range(git: Git, base: str | None, head: str | None) -> LocalRange:
    git.info()  # fails early and clearly outside a repository
    head_rev = head or "HEAD"
    if head is None and git.try_resolve("HEAD") is None and not git.refs("refs/heads/"):
        raise GitError(f"{git.path.resolve()} has no commits yet", "commit something, then run the check")
    head_sha = git.resolve(head_rev, "head revision")
    target = _target_ref(git)
    if base:
        base_sha = git.resolve(base, "base revision")
        return LocalRange(base_sha, head_sha, target, f"{base}..{head_rev} ({base_sha[:12]}..{head_sha[:12]})")
    upstream = git.upstream() if head is None else None
    if upstream:
        base_sha = git.resolve(upstream, "upstream")
        return LocalRange(base_sha, head_sha, target, f"{_short(upstream)}..{head_rev} (the upstream of the "
                          "current branch)")
    default = git.default_branch()
    current = git.current_branch()
    if default and default != current:
        default_sha = git.try_resolve(default)
        if default_sha and default_sha != head_sha:
            return LocalRange(default_sha, head_sha, target, f"{_short(default)}..{head_rev} (commits not on the "
                              "default branch)")
    return LocalRange(None, head_sha, target, f"all commits of {head_rev} (no upstream and no other base; "
                      "pass --base to narrow)")


def _short(ref: str) -> str:
    for prefix in ("refs/heads/", "refs/remotes/", "refs/tags/"):
        if ref.startswith(prefix):
            return ref[len(prefix):]
    return ref


def _target_ref(git: Git) -> str:
    """Where this work is heading: the upstream's branch, else the default branch, else HEAD's branch."""
    merge = git.upstream_merge_ref()
    if merge and merge.startswith("refs/heads/"):
        return merge
    default = git.default_branch()
    if default:
        if default.startswith("refs/remotes/"):
            return "refs/heads/" + default.split("/", 3)[3]
        return default
    return git.current_branch() or "HEAD"


def load_policy(git: Git, policy_file: Path | None) -> Policy:
    if policy_file is not None:
        return load_policy_file(policy_file)
    return discover_policy(git.info().toplevel)


def run_check(repo: Path, base: str | None, head: str | None, policy_file: Path | None,
              now: dt.datetime | None = None) -> Verdict:
    git = Git(repo)
    policy = load_policy(git, policy_file)
    rng = resolve_range(git, base, head)
    _whole_range(git, rng)
    # No base: the all-zeros id, as long as the repository's ids (SHA-256 ones are 64 digits).
    update = RefUpdate(ref=rng.target_ref, old=rng.base or "0" * len(rng.head), new=rng.head,
                       kind=RefKind.UPDATE if rng.base else RefKind.CREATE)
    request = Request(
        git=git,
        updates=(update,),
        policy=policy,
        mode="local",
        pushed=False,
        range_description=rng.description,
        now=now or dt.datetime.now(dt.UTC),
        baseline=load_baseline(policy.baseline),
    )
    checks: tuple[Check, ...] = CHECKS
    if policy_file is None and rng.base is not None:
        checks = (*CHECKS, WorkTreePolicyNote(git, rng.base, rng.head, policy))
    services = Services(scanners=build_scanners(policy), review=LocalReviewSource(),
                        signatures=ProvenanceSource(reader=filesystem_reader), checks=checks)
    verdict = evaluate(request, services)
    info = git.info()
    # A policy found in the work tree is the checked branch's: its log.path is held to what a repository's own
    # policy may name (red50: a branch's `log: {path: ~/.gitconfig}` made `check` create a database there).
    where = info.toplevel or info.git_dir
    log_verdict(verdict, policy, repository=path_name(where), root=where, from_repository=policy_file is None)
    return verdict


def _whole_range(git: Git, rng: LocalRange) -> None:
    """A shallow clone walks the commits at its cut as roots: a range reaching one would be judged without what
    lies under it (red64: `clone --depth 1` then `fetch --depth 1` judged the branch tip alone, an agent commit
    below it unseen, and said nothing). The Action fetches the rest or refuses (checkout.ensure_commits); a local
    check refuses (exit 4) and says how to get the history."""
    cut = git.shallow_commits()
    if not cut:
        return
    reached = cut.intersection(git.rev_list([rng.head], [rng.base] if rng.base else []))
    if reached:
        raise GitError(f"this clone is shallow and the range {rng.description} reaches where its history is cut "
                       f"({', '.join(sorted(s[:12] for s in reached)[:3])}): the commits under it would not be judged",
                       "fetch the history (`git fetch --unshallow`), or pass a --base above the cut")


class WorkTreePolicyNote:
    """A local check judges with the work tree's policy — the checked branch's own. When the range changes the
    gate's configuration, that is said as a `policy/changed` warning (red50: a branch that turned its scanners and
    review off was a clean ALLOW for whoever checked it out): the server judges the change with the default
    branch's policy and a policy owner's review."""

    id = "policy/changed"
    ids: tuple[str, ...] = (id,)
    description = "the checked range changes the policy the local check judged it with"

    def __init__(self, git: Git, base: str, head: str, policy: Policy) -> None:
        self.git, self.base, self.head, self.policy = git, base, head, policy

    def run(self, ctx: CheckContext) -> list[Finding]:
        paths = gate_paths(self.policy, root=self.git.info().toplevel)
        changed = self.git.changed_paths_between(self.base, self.head, paths.roots())
        if not changed:
            return []
        shown = ", ".join(safe(p, limit=120) for p in changed[:5]) + (", …" if len(changed) > 5 else "")
        return [rule(self.id).finding(
            f"this range changes the gate's configuration ({shown}) and was judged with the policy it brings (the "
            "work tree's): advisory only — a server or the Action judges it with the default branch's policy, and "
            "the change needs a policy owner's review", severity=Severity.MEDIUM, enforced=False,
            fix="check with `--policy` pointing at the default branch's policy, or review the policy change first",
        ).with_fingerprint("local-policy-changed", self.base, self.head, *changed)]
