"""Git.merge_resolutions (`--remerge-diff`): what a merge's author chose beyond git's automatic merge."""

from __future__ import annotations

import pytest

from gatekeeper.engine import merge_resolutions
from gatekeeper.errors import GitError
from gatekeeper.git import Git
from tests.repo_builder import RepoBuilder


def _merged(repo: RepoBuilder, *, take_side: bool) -> str:
    repo.commit("base\n", {"pay/c.py": "v1\n", "README": "r\n"})
    repo.branch("side")
    repo.checkout("side")
    repo.commit("docs\n", {"docs/a.md": "a\n"})
    repo.checkout("main")
    repo.commit("fix\n", {"pay/c.py": "v2\n"})
    if take_side:
        repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
        repo.git("checkout", "side", "--", "pay/c.py")
        repo.git("commit", "-q", "-m", "merge")
    else:
        repo.git("merge", "-q", "--no-ff", "-m", "merge", "side")
    return repo.head()


def test_a_side_version_taken_over_the_automatic_merge_is_named(repo: RepoBuilder) -> None:
    merge = _merged(repo, take_side=True)
    git = Git(repo.path)
    assert git.changed_files([merge])[merge] == ()  # the combined diff shows nothing: equal to parent 2
    assert git.merge_resolutions([merge]) == {merge: ("pay/c.py",)}


def test_a_merge_git_would_have_made_names_nothing_and_a_plain_commit_nothing(repo: RepoBuilder) -> None:
    merge = _merged(repo, take_side=False)
    plain = repo.commit("after\n", {"x": "x\n"})
    assert Git(repo.path).merge_resolutions([merge, plain]) == {merge: (), plain: ()}


def test_a_conflict_resolution_is_named(repo: RepoBuilder) -> None:
    repo.commit("base\n", {"f.txt": "a\n"})
    repo.branch("side")
    repo.checkout("side")
    repo.commit("side\n", {"f.txt": "side\n"})
    repo.checkout("main")
    repo.commit("main\n", {"f.txt": "main\n"})
    repo.git("merge", "-q", "side", check=False)
    (repo.path / "f.txt").write_text("resolved\n")
    repo.git("add", "f.txt")
    repo.git("commit", "-q", "-m", "merge")
    merge = repo.head()
    assert Git(repo.path).merge_resolutions([merge]) == {merge: ("f.txt",)}


def test_when_git_cannot_re_merge_every_path_against_the_first_parent_counts(repo: RepoBuilder,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    merge = _merged(repo, take_side=False)
    git = Git(repo.path)

    def broken(shas: object) -> dict[str, tuple[str, ...]]:
        raise GitError("no", "fix")

    monkeypatch.setattr(git, "merge_resolutions", broken)
    assert merge_resolutions(git, [merge]) == {merge: ("docs/a.md",)}
