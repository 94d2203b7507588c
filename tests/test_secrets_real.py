"""The secrets scanner on real public histories: the commits where the default policy used to block on
noise (each judged by hand with bench/bench_secrets_history.py) stay quiet, and the real private keys
golang/net once committed are still found. Pinned commits; skipped when the mirrors are absent
(GATEKEEPER_REAL_REPOS, default /work/.mirror). tests/test_secrets_rules.py covers the same lines
without the mirrors.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.models import Severity
from gatekeeper.scan.secrets_scanner import SecretsScanner

BASE = Path(os.environ.get("GATEKEEPER_REAL_REPOS", "/work/.mirror"))

QUIET = [
    ("opencontainers+runc", "e31771fa42659938f30fba3885306ec0cc6ae0eb"),  # passwd(5) layouts in comments
    ("opencontainers+runc", "41aa19662b6aa05b8ec70962f0c74f6f77098835"),  # "pwd: getcwd: No such process"
    ("Aider-AI+aider", "ffbbb5539d004f83c5741fe9ef8e7836d3c99891"),  # --api-key x=&lt;key&gt; in HTML
    ("Aider-AI+aider", "3efcd154f3c2ac8ed37147997d07bab215987204"),  # "Invalid --api-key format: {...}"
    ("Aider-AI+aider", "0d4b6b6885efde93635644a37613643050e9fcfc"),  # an ANSI colour string
    ("github+github-mcp-server", "56b23c33cbe95255d6cf4cbf755a0b190937f141"),  # go test output "PASS: ..."
]


def _repo(name: str) -> Git:
    path = BASE / name / "repo"
    if not path.is_dir():
        pytest.skip(f"real history {name} not available under {BASE} (set GATEKEEPER_REAL_REPOS)")
    return Git(path)


def _blocking(git: Git, sha: str) -> list[tuple[str, str | None, int | None]]:
    commits = list(git.iter_log([sha], no_walk=True))
    result = SecretsScanner().scan(ScanJob(git=git, commits=commits, changes={}, head=sha))
    return [(f.rule_id, f.path, f.line) for f in result.findings
            if f.category == "secrets" and f.severity >= Severity.HIGH and not f.suppressed_by]


@pytest.mark.parametrize(("name", "sha"), QUIET, ids=[f"{n.split('+')[1]}-{s[:8]}" for n, s in QUIET])
def test_noise_that_used_to_block_is_quiet(name: str, sha: str) -> None:
    assert _blocking(_repo(name), sha) == []


def test_committed_private_keys_are_still_found() -> None:
    git = _repo("golang+net")
    found = _blocking(git, "17e723d0226ca768f47c6ec51c26abc25f64d395")
    assert ("secrets/private-key", "http2/h2demo/rootCA.key", 1) in found
    assert ("secrets/private-key", "http2/h2demo/server.key", 1) in found
