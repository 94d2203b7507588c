"""`audit --since` against committer-written dates: git's own `--since` stops walking at the first commit dated
before the date, so one backdated commit on top of a branch hid every commit under it from the audit (two
unreviewed AI commits on main reported as "1 commit, AI 0"). The window is now the commits dated at or after
the date plus every commit above one of them (a commit is made after its parents), said in a note."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.cli import run
from tests.audit_helpers import AI, OLD, RECENT, SINCE, audit, subjects
from tests.repo_builder import RepoBuilder


def test_a_backdated_commit_on_top_does_not_hide_the_commits_under_it(repo: RepoBuilder,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("ancient", when=OLD - 86400)
    repo.commit("agent one" + AI, when=RECENT)
    repo.commit("agent two" + AI, when=RECENT + 60)
    repo.commit("backdated", when=OLD)
    repo.commit("top", when=RECENT + 120)
    data = audit(capsys, repo.path, "--since", SINCE)
    assert subjects(data) == ["top", "backdated", "agent two", "agent one"]
    s = data["summary"]
    assert s["ai_involved"]["count"] == 2
    assert {i["subject"] for i in s["unreviewed_mobile_ai_on_protected"]["items"]} == {"agent one", "agent two"}
    assert any("1 commit(s) carry a commit time before '2026-10-01' yet sit above commits after it" in n
               for n in s["notes"])
    # What git's own --since walks: the top commit alone.
    walked = repo.git("log", "--format=%s", f"--since={SINCE}").splitlines()
    assert walked == ["top"]


def test_the_window_without_backdating_or_old_merged_commits_is_gits(repo: RepoBuilder,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("old one", when=OLD)
    repo.commit("old two", when=OLD + 60)
    repo.commit("new one", when=RECENT)
    repo.commit("new two", when=RECENT + 60)
    data = audit(capsys, repo.path, "--since", SINCE)
    assert subjects(data) == repo.git("log", "--format=%s", f"--since={SINCE}").splitlines() == ["new two", "new one"]
    assert not any("backdated" in n or "brought in" in n for n in data["summary"]["notes"])


def test_a_merge_inside_the_window_of_an_old_branch_is_said(repo: RepoBuilder,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A side branch dated before the window merged by a commit inside it: its commits stay outside the window
    (dates cannot show when they reached the branch, and which parent was the branch is the pusher's to say),
    and the report says the window rests on more than the one commit where history crosses the date."""
    repo.commit("old one", when=OLD)
    repo.commit("old two", when=OLD + 60)
    repo.branch("side")
    repo.commit("side agent" + AI, when=OLD + 120)
    repo.commit("side more", when=OLD + 180)
    repo.checkout("main")
    repo.commit("new one", when=RECENT)
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side",
             env={"GIT_AUTHOR_DATE": f"{RECENT + 60} +0000", "GIT_COMMITTER_DATE": f"{RECENT + 60} +0000"})
    data = audit(capsys, repo.path, "--since", SINCE)
    assert subjects(data) == repo.git("log", "--format=%s", f"--since={SINCE}").splitlines() == ["merge side",
                                                                                              "new one"]
    assert any(n.startswith("the window rests on 2 commits outside it") for n in data["summary"]["notes"])


def test_every_branch_and_the_side_outside_the_protected_line(repo: RepoBuilder,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("base", when=OLD)
    repo.branch("feature")
    repo.commit("feature agent" + AI, when=RECENT)
    repo.commit("feature backdated", when=OLD + 60)
    repo.checkout("main")
    repo.commit("main recent", when=RECENT + 60)
    data = audit(capsys, repo.path, "--since", SINCE, "--all")
    assert sorted(subjects(data)) == ["feature agent", "feature backdated", "main recent"]
    protected = {c["subject"]: c["protected"] for c in data["commits"]}
    assert protected == {"feature agent": False, "feature backdated": False, "main recent": True}
    head_only = audit(capsys, repo.path, "--since", SINCE, "--rev-range", "feature")
    assert subjects(head_only) == ["feature backdated", "feature agent"]


def test_a_date_git_cannot_take_is_a_usage_error(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("one", when=RECENT)
    code = run(["audit", "--repo", str(repo.path), "--since", "\x1b[31m", "--no-progress"])
    assert code == 2 and "invalid date" in capsys.readouterr().err


def test_the_walk_uses_the_cutoff_the_window_was_read_with(repo: RepoBuilder, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative date ("yesterday") read twice could be two dates: git's own --since, when it walks the window,
    gets the cutoff the window was computed with, as a timestamp."""
    from gatekeeper.git import Git

    repo.commit("old", when=OLD)
    repo.commit("new", when=RECENT)
    seen: list[str | None] = []
    real = Git.iter_raw_records

    def spy(self: Git, *args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("since"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Git, "iter_raw_records", spy)
    assert subjects(audit(capsys, repo.path, "--since", "2026-10-01 00:00 +0000")) == ["new"]
    assert seen == ["@1790812800"]
