"""`Git`: one repository and every question gatekeeper asks of it, assembled from the package's parts."""

from __future__ import annotations

from gatekeeper.git.diff import Diffs
from gatekeeper.git.history import History
from gatekeeper.git.notes import Notes
from gatekeeper.models import RefKind, is_zero


class Git(Notes, History, Diffs):
    """A repository and the questions gatekeeper asks of it."""


def classify_update(git: Git, old: str, new: str, ref: str) -> RefKind:
    """The kind of one `old new ref` update (force = old is not an ancestor of new)."""
    if ref.startswith("refs/tags/"):
        return RefKind.DELETE if is_zero(new) else RefKind.TAG
    if is_zero(new):
        return RefKind.DELETE
    if is_zero(old):
        return RefKind.CREATE
    kinds = git.object_types((old, new))  # (one `cat-file --batch-check` for both: one process less a push)
    if kinds.get(old) != "commit" or kinds.get(new) != "commit":
        return RefKind.UPDATE
    return RefKind.UPDATE if git.is_ancestor(old, new) else RefKind.FORCE
