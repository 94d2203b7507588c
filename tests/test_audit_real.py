"""`gatekeeper audit` over a real public history (opencontainers/runc, pinned), against plain git.

Reads the bare mirror under $GATEKEEPER_REAL_REPOS (default /work/.mirror) and skips, saying so, when
it is not on the machine. The built histories of test_audit.py cover the same cases in the normal suite.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest

from gatekeeper.cli import run

ROOT = Path(os.environ.get("GATEKEEPER_REAL_REPOS", "/work/.mirror"))
RUNC = ROOT / "opencontainers+runc" / "repo"
PINNED = "76d9cf5da5683ff449ae967db58fa8c5927ca54b"
SCHEMA = json.loads((Path(__file__).parents[1] / "gatekeeper" / "schema" / "audit.schema.json").read_text())


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(RUNC), *args], capture_output=True, text=True, check=True).stdout


def test_runc_history_against_plain_git(capsys: pytest.CaptureFixture[str]) -> None:
    if not (RUNC / "HEAD").exists():
        pytest.skip(f"no mirror of opencontainers/runc at {RUNC} (set GATEKEEPER_REAL_REPOS)")
    if subprocess.run(["git", "-C", str(RUNC), "cat-file", "-e", PINNED], capture_output=True).returncode != 0:
        pytest.skip(f"the mirror at {RUNC} does not hold the pinned commit {PINNED}")
    code = run(["audit", "--repo", str(RUNC), "--rev-range", PINNED, "--format", "json", "--no-progress"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    jsonschema.validate(data, SCHEMA)
    shas = git("rev-list", PINNED).split()
    assert sorted(c["sha"] for c in data["commits"]) == sorted(shas)  # every commit once
    summary = data["summary"]
    assert summary["commits"] == len(shas) == 8142
    merges = len(git("rev-list", "--merges", PINNED).split())
    assert summary["merges"] == merges
    assert summary["dco"]["n/a"]["count"] == merges
    # Signed commits, counted from the raw objects `git cat-file` gives (a gpgsig header before the message).
    raw = subprocess.run(["git", "-C", str(RUNC), "cat-file", "--batch"], input="\n".join(shas).encode() + b"\n",
                         capture_output=True, check=True).stdout
    signed = 0
    at = 0
    while at < len(raw):
        header_end = raw.index(b"\n", at)
        size = int(raw[at:header_end].split()[2])
        body = raw[header_end + 1:header_end + 1 + size]
        signed += b"\ngpgsig" in body.split(b"\n\n", 1)[0]
        at = header_end + 1 + size + 1
    unsigned = summary["signatures"]["unsigned"]["count"]
    assert len(shas) - unsigned == signed
    assert sum(row["commits"] for row in summary["months"]) == len(shas)
    assert summary["first"].startswith("2014-02-21") and summary["last"].startswith("2026-08-19")
