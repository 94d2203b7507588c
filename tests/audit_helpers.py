"""Shared by the `audit --since` and ref-name tests (tests/test_audit_since.py, test_red36..38_hostile.py): dates
either side of the window, an AI trailer, an audit run in-process as JSON, and a hook server with one commit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.cli import run
from tests.hook_helpers import Server, make_server, seed
from tests.repo_builder import RepoBuilder

OLD = 915_184_800  # 1999-01-01
RECENT = 1_793_527_200  # 2026-11-02
SINCE = "2026-10-01"
AI = "\n\nAssisted-by: claude-code:opus\n"
DANA = ("Dana Developer", "dana@example.com")


def audit(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> dict[str, Any]:
    code = run(["audit", "--repo", str(repo), "--format", "json", "--no-progress", *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def subjects(data: dict[str, Any]) -> list[str]:
    return [c["subject"] for c in data["commits"]]


def unreviewed(data: dict[str, Any]) -> set[str]:
    return {i["subject"] for i in data["summary"]["unreviewed_mobile_ai_on_protected"]["items"]}


def seeded(tmp_path: Path) -> tuple[Server, RepoBuilder]:
    server = make_server(tmp_path / "srv")
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"}, author=DANA, committer=DANA)
    seed(server, work)
    return server, work
