"""Red team red33: past the red32 fix (a `.gitattributes` change re-asks git about every file beneath it).

Each reproduction fails on w/red33 at 1a77c48 for the reason its docstring names, and asserts the secure behaviour.
Real `git push`es into a bare repository with the installed hook, under the built-in policy
(`gatekeeper.config.DEFAULT_POLICY_YAML`); helpers from tests/test_red24_hostile.py. Every premise is checked with
git itself: the blob does not hold the key, and a real clone of what the hook accepted writes the AWS key in ASCII.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.hook_helpers import AWS_KEY, DANA, MO, MOBILE, spush
from tests.repo_builder import RepoBuilder
from tests.test_red24_hostile import REVIEWED, RITA_PUSHES, _server

KEY_LINE = f"aws_access_key_id = {AWS_KEY}\n"  # what a checkout under IBM037 writes
EBCDIC_KEY_LINE = KEY_LINE.encode("ascii").decode("cp037")  # the blob's text: no key in it


def _clone(server_path: Path, tmp_path: Path, *config: str) -> Path:
    clone = tmp_path / "victim"
    argv = ["git", "clone", "-q", *(a for c in config for a in ("-c", c)), server_path.as_uri(), str(clone)]
    subprocess.run(argv, check=True, capture_output=True)
    return clone


def _phone(work: RepoBuilder, message: str, files: dict[str, str | bytes] | None = None) -> str:
    return work.commit(message + MOBILE + REVIEWED, files, author=MO, committer=MO)


def _summary(findings: list[dict]) -> list[tuple]:
    return [(f["rule_id"], f.get("path"), f["severity"], f["blocking"]) for f in findings]


def _blocked_as_a_secret(server, result, path: str) -> None:  # type: ignore[no-untyped-def]
    """Secure: refused, with a blocking secret finding (or a blocking finding at a secret's severity) on the file."""
    findings = server.last_verdict()["findings"]
    assert any(f.get("path") == path and f["blocking"] and (
        f["rule_id"] == "secrets/aws-access-key" or f["severity"] in ("high", "critical")) for f in findings), \
        _summary(findings)
    assert result.code != 0, result.output


# -- 1. Case-insensitive clients: `core.ignorecase` makes git match attribute patterns without case ----------------


def test_an_upper_case_pattern_re_encodes_the_file_on_every_macos_and_windows_clone(tmp_path: Path) -> None:
    """Attack: `.gitattributes` says `*.ENV working-tree-encoding=IBM037` and `deploy/prod.env` holds the key line
    read as EBCDIC (harmless UTF-8 text). git matches attribute patterns case-insensitively when `core.ignorecase`
    is true (dir.c match_basename/fnmatch_icase), which `git clone`/`init` set on every case-insensitive file
    system: the default on macOS (APFS/HFS+) and Windows (NTFS). The hook asks `check-attr --cached` in the bare
    server repository, whose `core.ignorecase` is false: `unspecified`, so the blob alone is scanned. The literal
    trigger fires (the file names the attribute) but git's answer on the server is not the one a developer's
    laptop gets. Gain: a reviewed phone commit (or a desktop one) puts a live AWS key, in ASCII, into the checkout
    of every macOS/Windows developer who clones main; the hook exits 0 with no finding about the file."""
    server, work = _server(tmp_path)
    _phone(work, "mainframe settings", {".gitattributes": "*.ENV working-tree-encoding=IBM037\n",
                                        "deploy/prod.env": EBCDIC_KEY_LINE})
    assert AWS_KEY not in work.git("cat-file", "blob", "HEAD:deploy/prod.env")
    _case_folded_push(server, work, tmp_path, "deploy/prod.env", "unspecified", "IBM037")


def _case_folded_push(server, work: RepoBuilder, tmp_path: Path, path: str,  # type: ignore[no-untyped-def]
                      exact: str, folded: str) -> None:
    """git's answers in the pushing work tree as given, the push, the premise checked with a case-insensitive
    client's clone where the hook accepted it, and the secure outcome asserted."""
    assert work.git("check-attr", "working-tree-encoding", "--", path).endswith(f": {exact}")
    assert work.git("-c", "core.ignorecase=true", "check-attr", "working-tree-encoding", "--",
                    path).endswith(f": {folded}")
    result = spush(server, work, "origin", "main", env=RITA_PUSHES)
    if result.code == 0:  # the premise, with git: a case-insensitive client's clone writes the key
        clone = _clone(server.path, tmp_path, "core.ignorecase=true")
        assert AWS_KEY.encode() in (clone / path).read_bytes()
    _blocked_as_a_secret(server, result, path)


# -- 2. A symlink turned into a file: same blob, "same checkout" -------------------------------------------------


def test_a_merge_that_turns_a_symlink_into_a_file_re_encodes_it_unscanned(tmp_path: Path) -> None:
    """Attack: main holds the symlink `deploy/prod.env` whose target is the key line read as EBCDIC (a symlink's
    blob is its target; git never converts a link), then `.gitattributes` `*.env working-tree-encoding=IBM037`
    (its re-ask of the files beneath skips symlinks, rightly). A reviewed phone branch made before the attribute
    replaces the link by a regular file with the very same bytes (same blob id; no attribute in that tree, so
    nothing re-encodes it there). `git merge` of that branch into main is clean and pushed. The merge's combined
    diff does not show the file (it equals the side's); its first-parent diff is a typechange `120000 -> 100644`
    with old blob == new blob, so `_checkout_encodings` builds a FilePatch whose `old_blobs` holds its own blob and
    drops it as unchanged (`new_encoding == old_encoding and patch.blob in patch.old_blobs`) — but the parent wrote
    a link, the merge writes a file through IBM037. Gain: the AWS key in ASCII in every clone of main; no finding
    (from a phone, reviewed)."""
    server, work = _server(tmp_path)
    target = EBCDIC_KEY_LINE.rstrip("\n")
    (work.path / "deploy").mkdir()
    (work.path / "deploy" / "prod.env").symlink_to(target)
    work.git("add", "deploy/prod.env")
    before = _phone(work, "settings link")
    _phone(work, "encoding for the mainframe", {".gitattributes": "*.env working-tree-encoding=IBM037\n"})
    assert spush(server, work, "origin", "main", env=RITA_PUSHES).code == 0  # a link: nothing is written through it
    work.branch("settings", before)
    (work.path / "deploy" / "prod.env").unlink()
    _phone(work, "settings as a file", {"deploy/prod.env": target})
    work.checkout("main")
    work.merge("settings", "Merge branch settings" + MOBILE + REVIEWED)
    raw = work.git("diff-tree", "-r", "--raw", "--no-abbrev", "HEAD^1", "HEAD", "--", "deploy/prod.env").split()
    assert raw[0:2] == [":120000", "100644"] and raw[2] == raw[3] and raw[4] == "T", raw  # same blob, now a file
    assert work.git("check-attr", "working-tree-encoding", "--", "deploy/prod.env").endswith(": IBM037")
    assert AWS_KEY not in work.git("cat-file", "blob", "HEAD:deploy/prod.env")
    result = spush(server, work, "origin", "main", env=RITA_PUSHES)
    if result.code == 0:
        assert AWS_KEY.encode() in (_clone(server.path, tmp_path) / "deploy" / "prod.env").read_bytes()
    _blocked_as_a_secret(server, result, "deploy/prod.env")


# -- 3. A merge's other parents: their blobs read under the first parent's encoding -------------------------------


def test_a_conflict_resolution_keeps_a_key_only_the_first_parent_s_attribute_spells(tmp_path: Path) -> None:
    """Attack (desktop, or any device the policy only warns for under `unscanned`): main has `.gitattributes`
    `*.env working-tree-encoding=IBM037` and its own `deploy/prod.env`. A branch made before the attribute adds
    `deploy/prod.env` holding the key line read as EBCDIC — in its tree nothing re-encodes it: harmless, rightly
    accepted. Merging it into main conflicts (add/add); the resolution keeps both lines, so the merge's file differs
    from both parents and its combined-diff patch carries `old_blobs` = (main's blob, the branch's blob).
    `_binary_content` reads *every* old blob under `earlier`, the first parent's encoding (red32's fix): the
    branch's blob read as IBM037 spells the key, so the key counts as "already in a parent" and is dropped — though
    no checkout of either parent ever wrote it (the branch's has no attribute). What is left is
    scan/working-tree-encoding (medium, `unscanned: {default: warn}`). Gain: a live AWS key lands in every checkout
    of main from a desktop push with a warning, though a live credential blocks from any device."""
    server, work = _server(tmp_path)
    base = work.head()
    work.commit("mainframe settings\n", {".gitattributes": "*.env working-tree-encoding=IBM037\n",
                                         "deploy/prod.env": "region = eu\n"}, author=DANA, committer=DANA)
    work.branch("settings", base)
    work.commit("settings\n", {"deploy/prod.env": EBCDIC_KEY_LINE}, author=DANA, committer=DANA)
    assert work.git("check-attr", "working-tree-encoding", "--", "deploy/prod.env").endswith(": unspecified")
    work.checkout("main")
    work.git("merge", "-q", "--no-ff", "--no-commit", "settings", check=False)  # add/add conflict
    # The resolution, typed in the work tree where the attribute applies (git add stores it read as IBM037).
    work.write("deploy/prod.env", KEY_LINE + "region = eu\n")
    work.git("add", "deploy/prod.env")
    work.git("commit", "-q", "--no-edit", env={"GIT_AUTHOR_NAME": DANA[0], "GIT_AUTHOR_EMAIL": DANA[1],
                                               "GIT_COMMITTER_NAME": DANA[0], "GIT_COMMITTER_EMAIL": DANA[1]})
    assert work.git("rev-list", "--parents", "-n1", "HEAD").count(" ") == 2  # a merge
    assert work.git("diff-tree", "--cc", "--name-only", "HEAD").strip().endswith("deploy/prod.env")
    blob = work.git("cat-file", "blob", "HEAD:deploy/prod.env")
    assert AWS_KEY not in blob and blob.startswith(EBCDIC_KEY_LINE), blob
    merge = work.head()
    for parent in (f"{merge}^1", f"{merge}^2"):  # neither parent's checkout writes the key
        subprocess.run(["git", "checkout", "-q", "--detach", parent], cwd=work.path, check=True)
        assert AWS_KEY.encode() not in (work.path / "deploy" / "prod.env").read_bytes(), parent
    work.checkout("main")
    result = spush(server, work, "origin", "main")
    if result.code == 0:
        assert AWS_KEY.encode() in (_clone(server.path, tmp_path) / "deploy" / "prod.env").read_bytes()
    _blocked_as_a_secret(server, result, "deploy/prod.env")


# -- 4. An encoding glibc writes otherwise than Python: CP1258 decomposes ------------------------------------------

# U+1E54 (P with acute). glibc's CP1258 has no precomposed `Ṕ`: iconv writes it decomposed, `P` then the combining
# acute (0xEC). Python's cp1258 codec has no decomposition: `replace` writes `?`.
CP1258_HIDDEN = f"aws_access_key_id = {AWS_KEY[:-1]}\u1e54\n"


def test_a_key_only_glibc_cp1258_writes_lands_from_a_desktop_push(tmp_path: Path) -> None:
    """Attack: `*.env working-tree-encoding=CP1258` (Vietnamese Windows code page, also `WINDOWS-1258`) and a blob
    `aws_access_key_id = AKIA<15 chars>Ṕ` — 15 characters after `AKIA` and a P with acute: no key in the blob.
    glibc's iconv (what git calls) writes Vietnamese the Windows way, base letter then combining mark, so a checkout
    writes `AKIA<15 chars>P` + 0xEC: the full 20-character AWS key id in ASCII. scan.attributes.checkout_bytes
    models the checkout with Python's cp1258, which has no decomposition: `replace` writes `?`, no key. As for
    red31's UTF-7 (`_UNMODELLED`), Python's output is not git's, but CP1258 is not in that list, so the finding is
    scan/working-tree-encoding at medium whose message says secrets were looked for in both — a warning under
    `unscanned: {default: warn}`. Gain: a desktop (or undeclared-device AI agent) push lands a live AWS key id in
    every checkout of main. (The same with glibc's CP932/MS932 and BIG5 tables, which differ from Python's for some
    characters, though those do not give a contiguous ASCII run.)"""
    server, work = _server(tmp_path)
    work.commit("settings\n", {"deploy/prod.env": CP1258_HIDDEN}, author=DANA, committer=DANA)
    work.commit("encoding\n", {".gitattributes": "*.env working-tree-encoding=CP1258\n"}, author=DANA, committer=DANA)
    assert work.git("check-attr", "working-tree-encoding", "--", "deploy/prod.env").endswith(": CP1258")
    assert AWS_KEY not in work.git("cat-file", "blob", "HEAD:deploy/prod.env")
    written = subprocess.run(["iconv", "-f", "UTF-8", "-t", "CP1258"], input=CP1258_HIDDEN.encode(),
                             capture_output=True, check=True).stdout
    assert AWS_KEY.encode() + b"\xec" in written  # glibc, as git calls it
    result = spush(server, work, "origin", "main")
    if result.code == 0:
        assert AWS_KEY.encode() in (_clone(server.path, tmp_path) / "deploy" / "prod.env").read_bytes()
    _blocked_as_a_secret(server, result, "deploy/prod.env")
