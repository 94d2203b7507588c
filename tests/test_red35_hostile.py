"""Red team red35: past the red34 fix (working-tree-encoding answers batched per shared .gitattributes).

Real `git push`es into a bare repository with the installed hook, under the built-in policy; helpers from
tests/test_red24_hostile.py and tests/test_red33_hostile.py. Each test fails on w/red35 at 28014ba for the reason
its docstring names and asserts the behaviour a team needs.
"""

from __future__ import annotations

from pathlib import Path

from tests.hook_helpers import spush
from tests.test_red24_hostile import RITA_PUSHES, _server
from tests.test_red33_hostile import _phone, _summary

TEXT = "Preis: 5 \u20ac, caf\u00e9 na\u00efve\n"


def test_a_latin1_attribute_on_a_reviewed_phone_edit_is_no_false_block(tmp_path: Path) -> None:
    """False block (a normal team): a Windows-era repository keeps `*.txt working-tree-encoding=ISO-8859-15`
    (gitattributes(5) names such legacy encodings as the attribute's purpose). A reviewed phone commit edits
    `notes.txt`, `café`/`€` in it, no secret. A checkout writes the same text in ISO-8859-15 — what every program
    that reads the file as ISO-8859-15 reads. `hits_of` reads the checkout's bytes with `decode()` (UTF-8 first,
    `�` for each non-ASCII byte), so the text "differs" and scan/working-tree-encoding blocks the reviewed phone
    push. Fix: compare the checkout as the encoding reads it (`out.decode(codec)`), not as `decode()` guesses it;
    only a checkout whose reading under its encoding or as raw ASCII runs differs is a finding."""
    server, work = _server(tmp_path)
    work.commit("legacy encoding", {".gitattributes": "*.txt text working-tree-encoding=ISO-8859-15\n"})
    assert spush(server, work, "origin", "main").code == 0
    _phone(work, "fix typo in notes", {"notes.txt": TEXT.encode("iso-8859-15")})
    # git itself: the blob is the UTF-8 text, a checkout writes the same text in ISO-8859-15
    assert work.git("cat-file", "blob", "HEAD:notes.txt") == TEXT.rstrip("\n")
    assert work.git("check-attr", "working-tree-encoding", "--", "notes.txt").endswith(": ISO-8859-15")
    result = spush(server, work, "origin", "main", env=RITA_PUSHES)
    findings = server.last_verdict()["findings"]
    assert result.code == 0, _summary(findings)
    assert not [f for f in findings if f["rule_id"] == "scan/working-tree-encoding"], _summary(findings)
