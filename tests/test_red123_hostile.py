"""red123 - hostile tests against the fixes of afa7b69..main: Python's line ends and both readings of a cookie'd file
(scan/text.py `python_source`, `_script_reading`, `without_cookie`; scan/workspace.py `_source`), the handler lexer
(scan/embedded.py `_closed`, `_attribute_code`) and OpenSSH's reading of Ed25519/ECDSA (provenance/signatures.py).

Gate-level tests run the real `gatekeeper check --format json` with real semgrep and bandit (tests/scan_helpers.py
`check_commit`, one run for the module); each Python file was run by hand under CPython 3.11.7 (`python3 file.py`),
and each handler body under node (`new Function("event", body)`, the way a browser compiles a handler): every one
parses and reaches its `eval`/`os.system`.

Findings, by severity:

1. HIGH (silent miss) - `_closed` still tells a regular expression from a division by the previous character and a
   keyword list, and gets it wrong both ways. The lexer's mistake is not only a dropped handler (red121 2): when it
   reads a regex where JavaScript reads a division, the regex swallows a quote that opens a string to JavaScript; the
   lexer is then in code where the browser is in that string, a `//` inside the string becomes a comment to the
   lexer, and the code after it - which the browser runs - is blanked. No eval finding and no note: what is left is
   at most a LOW, non-blocking scan/parse-error (semgrep cannot parse the truncated string; 10 of 11) or nothing at
   all (`yield`). The control (the eval alone) is a blocking critical. Measured 11 of 11 forms (each is valid
   JavaScript; the browser reaches `eval(location.hash)`):
   - a property named like a keyword: `location.of /1+'/ //';eval(location.hash)` (also `.return`, `.in`, ...);
     after `.` a name is never a keyword (ECMAScript: IdentifierName in MemberExpression), `/` is a division;
   - `await`, `yield`, `of` as identifiers (a handler is a sloppy, non-async, non-generator function: both are
     plain identifiers there; `of` is never reserved): `var await=1;await /1+'/ //';eval(...)`;
   - a postfix `++`/`--`: `this.n++ /1+'/ //';eval(...)` (an UpdateExpression is an operand: division);
   - a number ending in a dot: `x=1. /1+'/ //';eval(...)`;
   - an identifier ending in a character Python's `isalnum` refuses but ID_Continue allows (a combining mark
     U+0301, ZWJ U+200D), or U+FEFF (WhiteSpace to JavaScript, not `isspace` to Python) before the `/`;
   - and the other way: a `}` closing a block (`{}`, `function f(){}`) is followed by a regex to JavaScript; the
     lexer reads a division, then `'/;x='` as a string, and `//';eval(location.hash)` as a comment.
   Fix: not a longer keyword list - a handler the lexer has to guess about must be read anyway. E.g. when `_closed`
   blanks a comment, also hand the tools the value with no comment blanked (a second reading, as Python's two
   readings are), or never blank a comment that starts on a line where a quote or a slash was read as a regex.
2. HIGH (silent miss) - `without_cookie` blanks a cookie-shaped line 2 whatever line 1 is. Python honours a cookie on
   line 2 only after a blank or comment line 1, and a `#` line inside a triple-quoted string opened on line 1 is no
   comment: `import os; x = '''` / `#coding: ''' ; os.system(input()); y = '''` / `'''`. python_source applies
   without_cookie to every CR-only file (no cookie needed: `b"coding" in` the first two lines is enough), so a
   CR-only module written that way reaches semgrep and bandit with the os.system line blank - and without a
   scan/source-encoding note, since no encoding is declared. The same for a notebook written as compact JSON
   (`placed` False: its code starts at line 1): Embedded.readable() blanks the cell's line 2 for both tools.
   Fix: blank line 2 only when line 1 is blank or a comment (as _declaration_from already decides), and only the
   cookie's own line - better, blank nothing that is not the declaration Python honoured.
3. MEDIUM (miss, mitigated by scan/source-encoding) - a codec that writes a CR: `python file.py` reads what follows
   the cookie through io.open(newline=None) (fp_setreadl), which ends a line at a decoded lone CR; the text written
   for the tools keeps that CR inside the line (python_source normalises only the bytes' CRs), semgrep reads it as
   part of the comment, and the reading is even marked `placed` (aligned). `# coding: utf-7` + `# note+AA0-import
   os; os.system(input())` and `# coding: unicode_escape` + `# note\\rimport os; ...`: Python runs os.system; the gate
   reports only scan/source-encoding (medium). Fix: end lines at a decoded CR too (normalise the reading's `\\r\\n`
   and `\\r` to `\\n`), and count it as not aligned.

Tried and held: a NUL anywhere in a .py file (CPython 3.11 refuses it: "source code cannot contain null bytes"); a BOM
with a non-UTF-8 cookie (CPython refuses; detect_encoding raises, the bytes are read); CRLF mixed with lone CRs (all
normalised); a cookie on line 2 after a line ending in a lone CR (found on the normalised lines, as CPython does);
`# coding: utf-16-le` whose script reading CPython decodes from the cookie line's last byte (fp_setreadl seeks to
pos-1 and discards a line): `python file.py` runs code that neither of the gate's readings decodes, but the file
holds NULs and the workspace reads it NUL-stripped, where the ASCII code is plain (found, critical) - still, the
script reading `_script_reading` computes for a UTF-16/32 cookie is not CPython's. Readings cost: at most two extra
files a Python file, linear decodes. Signatures (3): not reached beyond reading the diff in the time box -
`_ed25519_as_openssh` reduces S mod L as OpenSSH's sc25519_from32bytes does after its `sm[63] & 224` check, and
`_uncompressed` requires 0x04 and the curve's length as sshbuf_get_eckey does; no disagreement found.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from gatekeeper.scan.embedded import embedded_code
from gatekeeper.scan.text import python_source
from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit

EVAL = "semgrep/js-eval-non-literal"
OS_SYSTEM = ("semgrep/python-os-system-non-literal", "bandit/B605", "bandit/B602", "bandit/B607")

# -- 1: handler bodies the browser runs whose eval the lexer blanks as a comment --------------------------------------

HANDLERS = {
    "keyword_property": "location.of /1+'/ //';eval(location.hash)",
    "return_property": "location.return /1+'/ //';eval(location.hash)",
    "await_identifier": "var await=1;await /1+'/ //';eval(location.hash)",
    "yield_identifier": "var yield=1;yield /1+'/ //';eval(location.hash)",
    "postfix_increment": "this.n=1;this.n++ /1+'/ //';eval(location.hash)",
    "number_with_dot": "x=1. /1+'/ //';eval(location.hash)",
    "combining_mark": "var a\u0301=1;a\u0301 /1+'/ //';eval(location.hash)",
    "zero_width_joiner": "var a\u200d=1;a\u200d /1+'/ //';eval(location.hash)",
    "byte_order_mark_space": "x=1\ufeff/1+'/ //';eval(location.hash)",
    "after_a_block": "{}/'/;x='//';eval(location.hash)",
    "after_a_function": "function f(){}/'/;x='//';eval(location.hash)",
}


def _page(body: str) -> str:
    return '<html>\n<b onclick="' + body.replace("&", "&amp;").replace('"', "&quot;") + '">x</b>\n</html>\n'


# -- 2, 3: Python the tools are handed blank -----------------------------------------------------------------------

STRING_LINE_TWO = "import os; x = '''\r#coding: ''' ; os.system(input()); y = '''\r'''\r"
NOTEBOOK_CELL = "import os; x = '''\n#coding: ''' ; os.system(input()); y = '''\n'''\n"
COMPACT_NOTEBOOK = json.dumps({
    "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": NOTEBOOK_CELL}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5}) + "\n"

FILES: dict[str, str] = {
    **{f"web/{name}.html": _page(body) for name, body in HANDLERS.items()},
    "web/control.html": _page("eval(location.hash)"),
    # 2: a `#coding:` line 2 inside a string opened on line 1 (CR-only module; compact notebook).
    "py/string_line_two.py": STRING_LINE_TWO,
    "nb/compact.ipynb": COMPACT_NOTEBOOK,
    # 3: a codec that writes a CR, which `python file.py` ends a line at.
    "py/utf7_cr.py": "# coding: utf-7\n# note+AA0-import os; os.system(input())\n",
    "py/escape_cr.py": "# coding: unicode_escape\n# note\\rimport os; os.system(input())\n",
    # guard
    "py/control.py": "import os\nos.system(input())\n",
}


@pytest.fixture(scope="module")
def verdict(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    return check_commit(tmp_path_factory.mktemp("red123"), FILES, ALL_SCANNERS_POLICY)


def _found(result: dict[str, Any], path: str) -> list[tuple[str, int | None]]:
    return sorted((f["rule_id"], f["line"]) for f in result["findings"] if f["path"] == path)


def _code_finding(result: dict[str, Any], path: str, rules: tuple[str, ...]) -> bool:
    return any(rule in rules for rule, _ in _found(result, path))


def test_held_the_control_files_are_blocked(verdict: tuple[int, dict[str, Any]]) -> None:
    """(Guard, holds.) The sinks alone: the handler's eval and the module's os.system are findings."""
    _, result = verdict
    assert (EVAL, 2) in _found(result, "web/control.html")
    assert _code_finding(result, "py/control.py", OS_SYSTEM)


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_a_regex_misread_as_a_division_or_back_hides_no_handler_code(verdict: tuple[int, dict[str, Any]],
                                                                     name: str) -> None:
    """Finding 1 (HIGH, silent miss): `_closed` reads a regex where JavaScript reads a division (after a property
    named like a keyword, `await`/`yield`/`of` as identifiers, `x++`, `1.`, an identifier ending in a combining mark or
    ZWJ, U+FEFF) or a division where it reads a regex (after a block's `}`); the quote inside is then a string to one
    and code to the other, and the `//` the browser reads inside a string blanks `eval(location.hash)`, which the
    browser runs. No eval finding and no note (a LOW scan/parse-error at most)."""
    path = f"web/{name}.html"
    assert (EVAL, 2) in _found(verdict[1], path), (_found(verdict[1], path), verdict[1].get("notes"))


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_unit_the_lexer_keeps_the_eval_of_each_handler(name: str) -> None:
    """Finding 1 at the unit level: the handlers' text handed to semgrep (`Embedded.attributes`) holds no `eval`.
    (The fix gives the tools a second reading of the values as written, each a file of its own, `Embedded.values`, for where the
    lexer that closes them misjudges a slash: the eval must be in one of the two; the gate-level test above proves
    semgrep reports it.)"""
    found = embedded_code(".html", _page(HANDLERS[name]).encode())
    assert found is not None and "eval(location.hash)" in found.attributes + "".join(found.values), found


def test_a_hash_line_two_inside_a_string_is_not_blanked(verdict: tuple[int, dict[str, Any]]) -> None:
    """Finding 2 (HIGH, silent miss): in the CR-only module, line 2 `#coding: ''' ; os.system(input()); ...` closes
    the string line 1 opened and runs os.system (python3 runs it). python_source passes every CR-only file through
    without_cookie, which blanks a cookie-shaped line 2 even after a line 1 of code: the tools get no os.system, and no
    encoding is declared, so there is no scan/source-encoding either."""
    assert _code_finding(verdict[1], "py/string_line_two.py", OS_SYSTEM), _found(verdict[1], "py/string_line_two.py")


def test_unit_python_source_keeps_a_string_line_two() -> None:
    """Finding 2 at the unit level: the text python_source gives the tools has no os.system."""
    readings = python_source(STRING_LINE_TWO.encode())
    assert readings is not None and all("os.system(input())" in text for text, _ in readings), readings


def test_a_compact_notebooks_line_two_inside_a_string_is_not_blanked(verdict: tuple[int, dict[str, Any]]) -> None:
    """Finding 2 (HIGH, silent miss) in a notebook: written as one line of JSON, its cell cannot be placed and the
    code starts at line 1; Embedded.readable() blanks the cell's line 2 (`#coding: ''' ; os.system(input()); ...`,
    which IPython runs) for semgrep and bandit alike."""
    assert _code_finding(verdict[1], "nb/compact.ipynb", OS_SYSTEM), _found(verdict[1], "nb/compact.ipynb")


@pytest.mark.parametrize("path", ["py/utf7_cr.py", "py/escape_cr.py"])
def test_a_cr_a_codec_writes_ends_the_line(verdict: tuple[int, dict[str, Any]], path: str) -> None:
    """Finding 3 (MEDIUM, miss mitigated by scan/source-encoding): `python file.py` decodes what follows the cookie
    through io.open(newline=None), so UTF-7's `+AA0-` and unicode_escape's `\\r` end the comment's line and
    `os.system(input())` runs (python3 runs both); python_source normalises only the bytes' CRs, the reading keeps the
    decoded CR inside the comment for the tools (and calls it aligned), and only scan/source-encoding is reported."""
    assert _code_finding(verdict[1], path, OS_SYSTEM), _found(verdict[1], path)
