"""Issue #9 item 28 for the machine formats: commit data with C1 controls, bidi overrides (U+202E) and
line separators leaves JSON and SARIF only as \\u escapes — valid, and lossless for a JSON parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatekeeper.cli import run
from gatekeeper.sanitize import json_escape_unsafe
from tests.repo_builder import RepoBuilder

SUBJECT = "fix \u202eexe.txt\u202c \x85next \x9b31m red \u2028sep \u200bzw \ufeffbom \x7fdel"
RAW = ("\u202e", "\u202c", "\x85", "\x9b", "\u2028", "\u200b", "\ufeff", "\x7f")
POLICY = "version: 1\nrules:\n  mobile: {scanners: [], review: {approvals: 0}}\n  default: {scanners: []}\n"


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_machine_formats_escape_hostile_characters(repo: RepoBuilder, tmp_path: Path, fmt: str) -> None:
    repo.commit("base\n", {"a": "1\n"})
    repo.branch("feature")
    repo.commit(SUBJECT + "\n\nOrigin-Device: mobile\n", {f"dir/\u202eevil{chr(0x85)}.py": "2\n"})
    policy = tmp_path / "p.yml"
    policy.write_text(POLICY + "zones:\n  - {name: z, paths: ['dir/**'], mobile: block}\n")
    out = tmp_path / f"v.{fmt}"
    code = run(["check", "--repo", str(repo.path), "--base", "main", "--policy", str(policy), "--format", fmt,
                "--output", str(out)])
    assert code == 1
    raw = out.read_text(encoding="utf-8")
    for char in RAW:
        assert char not in raw, repr(char)
    data = json.loads(raw)
    if fmt == "json":
        assert data["commits"][-1]["subject"] == SUBJECT
        assert "\\u202e" in raw and "\\u0085" in raw and "\\u009b" in raw
        assert any(f["path"] == f"dir/\u202eevil{chr(0x85)}.py" for f in data["findings"])


def test_escaping_is_lossless_and_keeps_json_valid() -> None:
    value = {"s": "a\\\u202eb\x85\"c\u2028", "k\u202e": ["\x9f"]}
    text = json_escape_unsafe(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value
    assert not any(c in text for c in ("\u202e", "\x85", "\u2028", "\x9f"))


@pytest.mark.parametrize("mobile", [False, True])  # plain commits use a template, the others json.dumps
def test_audit_json_escapes_hostile_characters(repo: RepoBuilder, tmp_path: Path, mobile: bool) -> None:
    repo.commit("base\n", {"a": "1\n"})
    trailer = "\n\nOrigin-Device: mobile\n" if mobile else "\n"
    repo.commit(SUBJECT + trailer, {"b": "2\n"}, author=("Eve \u202eevE", "eve@example.com"))
    out = tmp_path / "audit.json"
    assert run(["audit", "--repo", str(repo.path), "--format", "json", "--output", str(out)]) == 0
    raw = out.read_text(encoding="utf-8")
    for char in RAW:
        assert char not in raw, repr(char)
    data = json.loads(raw)
    assert any(c["subject"] == SUBJECT and c["author"]["name"] == "Eve \u202eevE" for c in data["commits"])
