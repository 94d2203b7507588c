"""Red team red134: attacks on the two changes at the head of main — 26e829e (a markdown page's raw HTML read as a
page's, its fenced code blocks blank "only where every common renderer sees a code block": scan/embedded.py
`_without_fenced_code`, `_fence_close`, `_html_block_end`) and ee72912 (rules/semgrep/python/sql-string-formatting.yml:
SQL text assigned in an if/else, try or with block, returned by a helper defined before the call, or from a template).

Harness: ONE real phone commit (`Origin-Device: mobile` trailer) adding every sample below to a real repository,
judged by the real `gatekeeper check --format json` under the built-in policy (mobile: secrets, semgrep, bandit,
block at high) — real semgrep with the shipped rules, real bandit. The markdown pages are also read directly with
`embedded_code(".md", …)`. Each test asserts the SECURE behaviour and FAILS now for the reason its docstring names.

Renderer evidence (installed from PyPI in this worktree's venv only, not project dependencies, so not imported here):
Python-Markdown 3.11.3 with fenced_code, a real `mkdocs build` (MkDocs 1.6.1, theme mkdocs), markdown-it-py 4.3.0
(commonmark preset, html on), commonmark.py (commonmark.js port), mistune 3.4.0, python-liquid 2.3.6, jinja2. "RUNS"
= the rendered HTML holds `<script>eval(location.hash)</script>` as an element, not escaped in a code block.

Findings:

1. HIGH (miss) — scan/embedded.py `_without_fenced_code`/`_fence_close`: lines are split on "\\n" only, but a lone
   CR is a line ending to CommonMark ("a carriage return not followed by a line feed"), to Python-Markdown
   (NormalizeWhitespace turns "\\r" into "\\n") and to kramdown (adapt_source). A page whose fence closes on a line
   the gate does not see — "```\\nx\\r```\\r<script>…</script>\\r```\\n```\\n" — has its script blanked as code,
   while markdown-it-py, commonmark.py, mistune, Python-Markdown and a real `mkdocs build` all emit the script
   (RUNS in every renderer tried). Fix: split on `\\r\\n|\\r|\\n` (as the renderers do), or read the rest of a page
   that holds a lone CR.
2. HIGH (miss) — `_without_fenced_code` models Python-Markdown wrongly in two ways; MkDocs (which always enables
   fenced_code) renders the script, the gate blanks it:
   a. Python-Markdown's opening fence takes only `lang`, `.lang`, `{attrs}` or `hl_lines="…"` after the marks
      (FENCED_BLOCK_RE `\\.?[\\w#.+-]*`): "```js title=\\"a.js\\"", "```js:a.js", "```shell script", "```js!",
      "~~~ js title=…" open no fence there, the lines are markdown and a raw `<script>` line is raw HTML; `_FENCE`
      takes any info string. Verified: Python-Markdown and `mkdocs build` RUN; CommonMark renderers do not.
   b. Python-Markdown's fenced_code preprocessor (priority 25) runs BEFORE its raw-HTML block preprocessor (20): a
      fence inside an HTML comment or block (`<!-- old example:` / "```" / `-->`, or `<div>`/"```"/`</div>`) is a
      fence to it, and pairs with the next fence the gate reads as an opener; the gate skips HTML blocks whole, so
      its pairing and Python-Markdown's part, and the script between is blanked. Verified: Python-Markdown and
      `mkdocs build` RUN. (A commented-out code example in a docs page is an ordinary thing to write.)
   A NUL-free control byte does it too: Python-Markdown deletes STX/ETX ("\\x02", "\\x03") before parsing, so a line
   "``\\x02`" closes its fence and not the gate's (RUNS in Python-Markdown and mkdocs build).
   Fix: blank a fence only when its info string is one Python-Markdown accepts, and read the rest of the page after
   any fence-shaped line (0-3 spaces) inside an HTML block, or after an STX/ETX byte.
3. MEDIUM (miss) — template tags: Jekyll runs Liquid over every page with front matter before kramdown, and MkDocs
   with mkdocs-macros runs Jinja; `{% comment %}`/`{% if false %}`/`{% capture x %}` (Liquid) or `{# … #}` (Jinja)
   around the opening fence removes it, and the script after it — blanked by the gate as code — is raw HTML on the
   built site (python-liquid / jinja2 then every renderer: RUNS). The mirrors hold such a site (Aider-AI/aider
   website/, Jekyll with Liquid inside its pages' scripts). Fix: read the rest of a page after a `{%`/`{#` tag.
4. HIGH (miss, pre-existing, in the SQL rule) — rules/semgrep/python/sql-string-formatting.yml: semgrep 1.182 reads
   a module holding a `match` statement (Python 3.10), a PEP 695 generic (`def first[T](…)`) or a `type` alias with
   another parser, where `f"...{$X}..."` never matches: every f-string SQL injection in such a module is missed,
   even the inline `cur.execute(f"SELECT … '{name}'")`, at HEAD and at ee72912^ alike; the %/+/.format forms and the
   other rules are still found. Bandit's B608 on the same line is dropped by scan/themes.py SUPERSEDED_BANDIT (semgrep
   ran), so the gate reports nothing. A hostile author adds a three-line `match` anywhere; 51 of 12,973 Python files
   at the mirrors' HEADs hold one already. Fix: also match the f-string by its text (a metavariable-regex on $SQL
   such as `^[rRbBuU]*[fF]("|')…\\{`), which works whatever parser read the file.
5. MEDIUM (miss) — ee72912's new forms stop short of their neighbours: the text built in a `for`/`while` loop and
   executed after it (the commonest dynamic-filter shape: `sql += f" AND {col} = '{val}'"` per filter), assigned in
   an `except`/`finally` branch, in an `async with` block, returned by a helper defined AFTER the caller (module
   functions in any order), by a `@staticmethod` called through its class (`Queries.by_name(x)`), or a template kept
   as a class attribute (`self.BY_NAME.format(x)`). Each is missed by semgrep; bandit's B608 (where it fires) is
   dropped as superseded.

Measured (false positives and cost):
- Markdown: the 4,847 .md/.markdown files at the HEADs of the 54 mirrors: 29 read as holding code, 2 semgrep
  findings (js-innerhtml-non-literal in aider website/share/index.md and pydantic-ai docs/changelog.md), both real
  page scripts: no false positive (13 PartialParsing errors, all aider pages whose scripts hold Liquid tags).
- Markdown cost: 14 hostile units (unclosed fences, nested/unclosed HTML blocks, `<div><div>`, long backtick runs,
  lone CRs, alternating fences) at 100 kB and 1 MB: 6-15x for 10x the size — linear (held).
- SQL rule over the 12,973 Python files (112 MB) at the mirrors' HEADs, the rule alone, `-j 1`, machine otherwise
  idle: ee72912^ 58.8 s wall / 42.7 s user, ee72912 73.6 s wall / 63.0 s user: +25 % wall, +47 % CPU (the commit
  says +10 %; a first run under load gave 81 s -> 133 s). No errors or timeouts either way.
- SQL rule false positives: 105 -> 106 findings; the one added is a false positive (LOW, not filed as a test: the
  rule flags any concatenated variable, inline too): paperless-ngx src/paperless_ai/vector_store.py:489,
  `sql = "SELECT … FROM " + TABLE` / `if where: sql += " WHERE " + where` / `execute(sql, params)`, where `where`
  holds allow-listed columns and `?` placeholders (the ordinary parameterised dynamic filter) — critical, blocks a
  phone commit that adds those lines. ee72912's `if … $Q += $SQL` form is what reads it.

Tried and held (no test): the fence closed inside a code span, a longer/indented/tabbed closing fence, an indented
fence, fences in blockquotes and list items (lazy continuation does not apply to fences), link reference definition
titles and setext lines around fences, `<!-->` and `<!--->` comments, kind-1 blocks (`<script>`…`</pre>`), kind-7
tags that cannot interrupt a paragraph (the gate reads them generously), a `<div>` whose blank line comes after its
end tag, CRLF files, Unicode whitespace and tabs before fences (CommonMark and Python-Markdown agree with the gate);
a UTF-8 BOM before the first fence (markdown-it-py, commonmark.py, mistune and bare Python-Markdown keep the BOM and
RUN the script, but MkDocs, Jekyll and Hugo strip it as the gate does: LOW, not filed). SQL: elif chains, nested if
and with-in-if, walrus (`execute(q := f"…")`), annotated and tuple assignment, ternary, a helper whose return is in
a branch, a method defined after its caller in the same class, a local template in a branch — all found.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from gatekeeper.config import DEFAULT_POLICY_YAML
from gatekeeper.scan.embedded import embedded_code
from tests.hook_helpers import DANA, MO, MOBILE
from tests.repo_builder import RepoBuilder

EVAL = "semgrep/js-eval-non-literal"
SQL = "semgrep/python-sql-string-formatting"
SINK = "eval(location.hash)"
RAW = "<script>" + SINK + "</script>"

# -- markdown pages whose raw script runs on a rendered site and that the gate blanks as code ------------------------

PAGES = {
    # 1: lone CR line ends (every renderer tried RUNS it).
    "docs/cr.md": "# Notes\n\n```\nx\r```\r" + RAW + "\r```\n```\n",
    # 2a: an info string Python-Markdown does not take (MkDocs RUNS it).
    "docs/mkdocs_title.md": "# Chart\n\n```js title=\"chart.js\"\n" + RAW + "\n```\n",
    "docs/mkdocs_colon.md": "# Chart\n\n```js:chart.js\n" + RAW + "\n```\n",
    "docs/mkdocs_tilde.md": "# Chart\n\n~~~ js title=\"chart.js\"\n" + RAW + "\n~~~\n",
    # 2b: a fence inside an HTML comment / block is one to Python-Markdown, and shifts its pairing (MkDocs RUNS it).
    "docs/mkdocs_comment.md": "# Chart\n\n<!-- old example:\n```\n-->\n\n```\n" + RAW + "\n```\n",
    "docs/mkdocs_div.md": "# Chart\n\n<div>\n```\n</div>\n\n```\n" + RAW + "\n```\n",
    # 2: STX is deleted by Python-Markdown before parsing (MkDocs RUNS it).
    "docs/mkdocs_stx.md": "# Chart\n\n```\n``\x02`\n" + RAW + "\n```\n",
    # 3: template tags remove the opening fence (Jekyll's Liquid; mkdocs-macros' Jinja).
    "docs/_posts/2026-01-02-liquid.md": ("---\nlayout: post\ntitle: Chart\n---\n{% comment %}\n```\n{% endcomment %}\n"
                                         + RAW + "\n```\n"),
    "docs/_posts/2026-01-03-liquid-if.md": ("---\nlayout: post\n---\n{% if false %}\n```\n{% endif %}\n" + RAW
                                            + "\n```\n"),
    "docs/macros.md": "# Chart\n\n{#\n```\n#}\n" + RAW + "\n```\n",
}

# -- Python: SQL built away from the call -----------------------------------------------------------------------------

SQL_MISSES = {
    # 4: a module with a `match` statement: no f-string pattern matches anywhere in it.
    "sql/match_module.py": (
        "def find(cur, name):\n"
        "    cur.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n"
        "    return cur.fetchall()\n\n\n"
        "def describe(command):\n"
        "    match command:\n"
        "        case \"list\":\n"
        "            return \"lists users\"\n"
        "        case _:\n"
        "            return \"unknown\"\n"),
    # 5: the neighbours of ee72912's shapes.
    "sql/loop.py": (
        "def search(cur, filters):\n"
        "    sql = \"SELECT * FROM users WHERE 1 = 1\"\n"
        "    for column, value in filters.items():\n"
        "        sql += f\" AND {column} = '{value}'\"\n"
        "    cur.execute(sql)\n"
        "    return cur.fetchall()\n"),
    "sql/except_branch.py": (
        "def lookup(cur, raw):\n"
        "    try:\n"
        "        int(raw)\n"
        "        sql = \"SELECT * FROM users ORDER BY id\"\n"
        "    except ValueError:\n"
        "        sql = f\"SELECT * FROM users WHERE name = '{raw}'\"\n"
        "    cur.execute(sql)\n"
        "    return cur.fetchone()\n"),
    "sql/async_with.py": (
        "async def find(pool, lock, name):\n"
        "    async with lock:\n"
        "        query = f\"SELECT * FROM users WHERE name = '{name}'\"\n"
        "    return await pool.fetch(query)\n"),
    "sql/helper_after.py": (
        "def find(cur, name):\n"
        "    cur.execute(by_name(name))\n"
        "    return cur.fetchall()\n\n\n"
        "def by_name(name):\n"
        "    return f\"SELECT * FROM users WHERE name = '{name}'\"\n"),
    "sql/static_helper.py": (
        "class Queries:\n"
        "    @staticmethod\n"
        "    def by_name(name):\n"
        "        return f\"SELECT * FROM users WHERE name = '{name}'\"\n\n\n"
        "def find(cur, name):\n"
        "    cur.execute(Queries.by_name(name))\n"
        "    return cur.fetchall()\n"),
    "sql/class_template.py": (
        "class UserRepo:\n"
        "    BY_NAME = \"SELECT * FROM users WHERE name = '{}'\"\n\n"
        "    def find(self, cur, name):\n"
        "        cur.execute(self.BY_NAME.format(name))\n"
        "        return cur.fetchall()\n"),
}

# Controls (found now): a page's raw script outside any fence, a fenced example, the inline f-string SQL.
CONTROLS = {
    "docs/control.md": "# Chart\n\n```html\n<script>example()</script>\n```\n\n" + RAW + "\n",
    "sql/control.py": "def find(cur, name):\n    cur.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n",
}

ALL = {**PAGES, **SQL_MISSES, **CONTROLS}
_ORDER = ["info", "low", "medium", "high", "critical"]


@pytest.fixture(scope="module")
def verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The real `gatekeeper check` of one phone commit adding every sample, under the built-in policy."""
    root = tmp_path_factory.mktemp("red134")
    repo = RepoBuilder.init(root / "repo")
    (root / "policy.yml").write_text(DEFAULT_POLICY_YAML)
    base = repo.commit("base\n", {"README.md": "x\n"}, author=DANA, committer=DANA)
    repo.commit("Add the docs and the store" + MOBILE, ALL, author=MO, committer=MO)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(root), "XDG_CACHE_HOME": str(root / "cache")}
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--policy", str(root / "policy.yml"),
                           "--format", "json", "--base", base], cwd=repo.path, capture_output=True, text=True,
                          check=False, timeout=900, env=env)
    try:
        return dict(json.loads(proc.stdout))
    except ValueError:
        raise AssertionError(proc.stdout + proc.stderr) from None


def _blocking(verdict: dict[str, Any], path: str) -> list[str]:
    """The code findings on `path` at or above the mobile rule set's block_at (high)."""
    return [f"{f['rule_id']}:{f['severity']}" for f in verdict["findings"]
            if f.get("path") == path and str(f["rule_id"]).startswith(("semgrep/", "bandit/"))
            and _ORDER.index(str(f["severity"]).lower()) >= _ORDER.index("high")]


def _read(page: str) -> str:
    found = embedded_code(".md", page.encode())
    return "" if found is None else found.text + found.attributes + "".join(found.values)


def test_control_a_pages_own_script_and_the_inline_sql_block(verdict: dict[str, Any]) -> None:
    """Control (passes): the page's raw script and the spelled-out f-string SQL each block; the fenced example
    does not."""
    assert verdict["decision"] == "block", verdict["decision"]
    assert _blocking(verdict, "docs/control.md") == [f"{EVAL}:critical"], _blocking(verdict, "docs/control.md")
    assert _blocking(verdict, "sql/control.py"), verdict["findings"]


@pytest.mark.parametrize("path", ["docs/cr.md"])
def test_a_fence_closed_on_a_lone_cr_line_is_not_blanked(verdict: dict[str, Any], path: str) -> None:
    """Finding 1 (HIGH miss): a lone CR ends a line for CommonMark, Python-Markdown and kramdown, not for
    `_without_fenced_code` (split on "\\n"); the fence closes earlier for every renderer and the script after it
    runs (markdown-it-py, commonmark.py, mistune, Python-Markdown, mkdocs build), while the gate blanks it."""
    assert SINK in _read(PAGES[path]), "the gate blanks the script as code"
    assert f"{EVAL}:critical" in _blocking(verdict, path), _blocking(verdict, path)


@pytest.mark.parametrize("path", ["docs/mkdocs_title.md", "docs/mkdocs_colon.md", "docs/mkdocs_tilde.md"])
def test_a_fence_python_markdown_does_not_open_is_not_blanked(verdict: dict[str, Any], path: str) -> None:
    """Finding 2a (HIGH miss): Python-Markdown's fenced_code opens a fence only with `lang`/`{attrs}`/`hl_lines`
    after the marks; `js title="chart.js"`, `js:chart.js` open none, so MkDocs renders the `<script>` as raw HTML
    (Python-Markdown and `mkdocs build`: RUNS) — `_FENCE` takes any info string and blanks it."""
    assert SINK in _read(PAGES[path]), "the gate blanks the script as code"
    assert f"{EVAL}:critical" in _blocking(verdict, path), _blocking(verdict, path)


@pytest.mark.parametrize("path", ["docs/mkdocs_comment.md", "docs/mkdocs_div.md", "docs/mkdocs_stx.md"])
def test_a_fence_python_markdown_pairs_otherwise_is_not_blanked(verdict: dict[str, Any], path: str) -> None:
    """Finding 2b (HIGH miss): Python-Markdown reads fences before raw HTML blocks (a fence inside `<!-- … -->` or
    `<div>…</div>` is one to it) and deletes STX/ETX first; its fences then pair otherwise than the gate's, and the
    script the gate blanks is raw HTML on an MkDocs site (Python-Markdown and `mkdocs build`: RUNS)."""
    assert SINK in _read(PAGES[path]), "the gate blanks the script as code"
    assert f"{EVAL}:critical" in _blocking(verdict, path), _blocking(verdict, path)


@pytest.mark.parametrize("path", ["docs/_posts/2026-01-02-liquid.md", "docs/_posts/2026-01-03-liquid-if.md",
                                  "docs/macros.md"])
def test_a_fence_a_template_tag_removes_is_not_blanked(verdict: dict[str, Any], path: str) -> None:
    """Finding 3 (MEDIUM miss): Jekyll runs Liquid over a page with front matter before kramdown (mkdocs-macros
    runs Jinja); a `{% comment %}`/`{% if false %}`/`{# #}` around the opening fence removes it, and the script after
    it — blanked by the gate — is raw HTML on the built site (python-liquid / jinja2, then every renderer: RUNS)."""
    assert SINK in _read(PAGES[path]), "the gate blanks the script as code"
    assert f"{EVAL}:critical" in _blocking(verdict, path), _blocking(verdict, path)


def test_fstring_sql_in_a_module_with_a_match_statement_blocks(verdict: dict[str, Any]) -> None:
    """Finding 4 (HIGH miss, pre-existing): with a `match` statement anywhere in the module semgrep 1.182 parses it
    so that `f"...{$X}..."` matches nothing: the inline f-string SQL injection gets no finding, and bandit's B608 is
    dropped as superseded (scan/themes.py) because semgrep ran."""
    path = "sql/match_module.py"
    assert _blocking(verdict, path), [f for f in verdict["findings"] + verdict.get("suppressed", [])
                                      if f.get("path") == path]


@pytest.mark.parametrize("path", ["sql/loop.py", "sql/except_branch.py", "sql/async_with.py", "sql/helper_after.py",
                                  "sql/static_helper.py", "sql/class_template.py"])
def test_sql_built_next_to_ee72912s_shapes_blocks(verdict: dict[str, Any], path: str) -> None:
    """Finding 5 (MEDIUM miss): SQL built in a loop, an except branch or an async with block, returned by a helper
    defined after its caller or a staticmethod called through its class, or kept as a class attribute template:
    ee72912's pattern-inside forms do not reach them, and B608 (where bandit reports it) is dropped as superseded."""
    assert SQL in [r.split(":")[0] for r in _blocking(verdict, path)], [
        f"{f['rule_id']}:{f['severity']}" for f in verdict["findings"] + verdict.get("suppressed", [])
        if f.get("path") == path]
