"""Red team red32: past the red31 fix (git itself answers which `working-tree-encoding` applies).

Each reproduction fails on w/red32 at 60c9159 for the reason its docstring names, and asserts the secure behaviour.
Real `git push`es into a bare repository with the installed hook, under the built-in policy
(`gatekeeper.config.DEFAULT_POLICY_YAML`); helpers from tests/test_red24_hostile.py. Every premise is checked with
git itself: `git check-attr` in the pushing work tree says the attribute applies, the blob does not hold the key,
and a real clone of what the hook accepted writes the AWS key in ASCII.

What `_checkout_encodings` asks git about is the flaw in all of them: a file the push does not write is asked about
only when a `.gitattributes` that the push *writes* (as a patch of a commit, non-deleted) names the attribute (or the
root one does), and only for what `ls-tree <dir>` lists. The attribute can start to apply to an untouched file
in other ways.
"""

from __future__ import annotations

from pathlib import Path

from tests.hook_helpers import AWS_KEY, DANA, MO, MOBILE, spush
from tests.repo_builder import RepoBuilder
from tests.test_red24_hostile import REVIEWED, RITA_PUSHES, _server
from tests.test_red31_hostile import _attr, _checked_out

KEY_LINE = f"aws_access_key_id = {AWS_KEY}\n"  # what a checkout under IBM037 writes
EBCDIC_KEY_LINE = KEY_LINE.encode("ascii").decode("cp037")  # the blob's text: no key in it
ATTRIBUTE = "*.env working-tree-encoding=IBM037\n"


def _phone(work: RepoBuilder, message: str, files: dict[str, str | bytes] | None = None) -> str:
    return work.commit(message + MOBILE + REVIEWED, files, author=MO, committer=MO)


def _refused(server, result, tmp_path: Path, path: str) -> None:  # type: ignore[no-untyped-def]
    """The premise with git (a clone of what was accepted writes the key), then the secure behaviour: refused, a
    secret finding (or a blocking finding at a secret's severity) on the file."""
    findings = server.last_verdict()["findings"]
    if result.code == 0:
        assert AWS_KEY.encode() in _checked_out(server.path, tmp_path, path), "premise: a clone writes the key"
    assert any(f.get("path") == path and f["blocking"] and (
        f["rule_id"] == "secrets/aws-access-key" or f["severity"] in ("high", "critical")) for f in findings), [
        (f["rule_id"], f.get("path"), f["severity"], f["blocking"]) for f in findings]
    assert result.code != 0, result.output


# -- 1. A merge brings the attribute in against its first parent: the reconversion loop reads only patches ---------


def test_a_merge_that_brings_the_attribute_onto_main_re_encodes_main_s_file_unscanned(tmp_path: Path) -> None:
    """Attack: main already holds `deploy/prod.env`, whose blob is the key line read as EBCDIC (no attribute yet:
    harmless text, accepted). A reviewed phone branch made from main's *previous* commit (it has no prod.env) adds
    only `.gitattributes` (`*.env working-tree-encoding=IBM037`); `git merge` of that branch into main (first parent
    main's tip, the usual `git merge` / PR merge commit) is pushed. The side commit's tree holds no .env to re-encode;
    the merge's combined diff shows neither file (each equals one parent); `first_parent_changes` does list
    `.gitattributes` for the merge, but `_checkout_encodings` walks the files a `.gitattributes` re-encodes only for
    `changed` (patches), never for the `extra` first-parent changes — so prod.env is never asked about. Gain: every
    clone of main writes the AWS key in ASCII; no finding at all."""
    server, work = _server(tmp_path)
    before = work.head()
    _phone(work, "settings", {"deploy/prod.env": EBCDIC_KEY_LINE})
    assert spush(server, work, "origin", "main", env=RITA_PUSHES).code == 0  # harmless blob, no attribute
    work.branch("attrs", before)
    _phone(work, "encoding for the mainframe", {".gitattributes": ATTRIBUTE})
    work.checkout("main")
    work.merge("attrs", "Merge branch attrs" + MOBILE + REVIEWED)
    assert _attr(work, "deploy/prod.env").endswith(": IBM037")
    assert AWS_KEY not in work.git("cat-file", "blob", "HEAD:deploy/prod.env")
    result = spush(server, work, "origin", "main", env=RITA_PUSHES)
    _refused(server, result, tmp_path, "deploy/prod.env")


# -- 2. Deleting a `.gitattributes` re-encodes what it overrode --------------------------------------------------


def test_deleting_a_subdirectory_override_re_encodes_its_files_unscanned(tmp_path: Path) -> None:
    """Attack: the root `.gitattributes` says `*.env working-tree-encoding=IBM037`; `deploy/.gitattributes` says
    `*.env -working-tree-encoding`, so `deploy/prod.env` (the key line read as EBCDIC) is checked out as its blob:
    harmless, and git agrees (check-attr: unset). A later reviewed phone commit only deletes
    `deploy/.gitattributes`. Now the root's IBM037 applies and every checkout writes the key. A deleted patch is not
    in `changed` (`patch.blob and not patch.deleted`), prod.env is not written, the root `.gitattributes` is not
    written: nothing is asked. Gain: the AWS key in every clone of main; no finding."""
    server, work = _server(tmp_path)
    _phone(work, "settings", {".gitattributes": ATTRIBUTE, "deploy/.gitattributes": "*.env -working-tree-encoding\n",
                              "deploy/prod.env": EBCDIC_KEY_LINE})
    assert _attr(work, "deploy/prod.env").endswith(": unset")
    assert spush(server, work, "origin", "main", env=RITA_PUSHES).code == 0  # git checks it out as the blob
    work.git("rm", "-q", "--", "deploy/.gitattributes")
    _phone(work, "tidy up attributes")
    assert _attr(work, "deploy/prod.env").endswith(": IBM037")
    assert AWS_KEY not in work.git("cat-file", "blob", "HEAD:deploy/prod.env")
    result = spush(server, work, "origin", "main", env=RITA_PUSHES)
    _refused(server, result, tmp_path, "deploy/prod.env")


def test_rewriting_a_nested_override_without_the_attribute_name_re_encodes_unscanned(tmp_path: Path) -> None:
    """Attack: `deploy/.gitattributes` (not the root's) names IBM037 for `*.env`; `deploy/eu/.gitattributes` overrides
    it with `*.env -working-tree-encoding`. A later commit rewrites `deploy/eu/.gitattributes` to `*.txt text` — a
    file that no longer names the attribute. `_checkout_encodings` re-asks the files beneath a written
    `.gitattributes` only when *its new blob* or *the root's* names the attribute; the one that does is
    `deploy/.gitattributes`, in between. Gain: `deploy/eu/prod.env` is written as the AWS key by every clone; no
    finding."""
    server, work = _server(tmp_path)
    _phone(work, "settings", {"deploy/.gitattributes": ATTRIBUTE,
                              "deploy/eu/.gitattributes": "*.env -working-tree-encoding\n",
                              "deploy/eu/prod.env": EBCDIC_KEY_LINE})
    assert spush(server, work, "origin", "main", env=RITA_PUSHES).code == 0
    _phone(work, "line endings", {"deploy/eu/.gitattributes": "*.txt text\n"})
    assert _attr(work, "deploy/eu/prod.env").endswith(": IBM037")
    assert AWS_KEY not in work.git("cat-file", "blob", "HEAD:deploy/eu/prod.env")
    result = spush(server, work, "origin", "main", env=RITA_PUSHES)
    _refused(server, result, tmp_path, "deploy/eu/prod.env")


# -- 3. `ls-tree -- <dir>` takes the directory as a pathspec --------------------------------------------------------


def test_an_attributes_file_in_a_directory_named_like_pathspec_magic_re_encodes_unscanned(tmp_path: Path) -> None:
    """Attack: a directory named `:deploy` (a colon first: Linux and git take it). Its `prod.env` (the EBCDIC-read
    key line) is pushed first, harmless; a later commit adds `:deploy/.gitattributes` with IBM037. The reconversion
    lists the files beneath with `git ls-tree -r -- :deploy`, and git reads `:deploy` as a pathspec with (empty)
    short magic: the path `deploy` — which does not exist (or is a decoy). Nothing is asked. (`GIT_LITERAL_PATHSPECS`
    is not set; `:(literal)`/`:!` names break it the same way.) Gain: the key in every clone; no finding."""
    server, work = _server(tmp_path)
    work.write(":deploy/prod.env", EBCDIC_KEY_LINE)
    work.git("add", "--", ":(literal):deploy/prod.env")  # RepoBuilder.commit would add a pathspec
    _phone(work, "settings")
    assert spush(server, work, "origin", "main", env=RITA_PUSHES).code == 0
    work.write(":deploy/.gitattributes", ATTRIBUTE)
    work.git("add", "--", ":(literal):deploy/.gitattributes")
    _phone(work, "encoding for the mainframe")
    assert work.git("ls-tree", "-r", "--name-only", "HEAD") == ":deploy/.gitattributes\n:deploy/prod.env\nREADME.md"
    assert _attr(work, ":deploy/prod.env").endswith(": IBM037")
    assert AWS_KEY not in work.git("cat-file", "blob", "HEAD::deploy/prod.env")
    result = spush(server, work, "origin", "main", env=RITA_PUSHES)
    _refused(server, result, tmp_path, ":deploy/prod.env")


def test_a_merge_whose_first_parent_holds_the_file_re_encodes_it_unscanned(tmp_path: Path) -> None:
    """Attack: red31's clean merge with the parents the other way round. A phone branch `settings` (from main) adds
    `deploy/prod.env` (the EBCDIC-read key line); main gets `.gitattributes` (IBM037) in the same push; on
    `settings`, `git merge main` (first parent: the file's side — the merge a feature branch makes to catch up), and
    `settings` is pushed to main. The merge's first-parent diff lists only `.gitattributes`, which is asked about
    itself; the files it re-encodes are walked only for `changed` patches. Gain: the AWS key in every clone of
    main; no finding."""
    server, work = _server(tmp_path)
    base = work.head()
    _phone(work, "encoding for the mainframe", {".gitattributes": ATTRIBUTE})
    work.branch("settings", base)
    _phone(work, "settings", {"deploy/prod.env": EBCDIC_KEY_LINE})
    assert AWS_KEY not in work.git("cat-file", "blob", "HEAD:deploy/prod.env")
    work.merge("main", "Merge branch main into settings" + MOBILE + REVIEWED)
    assert _attr(work, "deploy/prod.env").endswith(": IBM037")
    result = spush(server, work, "origin", "settings:main", env=RITA_PUSHES)
    _refused(server, result, tmp_path, "deploy/prod.env")


# -- 4. "Already in the parent": the parent's blob is read under the *new* encoding -----------------------------------


def test_a_key_the_parent_blob_would_spell_under_the_new_attribute_counts_as_old(tmp_path: Path) -> None:
    """Attack (desktop, or any device the policy only warns for under `unscanned`): `deploy/prod.env` holds the key
    line read as EBCDIC, accepted earlier (no attribute: its checkout is that harmless text). One commit adds
    `.gitattributes` (IBM037) and appends a line to prod.env. `_binary_content` counts a hit as added only when no
    parent's version has it, and reads the parent's blob with the encodings the file has *now*
    (`hits_of(old, path, encodings)`): under IBM037 the old blob spells the same key, so the key is taken as
    already there and dropped — though no checkout ever wrote it before this commit. What is left is
    scan/working-tree-encoding (medium, `unscanned: {default: warn}`). Gain: a live AWS key lands in every checkout
    of main from a desktop push with a warning, though a live credential blocks from any device."""
    server, work = _server(tmp_path)
    work.commit("settings\n", {"deploy/prod.env": EBCDIC_KEY_LINE}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    # The work tree holds the key in ASCII; with the attribute in place `git add` stores it read as IBM037.
    work.commit("mainframe settings\n", {".gitattributes": ATTRIBUTE, "deploy/prod.env": KEY_LINE + "region = eu\n"},
                author=DANA, committer=DANA)
    assert _attr(work, "deploy/prod.env").endswith(": IBM037")
    blob = work.git("cat-file", "blob", "HEAD:deploy/prod.env")
    assert AWS_KEY not in blob and blob.startswith(EBCDIC_KEY_LINE), blob
    result = spush(server, work, "origin", "main")
    _refused(server, result, tmp_path, "deploy/prod.env")


# -- 5. A `-BOM` name on a code page without U+FEFF crashes the scan ------------------------------------------------


def test_a_bom_suffix_on_a_single_byte_encoding_is_judged_not_an_internal_error(tmp_path: Path) -> None:
    """Attack (robustness, low): `*.env working-tree-encoding=latin1-BOM` (or `IBM037-BOM`). iconv knows no such
    name, so git writes the blob unchanged on checkout (an error on stderr). scan.attributes.checkout_bytes strips
    `-BOM`, encodes the text with `replace`, then prepends `"\\ufeff".encode(codec)` *outside* its try: latin-1 and
    EBCDIC code pages have no U+FEFF, UnicodeEncodeError escapes and the hook dies with `internal error` for every
    push that touches such a file. Fail-closed, but a repository whose history carries the attribute cannot take a
    push to its `.env` files any more, and the verdict names no rule or file. Secure: the file is judged (the
    unconvertible encoding reported as a finding), not an internal error."""
    server, work = _server(tmp_path)
    work.commit("settings\n", {"a.env": "A=1\n"}, author=DANA, committer=DANA)
    work.commit("attributes\n", {".gitattributes": "*.env working-tree-encoding=latin1-BOM\n"},
                author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert "internal error" not in result.output, result.output
