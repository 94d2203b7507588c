"""Which commits of an audited range count as on a protected branch, on a real repository with many protected
branches (release/* as on projects that cut one per release): the audit's `protected` flag against plain
git's answer (the commits of the range that some protected branch's history holds), for every kind of tip.
The protected side is found with one `rev-list --boundary` for all the protected branches (Git.shared_starts);
a `merge-base --all` per branch cost 5 s on a repository with 360 of them."""

from __future__ import annotations

import shutil

import pytest

from gatekeeper.git import Git
from tests.audit_helpers import audit
from tests.repo_builder import RepoBuilder

POLICY = 'version: 1\nprotected_refs: ["refs/heads/main", "refs/heads/release/*"]\n'


def _commits(repo: RepoBuilder, *revs: str) -> set[str]:
    return set(repo.git("rev-list", *revs).split()) if revs else set()


@pytest.fixture
def branches(repo: RepoBuilder) -> RepoBuilder:
    """main with release branches cut from it at several points (each with a fix of its own, one merged back),
    a feature branch off a release branch, one off main, and an orphan history."""
    repo.commit("policy\n", {".gatekeeper.yml": POLICY})
    for n in range(6):
        repo.commit(f"main {n}\n", {f"m{n}.txt": f"{n}\n"})
        if n % 2 == 0:
            repo.branch(f"release/{n}")
            repo.checkout(f"release/{n}")
            repo.commit(f"fix on release {n}\n", {f"r{n}.txt": "fix\n"})
            repo.checkout("main")
    repo.merge("release/2", "merge release/2 back\n")
    repo.commit("main after merge\n", {"after.txt": "x\n"})
    repo.branch("feature-rel", "release/4")
    repo.checkout("feature-rel")
    repo.commit("feature on release 4\n", {"f.txt": "f\n"})
    repo.merge("main", "bring main in\n")
    repo.commit("feature tip\n", {"g.txt": "g\n"})
    repo.branch("feature-main", "main~2")
    repo.checkout("feature-main")
    repo.commit("feature on old main\n", {"h.txt": "h\n"})
    repo.git("checkout", "-q", "--orphan", "orphan")
    repo.commit("orphan root\n", {"o.txt": "o\n"})
    repo.checkout("main")
    return repo


@pytest.mark.parametrize("tip", ["main", "feature-rel", "feature-main", "orphan", "release/0", "main~3",
                                 "feature-rel~1"])
def test_protected_flag_is_what_a_protected_branch_holds(branches: RepoBuilder, tip: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    protected_tips = [line.split()[0] for line in branches.git(
        "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/main", "refs/heads/release/").splitlines()]
    held = _commits(branches, *protected_tips)
    audited = audit(capsys, branches.path, "--rev-range", tip)
    flags = {c["sha"]: c["protected"] for c in audited["commits"]}
    assert set(flags) == _commits(branches, tip)
    assert {sha for sha, on in flags.items() if on} == _commits(branches, tip) & held
    # Each commit once, however many protected branches hold it.
    assert len(audited["commits"]) == len(flags)


def test_shared_starts_span_what_the_merge_bases_span(branches: RepoBuilder) -> None:
    git = Git(branches.path)
    protected = [git.resolve(ref, "ref") for ref in ("main", "release/0", "release/2", "release/4")]
    for tip in ("main", "feature-rel", "feature-main", "orphan", "main~3"):
        sha = git.resolve(tip, "revision")
        starts = git.shared_starts(sha, protected)
        assert starts is not None
        bases = {b for p in protected for b in ([sha] if sha == p else git.merge_bases(sha, p))}
        assert _commits(branches, *starts) == _commits(branches, *bases)
    assert git.shared_starts(protected[0], []) == []


def test_a_missing_object_falls_back_to_merge_bases(branches: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """A commit git cannot read under a release branch: the one walk fails (None), the pair-by-pair way answers
    as before, and the audit reports the gap instead of failing."""
    git = Git(branches.path)
    broken = branches.git("rev-parse", "release/0").strip()
    loose = branches.path / ".git" / "objects" / broken[:2] / broken[2:]
    assert loose.exists()
    shutil.move(loose, branches.path / "held")
    protected = [git.resolve("main", "ref"), broken]
    assert git.shared_starts(git.resolve("feature-main", "revision"), protected) is None
    data = audit(capsys, branches.path)
    assert data["commits"] and {c["subject"] for c in data["commits"]} >= {"main after merge"}
