"""AI classification on real public histories, every commit, against a plain-git count
(bench/bench_origin_real.py); skipped when the histories are not on the machine (GATEKEEPER_REAL_REPOS).

The normal suite covers the same cases on repositories the tests build (tests/test_agents.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from gatekeeper import origin
from gatekeeper.git import Git
from gatekeeper.models import AIInvolvement, DeviceClass
from gatekeeper.origin.base import OriginContext
from tests.test_trailers import REAL_HISTORIES, real_repo


def _bench() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "bench" / "bench_origin_real.py"
    spec = importlib.util.spec_from_file_location("bench_origin_real", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(REAL_HISTORIES))
def test_every_commit_agrees_with_plain_git(name: str) -> None:
    path, commit = real_repo(name)
    result = _bench().compare(path, commit)
    assert result.commits > 500
    assert not result.trailer_diff, result.trailer_diff[:5]
    assert not result.ai_diff, result.ai_diff[:5]


# (history, commit, AI level, agent, model) — one pinned commit per kind of evidence.
SPOT = [
    ("Aider-AI+aider", "14af218ea281854c0900ebbfcf8ca453aa3c41aa", AIInvolvement.ASSISTED, "aider", None),
    # aider's maintainer: his address holds "aider", he is a person (previously "generated").
    ("Aider-AI+aider", "26bc981981fcf56ebaa30c7ee983ff1a648b159c", AIInvolvement.NONE, None, None),
    ("opencontainers+runc", "daf934fefc0b2529f2bc7feb4d3539101642b762", AIInvolvement.ASSISTED, "claude-code",
     "Claude Opus 4.8"),
    ("github+github-mcp-server", "a6b820741b6b60fbb9a758189327f1a067f74eaf", AIInvolvement.ASSISTED, "copilot", None),
    ("github+github-mcp-server", "eb088dfe9d854dab6453a8d4ae5871a5ced20974", AIInvolvement.GENERATED, "copilot", None),
    # A flattened message: "…tests.\n\nCo-authored-by: Copilot App <…>" with literal backslash-n (fix127).
    ("github+github-mcp-server", "30600ba3353ea8c1c46f2163639a3771c38d4fc5", AIInvolvement.ASSISTED, "copilot", None),
]


@pytest.mark.parametrize(("name", "sha", "ai", "agent", "model"), SPOT)
def test_pinned_commits(name: str, sha: str, ai: AIInvolvement, agent: str | None, model: str | None) -> None:
    path, _ = real_repo(name)
    (commit,) = Git(path).iter_log([sha], no_walk=True)
    assert commit.sha == sha
    result, _ = origin.detect(commit, OriginContext(), (DeviceClass.MOBILE, DeviceClass.TABLET))
    assert result.ai is ai
    assert (result.agent.id if result.agent else None) == agent
    if model:
        assert result.agent is not None and result.agent.model == model
    if sha.startswith("a6b82074"):  # co-author paragraph, then a separate Copilot-Session paragraph
        assert result.agent is not None and result.agent.session == "21420b11-5dae-49b6-ac77-965faec7f88b"

