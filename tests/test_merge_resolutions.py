"""Git.merge_resolution (`--remerge-diff`) and engine.merge_resolutions: what a merge's author chose beyond git's
automatic merge, for the zone check."""

from __future__ import annotations

import pytest

from gatekeeper.engine import merge_resolutions
from gatekeeper.errors import GitError
from gatekeeper.git import Git
from tests.repo_builder import RepoBuilder

EVERYWHERE = ("**",)


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
    assert git.merge_resolution(merge) == ("pay/c.py",)
    assert merge_resolutions(git, [merge], EVERYWHERE) == {merge: ("pay/c.py",)}


def test_a_merge_git_would_have_made_names_nothing_and_a_plain_commit_nothing(repo: RepoBuilder) -> None:
    merge = _merged(repo, take_side=False)
    plain = repo.commit("after\n", {"x": "x\n"})
    git = Git(repo.path)
    assert git.merge_resolution(merge) == ()
    assert merge_resolutions(git, [merge, plain], EVERYWHERE) == {merge: (), plain: ()}


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
    assert Git(repo.path).merge_resolution(merge) == ("f.txt",)


def test_only_merges_that_differ_from_a_parent_inside_a_zone_are_re_merged(repo: RepoBuilder,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    merge = _merged(repo, take_side=True)
    git = Git(repo.path)
    asked: list[str] = []
    real = git.merge_resolution

    def counted(sha: str) -> tuple[str, ...]:
        asked.append(sha)
        return real(sha)

    monkeypatch.setattr(git, "merge_resolution", counted)
    assert merge_resolutions(git, [merge], ("other/**",)) == {merge: ()} and asked == []
    assert merge_resolutions(git, [merge], ("pay/**",)) == {merge: ("pay/c.py",)} and asked == [merge]


def test_when_git_cannot_re_merge_every_zone_path_against_any_parent_counts(repo: RepoBuilder,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    merge = _merged(repo, take_side=False)
    git = Git(repo.path)

    def broken(sha: str) -> tuple[str, ...]:
        raise GitError("no", "fix")

    monkeypatch.setattr(git, "merge_resolution", broken)
    # docs/a.md differs from the first parent, pay/c.py from the second (main's fix is not on the side branch).
    assert sorted(merge_resolutions(git, [merge], EVERYWHERE)[merge]) == ["docs/a.md", "pay/c.py"]
    assert merge_resolutions(git, [merge], ("pay/**",))[merge] == ("pay/c.py",)


def test_an_octopus_counts_every_path_against_any_parent_and_leaves_the_other_merges_re_merged(
        repo: RepoBuilder) -> None:
    """red58: git does not re-merge an octopus; it alone falls back, the two-parent merge beside it is re-merged."""
    pair = _merged(repo, take_side=True)
    for name in ("o1", "o2"):
        repo.branch(name, "main~1")
        repo.checkout(name)
        repo.commit(f"{name}\n", {f"{name}.txt": "x\n"})
    repo.checkout("main")
    repo.git("merge", "-q", "--no-ff", "-m", "octopus", "o1", "o2")
    octopus = repo.head()
    git = Git(repo.path)
    found = merge_resolutions(git, [octopus, pair], EVERYWHERE)
    assert found[pair] == ("pay/c.py",)
    assert {"o1.txt", "o2.txt"} <= set(found[octopus])
    with pytest.raises(GitError):
        git.merge_resolution(octopus)


def test_each_merge_is_re_merged_from_its_own_base_whatever_else_is_asked(repo: RepoBuilder) -> None:
    """red59: in one `git log` of several merges git frees the parents of each it showed, and a later merge that
    descends from it was re-merged from a wrong base. Two clean merges in a row: nothing resolved, in any order."""
    repo.commit("base\n", {"pay/c.py": "v1\n"})
    merges = []
    for name in ("d1", "d2"):
        repo.branch(name)
        repo.checkout(name)
        repo.commit(f"{name}\n", {f"docs/{name}.md": "x\n"})
        repo.checkout("main")
        repo.commit(f"main {name}\n", {"pay/c.py": f"v-{name}\n"})
        repo.git("merge", "-q", "--no-ff", "-m", f"merge {name}", name)
        merges.append(repo.head())
    git = Git(repo.path)
    for order in (merges, merges[::-1]):
        assert merge_resolutions(git, order, EVERYWHERE) == dict.fromkeys(order, ())
