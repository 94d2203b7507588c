"""Red team red120: attacks on today's merges (fb1ea5d..589dd92) — markup event handlers and `javascript:` URLs read
as JavaScript (scan/embedded.py `_markup`, `_Tokenizer._handlers`, `_placed`, `_attribute_code`), notebook cells
read one by one for bandit (`Embedded.unread`/`readable`, `%load_ext` allowlist), and AI evidence from session links
and wordier footers (origin/ai.py `SESSION_LINKS`, `_BODY`, `footer_agent`; the audit's `_WordMarks` fast path).

Each finding test fails on w/red120 (589dd92) for the reason its docstring names and asserts the secure behaviour.
Gate-level tests run the real `gatekeeper check --format json` with real semgrep and bandit (one run for the module).

Findings:

1. HIGH (miss, regression of f94b64f) — scan/embedded.py `_markup`/`_attribute_code`: every handler and every
   `javascript:` URL is spliced into ONE JavaScript text with the page's real `<script>` blocks, each only wrapped as
   `;(function (event) { VALUE });`. A value that opens a block comment or a template literal runs on into the next
   script: `<b onclick="/*">` … `<script>eval(location.hash)</script>` … `<b onclick="*/">` makes the script a comment
   for semgrep — no finding, no parse error, the push allowed; without the two handlers it is blocked. In the
   browser each handler is compiled on its own (`/*` is a harmless SyntaxError when clicked) and the script runs.
   Measured: `/*`…`*/` and `` ` ``…`` ` `` both hide the script silently (0 findings, 0 errors).
   Fix (1 and 2): keep one value's tokens from reaching another's or a script's — read each attribute value as a
   JavaScript file of its own in the same semgrep batch, or check that each parses alone as a function body and read
   one that does not apart (reporting it).
2. HIGH (miss on ordinary pages, regression of f94b64f) — same place: the closing ` });` is appended on the value's
   last line, so a value ending in a `//` comment comments it out. `<a href="javascript://">More</a>` — a common
   no-op link idiom (find_string: 10+ public files; also `onclick="go(); // note"`) — before a `<script>` turns the
   whole page into a semgrep "Syntax error": the script's `eval(q)` (blocking, critical) becomes one LOW
   `scan/parse-error` and the page adds nothing that blocks. Measured on the pair below: control page 1 critical
   finding; with the link, 0 findings and 1 low parse-error.
3. MEDIUM (miss) — `_attribute_code` decodes character references with `html.unescape`, which ignores HTML's
   attribute rule: a named reference without `;` followed by `=` or an ASCII alphanumeric is NOT decoded in an
   attribute. `onclick='var quotB;0\\n&quotB;eval(location.hash)//"'` runs `0 & quotB; eval(location.hash)` in the
   browser, the gate reads `0\\n"B;eval(location.hash)//"` — the sink inside a string.
4. MEDIUM (miss) — `_Tokenizer._handlers` skips every handler whose value starts with `{` (Svelte's `onclick={…}`) and
   `_TEMPLATE` reads `{{ … }}` as `0`, in every markup file: in a plain `.html` page `onclick="{eval(location.hash)}"`
   and `onclick="go();{{eval(location.hash)}}"` are blocks the browser runs; neither reaches semgrep. Fix: the
   Svelte exception only for `.svelte` (unquoted braces); read a placeholder's inside as an expression
   (`{{ x }}` -> `( x )`) rather than `0`.
5. LOW (false positive, noise) — every `on…` attribute of a Vue component tag is read as an event handler: PrimeVue's
   documented `<ToggleButton onLabel="Locked" onIcon="pi pi-lock">` makes the component a semgrep `PartialParsing`
   (`scan/parse-error`). A component prop is no DOM handler (in .vue/.svelte a PascalCase or hyphenated tag is a
   component).
6. LOW (miss, silent) — an iframe's `srcdoc` page (`<iframe srcdoc="<script>eval(location.hash)</script>">`, same
   origin as its parent) is documented in embedded.py's docstring as not read, but nothing tells the pusher
   (README does not say it; no note).
7. MEDIUM (miss, pre-existing in the notebook path, made reachable by `readable`) — bandit is handed the notebook's
   code as a .py file's bytes, and Python honours a coding cookie on line 1 or 2 of bytes; IPython runs each cell as
   str and ignores it. A compact notebook (code from line 1) whose first cell starts `# coding: utf-7` makes bandit
   decode `x = 1 +ACM- len(urlopen(...))` as `x = 1 # len(urlopen(...))`: parsed, no error, no B310 (which
   no semgrep rule repeats) — while IPython runs `1 + ACM - len(urlopen(...))`. The gate's own `_problem` parses
   str, so it sees nothing wrong. Fix: blank a cookie-shaped comment (`^[ \\t\\f]*#.*?coding[:=]`) on the first two
   lines of bandit's copy (a comment to IPython), or have `_problem` parse the bytes the tool will read.
8. MEDIUM (miss) — the `%load_ext` allowlist trusts names, not modules: `%load_ext sql` imports `sql` from the
   notebook's directory first (a kernel's sys.path starts with it), so a pushed `sql.py` that registers `%%bash` as
   `ip.run_cell(cell)` runs the `%%bash` cell as Python, which the gate leaves out (only a non-blocking note). The
   same without any `load_ext` word: `magicpack.load_ipython_extension(get_ipython())` (not in `_DEFINES_MAGICS`).
9. HIGH (crash, audit denial) — origin/ai.py `_marker`: `_BODY` matches the session link case-insensitively, where re
   matches the long s (U+017F) to `s` and the dotless/dotted i (U+0131, U+0130) to `i`, but `_marker` looks the
   prefix up with `str.lower()` (the long s lowers to itself): `next(...)` raises StopIteration. One commit whose
   message has the line `https://claude.ai/code/` + U+017F + `ession_01QH` makes `gatekeeper check` and
   `gatekeeper audit` exit 4 ("internal error") — an audit of a whole history stops at one hostile commit anywhere
   in it. Fix: look the agent up case-insensitively as `_BODY` matched it (`re.match(re.escape(prefix), value,
   re.I)`).
10. MEDIUM (false positive) — `footer_agent` takes the last capitalised word: a footer that negates the agent is
    AI evidence — "Generated by hand, no Copilot", "Generated with Python, not Cursor", "Generated by the release
    script, not Claude" are all `assisted`.
11. LOW (false positive) — and a footer whose last capitalised word is an agent label used as a name for something
    else: "Generated with data from Gemini", "Generated by statsmodels GLM", "Generated by mkdocs for Cline" (the
    docs of Cline's own repository) are `assisted`.
12. MEDIUM (miss, same class as red119) — a footer naming the agent then its model or feature: "Generated with
    Claude Sonnet 4.5" (public commit messages quote it: "Generated with Claude Sonnet 4.5 automation"), "Generated
    with Gemini 2.5 Pro", "Generated with GitHub Copilot Chat", "Generated with Cursor Composer", and "Generated by
    ChatGPT" stay `none`: only `_PRODUCT_WORDS` and a version may follow the label.

Tried and held (no test): the audit fast path against the full path (`both_paths` of tests/test_audit_fastpath.py)
on a 1 MB message ending in a session link, a link after 1,000 non-ASCII letters, the Kelvin sign in `tasks`, an
upper-cased link, CRLF, a quoted link, `GENERATED WITH CLAUDE CLI`, a wordier footer: the same origin on both paths
(the long s / dotless i variants crash both, finding 9); `&Tab;`/`&NewLine;`/controls in the scheme, upper case,
unquoted values, duplicate attributes (the first wins in both), `formaction`, `<object data>`, `<embed src>`,
`xlink:href`; Alpine `@click`/`x-on:`, Angular `(click)`/`on-click`, htmx `hx-on:click`, AMP `on=` are not read
(no false positive); linear time for 4,000 broken statements and 400 broken cells (0.16 s); the statement
splitter's regions map to the notebook's own lines (cell magics, pasted prompts, decorators, else/except
continuations), and what it blanks along a broken neighbour is in a cell IPython does not run at all; top-level
`await`/`async for` parse.
Not tested: SVG `<animate values="#;javascript:…">` (only a value that starts with the scheme is read; whether
current browsers still navigate an animated href to `javascript:` was not verified); `<meta http-equiv=refresh
content="0;url=javascript:…">` and `<base href="javascript:…">` (blocked by current browsers).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import partial
from typing import Any

import pytest

from gatekeeper.models import AIInvolvement, DeviceClass
from gatekeeper.scan.embedded import embedded_code
from tests.audit_helpers import audit
from tests.origin_helpers import detect_origin
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit

MOBILE = (DeviceClass.MOBILE, DeviceClass.TABLET)
SCRIPT = "<script>\nconst q = location.hash.slice(1);\neval(q);\n</script>\n"


def _notebook(*sources: str, indent: int | None = 1) -> str:
    cells = [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
              "source": source.splitlines(keepends=True)} for source in sources]
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=indent) + "\n"


# A cell IPython runs: `1 + ACM - len(urlopen(...))`; bytes decoded as UTF-7 read `+ACM-` as `#`. (bandit's B310,
# which no semgrep rule of ours repeats: the gate keeps it.)
UTF7_CELL = ("# coding: utf-7\nimport sys, urllib.request\nACM = 0\n"
             "x = 1 +ACM- len(urllib.request.urlopen(sys.argv[1]).read())\n")
PLAIN_CELL = "import sys, urllib.request\nACM = 0\nx = 1 +ACM- len(urllib.request.urlopen(sys.argv[1]).read())\n"
# A module beside the notebook named like a known extension: `%load_ext sql` imports it, not ipython-sql.
SHADOW_SQL = ("def load_ipython_extension(ip):\n"
              "    ip.register_magic_function(lambda line, cell: ip.run_cell(cell), 'cell', 'bash')\n")

FILES = {
    # finding 1: the same script, alone and between a handler that opens a comment and one that closes it.
    "web/control.html": "<html>\n<body>\n" + SCRIPT + "</body>\n</html>\n",
    "web/comment.html": ('<html>\n<b onclick="/*">x</b>\n' + SCRIPT + '<b onclick="*/">y</b>\n</html>\n'),
    "web/template.html": ('<html>\n<b onclick="`">x</b>\n' + SCRIPT + '<b onclick="`">y</b>\n</html>\n'),
    # finding 2: the no-op link idiom before the script.
    "web/noop.html": '<html>\n<a href="javascript://">More</a>\n' + SCRIPT + "</html>\n",
    "web/noted.html": '<html>\n<button onclick="save(); // keep the form">Save</button>\n' + SCRIPT + "</html>\n",
    # finding 5: a PrimeVue component's props.
    "web/Toggle.vue": ('<template>\n  <ToggleButton v-model="checked" onLabel="Locked" offLabel="Unlocked" '
                       'onIcon="pi pi-lock" offIcon="pi pi-lock-open" />\n</template>\n'
                       '<script setup lang="ts">\nimport { ref } from "vue";\n'
                       "const checked = ref(false);\n</script>\n"),
    # finding 7: the same cell with and without a UTF-7 cookie, in a compact notebook (its code starts on line 1).
    "nb/plain.ipynb": _notebook(PLAIN_CELL, indent=None),
    "nb/utf7.ipynb": _notebook(UTF7_CELL, indent=None),
    # finding 8: a pushed module named like an allowed extension.
    "nb/sql.py": SHADOW_SQL,
    "nb/shadow.ipynb": _notebook("%load_ext sql\n", "%%bash\nimport os\nos.system(input())\n"),
}


@pytest.fixture(scope="module")
def verdict(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    return check_commit(tmp_path_factory.mktemp("red120"), FILES, ALL_SCANNERS_POLICY)


def _found(result: dict[str, Any], path: str) -> list[tuple[str, int | None]]:
    return sorted((f["rule_id"], f["line"]) for f in result["findings"] if f["path"] == path)


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# -- 1, 2: a handler's code runs on into the page's scripts ------------------------------------------------------------

def test_the_control_page_is_blocked(verdict: tuple[int, dict[str, Any]]) -> None:
    """(Guard, holds.) The script alone: its eval is a blocking finding at its own line."""
    _, result = verdict
    found = _found(result, "web/control.html")
    assert ("semgrep/js-eval-non-literal", _line_of(FILES["web/control.html"], "eval(q)")) in found, found


@pytest.mark.parametrize("path", ["web/comment.html", "web/template.html"])
def test_a_handler_cannot_turn_the_pages_script_into_a_comment(verdict: tuple[int, dict[str, Any]],
                                                               path: str) -> None:
    """Finding 1 (HIGH, fail-open): `onclick="/*"` … `onclick="*/"` (or two backticks) around a real `<script>`: the
    handlers and the script are one JavaScript text, the script is inside the comment (template literal) for
    semgrep, and nothing is reported — not even a parse error. The browser compiles each handler on its own and
    runs the script."""
    _, result = verdict
    found = _found(result, path)
    assert ("semgrep/js-eval-non-literal", _line_of(FILES[path], "eval(q)")) in found, found


@pytest.mark.parametrize("path", ["web/noop.html", "web/noted.html"])
def test_a_handler_ending_in_a_line_comment_costs_the_page_nothing(verdict: tuple[int, dict[str, Any]],
                                                                  path: str) -> None:
    """Finding 2 (HIGH, ordinary pages): `href="javascript://"` (a no-op link) or a handler ending in `// note`
    comments out the ` });` appended on its line; semgrep reports a syntax error for the page and the script's eval
    is lost — one LOW parse-error instead of a blocking finding."""
    _, result = verdict
    found = _found(result, path)
    assert ("semgrep/js-eval-non-literal", _line_of(FILES[path], "eval(q)")) in found, found
    assert not [f for f in found if f[0] == "scan/parse-error"], found


def test_the_hostile_pages_are_blocked_as_the_control_is(verdict: tuple[int, dict[str, Any]]) -> None:
    """Findings 1-2 together: the commit holds the control page, so it is blocked anyway; each hostile page must
    carry a blocking finding of its own."""
    _, result = verdict
    for path in ("web/comment.html", "web/template.html", "web/noop.html", "web/noted.html"):
        assert [f for f in result["findings"] if f["path"] == path and f["blocking"]], (path, _found(result, path))


# -- 3, 4, 6: handler code the gate does not read as the browser does ------------------------------------------------

@pytest.mark.parametrize(("markup", "code"), [
    # 3: `&quotB` is not decoded in an attribute (alphanumeric after a reference without `;`).
    ("<b onclick='var quotB;0\n&quotB;eval(location.hash)//\"'>x</b>\n", "&quotB;eval(location.hash)"),
    # 4: braces in a plain page are a block the browser runs.
    ('<b onclick="{eval(location.hash)}">x</b>\n', "eval(location.hash)"),
    ('<b onclick="go();{{eval(location.hash)}}">x</b>\n', "eval(location.hash)"),
])
def test_handler_code_is_read_as_the_browser_reads_it(markup: str, code: str) -> None:
    """Findings 3 and 4 (MEDIUM, miss): the code a browser runs from these handlers must be code in the gate's copy:
    `eval(location.hash)` outside any string, placeholder or skipped value."""
    found = embedded_code(".html", markup.encode())
    assert found is not None, "the handler was not read at all"
    text = found.text + found.attributes  # (the handlers are a text of their own since the fix of findings 1-2)
    # The browser's code has eval(...) as a statement; the gate's copy must too (not inside "…", not `0`).
    assert "eval(location.hash)" in text and '"B;eval' not in text, text


def test_a_vue_components_on_props_are_no_handlers(verdict: tuple[int, dict[str, Any]]) -> None:
    """Finding 5 (LOW, false positive): PrimeVue's documented `onLabel="Locked" onIcon="pi pi-lock"` props are read as
    event handlers; `pi pi-lock` is no JavaScript and the component gets a parse error."""
    _, result = verdict
    found = _found(result, "web/Toggle.vue")
    assert not [f for f in found if f[0] == "scan/parse-error"], found


def test_an_iframes_srcdoc_script_is_read_or_said() -> None:
    """Finding 6 (LOW, silent miss): a srcdoc page's script runs with the parent's origin; the gate neither reads it
    nor says it did not (embedded_code returns nothing at all, so no note can follow)."""
    found = embedded_code(".html", b'<iframe srcdoc="<script>eval(location.hash)</script>"></iframe>\n')
    assert found is not None and ("eval(location.hash)" in found.text or found.left_out), found


# -- 7, 8: notebooks ---------------------------------------------------------------------------------------------------

def test_bandit_reads_the_plain_notebook(verdict: tuple[int, dict[str, Any]]) -> None:
    """(Guard, holds.) The cell without a cookie: bandit's B310 on urlopen (any scheme, `file:` too)."""
    _, result = verdict
    assert [f for f in _found(result, "nb/plain.ipynb") if f[0] == "bandit/B310"], _found(result, "nb/plain.ipynb")


def test_a_coding_cookie_in_a_cell_does_not_change_what_bandit_reads(verdict: tuple[int, dict[str, Any]]) -> None:
    """Finding 7 (MEDIUM, miss): `# coding: utf-7` as the first line of a compact notebook's first cell lands on line
    1 of bandit's copy; bandit decodes the bytes as UTF-7, `+ACM-` becomes `#`, and the urlopen IPython runs is
    a comment to bandit — no B310, no parse error."""
    _, result = verdict
    found = _found(result, "nb/utf7.ipynb")
    assert [f for f in found if f[0] == "bandit/B310"], found


def test_a_pushed_module_named_like_a_known_extension_is_no_known_extension(
        verdict: tuple[int, dict[str, Any]]) -> None:
    """Finding 8 (MEDIUM, miss): `%load_ext sql` beside a pushed `sql.py` loads that module (the notebook's directory
    is first on the kernel's sys.path), which registers `%%bash` to run its cell as Python; the gate trusts the name
    and leaves the `%%bash` cell's os.system out (a non-blocking note)."""
    _, result = verdict
    found = _found(result, "nb/shadow.ipynb")
    assert [f for f in found if "system" in f[0] or f[0] in ("bandit/B605", "bandit/B607")
            or f[0].startswith("semgrep/")], found


def test_calling_an_extensions_loader_trusts_no_magic() -> None:
    """Finding 8 (MEDIUM, miss): loading an extension by calling its `load_ipython_extension` is `%load_ext` without
    the word; the gate still trusts `%%bash` and leaves its Python out."""
    text = _notebook("import magicpack\nmagicpack.load_ipython_extension(get_ipython())\n",
                     "%%bash\nimport os\nos.system(input())\n")
    found = embedded_code(".ipynb", text.encode())
    assert found is not None and "os.system(input())" in found.text, found


# -- 9: a session link with a letter re folds to ASCII ---------------------------------------------------------------

CRASHING = "https://claude.ai/code/\u017fession_01QH"  # the long s, which re.IGNORECASE matches to `s`


_origin = partial(detect_origin, classes=MOBILE)


@pytest.mark.parametrize("link", [CRASHING, "https://claude.ai/code/sess\u0131on_01QH",
                                  "https://chatgpt.com/codex/ta\u017fks/task_e_68a1f00d"])
def test_a_session_link_with_a_folded_letter_does_not_crash_the_detector(repo: RepoBuilder, link: str) -> None:
    """Finding 9 (HIGH, crash): `_BODY` matches it, `_marker`'s `str.lower()` prefix lookup does not — StopIteration."""
    result = _origin(repo, "Fix the parser\n\n" + link + "\n")
    assert result.ai in (AIInvolvement.NONE, AIInvolvement.ASSISTED)


def test_one_such_commit_does_not_stop_the_audit(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """Finding 9 (HIGH, audit denial): one commit anywhere in the history makes `gatekeeper audit` exit 4 (internal
    error: generator raised StopIteration); every other commit goes unreported."""
    repo.commit("plain one\n", allow_empty=True)
    repo.commit("Fix the parser\n\n" + CRASHING + "\n", allow_empty=True)
    repo.commit("plain two\n", allow_empty=True)
    data = audit(capsys, repo.path)
    assert len(data["commits"]) == 3


def test_one_such_commit_does_not_crash_check(repo: RepoBuilder) -> None:
    """Finding 9: `gatekeeper check` exits 4 (internal error) instead of judging the commit."""
    base = repo.commit("base\n", allow_empty=True)
    repo.commit("Fix the parser\n\n" + CRASHING + "\n", allow_empty=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "GATEKEEPER_"))}
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--format", "json", "--base", base],
                          cwd=repo.path, capture_output=True, text=True, check=False, timeout=300, env=env)
    assert proc.returncode in (0, 1), proc.stderr[-400:]


# -- 10-12: footers --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("footer", ["Generated by hand, no Copilot", "Generated with Python, not Cursor",
                                    "Generated by the release script, not Claude"])
def test_a_footer_that_denies_the_agent_is_no_evidence(repo: RepoBuilder, footer: str) -> None:
    """Finding 10 (MEDIUM, false positive): the footer says no agent was used; `footer_agent` takes the last
    capitalised word after a comma and makes the human commit assisted."""
    result = _origin(repo, "Regenerate the tables\n\n" + footer + "\n")
    assert result.ai is AIInvolvement.NONE, result.evidence


@pytest.mark.parametrize("footer", ["Generated with data from Gemini", "Generated by statsmodels GLM",
                                    "Generated by mkdocs for Cline"])
def test_a_footer_naming_something_else_by_an_agents_label_is_no_evidence(repo: RepoBuilder, footer: str) -> None:
    """Finding 11 (LOW, false positive): the capitalised last word is a label (Gemini, GLM, Cline) used for a data
    set, a statistical model, a project's own name."""
    result = _origin(repo, "Regenerate the tables\n\n" + footer + "\n")
    assert result.ai is AIInvolvement.NONE, result.evidence


@pytest.mark.parametrize(("footer", "agent"), [
    ("Generated with Claude Sonnet 4.5", "claude-code"),
    ("Generated with Gemini 2.5 Pro", "gemini"),
    ("Generated with GitHub Copilot Chat", "copilot"),
    ("Generated with Cursor Composer", "cursor"),
    ("Generated by ChatGPT", None),
])
def test_a_footer_naming_the_agent_and_its_model_is_evidence(repo: RepoBuilder, footer: str,
                                                             agent: str | None) -> None:
    """Finding 12 (MEDIUM, miss — red119's class): the agent's label then its model or feature name; only
    `_PRODUCT_WORDS` and a version may follow the label, so these stay human."""
    result = _origin(repo, "Add the report\n\n" + footer + "\n")
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    if agent is not None:
        assert result.agent is not None and result.agent.id == agent
