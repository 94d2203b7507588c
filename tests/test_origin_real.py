"""AI classification on real public histories, every commit, against a plain-git count
(bench/bench_origin_real.py); skipped when the histories are not on the machine (GATEKEEPER_REAL_REPOS).

The normal suite covers the same cases on repositories the tests build (tests/test_agents.py)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
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



# origin160: one commit per class fixed on six AI-era histories (each skipped when its mirror or commit is absent).
ORIGIN160 = [
    # Codegen's App authored the squash and co-authored it (Peekaboo #4).
    ("steipete+Peekaboo", "338b994ac9652b575e171e0673b1a87bc105bb07", AIInvolvement.GENERATED, "codegen-sh", None),
    # Pullfrog's App authored the squash (ccusage #1224).
    ("ryoppippi+ccusage", "a10b8976c0e719fd774a015ef101037f50a0f1f4", AIInvolvement.GENERATED, "pullfrog", None),
    # Vibe Kanban's title mark, nothing else: "… (Vibe Kanban) (#2059)".
    ("BloopAI+vibe-kanban", "4a6e556ed2e1c2b0f2420404a2f58d0b8724e7b4", AIInvolvement.ASSISTED, "vibe-kanban", None),
    # `Co-authored-by: Vibe Kanban <noreply@vibekanban.com>` (#2385).
    ("BloopAI+vibe-kanban", "e0aef4adf7141fa10966851fe58ac19b15ea93c8", AIInvolvement.ASSISTED, "vibe-kanban", None),
    # `Claude Assistant <claude@anthropic.com>` as author: Claude Code, no model (was "Claude Assistant").
    ("oraios+serena", "9a2c1659cd46bd851895fcc41d332a8becb6ec24", AIInvolvement.GENERATED, "claude-code", None),
]


@pytest.mark.parametrize(("name", "sha", "ai", "agent", "model"), ORIGIN160)
def test_origin160_commits(name: str, sha: str, ai: AIInvolvement, agent: str | None, model: str | None) -> None:
    root = Path(os.environ.get("GATEKEEPER_REAL_REPOS", "/work/.mirror"))
    path = root / name / "repo"
    if not path.is_dir():
        pytest.skip(f"real history {name} not present under {root} (set GATEKEEPER_REAL_REPOS)")
    if subprocess.run(["git", "-C", str(path), "cat-file", "-e", f"{sha}^{{commit}}"],
                      capture_output=True).returncode != 0:
        pytest.skip(f"{name} under {root} lacks the pinned commit {sha}")
    (commit,) = Git(path).iter_log([sha], no_walk=True)
    result, _ = origin.detect(commit, OriginContext(), (DeviceClass.MOBILE, DeviceClass.TABLET))
    assert result.ai is ai, result.evidence
    assert (result.agent.id if result.agent else None) == agent, result.evidence
    assert result.agent is None or result.agent.model == model, result.agent


# origin161: one commit per class fixed on six more AI-era histories (each skipped when its mirror or commit is absent).
ORIGIN161 = [
    # Mux's footer with its Model field (its body quotes the template, `<modelString>`, first: no model from that).
    ("coder+mux", "17ff207161967cf8f0ec2aae6a098231c5ff0dec", AIInvolvement.ASSISTED, "mux", "openai:gpt-5.2"),
    # Codex cloud's pull request with the project's Mux footer (Model: unknown) and Codex's task link: Codex.
    ("coder+mux", "9756a641e96e710b068239c762fa34ce0f366e20", AIInvolvement.ASSISTED, "codex", None),
    # `Co-authored-by: OpenAI Codex <215057067+openai-codex[bot]@…>`.
    ("steipete+CodexBar", "aeab80e099a301d5dc55eec65e9ed62d1b5222fc", AIInvolvement.ASSISTED, "codex", None),
    # `Co-Authored-By: Craft Agent <agents-noreply@craft.do>`.
    ("steipete+CodexBar", "f13d2bb38bb62d286ea5859f7af5a61195a09820", AIInvolvement.ASSISTED, "craft-agents", None),
    # Lovable's App authoring its agent's edit.
    ("gptme+gptme", "010528338cbe947c16ba1bcd89f39b1ea3c1a6de", AIInvolvement.GENERATED, "lovable", None),
]


@pytest.mark.parametrize(("name", "sha", "ai", "agent", "model"), ORIGIN161)
def test_origin161_commits(name: str, sha: str, ai: AIInvolvement, agent: str | None, model: str | None) -> None:
    test_origin160_commits(name, sha, ai, agent, model)
