"""The CI checkout a gate runs in: its history made complete once, and where a new branch forks off.

A runner's clone is often shallow or lacks the base of the range. `ensure_commits` fetches what is
missing ONCE from the remote (`--unshallow`, or the exact commits; never retried, credentials are
whatever the remote's config already has) and fails with the caller's fix when the history still is
not there: a gate that judged a truncated range would judge the wrong commits. `fork_point` finds
where a new branch left the default branch, so a created branch counts only its own commits.
"""

from __future__ import annotations

from collections.abc import Sequence

from gatekeeper.errors import GitError
from gatekeeper.git import Git, is_zero


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


def fork_point(git: Git, branch: str, head: str, remote: str) -> str | None:
    """Where `head` (the tip of `branch`) left the default branch: the remote's HEAD, else main or master
    (remote-tracking first, then local); None when there is no such branch to start from."""
    candidates = [f"refs/remotes/{remote}/HEAD", f"refs/remotes/{remote}/main", f"refs/remotes/{remote}/master",
                  "refs/heads/main", "refs/heads/master"]
    for ref in candidates:
        if ref.endswith("/" + branch) and ref != f"refs/remotes/{remote}/HEAD":
            continue
        tip = git.try_resolve(ref)
        if tip is None or tip == head:
            continue
        return git.merge_base(tip, head)
    return None
