"""`working-tree-encoding` in pushed `.gitattributes`: what a checkout writes is scanned as well as the blob.

git keeps such a file's blob in UTF-8 and writes it in the named encoding on checkout (gitattributes(5)). Read as
EBCDIC or UTF-16, a key typed on a phone is harmless-looking text in the blob and plain ASCII in every clone
(red30). The secrets scanner reads the checkout bytes too, and `scan/working-tree-encoding` (follows `unscanned`)
says where the two differ — also where a later commit adds the attribute to a file it does not touch.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gatekeeper.config import DEFAULT_POLICY_YAML
from gatekeeper.scan.attributes import attribute_files, checkout_bytes, python_codec
from tests.hook_helpers import AWS_KEY, DANA, MO, MOBILE, make_server, seed, spush
from tests.test_red24_hostile import REVIEWED, RITA_PUSHES, _server

KEY_LINE = f"aws_access_key_id = {AWS_KEY} \n"  # an even length: a whole number of UTF-16 code units


def _hidden(encoding: str) -> str:
    """The blob text git stores when a working file holding KEY_LINE in ASCII is added under `encoding`."""
    return KEY_LINE.encode("ascii").decode(encoding)


# -- which encodings apply: git's own answer ---------------------------------------------------------------------

def test_attribute_files_are_the_root_and_each_parent_directory() -> None:
    assert attribute_files("a.env") == [".gitattributes"]
    assert attribute_files("deploy/eu/prod.env") == [".gitattributes", "deploy/.gitattributes",
                                                     "deploy/eu/.gitattributes"]


def test_git_itself_says_which_encoding_applies(tmp_path: Path) -> None:
    """Git.checkout_attribute asks git (check-attr on the commit's tree in a private index), so every rule of its own
    applies: a CR between pattern and attribute, escapes, POSIX classes, quoted non-ASCII patterns, a quoted macro
    definition, a directory whose name holds a newline (red31 found each one missed by a matcher of our own)."""
    from gatekeeper.git import Git
    from tests.repo_builder import RepoBuilder

    repo = RepoBuilder.init(tmp_path / "repo")
    files = {
        ".gitattributes": ("a/*.env\rworking-tree-encoding=IBM037\n"
                           "b/secret\\.env working-tree-encoding=IBM037\n"
                           "c/*.[[:alpha:]]nv working-tree-encoding=IBM037\n"
                           '"d/d\\303\\251ploy.env" working-tree-encoding=IBM037\n'
                           '"[attr]legacy" working-tree-encoding=IBM037\n'
                           "e/*.env legacy\n"
                           "f/*.env -working-tree-encoding\n"),
        "n\nl/.gitattributes": "*.env working-tree-encoding=IBM037\n",
    }
    names = ["a/x.env", "b/secret.env", "c/x.env", "d/d\u00e9ploy.env", "e/x.env", "f/x.env", "n\nl/x.env", "g/x.env"]
    repo.commit("attributes\n", {**files, **{name: "A=1\n" for name in names}})
    git = Git(repo.path)
    values = git.checkout_attribute(git.resolve("HEAD"), [n.encode() for n in names], "working-tree-encoding")
    assert {k.decode(): v for k, v in values.items()} == {
        "a/x.env": "IBM037", "b/secret.env": "IBM037", "c/x.env": "IBM037", "d/d\u00e9ploy.env": "IBM037",
        "e/x.env": "IBM037", "f/x.env": "unset", "n\nl/x.env": "IBM037", "g/x.env": "unspecified"}


def test_checkout_bytes_turn_the_blob_back_into_what_was_typed() -> None:
    assert checkout_bytes(_hidden("cp037").encode(), "IBM037") == [KEY_LINE.encode()]
    assert KEY_LINE.encode() in checkout_bytes(_hidden("utf-16-le").encode(), "UTF-16")[0]  # a BOM, then the line
    assert python_codec("UTF-16LE-BOM") == "utf-16-le" and python_codec("X-NO-SUCH-ENCODING") is None
    assert checkout_bytes(b"x", "X-NO-SUCH-ENCODING") == []
    # glibc's UTF-7 encodes `!`, `_` and `=` where Python writes them plainly (red31): not computed here.
    assert python_codec("UTF-7") is None and python_codec("ISO-2022-JP") is None


# -- pushes into a bare repository with the hook ----------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["IBM037", "UTF-16LE", "UTF-16BE"])
def test_a_key_hidden_by_the_checkout_encoding_is_refused_from_any_device(tmp_path: Path, encoding: str) -> None:
    server, work = _server(tmp_path)
    codec = {"IBM037": "cp037", "UTF-16LE": "utf-16-le", "UTF-16BE": "utf-16-be"}[encoding]
    # The phone's file holds the key as typed; `git add` stores it as the encoding reads it.
    work.commit("deploy settings\n", {".gitattributes": f"*.env working-tree-encoding={encoding}\n",
                                      "deploy/prod.env": KEY_LINE}, author=DANA, committer=DANA)
    blob = work.git("cat-file", "blob", "HEAD:deploy/prod.env")
    assert AWS_KEY not in blob and blob.strip() == _hidden(codec).strip()  # the premise: the blob does not hold it
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    findings = server.last_verdict()["findings"]
    assert any(f["rule_id"] == "secrets/aws-access-key" and f.get("path") == "deploy/prod.env" for f in findings)
    assert any(f["rule_id"] == "scan/working-tree-encoding" for f in findings)
    assert AWS_KEY not in result.output


def test_an_attribute_added_later_re_encodes_a_file_the_push_does_not_touch(tmp_path: Path) -> None:
    """The file arrives first, harmless as a blob; a later commit adds only the .gitattributes that turns it into
    the key on checkout."""
    server, work = _server(tmp_path)
    work.commit("settings\n", {"deploy/prod.env": _hidden("cp037")}, author=DANA, committer=DANA)
    work.commit("encoding for the mainframe\n", {".gitattributes": "*.env working-tree-encoding=IBM037\n"},
                author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    findings = server.last_verdict()["findings"]
    assert any(f["rule_id"] == "secrets/aws-access-key" and f.get("path") == "deploy/prod.env" for f in findings)


def test_a_clone_of_what_was_refused_would_have_held_the_key(tmp_path: Path) -> None:
    """The premise, with git itself: a checkout writes the key in ASCII from a blob that does not hold it."""
    repo = tmp_path / "plain"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitattributes").write_text("*.env working-tree-encoding=IBM037\n")
    (repo / "prod.env").write_bytes(KEY_LINE.encode())
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    blob = subprocess.run(["git", "-C", str(repo), "cat-file", "blob", ":prod.env"], capture_output=True,
                          check=True).stdout
    assert AWS_KEY.encode() not in blob and blob == _hidden("cp037").encode()


def test_a_utf16_script_that_reads_the_same_is_no_finding(tmp_path: Path) -> None:
    """git's own example (`*.ps1 text working-tree-encoding=UTF-16LE-BOM`): the checkout is the same text in UTF-16;
    nothing differs, nothing is reported, the push goes through."""
    server, work = _server(tmp_path)
    script = "\ufeffWrite-Host 'installing'\r\nexit 0\r\n".encode("utf-16-le")  # as the editor saved it
    work.commit("install script\n", {".gitattributes": "*.ps1 text working-tree-encoding=UTF-16LE-BOM\n",
                                     "install.ps1": script}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code == 0, result.output
    assert not [f for f in server.last_verdict()["findings"] if f["rule_id"].startswith("scan/")]


def test_text_a_checkout_changes_blocks_a_phone_push_and_warns_for_a_desktop_one(tmp_path: Path) -> None:
    """No secret, but what a checkout writes is not what semgrep and bandit read: `unscanned` decides (built-in
    policy: block for mobile commits on a protected branch, warn for the others)."""
    hidden = {".gitattributes": "*.py working-tree-encoding=IBM037\n", "tool.py": "print('hello')\n"}
    server, work = _server(tmp_path)
    work.commit("desktop\n", hidden, author=DANA, committer=DANA)
    desktop = spush(server, work, "origin", "main")
    assert desktop.code == 0, desktop.output
    assert "scan/working-tree-encoding" in desktop.output
    server, work = _server(tmp_path / "phone")
    work.commit("from the phone" + MOBILE + REVIEWED, hidden, author=MO, committer=MO)
    phone = spush(server, work, "origin", "main", env=RITA_PUSHES)
    assert phone.code != 0 and "scan/working-tree-encoding" in phone.output, phone.output


def test_an_encoding_nobody_here_can_convert_is_reported(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv", policy=DEFAULT_POLICY_YAML)
    work = server.clone()
    # git cannot add a file under an encoding iconv lacks: the file comes first, the attribute after it.
    work.commit("x\n", {"a.env": "A=1\n"}, author=DANA, committer=DANA)
    work.commit("y\n", {".gitattributes": "*.env working-tree-encoding=X-NO-SUCH-ENCODING\n"},
                author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    found = [f for f in server.last_verdict()["findings"] if f["rule_id"] == "scan/working-tree-encoding"]
    # What a checkout writes may hold a secret nobody read: blocked at a secret's severity, from a desktop too.
    assert found and "cannot write as git does" in found[0]["message"], result.output
    assert found[0]["severity"] == "high" and found[0]["blocking"] and result.code != 0


def test_an_attributes_file_in_a_directory_whose_name_git_escapes_is_read(tmp_path: Path) -> None:
    """Paths are shown with a backslash doubled and bytes that are not UTF-8 escaped; the .gitattributes of such a
    directory is looked up by its real name."""
    server, work = _server(tmp_path)
    work.commit("deploy settings\n", {"conf\\eu/.gitattributes": "*.env working-tree-encoding=IBM037\n",
                                      "conf\\eu/prod.env": KEY_LINE}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert any(f["rule_id"] == "secrets/aws-access-key" for f in server.last_verdict()["findings"])


def test_a_file_written_beside_an_unrelated_attributes_change_is_still_read(tmp_path: Path) -> None:
    """One commit changes an attributes file that names nothing of the kind (docs/) and writes a file a deeper one
    (deploy/) gives IBM037: the file is asked about as any written file is."""
    server, work = _server(tmp_path)
    work.commit("attributes\n", {"deploy/.gitattributes": "*.env working-tree-encoding=IBM037\n",
                                 "docs/.gitattributes": "*.md text\n"}, author=DANA, committer=DANA)
    assert spush(server, work, "origin", "main").code == 0
    work.commit("docs and settings\n", {"docs/.gitattributes": "*.md text eol=lf\n", "deploy/prod.env": KEY_LINE},
                author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert any(f["rule_id"] == "secrets/aws-access-key" for f in server.last_verdict()["findings"])


def test_changing_the_root_attributes_of_a_large_tree_is_no_finding(tmp_path: Path) -> None:
    """Re-encoding is judged by git's answer, not by how many files lie beneath: a root .gitattributes that names the
    attribute for one kind of file, edited in a tree of 2,100 other files, blocks nothing."""
    server, work = _server(tmp_path)
    work.commit("many files\n", {".gitattributes": "*.ps1 text working-tree-encoding=UTF-16LE-BOM\n",
                                 **{f"src/m{i}.py": f"x = {i}\n" for i in range(2100)}},
                author=DANA, committer=DANA)
    seed(server, work)  # (the tree is where the test starts: only the attributes change goes through the hook)
    work.commit("attributes\n", {".gitattributes": "*.ps1 text working-tree-encoding=UTF-16LE-BOM\n*.png binary\n"},
                author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code == 0, result.output
    assert not [f for f in server.last_verdict()["findings"] if f["rule_id"] == "scan/working-tree-encoding"]
