"""red125 - hostile tests against how the gate reads code embedded in markup (scan/embedded.py `_markup`,
`_Tokenizer._handlers`, `_attribute_text`, `_attribute_decoded`, `_closed_reading`, `Embedded.attributes` /
`Embedded.values`, VALUE_FILES; scan/workspace.py's parts and scan/head.py's cache key `seen_as`; scan/text.py
`decode` as markup uses it), as a pusher who wants `eval(...)` of attacker data into a page the browser runs,
with no blocking finding and no note that something was not read.

Gate-level tests run the real `gatekeeper check --format json` with real semgrep and bandit on one commit of every
page (as tests/scan_helpers.py `check_commit` does, one run for the module; the cache tests make their own
repositories and runs). Every attacking page below (PAGES, WIDGET) was loaded, byte for byte, in headless Chromium 156
(`chromium --headless --no-sandbox --dump-dom file:///...#<payload>`, the payload setting an attribute on the top
document; not part of the tests - no browser in CI): each ran its `eval(top.location.hash.slice(1))` - the `<iframe
src="javascript:...">` and `<img src="x:" onerror>` forms fire without a click. Not run in a browser: the Svelte
component (Svelte compiles `onclick={...}` to a listener) and the markdown post (Jekyll copies raw HTML). The
control page (the same eval in a plain `onerror`) is a blocking critical.

Findings, by severity:

1. HIGH (silent miss) - `_Tokenizer._handlers` tests a URL attribute for `javascript:` on `html.unescape(value[:4096])`
   only. A URL parser strips ANY number of leading C0 controls and spaces and removes every tab and newline, so
   `src="<5000 spaces>javascript:..."` or `src="java<5000 tabs>script:..."` runs its code; the gate never sees a
   `javascript:` URL: no code, no note. Fix: strip/remove on the whole value (it is linear) or, past a cap, say so.
2. HIGH (silent miss) - `_attribute_decoded` removes the URL parser's tabs and newlines only inside the scheme; the
   browser removes them from the WHOLE URL before it takes the script (the URL serializer). `javascript:ev<LF>al(...)`
   is `eval(...)` to Chromium and `ev; al(...)` (ASI) to semgrep: no finding, no note. (`&NewLine;`/`&Tab;` inside
   the body leave only a LOW, non-blocking scan/parse-error.) Fix: drop `\\t\\n\\r` from the whole URL value before
   percent-decoding, as the URL parser does.
3. HIGH (silent miss) - `_TEMPLATE_TAG` (`{%.*?%}`, `<%.*?%>`) blanks server-template tags everywhere in a handler,
   inside JavaScript strings too: `s='{%';eval(...);t='%}'` (and `'<%'`...`'%>'`) loses its eval in BOTH readings
   (`values` is made from the same decoded text). A plain page has no template engine; the browser runs the eval.
   Fix: keep the untemplated value too (`values` as written without the template rewrite, a file of its own).
4. HIGH (silent miss) - `<script src="data:text/javascript,...">` (also `;base64,`; SVG `<script href="data:...">`)
   runs with the page's origin; the body is empty so the script is skipped, and `data:` URLs are not read (only
   `javascript:`), with no note - unlike an iframe's srcdoc, which is noted for running with the page's origin.
5. HIGH (silent miss) - foreign content is tokenized as HTML text, not as script data. (a) `<svg><script>`'s body is
   markup to the browser: character references are decoded, so `x="&#x22;;eval(...);&#x22;"` runs the eval; the gate
   reads the raw string literal. (b) In `<svg>`/`<math>`, `<![CDATA[` ends at `]]>`, not at the first `>`
   (`_Tokenizer.scripts` ends every `<!` at `>`): `<svg><![CDATA[ > <!-- ]]></svg>` makes the gate open a comment that
   swallows the page's next, real `<script>` in both readings.
6. HIGH (silent miss via the default result cache) - scan/head.py keys a renamed target by `renamed:<alias ext>` +
   `;part=...` and the blob: neither the file's own extension nor the notebook's neighbouring modules are in it,
   though both change what embedded.py extracts. (a) A blob scanned first as `ui/Widget.vue` (a PascalCase `<IMG
   onerror>` is a component prop there: clean, cached) is then served from the cache as `site/widget.html`, where
   `onerror` is a real handler: allowed; a fresh cache blocks. (b) A notebook with `%load_ext sql` + `%%sql` body is
   scanned first where no `sql.py` shadows the extension (the body is SQL: clean, cached), then the same blob beside a
   `sql.py` (body is Python to IPython: red120) is allowed from the cache; a fresh cache blocks on `os.system`.
   Fix: put the original extension and a digest of `modules` (anything `embedded_code` reads) into `seen_as`.
7. MEDIUM (miss, only a LOW parse error left) - `Embedded.values` applies `_one_line` to decoded lines without
   blanking comments, so a decoded break (U+2029 from `&#10;`) becomes a space: `//&#10;eval(...)` is a `//` comment
   in the as-written file. With red124's decoys (`x=this.in / 2 /*` ... `*/`), which still swallow the value in
   `attributes`, only non-blocking scan/parse-error findings (the decoys' own files) remain. Fix: keep U+2029 as a
   line terminator in `values` (or end the line there).
8. MEDIUM (miss, misleading note) - beyond VALUE_FILES (256) values, red124's decoy attack is whole again: value 258
   `eval(...)` between two decoys gives no finding, and the note says the values past 256 are "read ... only
   together" - they were not read at all. Fix: a value past the cap whose closing depends on a slash guess is unread
   (say "not read"), or read the rest in files of 256 values each with the same confinement.
9. MEDIUM (silent miss, contrary to the module docstring) - Svelte's `onclick={...}` (Svelte 5's event syntax) is
   skipped in `_handlers` and, unlike srcdoc, nothing is added to the notes, though embedded.py's docstring says these
   are "said in the scan's notes".
10. MEDIUM (silent miss) - scan/text.py `decode` guesses BOM-less UTF-16 from the first 8000 bytes; a page that
   starts `<meta charset="utf-8">` then 8000 bytes of `a\\0` is UTF-8 to the browser (the meta decides), and its later
   `<script>` runs; the gate decodes the whole page as UTF-16 and finds no script, no note.
11. MEDIUM (silent miss) - `.xhtml` is read with HTML's rules, but it is XML: character references in a script are
   decoded by the XML parser (`x="&#x22;;eval(...);&#x22;"` runs eval in Chromium); the gate reads a string literal.
12. MEDIUM (coverage, silent) - markup the browser runs under other names reaches no code scanner and no note: an
   `.svg` document's `<script>` (Chromium runs it when the file is opened or served), markdown pages of static
   sites (Jekyll passes raw `<script>` through). Measured over the HEAD trees of the 40 mirrors in /work/.mirror: 40
   `.md` and 45 `.mdx` files (aider's website posts and includes, docs sites) hold `<script>` or inline handlers.

Measured false positives (held): the 650 `.html/.htm/.xhtml/.vue/.svelte` files of the mirrors' HEAD trees in one
commit gave no handler-derived finding and no "not read" note (18 semgrep findings, all in script blocks: 8
innerHTML, 3 open redirect, 1 SQL building; 6 LOW parse errors of Jinja inside scripts). Caveat: real markup here
barely uses inline handlers (4 values in 2 pages; Vue's `@click` is not read), so this measures the script reading
more than the handler reading.

Tried and held (unit level, no test): `ONERROR=` upper case; `<img/src="x"/onerror=...>`; `e&#x76;al(...)` in a
handler; `javascript&colon;` and `&#x6a;avascript:`; `xlink:href`, `formaction`, SVG `<animate values=...>`;
`<img/src=x/onerror=...>` (one unquoted src value, to the browser too); a duplicate `onerror` (the first, empty, wins
in both); `{{ }}` around a string's quote (parentheses are only inserted, the eval stays visible); `//&#10;eval(...)`
alone (the `attributes` reading blanks the comment up to U+2029 and finds the eval); a plain eval in value 257 (found
in `attributes`); a UTF-16 page with a byte-order mark.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.hook_helpers import DANA
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import ALL_SCANNERS_POLICY

EVAL = "semgrep/js-eval-non-literal"
E = "eval(top.location.hash.slice(1))"  # (every page ran it in Chromium with the payload in the fragment)


def _html(*lines: str) -> str:
    return "\n".join(["<html><body>", *lines, "</body></html>"]) + "\n"


def _handlers(*bodies: str, pad: int = 0) -> str:
    """`pad` ordinary handlers, then one `<img onerror>` per body."""
    return _html(*(f'<b onclick="go({n})">x</b>' for n in range(pad)),
                 *(f'<img src="x:" onerror="{body}">' for body in bodies))


DECOY_OPEN, DECOY_CLOSE = "x=this.in / 2 /*", "y=this.in / 2 */"  # (red124: SyntaxErrors, the browser runs neither)

PAGES: dict[str, str | bytes] = {
    "w/control.html": _handlers(E),
    # 1
    "w/leading_spaces.html": _html('<iframe src="' + " " * 5000 + f'javascript:{E}"></iframe>'),
    "w/scheme_tabs.html": _html('<iframe src="java' + "\t" * 5000 + f'script:{E}"></iframe>'),
    # 2
    "w/newline_in_url.html": _html('<iframe src="javascript:ev\nal(top.location.hash.slice(1))"></iframe>'),
    # 3
    "w/jinja_tag_in_string.html": _handlers("s='{%';" + E + ";t='%}'"),
    "w/erb_tag_in_string.html": _handlers("s='<%';" + E + ";t='%>'"),
    # 4
    "w/data_script.html": _html(f'<script src="data:text/javascript,{E}"></script>'),
    "w/data_script_base64.html": _html('<script src="data:text/javascript;base64,'
                                       'ZXZhbCh0b3AubG9jYXRpb24uaGFzaC5zbGljZSgxKSk="></script>'),
    "w/svg_data_script.html": _html(f'<svg><script href="data:text/javascript,{E}"/></svg>'),
    # 5
    "w/svg_script_references.html": _html(f'<svg><script>x="&#x22;;{E};&#x22;"</script></svg>'),
    "w/svg_cdata.html": _html("<svg><![CDATA[ > <!-- ]]></svg>", f"<script>{E}</script>", "<p>end</p>"),
    "w/math_cdata.html": _html("<math><![CDATA[ > <!-- ]]></math>", f"<script>{E}</script>", "<p>end</p>"),
    # 7
    "w/decoys_newline_comment.html": _handlers(DECOY_OPEN, "//&#10;" + E, DECOY_CLOSE),
    # 8
    "w/past_256_decoys.html": _handlers(DECOY_OPEN, E, DECOY_CLOSE, pad=256),
    # 9
    "w/Button.svelte": "<script>\n  let count = 0;\n</script>\n\n<button onclick={() => " + E + "}>+</button>\n",
    # 10
    "w/utf16_guess.html": b'<meta charset="utf-8">' + b"a\x00" * 4000 + f"\n<script>{E}</script>\n".encode(),
    # 11
    "w/page.xhtml": '<html xmlns="http://www.w3.org/1999/xhtml"><body>\n'
                    f'<script>x="&#x22;;{E};&#x22;"</script>\n</body></html>\n',
    # 12
    "w/icon.svg": f'<svg xmlns="http://www.w3.org/2000/svg">\n<script>{E}</script>\n</svg>\n',
    "docs/_posts/2026-01-01-chart.md": f"---\nlayout: post\n---\n# Results\n\n<script>\n{E}\n</script>\n",
}


@pytest.fixture(scope="module")
def verdict(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    """Dana's one commit of PAGES on top of a README, judged by the real `gatekeeper check` (as check_commit, which
    writes text only: one page here is bytes)."""
    where = tmp_path_factory.mktemp("red125")
    (where / "policy.yml").write_text(ALL_SCANNERS_POLICY)
    repo = RepoBuilder.init(where / "repo")
    base = repo.commit("base\n", {"README.md": "x\n"}, author=DANA, committer=DANA)
    repo.commit("Add pages\n", dict(PAGES), author=DANA, committer=DANA)
    return _check(repo, base, where / "cache", where / "policy.yml")


def _check(repo: RepoBuilder, base: str, cache: Path, policy: Path) -> tuple[int, dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "GATEKEEPER_"))}
    env["XDG_CACHE_HOME"] = str(cache)
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--policy", str(policy), "--format", "json",
                           "--base", base], cwd=repo.path, capture_output=True, text=True, check=False, timeout=600,
                          env=env)
    try:
        return proc.returncode, dict(json.loads(proc.stdout))
    except ValueError:
        raise AssertionError(proc.stdout + proc.stderr) from None


def _blocking(result: dict[str, Any], path: str) -> list[tuple[str, int | None]]:
    return sorted((f["rule_id"], f["line"]) for f in result["findings"] if f["path"] == path and f["blocking"])


def _at(result: dict[str, Any], path: str) -> list[tuple[str, int | None, bool]]:
    """Every finding at `path` (for the failure messages)."""
    return sorted((f["rule_id"], f["line"], f["blocking"]) for f in result["findings"] if f["path"] == path)


def _said(result: dict[str, Any], path: str) -> str:
    """What the scanners' notes say about `path`."""
    notes = " ".join(str(s.get("detail") or "") for s in result["stats"]["scanners"].values())
    return " ".join(part for part in notes.split("; ") if path in part)


def test_held_control_blocks(verdict: tuple[int, dict[str, Any]]) -> None:
    """(Guard, holds.) The same eval in a plain `onerror` is a blocking critical at its line."""
    code, result = verdict
    assert code == 1 and result["decision"] == "block"
    assert _blocking(result, "w/control.html") == [(EVAL, 2)]


@pytest.mark.parametrize("path", ["w/leading_spaces.html", "w/scheme_tabs.html"])
def test_a_javascript_url_past_4096_characters_of_padding_is_read(verdict: tuple[int, dict[str, Any]],
                                                                  path: str) -> None:
    """Finding 1 (HIGH): `_handlers` looks for `javascript:` in the first 4096 characters only; 5000 leading spaces
    (or tabs inside the scheme), which the URL parser drops, hide the URL: no finding, no note."""
    assert (EVAL, 2) in _blocking(verdict[1], path), (_at(verdict[1], path), _said(verdict[1], path))


def test_a_newline_in_a_javascript_url_body_is_removed_as_the_url_parser_removes_it(
        verdict: tuple[int, dict[str, Any]]) -> None:
    """Finding 2 (HIGH): the browser runs `javascript:ev<LF>al(...)` as `eval(...)` (the URL parser removes tabs and
    newlines everywhere); `_attribute_decoded` removes them only in the scheme, so semgrep reads `ev; al(...)`."""
    path = "w/newline_in_url.html"
    assert any(rule == EVAL for rule, _ in _blocking(verdict[1], path)), _at(verdict[1], path)


@pytest.mark.parametrize("path", ["w/jinja_tag_in_string.html", "w/erb_tag_in_string.html"])
def test_a_template_tag_inside_a_string_hides_no_code(verdict: tuple[int, dict[str, Any]], path: str) -> None:
    """Finding 3 (HIGH): `_TEMPLATE_TAG` blanks `{%...%}` / `<%...%>` across a handler's JavaScript strings, erasing
    the eval between them from both readings; a plain page has no template engine and the browser runs it."""
    assert (EVAL, 2) in _blocking(verdict[1], path), _at(verdict[1], path)


@pytest.mark.parametrize("path", ["w/data_script.html", "w/data_script_base64.html", "w/svg_data_script.html"])
def test_a_data_url_script_is_read_or_said(verdict: tuple[int, dict[str, Any]], path: str) -> None:
    """Finding 4 (HIGH): a `data:` script source runs with the page's origin; the gate reads only `javascript:` URLs
    and skips a script with an empty body, silently."""
    assert any(rule == EVAL for rule, _ in _blocking(verdict[1], path)) or "not read" in _said(verdict[1], path), \
        (_at(verdict[1], path), _said(verdict[1], path))


@pytest.mark.parametrize("path", ["w/svg_script_references.html", "w/svg_cdata.html", "w/math_cdata.html"])
def test_foreign_content_is_tokenized_as_the_browser_does(verdict: tuple[int, dict[str, Any]], path: str) -> None:
    """Finding 5 (HIGH): an SVG script's body is markup (its character references decoded); a CDATA section in
    `<svg>`/`<math>` ends at `]]>`, so the `<!--` inside it opens no comment over the page's next script."""
    assert any(rule == EVAL for rule, _ in _blocking(verdict[1], path)), _at(verdict[1], path)


def test_a_decoded_line_break_ends_a_comment_in_the_as_written_reading(verdict: tuple[int, dict[str, Any]]) -> None:
    """Finding 7 (MEDIUM): `values` turns the U+2029 that `&#10;` decodes to into a space, so `//&#10;eval(...)` is
    one comment there; red124's decoys still hide it in `attributes`. Only LOW parse errors (not blocking) remain."""
    path = "w/decoys_newline_comment.html"
    assert (EVAL, 3) in _blocking(verdict[1], path), _at(verdict[1], path)


def test_a_value_past_the_256th_is_not_hidden_by_decoys(verdict: tuple[int, dict[str, Any]]) -> None:
    """Finding 8 (MEDIUM): past VALUE_FILES the values are read only together, where red124's decoys still open a
    comment over the next value; no finding, and the note says they were read (together), not that one was not."""
    path = "w/past_256_decoys.html"
    assert (EVAL, 259) in _blocking(verdict[1], path), (_blocking(verdict[1], path), _said(verdict[1], path))


def test_a_svelte_event_expression_is_read_or_said(verdict: tuple[int, dict[str, Any]]) -> None:
    """Finding 9 (MEDIUM): Svelte 5's `onclick={() => ...}` is skipped without the note embedded.py's docstring
    promises ("said in the scan's notes")."""
    path = "w/Button.svelte"
    assert any(rule == EVAL for rule, _ in _blocking(verdict[1], path)) or "not read" in _said(verdict[1], path), \
        (_at(verdict[1], path), _said(verdict[1], path))


def test_a_page_is_read_in_the_encoding_the_browser_reads_it(verdict: tuple[int, dict[str, Any]]) -> None:
    """Finding 10 (MEDIUM): a `<meta charset="utf-8">` page whose first 8000 bytes look like BOM-less UTF-16 is
    decoded as UTF-16 by scan/text.py; Chromium reads UTF-8 and runs the script that follows."""
    path = "w/utf16_guess.html"
    assert any(rule == EVAL for rule, _ in _blocking(verdict[1], path)) or "not read" in _said(verdict[1], path), \
        (_at(verdict[1], path), _said(verdict[1], path))


def test_an_xhtml_script_is_read_as_xml(verdict: tuple[int, dict[str, Any]]) -> None:
    """Finding 11 (MEDIUM): in XHTML the XML parser decodes `&#x22;` inside a script; the gate reads the raw text, a
    string literal, where the browser runs eval."""
    path = "w/page.xhtml"
    assert any(rule == EVAL for rule, _ in _blocking(verdict[1], path)), _at(verdict[1], path)


@pytest.mark.parametrize("path", ["w/icon.svg", "docs/_posts/2026-01-01-chart.md"])
def test_markup_under_another_name_is_read_or_said(verdict: tuple[int, dict[str, Any]], path: str) -> None:
    """Finding 12 (MEDIUM): an SVG document's script and a markdown page's raw `<script>` reach no code scanner and
    no note (85 `.md`/`.mdx` files of the mirrors hold scripts or handlers)."""
    assert any(rule == EVAL for rule, _ in _blocking(verdict[1], path)) or _said(verdict[1], path), \
        (_at(verdict[1], path), _said(verdict[1], path))


# -- 6: the result cache key leaves out what embedded.py reads besides the blob -----------------------------------

# (A page, not a Vue SFC: the blob needs to be read as `.vue` once, not to work as one. Its handler comes first, so that
# the `.html` reading's value0 is the one the `.vue` reading's value0 - `go()` - answers for from the cache.)
WIDGET = _html(f'<IMG src="x:" onerror="{E}">', '<b onclick="go()">x</b>')


def _notebook(*cells: str) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5,
                       "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
                       "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                                  "source": [line + "\n" for line in cell.split("\n")]} for cell in cells]}, indent=1)


SQL_EXTENSION = ("def load_ipython_extension(ip):\n"
                 "    ip.register_magic_function(lambda line, cell: ip.run_cell(cell), 'cell', 'sql')\n")
QUERY = _notebook("%load_ext sql", "%%sql\nimport os\nos.system(input())")


def _two_pushes(where: Path, base_files: dict[str, str], first: dict[str, str],
                second: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The first push's verdict, the second push's with the first's cache, and the second's with a fresh cache."""
    policy = where / "policy.yml"
    policy.write_text(ALL_SCANNERS_POLICY)
    repo = RepoBuilder.init(where / "repo")
    base = repo.commit("base\n", {"README.md": "x\n", **base_files}, author=DANA, committer=DANA)
    one = repo.commit("First\n", first, author=DANA, committer=DANA)
    _, first_result = _check(repo, base, where / "cache", policy)
    repo.commit("Second\n", second, author=DANA, committer=DANA)
    _, cached = _check(repo, one, where / "cache", policy)
    _, fresh = _check(repo, one, where / "fresh", policy)
    return first_result, cached, fresh


def test_cache_a_vue_blob_cached_clean_is_not_clean_as_html(tmp_path: Path) -> None:
    """Finding 6a (HIGH): the cache key of a page's parts names the alias extension (`renamed:.js`), not the file's;
    the blob cached clean as a `.vue` (a PascalCase tag is a component) is served from the cache as `.html`, where its
    `onerror` is a handler. A fresh cache blocks."""
    first, cached, fresh = _two_pushes(tmp_path, {}, {"ui/Widget.vue": WIDGET}, {"site/widget.html": WIDGET})
    assert first["decision"] == "allow"  # (what the first push is: nothing to see in a component)
    assert (EVAL, 2) in _blocking(fresh, "site/widget.html")  # (guard: the page itself is caught)
    assert _blocking(cached, "site/widget.html") == _blocking(fresh, "site/widget.html"), _at(cached, "site/widget.html")


def test_cache_a_notebook_cached_clean_is_not_clean_beside_a_shadowing_module(tmp_path: Path) -> None:
    """Finding 6b (HIGH): `modules` (the tree's neighbours, red120) change which cells are Python, but not the cache
    key; the notebook cached clean in `scratch/` (the %%sql body is SQL) is served from the cache in `lab/`, beside a
    `sql.py` that makes the body Python. A fresh cache blocks on os.system."""
    first, cached, fresh = _two_pushes(tmp_path, {"lab/sql.py": SQL_EXTENSION}, {"scratch/q.ipynb": QUERY},
                                       {"lab/q.ipynb": QUERY})
    assert first["decision"] == "allow"
    assert _blocking(fresh, "lab/q.ipynb")  # (guard: read fresh, the body's os.system blocks)
    assert _blocking(cached, "lab/q.ipynb") == _blocking(fresh, "lab/q.ipynb"), _at(cached, "lab/q.ipynb")
