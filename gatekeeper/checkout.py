"""The CI checkout a gate runs in: its history made complete once, and where a new branch forks off.

A runner's clone is often shallow or lacks the base of the range. `ensure_commits` fetches what is
missing ONCE from the remote (`--unshallow`, or the exact commits; never retried, credentials are
whatever the remote's config already has) and fails with the caller's fix when the history still is
not there: a gate that judged a truncated range would judge the wrong commits. `fork_point` finds
where a new branch left the default branch, so a created branch counts only its own commits.
`current_base` is the pull request's base branch as the checkout fetched it, and `fetch_notes` brings the
notes a clone never fetches. `event_range` is the update an Action event asks to judge; `default_tip` the
default branch a run roots its trust in when its own branch is not protected (red66).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from gatekeeper.errors import GitError
from gatekeeper.git import NOTES_REF, Git, is_zero
from gatekeeper.models import ZERO_SHA, RefKind, RefUpdate
from gatekeeper.origin.ai import AGENT_TRACE_REF, AI_NOTES_REF
from gatekeeper.review.github_event import ParsedEvent

if TYPE_CHECKING:
    from gatekeeper.config import Policy


def ensure_commits(git: Git, needed: Sequence[str], remote: str, optional: Sequence[str] = (), *,
                   timeout: float, fix: str) -> set[str]:
    """Make sure the clone is complete and holds `needed` (and tries `optional`), fetching ONCE.

    Returns the optional commits that are present afterwards. GitError (exit 4) with `fix` when the
    history still is not there.
    """
    wanted = [s for s in dict.fromkeys([*needed, *optional]) if not is_zero(s)]
    missing = [s for s in wanted if git.object_type(s) != "commit"]
    shallow = git.is_shallow()
    error = ""
    if shallow or missing:
        _ok, error = git.fetch_commits(remote, wanted, unshallow=shallow, timeout=timeout)
        missing = [s for s in wanted if git.object_type(s) != "commit"]
        shallow = git.is_shallow()
    lacking = [s for s in missing if s in needed]
    if shallow or lacking:
        what = "the clone is shallow" if shallow else "commit(s) " + ", ".join(s[:12] for s in lacking) + " are missing"
        tried = f"; fetching them from {remote} failed: {error}" if error else ""
        raise GitError(f"the checkout lacks the history gatekeeper needs: {what}{tried}", fix)
    return {s for s in optional if s not in missing and not is_zero(s)}


def fork_point(git: Git, branch: str, head: str, remote: str,
               keep: Callable[[str], bool] | None = None) -> str | None:
    """Where `head` (the tip of `branch`) left the default branch: the remote's HEAD, else main or master
    (remote-tracking first, then local); None when there is no such branch to start from.

    `keep` (a policy's is_protected): only a branch it accepts (as `refs/heads/<name>`; the remote's HEAD as the
    branch it names) is a place to start from — what is on a branch nothing protects was never judged for a
    protected one (red161: `release/1` created at a phone commit of `develop`, the default branch, judged no
    commit)."""
    candidates = [f"refs/remotes/{remote}/HEAD", f"refs/remotes/{remote}/main", f"refs/remotes/{remote}/master",
                  "refs/heads/main", "refs/heads/master"]
    for ref in candidates:
        if ref.endswith("/" + branch) and ref != f"refs/remotes/{remote}/HEAD":
            continue
        if keep is not None and not keep(_branch_of(git, ref, remote)):
            continue
        tip = git.try_resolve(ref)
        if tip is None or tip == head:
            continue
        return git.merge_base(tip, head)
    return None


def _branch_of(git: Git, ref: str, remote: str) -> str:
    """The branch (`refs/heads/<name>`) a fork_point candidate stands for; "" when it names none (a remote HEAD
    that is no symbolic ref)."""
    if ref == f"refs/remotes/{remote}/HEAD":
        ref = git.remote_head(remote) or ""
    for prefix in (f"refs/remotes/{remote}/", "refs/heads/"):
        if ref.startswith(prefix) and len(ref) > len(prefix):
            return "refs/heads/" + ref[len(prefix):]
    return ""


NOTES_FETCH_TIMEOUT = 20.0


def fetch_notes(git: Git, remote: str) -> None:
    """The origin, git-ai and Agent Trace notes as the repository holds them: `actions/checkout`, like `git
    clone`, fetches branches and tags, never notes, so a commit declared mobile or AI-assisted in
    refs/notes/origin would be judged undeclared here while the hook and a local check read the note (red
    team red22). A note can only add a declaration (a stricter class wins a conflict: origin.resolve); a
    remote without the ref, or a fetch that fails, leaves the checkout's own notes; after a failure other than
    a missing ref (no network, no access) the others are not tried."""
    if not git.config_get(f"remote.{remote}.url"):
        return
    for ref in (NOTES_REF, AI_NOTES_REF, AGENT_TRACE_REF):
        try:
            fetched, error = git.fetch_ref(remote, ref, timeout=NOTES_FETCH_TIMEOUT)
        except GitError:  # a timeout: the remote does not answer
            return
        if not fetched and "couldn't find remote ref" not in error.lower():
            return


def current_base(git: Git, branch: str, base: str, remote: str) -> tuple[str, str]:
    """The revision a pull request's run trusts: its base branch as this clone fetched it, when that is a
    commit, else the event's `base.sha`; and what the range's description adds when they differ.

    GitHub refreshes `pull_request.base.sha` only when the PR is pushed to, so a run without a push (an
    approval, an edited title) names the base the PR was last pushed against, and a policy tightened on the
    base branch since (a zone, a revoked device) would not judge a PR that merges into the branch as it is now
    (red team red19). The remote-tracking ref is what `actions/checkout` fetched from GitHub for this run (with
    `fetch-depth: 0`); the range itself stays `base.sha..head`, the commits the PR brings."""
    tracking = f"refs/remotes/{remote}/{branch}"
    tip = git.try_resolve_object(tracking) if branch and branch != "HEAD" else None
    if tip is None or tip == base or git.object_type(tip) != "commit":
        return base, ""
    return tip, f"; policy from {branch} as fetched ({tip[:12]}), newer than the event's base"


def protected_fork_range(git: Git, parsed: ParsedEvent, remote: str, update: RefUpdate, policy: Policy,
                         guarded: Callable[[str], bool | None], *, timeout: float,
                         fix: str) -> tuple[RefUpdate, str, str] | None:
    """For a protected branch a push created (or force-pushed past a lost tip): the range (as event_range) since it
    left a branch the policy protects and `guarded` (GitHub's word; None when it cannot say) does not call
    unprotected — not since the default branch, whatever guards it (red161: `release/1` created at a phone commit of
    an unprotected `develop` judged no commit). The policy read at the fork is the pushed branch's own, which a pusher
    of an unprotected default branch writes (a `develop` it calls protected): GitHub's word overrules it. None when
    the range stays `update`."""
    if update.kind not in (RefKind.CREATE, RefKind.FORCE) or is_zero(update.old) or not policy.is_protected(update.ref):
        return None

    def keep(ref: str) -> bool:
        return policy.is_protected(ref) and guarded(ref) is not False

    again = event_range(git, parsed, remote, timeout=timeout, fix=fix, keep=keep)
    return None if again[0] == update else again


def event_range(git: Git, parsed: ParsedEvent, remote: str, *, timeout: float, fix: str,
                keep: Callable[[str], bool] | None = None) -> tuple[RefUpdate, str, str]:
    """The update to judge, the revision trusted files come from, and a description of the range (`keep`: see
    fork_point)."""
    ev = parsed.event
    if ev.is_pull or ev.name == "merge_group":
        ensure_commits(git, [ev.base, ev.head], remote, timeout=timeout, fix=fix)
        what = f"PR #{ev.pr_number}" if ev.is_pull else "merge group"
        moved = f" (retargeted from {parsed.retargeted_from})" if parsed.retargeted_from else ""
        trusted, newer = current_base(git, ev.branch, ev.base, remote) if ev.is_pull else (ev.base, "")
        return (RefUpdate(ev.ref, ev.base, ev.head, RefKind.UPDATE), trusted,
                f"{what} {ev.base[:12]}..{ev.head[:12]} into {ev.branch}{moved}{newer}")
    if parsed.deleted:
        present = ensure_commits(git, [], remote, optional=(ev.base,), timeout=timeout, fix=fix)
        return (RefUpdate(ev.ref, ev.base, ZERO_SHA, RefKind.DELETE), ev.base if ev.base in present else ZERO_SHA,
                f"deletion of {ev.branch}")
    present = ensure_commits(git, [ev.head], remote, optional=(ev.base,), timeout=timeout, fix=fix)
    if not parsed.created and ev.base in present:
        kind = RefKind.FORCE if parsed.forced or not git.is_ancestor(ev.base, ev.head) else RefKind.UPDATE
        label = "force push" if kind is RefKind.FORCE else "push"
        return (RefUpdate(ev.ref, ev.base, ev.head, kind), ev.base,
                f"{label} {ev.base[:12]}..{ev.head[:12]} to {ev.branch}")
    # A new branch (or a force push whose old tip is gone): only commits not on the default branch.
    fork = fork_point(git, ev.branch, ev.head, remote, keep)
    kind = RefKind.CREATE if parsed.created else RefKind.FORCE
    if fork is None:
        return (RefUpdate(ev.ref, ZERO_SHA, ev.head, kind), ZERO_SHA,
                f"{'new branch' if parsed.created else 'force push'} {ev.branch}: all commits of {ev.head[:12]} "
                "(no default branch to start from)")
    return (RefUpdate(ev.ref, fork, ev.head, kind), fork,
            f"{'new branch' if parsed.created else 'force push'} {ev.branch}: commits since its fork point "
            f"{fork[:12]} from the default branch")


def default_tip(git: Git, default: str | None, ref: str, remote: str, *, timeout: float, fix: str
                ) -> tuple[str, str] | None:
    """(the default branch's name, its tip as the checkout fetched it) when `ref` is another branch;
    None when it is the default branch itself (or the payload names none: GitHub's always does). The tip is
    fetched once when the checkout lacks it, else the local branch of that name; GitError (exit 4) when neither is
    there: the run cannot tell whether its branch is protected."""
    if default is None or default == ref or not default.startswith("refs/heads/"):
        return None
    branch = default[len("refs/heads/"):]
    tracking = f"refs/remotes/{remote}/{branch}"
    tip = git.try_resolve_object(tracking)
    if tip is None or git.object_type(tip) != "commit":
        git.fetch_branch(remote, branch, timeout=timeout)
        # (A checkout whose branches are local ones, e.g. a workflow that cloned without a remote: its own.)
        tip = git.try_resolve_object(tracking) or git.try_resolve_object(default)
    if tip is None or git.object_type(tip) != "commit":
        raise GitError(f"the default branch {branch} is not in the checkout: its policy says whether "
                       f"{ref.removeprefix('refs/heads/')} is protected, and so which policy judges this run", fix)
    return branch, tip
