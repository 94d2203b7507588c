"""The test repository builder reads each commit's id from git's own summary line: the id it returns is HEAD's."""

from __future__ import annotations

from pathlib import Path

from tests.repo_builder import RepoBuilder


def test_commit_returns_the_id_git_gave_the_commit(tmp_path: Path) -> None:
    for object_format in ("sha1", "sha256"):
        repo = RepoBuilder.init(tmp_path / object_format, object_format=object_format)
        fake = "f" * (40 if object_format == "sha1" else 64)
        made = [repo.commit("root", {"a.txt": "a\n"}),
                repo.commit(f"revert {fake}] [main {fake}] x", {"b.txt": "b\n"}),
                repo.commit("empty", allow_empty=True)]
        assert made[-1] == repo.git("rev-parse", "HEAD")
        repo.git("checkout", "-q", "--detach")
        made.append(repo.commit("detached", {"c.txt": "c\n"}))
        assert made[-1] == repo.git("rev-parse", "HEAD")
        assert made[:3] == repo.git("rev-list", "--reverse", "main").split()
