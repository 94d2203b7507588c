"""The git layer on real repositories: new commits per update kind, diff-tree, batch reads, notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.errors import GitError
from gatekeeper.git import Git, classify_update
from gatekeeper.models import ZERO_SHA, FileStatus, RefKind, RefUpdate
from tests.repo_builder import RepoBuilder


def test_new_commits_per_update_kind(repo: RepoBuilder) -> None:
    base = repo.commit("base", {"a": "1"})
    main_tip = repo.commit("main work", {"a": "2"})
    repo.branch("feature", base)
    f1 = repo.commit("f1", {"b": "1"})
    f2 = repo.commit("f2", {"b": "2"})
    git = Git(repo.path)
    # update: old..new
    assert git.new_commit_ids(RefUpdate("refs/heads/feature", f1, f2, RefKind.UPDATE), pushed=False) == [f2]
    # force: what new adds over old
    forced = RefUpdate("refs/heads/main", main_tip, f2, RefKind.FORCE)
    assert set(git.new_commit_ids(forced, pushed=False)) == {f1, f2}
    # delete: nothing
    assert git.new_commit_ids(RefUpdate("refs/heads/feature", f2, ZERO_SHA, RefKind.DELETE), pushed=False) == []
    # create, pre-receive semantics: only what no existing ref reaches (here: nothing, all are referenced)
    assert git.new_commit_ids(RefUpdate("refs/heads/new", ZERO_SHA, f2, RefKind.CREATE), pushed=True) == []
    assert classify_update(git, main_tip, f2, "refs/heads/main") is RefKind.FORCE
    assert classify_update(git, base, main_tip, "refs/heads/main") is RefKind.UPDATE
    assert classify_update(git, ZERO_SHA, f2, "refs/heads/x") is RefKind.CREATE
    assert classify_update(git, f2, ZERO_SHA, "refs/heads/x") is RefKind.DELETE
    assert classify_update(git, ZERO_SHA, f2, "refs/tags/v1") is RefKind.TAG


def test_changed_files_root_merge_and_odd_names(repo: RepoBuilder) -> None:
    root = repo.commit("root", {"a.txt": "a\n", "-rf": "x\n", "new\nline": "y\n"})
    repo.branch("side")
    repo.commit("side", {"s.txt": "s\n"})
    repo.checkout("main")
    repo.commit("main", {"a.txt": "b\n"})
    merge = repo.merge("side")
    git = Git(repo.path)
    changes = git.changed_files([root, merge])
    assert {c.path for c in changes[root]} == {"a.txt", "-rf", "new\nline"}
    assert all(c.status is FileStatus.ADDED for c in changes[root])
    assert changes[merge] == ()  # a clean merge introduces nothing of its own


def test_read_objects_pipelined(repo: RepoBuilder) -> None:
    repo.commit("c", {"small": "x" * 10, "big": "y" * 5000})
    git = Git(repo.path)
    small = repo.git("rev-parse", "HEAD:small").strip()
    big = repo.git("rev-parse", "HEAD:big").strip()
    missing = "1" * 40
    objects = git.read_objects([small, big, missing, small], max_size=1000)
    assert objects == {small: ("blob", b"x" * 10), big: ("blob", None), missing: ("missing", None)}
    with pytest.raises(GitError):
        git.read_objects(["not-a-sha"])


def test_object_sizes_and_types_from_one_batch_check(repo: RepoBuilder) -> None:
    commit = repo.commit("c", {"small": "x" * 10})
    repo.git("tag", "-a", "-m", "t", "v1")
    git = Git(repo.path)
    blob = repo.git("rev-parse", "HEAD:small").strip()
    tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    tag = repo.git("rev-parse", "v1").strip()
    missing = "1" * 40
    asked = [blob, tree, commit, tag, missing, blob, "HEAD", ""]  # duplicates once; names that are no id dropped
    assert git.object_types(asked) == {blob: "blob", tree: "tree", commit: "commit", tag: "tag", missing: None}
    sizes = git.object_sizes(asked)
    assert list(sizes) == [blob, tree, commit, tag, missing]
    assert sizes[blob] == 10 and sizes[missing] is None
    assert all(isinstance(sizes[s], int) and sizes[s] > 0 for s in (tree, commit, tag))
    assert git.object_sizes(["HEAD"]) == {} and git.object_types([]) == {}


def test_notes(repo: RepoBuilder) -> None:
    sha = repo.commit("c", allow_empty=True)
    git = Git(repo.path)
    assert git.notes([sha]) == {}
    repo.note(sha, "Origin-Device: tablet")
    assert git.notes([sha]) == {sha: "Origin-Device: tablet\n"}


def test_location_variables_do_not_leak_into_a_local_check(repo: RepoBuilder, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    sha = repo.commit("c", allow_empty=True)
    other = RepoBuilder.init(tmp_path / "other")
    other.commit("other", allow_empty=True)
    monkeypatch.setenv("GIT_DIR", str(other.path / ".git"))
    assert Git(repo.path).resolve("HEAD") == sha  # --repo means what it says
    assert Git(repo.path, inherit_git_env=True).resolve("HEAD") == other.head()  # the hook keeps GIT_*


def test_replace_refs_are_not_honoured_in_any_mode(repo: RepoBuilder, monkeypatch: pytest.MonkeyPatch) -> None:
    real = repo.commit("real\n\nOrigin-Device: mobile\n", {"a": "secret\n"})
    repo.git("checkout", "-q", "--orphan", "decoy")
    decoy = repo.commit("decoy\n", {"a": "clean\n"})
    blob = repo.git("rev-parse", f"{real}:a")
    repo.git("replace", real, decoy)
    repo.git("replace", "-f", blob, repo.git("rev-parse", f"{decoy}:a"))
    assert "decoy" in repo.git("log", "-1", "--format=%s", real)  # git itself honours them
    # A parent process cannot switch them back on or move their namespace.
    monkeypatch.setenv("GIT_REPLACE_REF_BASE", "refs/replace/")
    monkeypatch.delenv("GIT_NO_REPLACE_OBJECTS", raising=False)
    for git in (Git(repo.path), Git(repo.path, inherit_git_env=True), Git(repo.path, safe_directory=True)):
        [commit] = git.commits([real], exclude_all=False)
        assert commit.subject == "real" and commit.trailers
        assert git.read_objects([blob])[blob] == ("blob", b"secret\n")
        assert git.show_file(real, "a") == b"secret\n"
        assert git.changed_files([real])[real][0].new_blob == blob


@pytest.mark.parametrize("attributes", ["*.cfg -diff\n", "*.cfg binary\n", "*.cfg diff=hide\n",
                                        "[attr]quiet -diff\n*.cfg quiet\n"])
def test_attributes_do_not_hide_added_lines(repo: RepoBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            attributes: str) -> None:
    from gatekeeper.scan.added_lines import iter_commit_additions, range_additions

    base = repo.commit("base", {"README": "hi\n"})
    # In the committed tree, in the work tree, in info/attributes' place for the user (XDG, core.attributesFile).
    sha = repo.commit("add", {".gitattributes": attributes, "app.cfg": "key = hidden\n"})
    repo.git("config", "diff.hide.binary", "true")
    home = tmp_path / "home"
    (home / ".config" / "git").mkdir(parents=True)
    (home / ".config" / "git" / "attributes").write_text(attributes)
    (tmp_path / "user-attributes").write_text(attributes)
    repo.git("config", "core.attributesFile", str(tmp_path / "user-attributes"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for git in (Git(repo.path), Git(repo.path, inherit_git_env=True)):
        per_commit = {p.path: p for c, p in iter_commit_additions(git, [sha]) if c == sha}
        assert not per_commit["app.cfg"].binary and per_commit["app.cfg"].added == ((1, "key = hidden"),)
        net = range_additions(git, [base], sha)[b"app.cfg"]
        assert not net.binary and net.line_numbers == {1}


def test_remote_fork_point(repo: RepoBuilder) -> None:
    """Where pushed commits leave what the clone knows of the remote (the pre-push hook's base)."""
    root = repo.commit("root", {"a": "1"})
    git = Git(repo.path)
    assert git.remote_fork_point(root, "origin") is None  # no remote-tracking ref: the whole history is new
    left = repo.commit("left", {"a": "2"})
    repo.git("update-ref", "refs/remotes/origin/left", left)
    assert git.remote_fork_point(left, "origin") == left  # nothing new
    repo.branch("right", root)
    right = repo.commit("right", {"b": "1"})
    repo.git("update-ref", "refs/remotes/origin/right", right)
    repo.checkout("main")
    mine = repo.commit("mine", {"c": "1"})
    assert git.remote_fork_point(mine, "origin") == left  # one boundary commit
    assert git.remote_fork_point(mine, "upstream") is None  # only that remote's refs count
    merge = repo.merge("right")
    # Two boundary commits (left, right): their common ancestor, so no known commit is skipped.
    assert git.remote_fork_point(merge, "origin") == root
    assert git.remote_fork_point(merge, "no such/remote") == root  # not a plain remote name: every remote


def test_named_operations_refuse_option_like_names(repo: RepoBuilder, tmp_path: Path) -> None:
    """Named operations build their own argv: a name that git would read as an option is refused."""
    from gatekeeper.git import Workdir

    sha = repo.commit("c", {"a": "1"})
    work = Workdir(repo.path)
    for bad in ("--upload-pack=touch /tmp/x", "-q", "", "main\n"):
        with pytest.raises(GitError):
            work.push(bad, "main")
        with pytest.raises(GitError):
            work.push("origin", bad)
        with pytest.raises(GitError):
            work.fetch(bad, "main")
        with pytest.raises(GitError):
            work.merge(bad, "m")
        with pytest.raises(GitError):
            work.reset_hard(bad)
        with pytest.raises(GitError):
            Git(repo.path).set_config(bad, "x")
    assert Git(repo.path).commit_message(sha) == "c\n"
    with pytest.raises(GitError):
        Git(repo.path).commit_message(repo.git("rev-parse", "HEAD^{tree}"))
    git = Git(repo.path)
    git.set_config("gatekeeper.example", "yes")
    assert git.config_get("gatekeeper.example") == "yes"
    assert git.hooks_dir() == repo.path / ".git" / "hooks"


def test_info_of_a_work_tree_a_subdirectory_a_git_dir_a_bare_and_a_shallow_repository(repo: RepoBuilder,
                                                                                       tmp_path: Path) -> None:
    repo.commit("one", {"sub/a.txt": "1\n"})
    repo.commit("two", {"sub/a.txt": "2\n"})
    top = repo.path.resolve()
    for where in (repo.path, repo.path / "sub"):
        info = Git(where).info()
        assert (info.git_dir, info.toplevel, info.shallow) == (top / ".git", top, False), where
    info = Git(repo.path / ".git").info()  # inside the git directory: no work tree to name
    assert (info.git_dir, info.toplevel, info.shallow) == (top / ".git", None, False)
    bare = tmp_path / "bare.git"
    repo.git("clone", "-q", "--bare", str(repo.path), str(bare))
    info = Git(bare).info()
    assert (info.git_dir, info.toplevel, info.shallow) == (bare.resolve(), None, False)
    shallow = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "1", repo.path.as_uri(), str(shallow))
    info = Git(shallow).info()
    assert (info.git_dir, info.toplevel, info.shallow) == (shallow.resolve() / ".git", shallow.resolve(), True)
    shallow_bare = tmp_path / "shallow.git"
    repo.git("clone", "-q", "--bare", "--depth", "1", repo.path.as_uri(), str(shallow_bare))
    info = Git(shallow_bare).info()
    assert (info.git_dir, info.toplevel, info.shallow) == (shallow_bare.resolve(), None, True)


def test_info_outside_a_repository_says_so(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="is not a git repository"):
        Git(tmp_path).info()


def test_merge_adds_nothing_only_for_a_two_parent_merge_with_git_s_own_tree(repo: RepoBuilder) -> None:
    repo.commit("base", {"a.txt": "a\n", "c.txt": "1\n"})
    repo.branch("side")
    repo.commit("side", {"b.txt": "b\n", "c.txt": "side\n"})
    repo.checkout("main")
    repo.commit("main", {"d.txt": "d\n"})
    tip = repo.head()
    clean = repo.merge("side", "clean merge")
    git = Git(repo.path)
    assert git.merge_adds_nothing(clean)
    assert not git.merge_adds_nothing(tip)  # not a merge
    repo.git("reset", "-q", "--hard", tip)
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    repo.write("a.txt", "evil\n")
    evil = repo.commit("evil merge", {"a.txt": "evil\n"})
    assert len(repo.git("rev-list", "--parents", "-n1", evil).split()) == 3
    assert not git.merge_adds_nothing(evil)
    repo.git("reset", "-q", "--hard", tip)
    repo.commit("conflict", {"c.txt": "main\n"})
    repo.git("merge", "-q", "--no-ff", "side", check=False)  # conflicts on c.txt
    resolved = repo.commit("resolved by hand", {"c.txt": "main\n"})
    assert not git.merge_adds_nothing(resolved)  # git's merge does not say what a conflict resolution is
    assert not git.merge_adds_nothing("0" * 40)


def test_config_values_answers_as_config_get_does(repo: RepoBuilder) -> None:
    """Several keys in one `git config`: the last value of a multi-valued key, a value with spaces, equals signs
    and a newline kept, a value-less boolean as "", an unset key absent, a key only resembling one not taken."""
    repo.commit("init", {"a": "1"})
    repo.git("config", "--add", "remote.origin.url", "https://first.example/a.git")
    repo.git("config", "--add", "remote.origin.url", "https://second.example/b.git")
    repo.git("config", "remote.origin.promisor", "a b=c")
    repo.git("config", "remote.originx.promisor", "true")
    with (repo.path / ".git" / "config").open("a") as config:
        config.write("[extensions]\n\tpartialClone = origin\n[gatekeeper]\n\tflag\n\tnote = \"two\\nlines\"\n")
    git = Git(repo.path)
    keys = ("remote.origin.url", "remote.origin.promisor", "extensions.partialclone", "gatekeeper.flag",
            "gatekeeper.note", "remote.upstream.url")
    found = git.config_values(*keys)
    for key in keys:
        assert found.get(key) == git.config_get(key), key
    assert found == {"remote.origin.url": "https://second.example/b.git", "remote.origin.promisor": "a b=c",
                     "extensions.partialclone": "origin", "gatekeeper.flag": "", "gatekeeper.note": "two\nlines"}


def test_refs_of_several_patterns_in_one_listing(repo: RepoBuilder) -> None:
    repo.commit("init", {"a": "1"})
    repo.git("branch", "feature")
    repo.git("update-ref", "refs/remotes/origin/main", "HEAD")
    repo.git("tag", "v1")
    git = Git(repo.path)
    both = git.refs("refs/heads/", "refs/remotes/")
    assert both == {**git.refs("refs/heads/"), **git.refs("refs/remotes/")}
    assert set(both) == {"refs/heads/main", "refs/heads/feature", "refs/remotes/origin/main"}
    assert "refs/tags/v1" in git.refs()
