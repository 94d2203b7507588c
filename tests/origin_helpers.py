"""Shared by the origin red-team and fix tests (tests/test_fix1*_hostile.py, test_red1*_hostile.py,
test_origin14*_hostile.py, ...): one commit made in a real repository, read back through git as the gate reads it,
and its origin detected."""

from __future__ import annotations

from typing import Any

from gatekeeper import origin
from gatekeeper.git import Git
from gatekeeper.models import DeviceClass
from gatekeeper.origin.base import OriginContext
from tests.repo_builder import RepoBuilder

MOBILE = (DeviceClass.MOBILE, DeviceClass.TABLET)
MOBILE_AND_WEB = (DeviceClass.MOBILE, DeviceClass.TABLET, DeviceClass.WEB)


def detect_origin(repo: RepoBuilder, message: str, ctx: OriginContext | None = None, *,
                  classes: tuple[DeviceClass, ...] = MOBILE_AND_WEB, person: tuple[str, str] | None = None,
                  **kwargs: Any) -> Any:
    """The origin of a new empty commit with `message` (`person` as its author and committer unless given;
    `kwargs` go to RepoBuilder.commit), judged with `ctx` (default: none) and the policy's `classes`."""
    if person is not None:
        kwargs.setdefault("author", person)
        kwargs.setdefault("committer", person)
    sha = repo.commit(message, allow_empty=True, **kwargs)
    (commit,) = Git(repo.path).iter_log([sha], no_walk=True)
    result, _ = origin.detect(commit, ctx or OriginContext(), classes)
    return result
