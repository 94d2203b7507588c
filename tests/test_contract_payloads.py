"""Contract tests: every GitHub-authored webhook example of a gated event parses, with the right facts.

The examples (octokit/webhooks, api.github.com and GHES 3.5) are what Actions writes to
GITHUB_EVENT_PATH; INDEX.json beside them lists, per example, what a parser should extract.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.git import is_zero
from gatekeeper.review.github_event import EVENTS, parse_event
from tests.github_helpers import CORPUS, corpus

GATED = ("pull_request", "pull_request_review", "push", "merge_group")


def _index() -> list[dict[str, Any]]:
    if not (CORPUS / "webhooks" / "INDEX.json").is_file():
        return []
    entries: list[dict[str, Any]] = json.loads((CORPUS / "webhooks" / "INDEX.json").read_text())
    return [e for e in entries if e["event"] in GATED]


def _example_files() -> list[Path]:
    root = CORPUS / "webhooks" / "examples"
    return sorted(p for p in root.glob("*/*/*.json") if p.parent.name in GATED) if root.is_dir() else []


def test_corpus_present_and_indexed() -> None:
    corpus()
    files = {p.relative_to(CORPUS).as_posix() for p in _example_files()}
    indexed = {e["file"] for e in _index()}
    assert files and files == indexed
    assert set(GATED) <= set(EVENTS)


@pytest.mark.parametrize("entry", _index(), ids=lambda e: e["file"].split("examples/")[1])
def test_every_gated_example_parses(entry: dict[str, Any]) -> None:
    payload = json.loads((corpus() / entry["file"]).read_text())
    parsed = parse_event(entry["event"], payload)
    event = parsed.event
    assert parsed.action == (entry.get("action") or "")
    assert event.repository == payload["repository"]["full_name"]
    if entry["event"] in ("pull_request", "pull_request_review"):
        assert event.pr_number == entry["pr_number"]
        assert event.head == entry["head_sha"]
        assert event.ref == f"refs/heads/{entry['base_ref']}"
        assert event.base == payload["pull_request"]["base"]["sha"]
        assert event.pr_author == entry["user"]
        pushed = entry["event"] == "pull_request" and entry["action"] in ("opened", "synchronize", "reopened")
        assert event.pusher == (payload["sender"]["login"] if pushed else None)
        assert (parsed.skip is not None) == (entry["event"] == "pull_request" and entry["action"] == "closed")
    elif entry["event"] == "merge_group":
        assert event.head == entry["head_sha"]
        assert event.ref == entry["base_ref"]
        assert event.queue_pr == 104  # refs/heads/gh-readonly-queue/main/pr-104-<sha>
        assert event.queue_head == payload["merge_group"]["head_ref"].rsplit("-", 1)[1]  # the PR's head
        assert parsed.skip is None
    else:
        assert event.ref == entry["ref"]
        assert (event.base, event.head) == (entry["before"], entry["after"])
        assert parsed.forced is entry["forced"]
        assert parsed.deleted is is_zero(entry["after"])
        assert parsed.created is is_zero(entry["before"])
        # Tag pushes are reported as skipped, branch pushes are gated.
        assert (parsed.skip is not None) == entry["ref"].startswith("refs/tags/")


def test_repository_from_the_environment_wins() -> None:
    payload = json.loads((corpus() / "webhooks/examples/api.github.com/pull_request/opened.payload.json").read_text())
    assert parse_event("pull_request", payload, "env-org/env-repo").event.repository == "env-org/env-repo"


@pytest.mark.parametrize(("event", "mutate", "problem"), [
    ("pull_request", lambda p: p["pull_request"]["head"].update(sha="HEAD~1"), "head.sha is not a commit id"),
    ("pull_request", lambda p: p["pull_request"]["base"].update(ref="--upload-pack=x"), "not a branch name"),
    ("pull_request", lambda p: p["pull_request"].update(number="2"), "number"),
    ("pull_request", lambda p: p.pop("pull_request"), "pull_request is missing"),
    ("pull_request", lambda p: p.pop("sender"), "sender.login is missing"),
    ("pull_request", lambda p: p["sender"].update(login="a\x1b[2Jb"), "sender.login is missing"),
    ("push", lambda p: p.update(after="0" * 39 + "g"), "after is not a commit id"),
    ("push", lambda p: p.update(ref="main"), "full ref name"),
])
def test_malformed_payloads_are_clear_errors(event: str, mutate: Any, problem: str) -> None:
    from gatekeeper.errors import GatekeeperError

    name = {"pull_request": "pull_request/opened.payload.json", "push": "push/with-new-branch.payload.json"}[event]
    payload = json.loads((corpus() / "webhooks/examples/api.github.com" / name).read_text())
    mutate(payload)  # SYNTHETIC: a corpus payload with one field broken
    with pytest.raises(GatekeeperError, match=problem):
        parse_event(event, payload)


def test_unsupported_event_is_a_usage_error() -> None:
    from gatekeeper.errors import UsageError

    with pytest.raises(UsageError, match="pull_request_review_thread"):
        parse_event("pull_request_review_thread", {})
