"""A push that moves several refs: head-based scanners see each pushed tip's files."""

from __future__ import annotations

import datetime as dt

from gatekeeper.config import parse_policy
from gatekeeper.engine import Request, Services, evaluate
from gatekeeper.git import Git
from gatekeeper.models import RefKind, RefUpdate
from gatekeeper.review.local import LocalReviewSource
from gatekeeper.scan import build_scanners
from tests.repo_builder import RepoBuilder

POLICY = """\
version: 1
rules:
  mobile: {scanners: [semgrep, secrets], block_at: high}
  default: {scanners: [], block_at: critical}
"""


def test_each_tip_is_scanned(repo: RepoBuilder, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = repo.commit("base", {"README.md": "hi\n"})
    repo.branch("a")
    a_tip = repo.commit("a\n\nOrigin-Device: mobile\n", {"a.py": "def f(x):\n    return eval(x)\n"})
    repo.branch("b", base)
    b_tip = repo.commit("b\n\nOrigin-Device: mobile\n", {"b.py": "def g(y):\n    return eval(y)\n"})
    policy = parse_policy(POLICY, "p.yml")
    request = Request(
        git=Git(repo.path),
        updates=(RefUpdate("refs/heads/a", base, a_tip, RefKind.UPDATE),
                 RefUpdate("refs/heads/b", base, b_tip, RefKind.UPDATE)),
        policy=policy, now=dt.datetime(2026, 11, 28, tzinfo=dt.UTC))
    verdict = evaluate(request, Services(scanners=build_scanners(policy, cache_dir=tmp_path / "cache"),
                                         review=LocalReviewSource()))
    semgrep = {(f.path, f.commit) for f in verdict.findings if f.rule_id.startswith("semgrep/")}
    assert semgrep == {("a.py", a_tip), ("b.py", b_tip)}
    stats = dict(verdict.stats.scanners)
    assert stats["semgrep"].ran and stats["semgrep"].files == 2
