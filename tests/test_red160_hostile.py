"""Red team red160: the whole gate as a hostile pusher, on the surfaces the earlier red teams attacked least (how
commit content is read: hand-made tree objects, `rev:path` lookups against what a checkout writes).

Found and fixed (each test below fails on 54d1411 for the reason its docstring names, and asserts the secure
behaviour). One root: a tree object made by hand that git reads two ways. git's fsck refuses each shape, but no
server checks it unless receive.fsckObjects is set (git's default is off; a bare repository with the hook, GitLab
and Gitea store it), and `git mktree` / `hash-object -t tree --literally` write it. The gate's diff shows every
entry, but every lookup by name (`rev:path`, `cat-file --batch-check`) reads the FIRST of two entries and stops at the
first name past the one it wants, while a checkout writes every entry (the last of two). The secrets scanner learns
which `.gitattributes` a file has by name (scan/secrets_scanner.py, `blobs_at`), so with red30's EBCDIC-read key in
`deploy/prod.env` each push below was accepted (exit 0, no finding) while every clone of main held
`aws_access_key_id = AKIA…` in plain ASCII:

1. HIGH — a name held twice (`duplicateEntries`): a harmless `.gitattributes` first, `*.env
   working-tree-encoding=IBM037` second; or two `deploy/` directories, the second holding both files.
2. HIGH — an entry out of git's order (`treeNotSorted`): `README.md`, `deploy/`, then `.gitattributes`.
3. HIGH — one entry named with a whole path (`fullPathname`): `deploy/.gitattributes` in the root tree beside the
   directory `deploy/`.

Fixed in the engine where the commits' changes are read (Diffs.misread_entries: one `rev-list --objects
--filter=blob:none` and one `cat-file --batch` over the trees the judged commits bring, each tree's entries checked
in C-speed regexes): each such entry is `scan/unreadable`, high, enforced in every mode. No finding on the full
histories of the mirrored repositories (docs/performance.md, red160).

Held (tried, no change needed): `# nosemgrep` / `# nosec` in the change (semgrep runs with --disable-nosem,
bandit with --ignore-nosec); `.mailmap` (no command the gate runs reads it: %an/%ae, never %aN/%aE); a duplicate
`app.py` whose second entry holds `subprocess.call(cmd, shell=True)` (both entries are in the diff, semgrep read
the dangerous one); workflow commands in commit data in the Action's log (guarded by `::stop-commands::`,
annotations escaped; a ref name cannot hold `:`).

Every secret is made at run time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from gatekeeper.git import Git
from tests.hook_helpers import AWS_KEY, DANA, SECRETS_POLICY, Server, seeded, spush
from tests.repo_builder import RepoBuilder

KEY_LINE = f"aws_access_key_id = {AWS_KEY}\n"
EBCDIC_KEY_LINE = KEY_LINE.encode("ascii").decode("cp037").encode("utf-8")  # the blob git converts on checkout
NAMING = b"*.env working-tree-encoding=IBM037\n"


def _blob(repo: RepoBuilder, data: bytes) -> str:
    return repo.git("hash-object", "-w", "--stdin", input=data)


def _tree(repo: RepoBuilder, entries: list[tuple[str, str, str]]) -> str:
    """A tree object written by `git mktree` as given: (mode, id, name), duplicates kept."""
    return repo.git("mktree", input="".join(
        f"{mode} {'tree' if mode == '040000' else 'blob'} {sha}\t{name}\n" for mode, sha, name in entries))


def _commit_tree(repo: RepoBuilder, tree: str, parent: str, message: str = "Add deploy settings\n") -> str:
    env = {"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1], "GIT_COMMITTER_NAME": DANA[0],
           "GIT_COMMITTER_EMAIL": DANA[1]}
    sha = repo.git("commit-tree", tree, "-p", parent, "-m", message, env=env)
    repo.git("update-ref", "refs/heads/main", sha)
    return sha


def _clone_holds_key(server: Server, target: Path) -> bool:
    subprocess.run(["git", "clone", "-q", server.path.as_uri(), str(target)], check=True, capture_output=True)
    return AWS_KEY.encode() in (target / "deploy" / "prod.env").read_bytes()


def _twice_named_findings(server: Server, needle: str = "twice") -> list[dict[str, object]]:
    return [f for f in server.last_verdict()["findings"]
            if f["rule_id"] == "scan/unreadable" and needle in str(f["message"])]


def _raw_tree(repo: RepoBuilder, entries: list[tuple[str, str, str]]) -> str:
    """A tree object written byte for byte, in the order given (`git mktree` would sort it)."""
    data = b"".join(f"{mode} {name}".encode() + b"\0" + bytes.fromhex(sha) for mode, sha, name in entries)
    return repo.git("hash-object", "-t", "tree", "-w", "--literally", "--stdin", input=data)


# -- 1. Two `.gitattributes` in one tree: the scan reads the first, a checkout applies the last ------------------------

def test_a_second_gitattributes_entry_in_one_tree_is_refused(tmp_path: Path) -> None:
    """Attack: the root tree holds `.gitattributes` twice — `*.md text`, then `*.env working-tree-encoding=IBM037`
    — and `deploy/prod.env` is the key line read as EBCDIC. Before: accepted with no finding (the scanner looked up
    `.gitattributes` by name, found the harmless one, never computed what a checkout writes) and a clone of main held
    the AWS key in ASCII."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    before = server.tip()
    deploy = _tree(work, [("100644", _blob(work, EBCDIC_KEY_LINE), "prod.env")])
    root = _tree(work, [("100644", _blob(work, b"*.md text\n"), ".gitattributes"),
                        ("100644", _blob(work, NAMING), ".gitattributes"),
                        ("100644", work.git("rev-parse", "HEAD:README.md"), "README.md"),
                        ("040000", deploy, "deploy")])
    sha = _commit_tree(work, root, work.head())
    result = spush(server, work, "origin", "main")
    if result.code == 0:
        assert not _clone_holds_key(server, tmp_path / "victim"), "accepted, and a clone of main holds the key"
    assert result.code != 0, result.output
    assert server.tip() == before
    found = _twice_named_findings(server)
    assert [(f["commit"], f["path"], f["blocking"]) for f in found] == [(sha, ".gitattributes", True)], found
    assert "scan/unreadable" in result.output and "twice" in result.output


def test_two_directories_of_one_name_are_refused(tmp_path: Path) -> None:
    """Attack: `deploy/` twice in the root tree — the first holds `region.txt`, the second `.gitattributes` (IBM037)
    and `prod.env`. A checkout merges both into one directory and converts `prod.env`; `commit:deploy/.gitattributes`
    names nothing (git looks inside the first `deploy`). Before: accepted, no finding, the key in every clone."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    before = server.tip()
    first = _tree(work, [("100644", _blob(work, b"region = eu-west-1\n"), "region.txt")])
    second = _tree(work, [("100644", _blob(work, NAMING), ".gitattributes"),
                          ("100644", _blob(work, EBCDIC_KEY_LINE), "prod.env")])
    root = _tree(work, [("100644", work.git("rev-parse", "HEAD:README.md"), "README.md"),
                        ("040000", first, "deploy"), ("040000", second, "deploy")])
    sha = _commit_tree(work, root, work.head())
    result = spush(server, work, "origin", "main")
    if result.code == 0:
        assert not _clone_holds_key(server, tmp_path / "victim"), "accepted, and a clone of main holds the key"
    assert result.code != 0, result.output
    assert server.tip() == before
    assert [(f["commit"], f["path"]) for f in _twice_named_findings(server)] == [(sha, "deploy")]


def test_a_gitattributes_listed_out_of_order_is_refused(tmp_path: Path) -> None:
    """Attack: the root tree lists `README.md`, `deploy/`, then `.gitattributes` (IBM037) — out of git's order, which
    puts `.gitattributes` first. A lookup by name stops at the first name past the one it wants (`README.md` sorts
    after `.gitattributes`), so `commit:.gitattributes` is missing; a checkout writes every entry and converts
    `deploy/prod.env`. Before: accepted, no finding, the key in every clone."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    before = server.tip()
    deploy = _raw_tree(work, [("100644", _blob(work, EBCDIC_KEY_LINE), "prod.env")])
    root = _raw_tree(work, [("100644", work.git("rev-parse", "HEAD:README.md"), "README.md"),
                            ("40000", deploy, "deploy"), ("100644", _blob(work, NAMING), ".gitattributes")])
    assert work.git("cat-file", "-t", f"{root}:.gitattributes", check=False) == ""  # git's own lookup misses it
    sha = _commit_tree(work, root, work.head())
    result = spush(server, work, "origin", "main")
    if result.code == 0:
        assert not _clone_holds_key(server, tmp_path / "victim"), "accepted, and a clone of main holds the key"
    assert result.code != 0, result.output
    assert server.tip() == before
    found = _twice_named_findings(server, "out of git's order")
    assert [(f["commit"], f["path"], f["blocking"]) for f in found] == [(sha, ".gitattributes", True)], found


def test_an_entry_named_with_a_whole_path_is_refused(tmp_path: Path) -> None:
    """Attack: beside the directory `deploy/` (holding `prod.env`), the root tree holds ONE entry named
    `deploy/.gitattributes` (IBM037). A checkout writes it at that path, into `deploy/`, and converts `prod.env`;
    `commit:deploy/.gitattributes` looks inside `deploy` and finds nothing. Before: accepted, the key in every clone."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    before = server.tip()
    deploy = _raw_tree(work, [("100644", _blob(work, EBCDIC_KEY_LINE), "prod.env")])
    root = _raw_tree(work, [("100644", work.git("rev-parse", "HEAD:README.md"), "README.md"),
                            ("40000", deploy, "deploy"), ("100644", _blob(work, NAMING), "deploy/.gitattributes")])
    sha = _commit_tree(work, root, work.head())
    result = spush(server, work, "origin", "main")
    if result.code == 0:
        assert not _clone_holds_key(server, tmp_path / "victim"), "accepted, and a clone of main holds the key"
    assert result.code != 0, result.output
    assert server.tip() == before
    found = _twice_named_findings(server, "with this whole path")
    assert [(f["commit"], f["path"], f["blocking"]) for f in found] == [(sha, "deploy/.gitattributes", True)], found


def test_a_name_held_twice_deep_in_the_tree_and_by_a_file_and_a_directory(tmp_path: Path) -> None:
    """The same through `gatekeeper check` (no server): a name twice three directories down, and a file and a
    directory of one name (git's fsck counts those as duplicates too; they are not next to each other in the tree,
    as `conf-x` sorts between `conf` and `conf/`). Both are named, the run blocks."""
    repo = RepoBuilder.init(tmp_path / "repo")
    base = repo.commit("base\n", {"README.md": "x\n"}, author=DANA, committer=DANA)
    leaf = _tree(repo, [("100644", _blob(repo, b"a = 1\n"), "settings.ini"),
                        ("100644", _blob(repo, b"a = 2\n"), "settings.ini")])
    middle = _tree(repo, [("040000", leaf, "c")])
    upper = _tree(repo, [("040000", middle, "b")])
    conf_dir = _tree(repo, [("100644", _blob(repo, b"y\n"), "inner.txt")])
    root = _tree(repo, [("100644", repo.git("rev-parse", "HEAD:README.md"), "README.md"), ("040000", upper, "a"),
                        ("100644", _blob(repo, b"file\n"), "conf"), ("100644", _blob(repo, b"x\n"), "conf-x"),
                        ("040000", conf_dir, "conf")])
    sha = _commit_tree(repo, root, base)
    policy = tmp_path / "policy.yml"
    policy.write_text(SECRETS_POLICY)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "GATEKEEPER_"))}
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--policy", str(policy), "--format", "json",
                           "--base", base, "--head", sha], cwd=repo.path, capture_output=True, text=True, env=env,
                          check=False, timeout=300)
    verdict = json.loads(proc.stdout)
    twice = sorted((f["path"], f["blocking"]) for f in verdict["findings"]
                   if f["rule_id"] == "scan/unreadable" and "twice" in f["message"])
    assert twice == [("a/b/c/settings.ini", True), ("conf", True)], verdict["findings"]
    assert proc.returncode == 1 and verdict["decision"] == "block"


def test_trees_git_writes_name_nothing_twice(tmp_path: Path) -> None:
    """Control: the same content written by git itself (one `.gitattributes`, nested directories, a merge, a
    deletion) raises no such finding; the encoded key is still refused by `scan/working-tree-encoding` and the
    secrets rule, as before."""
    server, work = seeded(tmp_path, SECRETS_POLICY)
    work.commit("Nested docs\n", {"docs/a/b/c.md": "c\n", "docs/a/d.md": "d\n", "src/app.py": "print(1)\n",
                                  # git's order: `conf-x`, `conf.d`, the directory `conf` (read as `conf/`), `conf0`
                                  "conf-x": "1\n", "conf.d": "2\n", "conf/inner.txt": "3\n", "conf0": "4\n"},
                author=DANA, committer=DANA)
    work.branch("side")
    work.commit("Side change\n", {"docs/a/b/e.md": "e\n"}, author=DANA, committer=DANA)
    work.checkout("main")
    work.git("rm", "-q", "docs/a/d.md")
    work.commit("Drop d\n", {"src/app.py": "print(2)\n"}, author=DANA, committer=DANA)
    work.merge("side", "Merge side\n")
    result = spush(server, work, "origin", "main")
    assert result.code == 0, result.output
    assert _twice_named_findings(server, "a tree made by hand") == []
    # (git converts the work tree's ASCII line to the EBCDIC-read blob as it adds it, the attribute being in place.)
    work.commit("Add deploy settings\n", {".gitattributes": NAMING.decode(), "deploy/prod.env": KEY_LINE},
                author=DANA, committer=DANA)
    assert work.git("cat-file", "blob", "HEAD:deploy/prod.env").encode() == EBCDIC_KEY_LINE.rstrip(b"\n")
    refused = spush(server, work, "origin", "main")
    assert refused.code != 0 and "scan/working-tree-encoding" in refused.output, refused.output
    assert _twice_named_findings(server, "a tree made by hand") == []


def test_duplicate_entries_in_a_sha256_repository(tmp_path: Path) -> None:
    """The tree reader takes a SHA-256 repository's 32-byte ids: a name twice is found there, and a tree git wrote
    is read whole without one (its ids' bytes hold spaces and NULs as often as any)."""
    repo = RepoBuilder.init(tmp_path / "repo", object_format="sha256")
    base = repo.commit("base\n", {"README.md": "x\n", **{f"f{i}.txt": f"{i}\n" for i in range(300)}},
                       author=DANA, committer=DANA)
    git = Git(repo.path)
    assert git.misread_entries([(base, ())]) == []
    root = _tree(repo, [("100644", _blob(repo, b"one\n"), "x.env"), ("100644", _blob(repo, b"two\n"), "x.env")])
    sha = _commit_tree(repo, root, base)
    assert git.misread_entries([(sha, (base,))]) == [(sha, b"x.env", "twice")]
