"""Red team red163: the whole gate as a hostile pusher, through real `git push`es into a bare repository with the
hook installed (tests/hook_helpers.py), under the built-in policy (`gatekeeper.config.DEFAULT_POLICY_YAML`: secrets
block at high for every device), pushed by Dana from her laptop. Keys are built at run time.

Found and fixed (each test below failed before its fix on branch red163, for the reason its docstring names):

1. HIGH (miss) — scan/text.py `decode` took a byte-order mark at its word: content starting with `FF FE 00 00`
   (UTF-32LE's mark) or `FF FE` / `FE FF` (UTF-16's) was decoded in that encoding only, with no other reading. A
   plain ASCII `.env` behind such a mark — the mark's own NUL bytes (or one NUL anywhere in the first 8000 bytes)
   make git call it binary, so its lines never reach the patch reader — decodes to U+FFFD or CJK: no key, `complete`,
   so not even `scan/binary-skipped`. Every clone holds `aws_access_key_id = AKIA…` in ASCII (`cat`, `grep`,
   `source`, any reader that does not sniff a mark). Same for a blob a tag names outside any commit (scan_blobs).
   Fixed: a mark's reading is one reading; the bytes' own printable runs are read too (the `alternate` reading the
   guesses already had), and a mark in front of what its encoding cannot read is no mark.
2. MEDIUM (miss; a tree made by hand, `git mktree`, which git's fsck accepts) — a key as the name of an empty
   directory of a commit's tree: nothing lies beneath it, so no patch names it and `_path_findings` never read it;
   the push was accepted and `git ls-tree main` shows the key to every clone. Fixed in the misread-tree check
   (git/diff.py `_tree_problems`: an entry naming the empty tree, which git never writes from an index; engine.py
   `_misread_trees` makes it a `scan/unreadable` HIGH, enforced, its name redacted, when the secrets scanner finds a
   secret in its name — a harmless empty directory is nothing a checkout writes).
3. MEDIUM (miss) — a key as the name of a gitlink or an empty directory of a tree a tag names: `Objects.tree_blobs`
   listed blobs only, so scan_blobs never read those names (`git archive` writes the gitlink's directory). Fixed:
   the tree's every entry is listed; directories and gitlinks are names only (LooseBlob.blob "").
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.hook_helpers import AWS_KEY, DANA, KEY_LINE, Server, spush
from tests.hook_helpers import default_policy_server as _server
from tests.repo_builder import RepoBuilder


def _summary(findings: list[dict]) -> list[tuple]:  # type: ignore[type-arg]
    return [(f["rule_id"], f.get("path"), f["severity"], f["blocking"]) for f in findings]


def _blocked_as_a_secret(server: Server, code: int, output: str, path: str) -> None:
    findings = server.last_verdict()["findings"]
    assert any(f.get("path") == path and f["blocking"] and f["rule_id"] == "secrets/aws-access-key"
               for f in findings), _summary(findings)
    assert code != 0, output


def _clone_reads_the_key(server: Server, tmp_path: Path, path: str) -> None:
    """The premise, with git: a clone of what the hook accepted holds the key line in ASCII."""
    clone = tmp_path / "victim"
    subprocess.run(["git", "clone", "-q", server.path.as_uri(), str(clone)], check=True, capture_output=True)
    assert KEY_LINE.encode() in (clone / path).read_bytes()


# -- 1. A byte-order mark in front of ASCII ----------------------------------------------------------------------

MARKED = {
    "utf-32le-mark": b"\xff\xfe\x00\x00\n" + KEY_LINE.encode(),
    "utf-16le-mark-and-a-nul": b"\xff\xfe# deploy settings\x00\n" + KEY_LINE.encode(),
    "utf-16be-mark-and-a-nul": b"\xfe\xff# deploy settings\x00\n" + KEY_LINE.encode(),
}


def test_control_the_same_key_without_a_mark_is_refused(tmp_path: Path) -> None:
    server, work = _server(tmp_path)
    work.commit("deploy settings\n", {"deploy/prod.env": b"# deploy settings\x00\n" + KEY_LINE.encode()},
                author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    _blocked_as_a_secret(server, result.code, result.output, "deploy/prod.env")


def test_a_byte_order_mark_in_front_of_an_ascii_key_hides_it(tmp_path: Path) -> None:
    """Attack: `deploy/prod.env` is a plain ASCII key line behind `FF FE 00 00` (UTF-32LE's mark: its NULs make git
    show the file as binary), or behind `FF FE` / `FE FF` with one NUL in a comment. `_binary_content` reads the
    blob through `scan.text.decode`, which honours the mark and reads the rest as UTF-32/UTF-16: replacement
    characters or CJK, no key, and `complete` (no scan/binary-skipped either). Each push was accepted with no
    finding about the file, and a clone holds the key in ASCII. Gain: a live AWS key on main past the hook."""
    server, work = _server(tmp_path)
    for name, data in MARKED.items():
        work.commit(f"settings ({name})\n", {f"deploy/{name}.env": data}, author=DANA, committer=DANA)
        assert AWS_KEY.encode() in data
    result = spush(server, work, "origin", "main")
    if result.code == 0:
        _clone_reads_the_key(server, tmp_path, "deploy/utf-32le-mark.env")
    findings = server.last_verdict()["findings"]
    for name in MARKED:
        assert any(f.get("path") == f"deploy/{name}.env" and f["blocking"] and f["rule_id"] == "secrets/aws-access-key"
                   for f in findings), (name, _summary(findings))
    assert result.code != 0, result.output


def test_a_byte_order_mark_hides_a_key_in_a_blob_a_tag_names(tmp_path: Path) -> None:
    """Attack: the same marked key file as a blob a lightweight tag names, outside any commit
    (`git push origin <blob>:refs/tags/settings`): SecretsScanner.scan_blobs decodes it the same way. Every
    `git fetch --tags` brings it; `git cat-file -p settings` prints the key in ASCII."""
    server, work = _server(tmp_path)
    data = MARKED["utf-32le-mark"]
    blob = work.git("hash-object", "-w", "--stdin", input=data).strip()
    result = spush(server, work, "origin", f"{blob}:refs/tags/settings")
    if result.code == 0:
        assert KEY_LINE.encode() in subprocess.run(["git", "cat-file", "blob", "refs/tags/settings"],
                                                   cwd=server.path, capture_output=True, check=True).stdout
    findings = server.last_verdict()["findings"]
    assert any(f["blocking"] and f["rule_id"] == "secrets/aws-access-key" for f in findings), _summary(findings)
    assert result.code != 0, result.output


# -- 2. Names no file carries: an empty directory, a gitlink -----------------------------------------------------


def _tree(work: RepoBuilder, entries: str) -> str:
    return work.git("mktree", input=entries).strip()


def _empty_tree(work: RepoBuilder) -> str:
    return work.git("hash-object", "-t", "tree", "-w", "--stdin", input=b"").strip()


def test_a_key_as_the_name_of_an_empty_directory_of_a_commit_is_found(tmp_path: Path) -> None:
    """Attack: a commit whose tree (`git mktree`: git's fsck has no objection) holds an entry `040000 tree <the empty
    tree>` named by the AWS key. No file lies beneath it, so no patch names it: `_path_findings` reads the paths the
    commit's patches create, and the directory's name is in none. The push was accepted with no finding; the name is in
    main's tree for every clone (`git ls-tree main`). (A file beneath the same name is found: the control of
    tests/test_adversarial_scan_content.py.)"""
    server, work = _server(tmp_path)
    readme = work.git("rev-parse", "HEAD:README.md").strip()
    tree = _tree(work, f"100644 blob {readme}\tREADME.md\n040000 tree {_empty_tree(work)}\t{AWS_KEY}\n")
    commit = work.git("commit-tree", tree, "-p", "HEAD", "-m", "tidy up", env={
        "GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1],
        "GIT_COMMITTER_NAME": DANA[0], "GIT_COMMITTER_EMAIL": DANA[1]}).strip()
    result = spush(server, work, "origin", f"{commit}:refs/heads/main")
    if result.code == 0:
        assert AWS_KEY in server.git("ls-tree", "main")
    findings = server.last_verdict()["findings"]
    # Secure: refused, by a blocking finding on that entry (its name shown redacted), never the key in the output.
    assert any(f["blocking"] and f["rule_id"] in ("secrets/aws-access-key", "scan/unreadable")
               and f.get("path") and "AKIA" in f["path"] for f in findings), _summary(findings)
    assert result.code != 0, result.output
    assert AWS_KEY not in result.output and AWS_KEY not in str(findings)


def test_a_key_as_the_name_of_a_gitlink_or_empty_directory_in_a_tree_a_tag_names_is_found(tmp_path: Path) -> None:
    """Attack: a tree a tag names (`git push origin <tree>:refs/tags/snapshot`) whose entries are a gitlink and an
    empty directory, each named by the AWS key. `Objects.tree_blobs` lists blobs only, so neither name was read
    (scan_blobs reads the names of the blobs it is given): accepted, no finding. `git archive snapshot` writes a
    directory of that name for the gitlink."""
    server, work = _server(tmp_path)
    readme = work.git("rev-parse", "HEAD:README.md").strip()
    head = work.head()
    for name, entry in (("gitlink", f"160000 commit {head}\t{AWS_KEY}\n"),
                        ("empty", f"040000 tree {_empty_tree(work)}\tkeys-{AWS_KEY}\n")):
        tree = _tree(work, f"100644 blob {readme}\tREADME.md\n{entry}")
        result = spush(server, work, "origin", f"{tree}:refs/tags/snapshot-{name}")
        findings = server.last_verdict()["findings"]
        assert any(f["blocking"] and f["rule_id"] == "secrets/aws-access-key" for f in findings), (
            name, _summary(findings))
        assert result.code != 0, (name, result.output)


def test_control_a_harmless_empty_directory_is_accepted(tmp_path: Path) -> None:
    """Control: an empty directory with an ordinary name is nothing a checkout writes: no finding, accepted."""
    server, work = _server(tmp_path)
    readme = work.git("rev-parse", "HEAD:README.md").strip()
    tree = _tree(work, f"100644 blob {readme}\tREADME.md\n040000 tree {_empty_tree(work)}\tplaceholder\n")
    commit = work.git("commit-tree", tree, "-p", "HEAD", "-m", "tidy up", env={
        "GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1],
        "GIT_COMMITTER_NAME": DANA[0], "GIT_COMMITTER_EMAIL": DANA[1]}).strip()
    result = spush(server, work, "origin", f"{commit}:refs/heads/main")
    assert result.code == 0, result.output
    assert not [f for f in server.last_verdict()["findings"] if f["rule_id"] == "scan/unreadable"]
