"""The GitHub event a workflow runs for: the payload Actions writes to GITHUB_EVENT_PATH, read and checked.

Events gated: `pull_request` / `pull_request_target` (every action except `closed`; `edited` too, so
a PR retargeted to a protected branch is judged against it), `pull_request_review` (submitted /
edited / dismissed: an approval re-runs the gate), `merge_group` (`checks_requested`) and `push` to
branches. The payload is hostile input like any commit data: it is size-capped, every commit id must
be 40 hex digits, every branch name a plausible ref, logins are validated, and anything that is not
the shape GitHub sends is an error naming the field — never a silently empty range.

Who pushed: a `pull_request` / `pull_request_target` event with action `opened`, `synchronize` or
`reopened` names in `sender` the account whose push (or opening of a branch it may have pushed, or
reopening after pushes GitHub sent no event for) started the run. That account is the event's
`pusher`, and the review source lets it approve no commit of the PR in that run. The whole PR rather
than `before..after` of a synchronize: the payload names only the latest pusher, so an earlier push
by the same account (T, then an unrelated commit on top) would leave T approvable by its pusher; and
`before` may be gone from the clone after a force push. GitHub's own "require approval of the most
recent reviewable push" rule has the same reach. `pull_request_review` and other actions say nothing
about who pushed (their sender is the reviewer or editor): there the pusher is unknown (docs/action.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gatekeeper.errors import GatekeeperError, UsageError
from gatekeeper.git import is_sha, is_zero
from gatekeeper.identity import valid_login
from gatekeeper.lazy_regex import lazy
from gatekeeper.sanitize import safe

PULL_EVENTS = ("pull_request", "pull_request_target", "pull_request_review")
EVENTS = (*PULL_EVENTS, "merge_group", "push")
MAX_EVENT_BYTES = 25 * 1024 * 1024
# gh-readonly-queue/<base>/pr-<number>-<the PR's head when it was queued>
_QUEUE_PR = lazy(r"/pr-(\d+)-([0-9a-f]{40})\Z")
PUSH_ACTIONS = ("opened", "synchronize", "reopened")  # pull_request actions whose sender pushed the head


@dataclass(frozen=True, slots=True)
class GitHubEvent:
    """What the review source needs to know about the triggering event."""

    name: str  # pull_request | pull_request_target | pull_request_review | merge_group | push
    repository: str  # OWNER/NAME
    ref: str  # the protected ref the change is heading for (refs/heads/main)
    base: str  # commit id the range starts after (zeros when none)
    head: str
    pr_number: int | None = None
    pr_author: str | None = None
    queue_pr: int | None = None  # merge_group: the PR its head_ref names
    queue_head: str | None = None  # merge_group: that PR's head commit, as its head_ref names it
    pusher: str | None = None  # pull_request opened/synchronize/reopened: `sender`, who may not approve
    default_branch: str | None = None  # `repository.default_branch` (refs/heads/…): where trust is rooted (red66)

    @property
    def is_pull(self) -> bool:
        return self.name in PULL_EVENTS

    @property
    def branch(self) -> str:
        return self.ref[len("refs/heads/"):] if self.ref.startswith("refs/heads/") else self.ref


@dataclass(frozen=True, slots=True)
class ParsedEvent:
    event: GitHubEvent
    action: str = ""
    created: bool = False
    deleted: bool = False
    forced: bool = False
    skip: str | None = None  # why the gate does not run for this event (still a success)
    retargeted_from: str | None = None  # `edited` with changes.base: the branch the PR targeted before


def _fail(problem: str) -> GatekeeperError:
    return GatekeeperError(f"event payload: {problem}", "this event payload is not one GitHub sends for the events "
                           "gatekeeper supports; report it with the payload")


def _obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(f"{where} is missing or not an object")
    return value


def _sha(value: Any, where: str, *, zero_ok: bool = False) -> str:
    if isinstance(value, str) and is_sha(value) and (zero_ok or not is_zero(value)):
        return value
    raise _fail(f"{where} is not a commit id")


def _branch_ref(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 255 or value.startswith("-") or any(
            ord(c) < 33 or c in "~^:?*[\\" for c in value):
        raise _fail(f"{where} is not a branch name")
    return value if value.startswith("refs/") else f"refs/heads/{value}"


def _login(value: Any) -> str | None:
    login = value.get("login") if isinstance(value, dict) else None
    return login if isinstance(login, str) and valid_login(login) else None


def parse_event(name: str, payload: Any, repository: str = "") -> ParsedEvent:
    """The review-relevant facts of one event payload (as GitHub writes it to GITHUB_EVENT_PATH)."""
    if name not in EVENTS:
        raise UsageError(f"event {name!r} is not gated by gatekeeper",
                         f"trigger the workflow on: {', '.join(EVENTS)}")
    data = _obj(payload, "the payload")
    raw_action = data.get("action")
    action = raw_action if isinstance(raw_action, str) else ""
    repo = repository
    if not repo and isinstance(data.get("repository"), dict):
        full_name = data["repository"].get("full_name")
        repo = full_name if isinstance(full_name, str) else ""
    if not repo:
        raise _fail("repository.full_name is missing (and GITHUB_REPOSITORY is not set)")
    default = _default_branch(data)
    if name in PULL_EVENTS:
        pr = _obj(data.get("pull_request"), "pull_request")
        number = pr.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            raise _fail("pull_request.number is not a positive number")
        base, head = _obj(pr.get("base"), "pull_request.base"), _obj(pr.get("head"), "pull_request.head")
        pusher = None
        if name != "pull_request_review" and action in PUSH_ACTIONS:
            pusher = _login(data.get("sender"))
            if pusher is None:  # GitHub always says who; without it a pusher could approve their own push
                raise _fail("sender.login is missing or not a login (it names who pushed)")
        event = GitHubEvent(name, repo, _branch_ref(base.get("ref"), "pull_request.base.ref"),
                            _sha(base.get("sha"), "pull_request.base.sha"),
                            _sha(head.get("sha"), "pull_request.head.sha"),
                            pr_number=number, pr_author=_login(pr.get("user")), pusher=pusher,
                            default_branch=default)
        # Every other action runs the whole gate — `edited` included, with or without a base change: the
        # latest run of a required check is its status, so a skipped (green) run after a red one, or a
        # PR opened against an unprotected branch and retargeted to main (`changes.base`), must be judged
        # against the branch it now targets (pull_request.base is already the new base).
        skip = "the pull request was closed" if name != "pull_request_review" and action == "closed" else None
        return ParsedEvent(event, action, skip=skip, retargeted_from=_retargeted_from(data) if action == "edited"
                           else None)
    if name == "merge_group":
        group = _obj(data.get("merge_group"), "merge_group")
        raw_head_ref = group.get("head_ref")
        head_ref = raw_head_ref if isinstance(raw_head_ref, str) else ""
        match = _QUEUE_PR.search(head_ref)
        event = GitHubEvent(name, repo, _branch_ref(group.get("base_ref"), "merge_group.base_ref"),
                            _sha(group.get("base_sha"), "merge_group.base_sha"),
                            _sha(group.get("head_sha"), "merge_group.head_sha"),
                            queue_pr=int(match.group(1)) if match else None,
                            queue_head=match.group(2) if match else None, default_branch=default)
        skip = None if action in ("checks_requested", "") else f"merge_group {action}: nothing to check"
        return ParsedEvent(event, action, skip=skip)
    ref = data.get("ref")
    if not isinstance(ref, str) or not ref.startswith("refs/"):
        raise _fail("ref is not a full ref name")
    before = _sha(data.get("before"), "before", zero_ok=True)
    after = _sha(data.get("after"), "after", zero_ok=True)
    created = data.get("created") is True or is_zero(before)
    deleted = data.get("deleted") is True or is_zero(after)
    forced = data.get("forced") is True
    event = GitHubEvent(name, repo, _branch_ref(ref, "ref") if ref.startswith("refs/heads/") else ref, before, after,
                        default_branch=default)
    skip = None
    if not ref.startswith("refs/heads/"):
        skip = f"{ref} is not a branch; gatekeeper gates branches (protect tags with rulesets)"
    return ParsedEvent(event, action, created=created, deleted=deleted, forced=forced, skip=skip)


def _default_branch(data: dict[str, Any]) -> str | None:
    """The repository's default branch as the payload names it (every event gatekeeper gates carries it), as a ref;
    None when it names none or not a branch name."""
    repository = data.get("repository")
    value = repository.get("default_branch") if isinstance(repository, dict) else None
    try:
        return _branch_ref(value, "repository.default_branch") if isinstance(value, str) and \
            not value.startswith("refs/") else None
    except GatekeeperError:
        return None


def _retargeted_from(data: dict[str, Any]) -> str | None:
    changes = data.get("changes")
    base = changes.get("base") if isinstance(changes, dict) else None
    ref = base.get("ref") if isinstance(base, dict) else None
    old = ref.get("from") if isinstance(ref, dict) else None
    if not isinstance(base, dict):
        return None
    return safe(old, limit=255) if isinstance(old, str) and old else "(another branch)"


def load_event(path: Path) -> Any:
    """The payload at `path` as JSON, refused beyond MAX_EVENT_BYTES."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_EVENT_BYTES + 1)
    except OSError as exc:
        raise GatekeeperError(f"cannot read the event payload {path}: {exc.strerror}",
                              "run inside GitHub Actions (GITHUB_EVENT_PATH) or pass --event-path") from None
    if len(raw) > MAX_EVENT_BYTES:
        raise GatekeeperError(f"{path}: event payload larger than {MAX_EVENT_BYTES} bytes", "pass the real payload")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise GatekeeperError(f"{path}: the event payload is not valid JSON", "pass the payload GitHub wrote") from None
