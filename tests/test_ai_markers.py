"""A project's own mark of an agent's work (policy `origins.ai_markers`): go-vikunja/vikunja's contributing guide asks
agents to end a pull request's title with `🤖🤖🤖`, and its squash merges keep the title as the commit's subject.
The gate (`check`) and the audit read it alike — the audit's fast path included — and a policy cannot set a marker
that would make every message an agent's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatekeeper.cli import run
from gatekeeper.config import parse_policy
from gatekeeper.errors import ConfigError
from tests.repo_builder import RepoBuilder
from tests.test_audit_fastpath import assert_same, generated_history

MARK = "\U0001f916\U0001f916\U0001f916"
POLICY = f'version: 1\norigins: {{ai_markers: ["{MARK}", "[agent-made]"]}}\nprotected_refs: ["refs/heads/main"]\n'


def _audit(capsys: pytest.CaptureFixture[str], repo: Path, policy: Path | None) -> dict[str, dict[str, object]]:
    args = ["audit", "--repo", str(repo), "--format", "json", "--no-progress"]
    code = run([*args, "--policy", str(policy)] if policy else args)
    out, err = capsys.readouterr()
    assert code == 0, err
    return {c["subject"]: c for c in json.loads(out)["commits"]}


def test_the_projects_marker_makes_a_commit_ai_assisted(repo: RepoBuilder, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("Initial commit\n", {"README.md": "hi\n"})
    repo.commit(f"fix: sort saved filters {MARK} (#3497)\n", {"a.go": "package a\n"})
    repo.commit("feat: export [agent-made]\n\nbody\n", {"b.go": "package b\n"})
    repo.commit("docs: a robot \U0001f916 and [Agent-Made] are not the marks\n", {"c.md": "x\n"})
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY, encoding="utf-8")
    found = _audit(capsys, repo.path, policy)
    levels = {subject: c["ai"]["involvement"] for subject, c in found.items()}  # type: ignore[index]
    assert levels == {"Initial commit": "none", f"fix: sort saved filters {MARK} (#3497)": "assisted",
                      "feat: export [agent-made]": "assisted",
                      "docs: a robot \U0001f916 and [Agent-Made] are not the marks": "none"}
    evidence = found[f"fix: sort saved filters {MARK} (#3497)"]["origin"]["evidence"]  # type: ignore[index]
    assert [(e["source"], e["trust"]) for e in evidence] == [("ai/marker", "declared")]
    # Without the policy the same history has no AI commit.
    assert {c["ai"]["involvement"] for c in _audit(capsys, repo.path, None).values()} == {"none"}  # type: ignore[index]
    # The gate reads it as the audit does.
    code = run(["check", "--repo", str(repo.path), "--policy", str(policy), "--base", "HEAD~3", "--format", "json"])
    verdict = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    ai = {c["subject"]: c["origin"]["ai"] for c in verdict["commits"]}
    assert ai[f"fix: sort saved filters {MARK} (#3497)"] == "assisted", ai
    assert ai["docs: a robot \U0001f916 and [Agent-Made] are not the marks"] == "none", ai


def test_the_fast_path_writes_what_the_full_path_writes_with_markers(tmp_path: Path) -> None:
    repo = generated_history(tmp_path / "h", 300, 7)
    repo.commit(f"squash: a change {MARK}\n", {"x.txt": "1\n"})
    repo.commit("plain change after it\n", {"y.txt": "1\n"})
    policy = parse_policy(POLICY, "test")
    assert assert_same(repo.path, policy, every_ref=True) > 0


@pytest.mark.parametrize("marker", ["", " ", "x", "a\nb", "tab\there", " padded ", "\ufffd\ufffd", "m" * 101])
def test_a_marker_that_would_match_too_much_or_never_is_refused(marker: str) -> None:
    text = "version: 1\norigins: {ai_markers: [" + json.dumps(marker) + "]}\n"
    with pytest.raises(ConfigError) as err:
        parse_policy(text, "test")
    assert "origins.ai_markers[0]" in str(err.value)


def test_markers_must_be_strings() -> None:
    with pytest.raises(ConfigError):
        parse_policy("version: 1\norigins: {ai_markers: 3}\n", "test")
    with pytest.raises(ConfigError):
        parse_policy("version: 1\norigins: {ai_markers: [[1]]}\n", "test")
