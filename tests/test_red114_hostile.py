"""Red team red114: code embedded in other files (scan/embedded.py, `reads_embedded` / `Target.placed` in
scan/workspace.py and scan/head.py) and the B202 refinement (scan/bandit_tar.py), attacked by a hostile PR author
who wants eval of input, os.system/subprocess shell=True on user data or an unfiltered tar extraction past semgrep
and bandit inside a notebook or a page.

Each finding test fails on w/red114 (= main 9317ae6) for the reason its docstring names and asserts the secure
behaviour. One real `gatekeeper check --format json` (tests/scan_helpers.check_commit, ALL_SCANNERS_POLICY: secrets,
semgrep and bandit, block at medium) over one commit of every sample; the rest are unit tests of `embedded_code` and
`extraction_is_safe`. How Jupyter runs each notebook shape was checked with IPython 9.19 (`InteractiveShell.run_cell`,
os.system patched to record its argument) and nbformat 5.11; how a browser reads each page with html5lib (the HTML
standard's tokenizer) and node (`vm.runInNewContext`) for the JavaScript that results.

Findings:

1. HIGH (miss) — scan/embedded.py `_code` / `_MAGIC`: only `%` and `!` lines are IPython syntax to it. IPython's
   escape characters run calls too — `/os.system cmd` is `os.system(cmd)`, `,f a b` is `f("a", "b")`, `;f a b` is
   `f("a b")` (inputtransformer2 EscapedCommand, on in every kernel) — and a one-line cell `time os.system(input())`
   runs through automagic. The lines reach semgrep and bandit verbatim: not a call, the notebook does not parse, and
   the verdict is a LOW non-blocking scan/parse-error (measured: `/os.system cmd`, `/subprocess.call cmd shell=True`,
   `/eval cmd`, `time os.system(input())`: 0 code findings, decision allow apart from the notes). Fix: rewrite escape
   lines as IPython does (`/f a b` -> `f(a, b)`, `,`/`;` -> quoted arguments), and a one-line cell whose first word is
   a magic in _RUNS_PYTHON as that magic.
2. HIGH (miss, no note) — `_python_cell`: a cell whose first line is ANY cell magic not on the Python list is "all
   another language" and dropped without a word. A user-defined magic (`@register_cell_magic def quiet(line, cell):
   get_ipython().run_cell(cell)` in an earlier cell), `%alias_magic q capture` then `%%q`, and `%%script
   {sys.executable}` (IPython expands `{...}` in a magic's line) all run the cell as Python (IPython-verified); their
   os.system(input()) reaches neither scanner and the verdict says nothing. Fix: drop only cells under a magic known
   to be another language (bash, sh, html, javascript/js, latex, markdown, svg, perl, ruby, writefile of a non-.py
   file, script naming a non-Python program); read any other cell as Python (a parse error is reported anyway).
3. HIGH (miss, no note) — `_scripts`: `<script` is searched for in the raw text, so a `<script` that is no tag to a
   browser — inside an HTML comment (`<!-- old: <script type="text/template"> -->`), an attribute value, a
   `<textarea>` — opens a non-JavaScript "script" whose body swallows the real `<script>` up to its `</script>`: the
   page "holds no code". The start tag ends at its first `>`, even inside quotes: `<script data-note="type=text/plain>">`
   is read as type text/plain. And a script body that goes `<!-- <script>` is in the standard's "double escaped" state,
   where the first `</script>` does not end it (`/* </script> */` then `eval(...)` runs; node runs that JavaScript):
   the scanner stops at it. All five: html5lib gives the script with eval, embedded_code gives none or only the
   prefix; the real check reports nothing. Fix: skip `<!-- ... -->` and the raw-text/RCDATA elements (textarea, title,
   style, xmp, iframe, noembed, noframes, noscript) when looking for start tags, find the tag's `>` outside quoted
   values, and end a script body as the tokenizer does (escaped / double-escaped states).
4. MEDIUM (miss, no note) — scan/workspace.py `materialise`: an embedding file goes to `embedded_code` as raw bytes
   decoded as UTF-8, before the UTF-16 handling every other file gets (scan.text.decode). A UTF-16 page with a BOM —
   browsers honour the BOM before anything else — is "no code": its eval(location.hash) reaches no scanner, no note.
   Fix: decode (BOM / UTF-16 aware) first, then extract.
5. MEDIUM (miss, no note) — `_notebook`: a notebook `json.loads` refuses is `None`: not scanned and nothing said
   (DESIGN §7/§10: nothing goes unscanned without the pusher being told). A UTF-8 BOM (nbformat's own `read` of a
   binary file opens it, Python's json detects the BOM on bytes; editors that decode with TextDecoder strip it) and
   metadata nested deeper than Python's recursion limit (3,000 levels; JavaScript's JSON.parse reads it) both drop
   os.system(input()) silently. Fix: decode with utf-8-sig; report a notebook that cannot be read (scan/unreadable).
6. MEDIUM (miss, regression of the B202 refinement) — scan/bandit_tar.py `_Reader`: "beyond doubt" is read from the
   AST's bindings only, but a module can rebind names at run time without one: `sys.modules["zipfile"] =
   types.SimpleNamespace(ZipFile=tarfile.open)` before `import zipfile`, or `globals()["archive"] =
   tarfile.open(upload)` beside `archive = zipfile.ZipFile(...)`. bandit reports B202 on both; the reading calls them
   zip archives and drops it; semgrep's tarfile rule does not match; both extract `../escaped.txt` outside the
   destination (run here, Python 3.11.7). Fix: a module that writes `sys.modules`, subscripts `globals()`/`vars()`/
   `locals()`/`__dict__`, or calls `exec`/`__import__`/`importlib` is not readable (the finding stands). (A
   `sys.modules` swap in another module — a package's `__init__` — is beyond any per-module reading; noted.)
7. MEDIUM (hang; fail-closed defeated) — `_PYTHON_CELL`: `script(?:[ \\t]+--?[\\w-]+(?:…)?)*[ \\t]+\\S*python` tries
   both `-`+`-a` and `--`+`a` for every option: exponential backtracking on a cell's first line. `%%script` + 20
   options: 0.41 s, 23: 2.7 s (x1.9 per option); 40 options (170 bytes) run for days. The regex holds the GIL, so the
   pre-receive watchdog's timer thread cannot fire (measured: a 0.2 s threading.Timer fired at 2.73 s, when the match
   ended): the hook, `check` and the Action hang instead of answering `tool/timeout`. Fix: `-{1,2}[\\w][\\w-]*` (one
   way to read an option), or a possessive/atomic group.
8. LOW (cost) — `_SCRIPT_END` `</script\\b[^>]*>`: each `</script` without a `>` reads to the end of the file, so
   thousands of them are quadratic: 45 KB 0.10 s, 180 KB 2.3 s, 360 KB 7.6 s (2 MB, the file cap: minutes), GIL held
   as in 7. The existing linear-time test has no such unit. Fix: stop at the next `<`, or find `</script` then `>`.
9. LOW (wrong line) — `_next_line` refuses a piece holding `\\n` but not `\\r`: `"import os\\ros.system(x)\\n"` is
   placed on one line, but Python (and IPython, which runs it) reads `\\r` as a line break, so bandit reports every
   later line one too far (B605 on file line 10 for line 9; semgrep counts it on 9). A finding can land on a line the
   commit did not add. Fix: treat any of Python's line breaks (`\\r`) like `\\n` in `_next_line` (placed=False).

LOW, no test: `<script>` in server templates browsers receive (.php, .erb, .ejs, .hbs, .jinja/.j2, .njk, .twig,
.liquid, .jsp, .cshtml, .astro) and raw HTML in .md/.mdx is not read (README names .html/.htm/.xhtml/.vue/.svelte
only; on this machine's 20 mirrors `<script` occurs in 3 .cshtml, 4 .mdx and 26 .md files, mostly code fences); inline
handlers (`onclick=`), `javascript:` URLs, Vue `v-html`/`@click` and Svelte `{@html}`/`on:click={...}` expressions;
`%%javascript`/`%%js`/`%%html` cells (JavaScript the notebook front end runs); notebooks on a JavaScript/TypeScript
kernel (Deno, IJavascript) reach no scanner; an XHTML script written with character references (`&#101;val(...)`:
XML parsing decodes them). A notebook declaring an uninstalled kernel (R) whose cells are Python is run as Python by
whoever picks Python when asked.

Tried and held: nbformat 3 (`worksheets`, `input`, per-cell language: found at its own line); a cell source written
as one string (placed=False, every line counts, found); duplicate JSON keys (`cell_type`, `source`, `kernelspec`:
Python's json and nbformat both take the last, so the gate reads what Jupyter runs); raw and markdown cells (Jupyter
does not run them); a code line placed on an identical earlier output or markdown line (`outputs` precede `source`
in Jupyter's sorted keys): head._earlier finds no twin in the version before, so it is still reported; `</script >`,
`</script/>`, upper-case tags, `type="module"`/`text/babel`, `lang="ts"`, `<script setup lang="ts">`; an unclosed
`<script>` (the standard marks it "already started" at EOF: never run); the cache key (the code digest covers every
scan/*.py, embedded.py and bandit_tar.py included; embedded text derives from the blob alone); the B202 reading with
`for`/walrus/`with`/parameter/global rebinding of the archive name, `**options`, `filter="tar"`, `filter=None`, a
filter held in a variable (bandit's finding stands in each); semgrep's line numbers with a bare `\\r` (correct).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, cast

import pytest

from gatekeeper.scan.bandit_tar import extraction_is_safe
from gatekeeper.scan.embedded import embedded_code
from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit

SINK = "import os\nos.system(input())\n"
JS_SINK = "eval(location.hash.slice(1));"


def _nb(*cells: str | list[str], metadata: dict[str, Any] | None = None) -> str:
    """A notebook as Jupyter writes it (one JSON string per line, sorted keys); a list is a source as given."""
    document = {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
                           "source": c if isinstance(c, list) else c.splitlines(keepends=True)} for c in cells],
                "metadata": metadata if metadata is not None else {
                    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                    "language_info": {"name": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def _page(head: str, attributes: str = "", body: str = f"\n{JS_SINK}\n") -> str:
    return f"<html>\n<body>\n{head}<script{attributes}>{body}</script>\n</body>\n</html>\n"


_DEEP = '{"k": ' * 3000 + "1" + "}" * 3000
_V3 = json.dumps({"metadata": {"name": "demo"}, "nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": [
    {"cell_type": "code", "collapsed": False, "input": SINK.splitlines(keepends=True), "language": "python",
     "metadata": {}, "outputs": []}], "metadata": {}}]}, indent=1) + "\n"
_USER_MAGIC = ("from IPython.core.magic import register_cell_magic\n\n\n@register_cell_magic\n"
               "def quiet(line, cell):\n    get_ipython().run_cell(cell)\n")

SAMPLES: dict[str, str | bytes] = {
    # controls
    "nb/control.ipynb": _nb(SINK),
    "nb/v3.ipynb": _V3,
    "web/control.html": _page(""),
    # 1. IPython escapes and automagic
    "nb/escape.ipynb": _nb("import os\nimport subprocess\n", "cmd = input()\n/os.system cmd\n",
                           "/subprocess.call cmd shell=True\n", "/eval cmd\n"),
    "nb/automagic.ipynb": _nb("import os\n", "time os.system(input())"),
    # 2. cell magics that run Python
    "nb/user_magic.ipynb": _nb(_USER_MAGIC, "%%quiet\n" + SINK),
    "nb/alias_magic.ipynb": _nb("%alias_magic q capture\n", "%%q\n" + SINK),
    "nb/script_executable.ipynb": _nb("import sys\n", "%%script {sys.executable}\n" + SINK),
    # 3. start tags the browser does not see, a `>` in a quoted value, the double-escaped state
    "web/comment.html": _page('<!-- old: <script type="text/template"> -->\n'),
    "web/quoted.html": _page("", ' data-note="type=text/plain>"'),
    "web/double_escape.html": _page("", "", f"\n<!-- <script>\n/* </script> */\n{JS_SINK}\n"),
    # 4. UTF-16 page
    "web/utf16.html": _page("").encode("utf-16"),
    # 5. notebooks json.loads refuses
    "nb/bom.ipynb": "\ufeff" + _nb(SINK),
    "nb/deep.ipynb": _nb(SINK).replace('"metadata": {\n  "kernelspec"', '"metadata": {\n  "deep": ' + _DEEP
                                       + ',\n  "kernelspec"', 1),
    # 6. names rebound at run time
    "tar_modules.py": ("import sys\nimport tarfile\nimport types\n\nsys.modules[\"zipfile\"] = "
                       "types.SimpleNamespace(ZipFile=tarfile.open)\nimport zipfile  # noqa: E402\n\n\n"
                       "def unpack(upload, dest):\n    with zipfile.ZipFile(upload) as archive:\n"
                       "        archive.extractall(dest)\n"),
    "tar_globals.py": ("import tarfile\nimport zipfile\n\narchive = zipfile.ZipFile(\"a.zip\")\n\n\n"
                       "def unpack(upload, dest):\n    globals()[\"archive\"] = tarfile.open(upload)\n"
                       "    archive.extractall(dest)\n"),
}


@pytest.fixture(scope="module")
def verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    _code, result = check_commit(tmp_path_factory.mktemp("red114"), cast(dict[str, str], SAMPLES),
                                 ALL_SCANNERS_POLICY)
    return result


def _code_findings(verdict: dict[str, Any], path: str) -> list[tuple[str, int | None, bool]]:
    """(rule, line, blocking) of the semgrep and bandit findings on `path`."""
    return [(f["rule_id"], f["line"], f["blocking"]) for f in verdict["findings"]
            if f["path"] == path and f["rule_id"].startswith(("semgrep/", "bandit/"))]


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def _blocks(verdict: dict[str, Any], path: str) -> bool:
    return any(blocking for _rule, _line, blocking in _code_findings(verdict, path))


# -- controls (held) --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "needle"), [("nb/control.ipynb", "os.system"), ("nb/v3.ipynb", "os.system"),
                                              ("web/control.html", "eval(")])
def test_control_plain_cells_and_scripts_block_at_their_own_line(verdict: dict[str, Any], path: str,
                                                                  needle: str) -> None:
    text = SAMPLES[path]
    assert isinstance(text, str)
    assert (_line_of(text, needle), True) in {(line, blocking) for _r, line, blocking in _code_findings(verdict, path)}


# -- 1. IPython escapes and automagic ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["nb/escape.ipynb", "nb/automagic.ipynb"])
def test_ipython_escape_and_automagic_lines_are_read_as_the_calls_they_run(verdict: dict[str, Any],
                                                                          path: str) -> None:
    """HIGH: `/os.system cmd`, `/subprocess.call cmd shell=True`, `/eval cmd` and a one-line `time os.system(input())`
    cell run those calls in Jupyter; the gate hands the lines over verbatim and reports only a low parse error."""
    assert _blocks(verdict, path), _code_findings(verdict, path)


# -- 2. cell magics that run Python -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["nb/user_magic.ipynb", "nb/alias_magic.ipynb", "nb/script_executable.ipynb"])
def test_a_cell_under_a_magic_not_known_as_another_language_is_read(verdict: dict[str, Any], path: str) -> None:
    """HIGH: a user-defined `%%quiet` (run_cell), `%alias_magic q capture` + `%%q`, `%%script {sys.executable}` run
    the cell as Python; `_python_cell` drops every cell magic it does not know, with no note."""
    assert _blocks(verdict, path), [f for f in verdict["findings"] if f["path"] == path]


# -- 3. script blocks found as the browser tokenizes --------------------------------------------------------------------

@pytest.mark.parametrize("path", ["web/comment.html", "web/quoted.html", "web/double_escape.html"])
def test_a_script_the_browser_runs_is_scanned(verdict: dict[str, Any], path: str) -> None:
    """HIGH: a `<script` in a comment opens a fake template that swallows the real script; a `>` inside a quoted value
    ends the tag early and smuggles `type=text/plain`; the double-escaped state keeps the script open past its first
    `</script>`. The browser runs the eval in each (html5lib); the gate reports nothing."""
    text = SAMPLES[path]
    assert isinstance(text, str)
    assert (_line_of(text, "eval("), True) in {(line, b) for _r, line, b in _code_findings(verdict, path)}, \
        _code_findings(verdict, path)


@pytest.mark.parametrize("head", [
    '<textarea><script type="text/plain"></textarea>\n',
    "<div title='<script type=\"text/plain\">'></div>\n",
    '<style>/* <script type="text/plain"> */</style>\n',
])
def test_a_start_tag_inside_text_or_a_value_hides_no_script(head: str) -> None:
    """HIGH (finding 3, the same class at unit level): `<script` inside RCDATA, an attribute value or a style sheet is
    no tag; the real script after it must still be read."""
    found = embedded_code(".html", _page(head).encode())
    assert found is not None and JS_SINK in found.text


# -- 4. UTF-16 page ---------------------------------------------------------------------------------------------------

def test_a_utf16_page_is_scanned(verdict: dict[str, Any]) -> None:
    """MEDIUM: browsers decode a page by its BOM; the embedded path reads the bytes as UTF-8 and finds no script."""
    assert _blocks(verdict, "web/utf16.html"), [f for f in verdict["findings"] if f["path"] == "web/utf16.html"]


# -- 5. notebooks json.loads refuses ----------------------------------------------------------------------------------

def test_a_notebook_with_a_byte_order_mark_is_read(verdict: dict[str, Any]) -> None:
    """MEDIUM: a UTF-8 BOM makes json.loads refuse the text; the notebook is skipped by both code scanners, no note."""
    assert _blocks(verdict, "nb/bom.ipynb"), [f for f in verdict["findings"] if f["path"] == "nb/bom.ipynb"]


def test_a_notebook_the_gate_cannot_parse_is_reported(verdict: dict[str, Any]) -> None:
    """MEDIUM: metadata nested past Python's recursion limit: RecursionError -> None -> no scan and no finding at all
    (skipped work must be reported)."""
    assert [f for f in verdict["findings"] if f["path"] == "nb/deep.ipynb"]


# -- 6. B202 with names rebound at run time --------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["tar_modules.py", "tar_globals.py"])
def test_b202_stands_when_the_module_rebinds_names_at_run_time(verdict: dict[str, Any], path: str) -> None:
    """MEDIUM: bandit reports B202; bandit_tar reads the archive as a zip (its AST bindings say so) and drops it,
    though `sys.modules` / `globals()` made it a tarfile — the extraction writes outside its destination."""
    text = SAMPLES[path]
    assert isinstance(text, str)
    assert not extraction_is_safe(ast.parse(text), _line_of(text, "extractall"))
    assert _blocks(verdict, path), [f for f in verdict["findings"] if f["path"] == path]


# -- 7./8. hostile inputs cost ---------------------------------------------------------------------------------------

def test_a_hostile_cell_magic_line_does_not_hang_the_scan() -> None:
    """MEDIUM: `%%script` + 40 options (170 bytes) backtracks exponentially in `_PYTHON_CELL` (days); the regex holds
    the GIL, so the hook's watchdog cannot fire either. Must finish well inside any budget."""
    data = _nb("%%script " + "--a " * 40 + "\x01\n" + SINK).encode()
    program = "import sys\nfrom gatekeeper.scan.embedded import embedded_code\nembedded_code('.ipynb', sys.stdin.buffer.read())\n"
    started = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-c", program], input=data, timeout=20, check=True,
                       cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired:
        pytest.fail("embedded_code still running after 20 s on a 170-byte magic line")
    assert time.perf_counter() - started < 20


def test_many_end_tags_without_a_close_cost_linear_time() -> None:
    """LOW: `</script` without `>`, thousands of times: each one reads to the end of the file (quadratic; 360 KB
    7.6 s). Measured against itself as test_scan_embedded does: 10x the input, well under 30x the time."""
    def cost(size: int) -> float:
        unit = "</script "
        text = ("<script>" + unit * (size // len(unit) + 1))[:size].encode()
        start = time.perf_counter()
        embedded_code(".html", text)
        return time.perf_counter() - start

    cost(2_000)  # warm up
    small = max(cost(20_000), 1e-4)
    assert cost(200_000) / small < 30


# -- 9. a carriage return inside a cell line ----------------------------------------------------------------------

def test_a_carriage_return_inside_a_cell_line_keeps_the_files_line_numbers() -> None:
    """LOW: Python and IPython break the line at `\\r`; placed on one file line, everything after it is one line off
    for bandit (B605 reported on the line below the sink)."""
    text = _nb(["import os\ros.system(input())\n", "\n", "y = 2\n"])
    found = embedded_code(".ipynb", text.encode())
    assert found is not None
    calls = {n.lineno for n in ast.walk(ast.parse(found.text)) if isinstance(n, ast.Call)}
    assert not found.placed or calls == {_line_of(text, "os.system")}, (found.placed, calls)
