"""Code inside notebooks and markup reaches the code scanners at its own lines (scan/embedded.py, red107).

Unit tests of the extraction, and the real `gatekeeper check` with real semgrep and bandit over a commit holding a
notebook, an HTML page, a Vue and a Svelte component: each sink is reported on the file's own line, a script that is
not JavaScript and a notebook of another kernel are not read, and bandit is never handed markup."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.scan.embedded import embedded_code
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit

JS = "function show() {\n  const q = location.hash.slice(1);\n  document.body.innerHTML = q;\n  eval(q);\n}\n"
PY = "import os\n%matplotlib inline\n!pip install requests\n\n\ndef run(cmd):\n    os.system(\"tar xf \" + cmd)\n"


def notebook(*sources: str, language: str = "python", indent: int | None = 1) -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Title\n", "eval(words)\n"]}]
    cells += [{"cell_type": "code", "execution_count": 1, "metadata": {},
               "outputs": [{"name": "stdout", "output_type": "stream", "text": ["os.system(printed)\n"]}],
               "source": source.splitlines(keepends=True)} for source in sources]
    document = {"cells": cells, "metadata": {"kernelspec": {"language": language, "name": language}},
                "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=indent) + "\n"


def _line_of(text: str, needle: str, after: int = 0) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line and n > after)


# -- extraction -------------------------------------------------------------------------------------------------------

def test_a_notebooks_code_cells_are_python_at_their_own_lines() -> None:
    text = notebook(PY, "x = eval(input())\n")
    found = embedded_code(".ipynb", text.encode())
    assert found is not None and found.language == "python" and found.placed
    lines = found.text.split("\n")
    assert len(lines) == len(text.split("\n"))
    assert lines[_line_of(text, "os.system(\\\"tar") - 1] == '    os.system("tar xf " + cmd)'
    assert lines[_line_of(text, "x = eval") - 1] == "x = eval(input())"
    assert lines[_line_of(text, "%matplotlib") - 1] == "pass" and lines[_line_of(text, "!pip") - 1] == "pass"
    # Markdown and outputs are not code; everything but code is blank.
    assert "eval(words)" not in found.text and "printed" not in found.text
    assert compile(found.text, "nb.py", "exec")


def test_a_cell_of_another_language_and_a_notebook_of_another_kernel_are_not_python() -> None:
    found = embedded_code(".ipynb", notebook("%%bash\nrm -rf /tmp/x\n", "y = 1\n").encode())
    assert found is not None and "rm -rf" not in found.text and "y = 1" in found.text
    assert embedded_code(".ipynb", notebook("println(eval(x))\n", language="julia").encode()) is None
    assert embedded_code(".ipynb", b"not json") is None


def test_a_notebook_not_written_line_by_line_is_read_whole_and_every_line_counts() -> None:
    found = embedded_code(".ipynb", notebook(PY, indent=None).encode())
    assert found is not None and not found.placed
    assert 'os.system("tar xf " + cmd)' in found.text


@pytest.mark.parametrize(("extension", "markup", "language"), [
    (".html", '<html>\n<script type="text/template"><b>{{eval(x)}}</b></script>\n<script>\n' + JS + "</script>\n",
     "javascript"),
    (".vue", '<template><div/></template>\n\n<script setup lang="ts">\n' + JS + "</script>\n<style>a{}</style>\n",
     "typescript"),
    (".svelte", "<script>\n" + JS + '</script>\n\n<div on:click={() => eval(y)}></div>\n', "javascript"),
])
def test_script_blocks_are_code_at_their_own_lines_and_columns(extension: str, markup: str, language: str) -> None:
    found = embedded_code(extension, markup.encode())
    assert found is not None and found.language == language
    assert len(found.text) == len(markup)
    lines, original = found.text.split("\n"), markup.split("\n")
    for needle in ("innerHTML", "eval(q)"):
        at = _line_of(markup, needle) - 1
        assert lines[at] == original[at]
    assert "{{eval(x)}}" not in found.text and "eval(y)" not in found.text  # a template, a handler attribute


def test_markup_without_a_script_holds_no_code() -> None:
    assert embedded_code(".html", b"<html><body><p>hi</p><script src='app.js'></script></body></html>\n") is None
    assert embedded_code(".html", b'<script type="application/ld+json">{"a": 1}</script>\n') is None


# -- through the gate -------------------------------------------------------------------------------------------------

FILES = {
    "nb/etl.ipynb": notebook(PY),
    "nb/julia.ipynb": notebook("run(`rm -rf $(x)`)\n", language="julia"),
    "web/index.html": '<!doctype html>\n<html><body>\n<script>\n' + JS + "show();\n</script>\n</body></html>\n",
    "web/App.vue": '<template><div id="out"></div></template>\n\n<script lang="ts">\n' + JS + "</script>\n",
    "web/App.svelte": "<script>\n" + JS + '</script>\n\n<div id="out"></div>\n',
    "web/plain.html": "<html><body><p>eval(q) in prose</p></body></html>\n",
    "web/handlers.html": ('<!doctype html>\n<html><body>\n<p title="javascript: the good parts">hi</p>\n'
                          '<img src="x.png" alt="" onerror="eval(location.hash.slice(1))">\n'
                          '<a href="  JavaScript&colon;document.write(%22%3Cb%3E%22 + location.search)">go</a>\n'
                          '<button type="button" onclick="save({{ item.id }}); return false">Save</button>\n'
                          "</body></html>\n"),
    # A docs page: an example in a fenced block runs nothing; the page's own raw script runs on the rendered site.
    "docs/_posts/2026-01-01-chart.md": ("# Chart\n\nDo not write this:\n\n```html\n<script>eval(location.hash)</script>\n"
                                        "```\n\n<div id=\"chart\"></div>\n<script>\nconst q = location.hash.slice(1);\n"
                                        "eval(q);\n</script>\n"),
}


@pytest.fixture(scope="module")
def verdict(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    return check_commit(tmp_path_factory.mktemp("embedded"), FILES, ALL_SCANNERS_POLICY)


def _found(result: dict[str, Any], path: str) -> list[tuple[str, int | None]]:
    return sorted((f["rule_id"], f["line"]) for f in result["findings"] if f["path"] == path)


@pytest.mark.parametrize("path", ["web/index.html", "web/App.vue", "web/App.svelte"])
def test_script_sinks_are_reported_on_the_files_own_lines(verdict: tuple[int, dict[str, Any]], path: str) -> None:
    code, result = verdict
    text = FILES[path]
    found = _found(result, path)
    assert ("semgrep/js-eval-non-literal", _line_of(text, "eval(q)")) in found, found
    assert ("semgrep/js-innerhtml-non-literal", _line_of(text, "innerHTML")) in found, found
    assert not [f for f in found if f[0].startswith("bandit/") or f[0] == "scan/parse-error"], found
    assert code == 1


def test_handler_and_javascript_url_sinks_are_reported_on_the_files_own_lines(
        verdict: tuple[int, dict[str, Any]]) -> None:
    """An `onerror` handler and a `javascript:` URL run as scripts do (review: they reached no scanner); a server
    template's `{{ … }}` in a handler and prose in a `title` cost no parse error."""
    _, result = verdict
    text = FILES["web/handlers.html"]
    found = _found(result, "web/handlers.html")
    assert ("semgrep/js-eval-non-literal", _line_of(text, "onerror=")) in found, found
    assert ("semgrep/js-document-write-non-literal", _line_of(text, "JavaScript&colon;")) in found, found
    assert not [f for f in found if f[0] in ("scan/parse-error", "scan/incomplete")], found


def test_a_markdown_pages_raw_script_is_read_and_its_fenced_example_is_not(
        verdict: tuple[int, dict[str, Any]]) -> None:
    """red125: a markdown page's raw `<script>` reached no code scanner; a site generator renders it as it stands."""
    _, result = verdict
    path = "docs/_posts/2026-01-01-chart.md"
    found = _found(result, path)
    assert found == [("semgrep/js-eval-non-literal", _line_of(FILES[path], "eval(q)"))], found


def test_notebook_sinks_are_reported_on_the_files_own_lines(verdict: tuple[int, dict[str, Any]]) -> None:
    _, result = verdict
    line = _line_of(FILES["nb/etl.ipynb"], "os.system(\\\"tar")
    found = _found(result, "nb/etl.ipynb")
    assert ("semgrep/python-os-system-non-literal", line) in found, found
    assert not [f for f in found if f[0] == "scan/parse-error"], found  # the magics read as `pass`


def test_files_that_hold_no_code_of_a_scanned_language_have_no_code_findings(
        verdict: tuple[int, dict[str, Any]]) -> None:
    _, result = verdict
    assert _found(result, "nb/julia.ipynb") == []
    assert _found(result, "web/plain.html") == []


def test_an_edit_outside_the_script_does_not_report_the_scripts_old_sinks(tmp_path: Path) -> None:
    """The added-line filter reads the file's own diff: a later commit that changes only the page's markup reports
    nothing of the script that was there before; one that adds a sink to the script reports that sink."""
    import subprocess
    import sys

    from tests.hook_helpers import DANA

    repo = RepoBuilder.init(tmp_path / "repo")
    (tmp_path / "policy.yml").write_text(ALL_SCANNERS_POLICY)
    page = FILES["web/index.html"]
    first = repo.commit("page\n", {"web/index.html": page}, author=DANA, committer=DANA)
    repo.commit("title\n", {"web/index.html": page.replace("<body>", "<body class='x'>")}, author=DANA,
                committer=DANA)

    def check(base: str) -> dict[str, Any]:
        proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--policy", str(tmp_path / "policy.yml"),
                               "--format", "json", "--base", base], cwd=repo.path, capture_output=True, text=True,
                              check=False, timeout=600)
        return dict(json.loads(proc.stdout))

    assert _found(check(first), "web/index.html") == []
    second = repo.head()
    armed = page.replace("<body>", "<body class='x'>").replace("show();", "show();\ndocument.write(location.search);")
    repo.commit("more\n", {"web/index.html": armed}, author=DANA, committer=DANA)
    assert [line for _, line in _found(check(second), "web/index.html")] == [_line_of(armed, "document.write")]


def test_python_under_a_timing_magic_is_read_and_a_kernel_is_known_by_its_name() -> None:
    """red110: `%%time` / `%%capture` cells and `%time x` lines run Python; Jupyter starts the kernel
    `kernelspec.name` names, whatever `language` says."""
    found = embedded_code(".ipynb", notebook("%%time\nos.system(cmd)\n", "%time os.system(other)\n").encode())
    assert found is not None and "os.system(cmd)" in found.text and "os.system(other)" in found.text
    lying = json.loads(notebook("os.system(cmd)\n"))
    lying["metadata"]["kernelspec"] = {"name": "python3", "language": "R"}
    assert embedded_code(".ipynb", json.dumps(lying, indent=1).encode()) is not None
    lying["metadata"]["kernelspec"] = {"name": "myproject", "language": "python"}  # a virtualenv kernel (red111)
    assert embedded_code(".ipynb", json.dumps(lying, indent=1).encode()) is not None
    lying["metadata"]["kernelspec"] = {"name": "ir", "language": "R"}
    assert embedded_code(".ipynb", json.dumps(lying, indent=1).encode()) is None


@pytest.mark.parametrize("markup", [
    '<script type="text/javascript" type="text/template">\neval(q)\n</script>\n',  # the first type counts
    "<script>\neval(q)\n</script/>\n",
    "<script>\neval(q)\n</script x>\n",
    '<script type="text/x-javascript">\neval(q)\n</script>\n',
    '<script type="application/x-javascript; charset=utf-8">\neval(q)\n</script>\n',
])
def test_script_blocks_browsers_run_are_read(markup: str) -> None:
    found = embedded_code(".html", markup.encode())
    assert found is not None and found.text.split("\n")[1] == "eval(q)"


@pytest.mark.parametrize(("markup", "line", "code"), [
    ('<p>\n<img src=x onerror="eval(location.hash.slice(1))">\n', 2, "eval(location.hash.slice(1))"),
    ("<img src=x onerror=eval(atob(name))>\n", 1, "eval(atob(name))"),
    ('<button onClick="return eval(this.dataset.x)">b</button>\n', 1, "return eval(this.dataset.x)"),
    ('<div onclick="\n  init();\n  eval(q)\n">z</div>\n', 3, "eval(q)"),
    ('<a href="javascript:eval(location.hash.slice(1))">x</a>\n', 1, "eval(location.hash.slice(1))"),
    ('<a href="\x01 JaVa\tscript&colon;document.write(%22%3Cb%3E%22+location.search)">y</a>\n', 1,
     'document.write("<b>"+location.search)'),
    ('<form action="javascript&#x3a;eval(q)"></form>\n', 1, "eval(q)"),
    ('<svg><a xlink:href="javascript:eval(q)"><text>t</text></a></svg>\n', 1, "eval(q)"),
    ('<iframe src="javascript:eval(q)"></iframe>\n', 1, "eval(q)"),
    ('<b onclick="go(&quot;a&quot;);eval(q)">\n', 1, 'go("a");eval(q)'),
    ('<b onclick="save({{ id }});eval(q)">\n', 1, "save( ( id ) );eval(q)"),  # a template's expression, read as one
    ('<b onclick="go(); // the form">\n', 1, "go();"),  # a comment is blank: the closing `});` stays code
    ("<b onclick='var quotB;0&quotB;eval(q)'>\n", 1, "var quotB;0&quotB;eval(q)"),  # no `;`, a letter: not decoded
    ('<b onclick="eval(q)&#10;x()">\n', 1, "eval(q) x()"),  # a line break a reference makes stays on the line
    ("<script>\nok()\n</script><b onclick='eval(q)'>\n", 3, "eval(q)"),
    # A `<style>` raw text in one reading holds a `<script>` in the other: the handler the first reads is read.
    ("<style><script>x='</style><img onerror=\"eval(q)\">'</script>\n", 1, "eval(q)"),
])
def test_event_handlers_and_javascript_urls_are_code_at_their_own_lines(markup: str, line: int, code: str) -> None:
    """A start tag's event handler attribute and a URL attribute's `javascript:` URL run as scripts (review: neither
    reached semgrep); read as the browser decodes them (character references, a URL's controls, tabs and percent
    escapes), each in a function of its own, on the value's own lines."""
    found = embedded_code(".html", markup.encode())
    assert found is not None and found.language == "javascript"
    lines = found.attributes.split("\n")
    assert len(lines) == len(markup.split("\n"))
    assert code in lines[line - 1], lines
    assert found.attributes.count("(function (event) {") == found.attributes.count("});")
    assert "(function" not in found.text  # (a text of their own: no value runs on into a script, red120)
    # And as written, a text of its own, the code at the same line (red124).
    # (A line break a reference decoded to is a carriage return there: it ends a comment, red125.)
    assert any(code.split(";")[-1] in value.split("\n")[line - 1].replace("\r", " ") for value in found.values), \
        found.values


@pytest.mark.parametrize("markup", [
    '<p title="javascript: the good parts">x</p>\n',  # not a URL attribute
    '<a href="https://example.com/?q=javascript:eval(q)">x</a>\n',  # a URL of another scheme
    '<b data-onclick="eval(q)">x</b>\n',
    "<b onclick={() => eval(q)}>x</b>\n",  # Svelte's expression
    "<b on:click={() => eval(q)}>x</b>\n",
    '<!-- <b onclick="eval(q)"> -->\n',
    '<b>x</b onclick="eval(q)">\n',  # an end tag's attributes are dropped
    '<b onclick="eval(q)"\n',  # a tag the page never ends is no element
    '<b onclick="">x</b>\n',
])
def test_attribute_text_that_runs_no_code_is_not_read(markup: str) -> None:
    found = embedded_code(".html", markup.encode())
    read = "" if found is None else found.text + found.attributes
    assert "eval(q)" not in read and "the good parts" not in read, found


@pytest.mark.parametrize("value", ["/*", "*/", "`", "'", "{", ")", "a = /x", "x = `${a`", "go(); /* note"])
def test_a_value_that_does_not_stand_alone_as_code_is_not_read(value: str) -> None:
    """The browser compiles each handler on its own: a value that opens a comment, a string, a template, a regular
    expression or a block, or closes one it did not open, runs nothing — read with the others, it would hide what
    lies between (red120: `onclick="/*"` … `onclick="*/"` around a script)."""
    found = embedded_code(".html", f'<b onclick="{value}">x</b>\n<i onclick="eval(q)">y</i>\n'.encode())
    assert found is not None and found.attributes.split("\n")[1].count("eval(q)") == 1
    assert found.attributes.split("\n")[0].strip() == ""
    assert found.left_out.startswith("1 event handler(s) or javascript: URL(s) are not read")  # (said, red121)


@pytest.mark.parametrize("unit", ["<script a", "<script>", "<script>x</script>\n", "<script>" + "</scrip",
                                  '<b onclick="eval(x)" href="javascript:y">', "<a href=javascript:",
                                  "<style><script>x='</style><b onclick=y>'</script>",
                                  # (red125: a CDATA section without its `]]>`, and SVG scripts read as markup)
                                  "<![CDATA[ <script>x</script>", "<svg><![CDATA[ ]]><script>&amp;<!--</script>"])
def test_hostile_markup_costs_linear_time(unit: str) -> None:
    """Thousands of start tags without an end tag (or without a `>`) once made each start tag read the rest of the
    file (quadratic: 20 s for 200 KB, review). Measured against itself: 10x the input, about 10x the time."""
    _assert_linear(".html", unit)


def _assert_linear(extension: str, unit: str) -> None:
    import time

    def cost(size: int) -> float:
        text = (unit * (size // len(unit) + 1))[:size].encode()
        start = time.perf_counter()
        embedded_code(extension, text)
        return time.perf_counter() - start

    cost(10_000)  # warm up
    # (A quadratic reading of 80 KB already costs about 3 s, 60x what a linear one does: 10x of it would be 100x.)
    assert cost(800_000) / max(cost(80_000), 1e-4) < 30 or cost(800_000) / max(cost(80_000), 1e-4) < 30


_RAW = "<script>eval(location.hash)</script>"


@pytest.mark.parametrize(("page", "read"), [
    ("```html\n" + _RAW + "\n```\n", False),
    ("~~~\n" + _RAW + "\n~~~\n", False),
    ("````\n```\n" + _RAW + "\n```\n````\n", False),
    ("text\n\n```js\n" + _RAW + "\n```\n\nmore text\n", False),
    ('<p align="center">\n  <img src="logo.png">\n</p>\n\n```\n' + _RAW + "\n```\n", False),
    # Where a renderer would see markup, it is read: an unclosed fence (text to kramdown and Python-Markdown) ...
    ("```\n" + _RAW + "\n", True),
    # ... one a longer fence closes for CommonMark but not for Python-Markdown, and what follows it ...
    ("```\nx\n````\n" + _RAW + "\n```\n", True),
    # ... an indented fence, a closing fence with a tab, a raw HTML block's lines (CommonMark: to the blank line;
    # Python-Markdown: to the element's end tag), a script element's lines, raw HTML outside any fence.
    ("  ```\n" + _RAW + "\n  ```\n", True),
    ("```\nx\n```\t\n" + _RAW + "\n```\n", True),
    ("<div>\n```\n" + _RAW + "\n```\n</div>\n", True),
    ("<div>\n\n```\n" + _RAW + "\n```\n\n</div>\n", True),
    ("<script>\n\n```\n</script>\n" + _RAW + "\n```\n", True),
    ("Some text " + _RAW + " and more.\n", True),
    ('<img src="x" onerror="eval(location.hash)">\n', True),
])
def test_markdown_raw_html_is_read_unless_every_renderer_sees_a_code_block(page: str, read: bool) -> None:
    for extension in (".md", ".markdown"):
        found = embedded_code(extension, page.encode())
        text = "" if found is None else found.text + found.attributes + "".join(found.values)
        assert ("eval(location.hash)" in text) == read, (extension, page, found)
        if found is not None:
            assert found.text.count("\n") == page.count("\n")  # at the page's own lines


@pytest.mark.parametrize("unit", ["```\n", "```x`\n", "<div>\n", "<d>\n</d>\n", "<div>\n\n```\n", "<script>\n```\n",
                                  "~~~\n<p>\n~~~~\n"])
def test_hostile_markdown_costs_linear_time(unit: str) -> None:
    """Fences never closed and HTML blocks never ended: each is looked for once, not once per opening line."""
    _assert_linear(".md", unit)


def test_markdown_html_blocks_of_many_element_names_cost_what_one_name_costs() -> None:
    """Each raw HTML block's end tag was looked for with a pattern compiled for its element's name: a page of 60,000
    differently named blocks cost 7x the same page of one name (3 s a megabyte), a cost per block: measured against
    itself on 20,000 blocks."""
    import time

    def cost(name: Callable[[int], str]) -> float:
        page = "".join(f"<{name(i)}></{name(i)}>\n\n" for i in range(20_000)).encode()
        start = time.perf_counter()
        embedded_code(".md", page)
        return time.perf_counter() - start

    cost(lambda i: "a")  # warm up
    assert min(cost(lambda i: f"a{i}") / cost(lambda i: f"a{i % 7}") for _ in range(2)) < 3


# -- red114: cells read as IPython runs them, scripts found as the tokenizer finds them -------------------------------

def _cell_code(*sources: str, defines: str = "") -> list[list[str]]:
    """Each code cell's lines as read, in order (a cell left out reads as None)."""
    cells = [defines] if defines else []
    text = notebook(*cells, *sources)
    found = embedded_code(".ipynb", text.encode())
    assert found is not None and found.placed
    lines, original = found.text.split("\n"), text.split("\n")
    out = []
    for source in sources:
        at = _line_of(text, json.dumps(source.splitlines(keepends=True)[0])[1:-1])
        out.append(lines[at - 1:at - 1 + len(source.splitlines())])
    assert len(lines) == len(original)
    return out


@pytest.mark.parametrize(("source", "expected"), [
    (">>> import os\n>>> os.system(input())\n", ["import os", "os.system(input())"]),
    (">>> for a in b:\n...     os.system(a)\n", ["for a in b:", "    os.system(a)"]),
    ("In [3]: import os\n   ...: os.system(input())\n", ["import os", "os.system(input())"]),
    ("  >>> x = 1\n  >>> /os.system x\n", ["x = 1", "os.system(x)"]),
    ("...\nx = 1\n", ["...", "x = 1"]),  # (an Ellipsis first, no prompt on the second line: code as it is)
    ("x = a >>> 2\n", ["x = a >>> 2"]),
])
def test_pasted_prompts_are_stripped_as_ipython_strips_them(source: str, expected: list[str]) -> None:
    """A cell pasted from a console (`>>> `, `... `, `In [3]: `, `   ...: `) runs in Jupyter: IPython strips the prompts
    after the dedent and before anything else (classic_prompt, ipython_prompt). Read as written, the cell was a parse
    error, and bandit read nothing of the notebook (red114)."""
    assert _cell_code(source) == [expected]


@pytest.mark.parametrize(("source", "expected"), [
    ("/os.system cmd\n", ["os.system(cmd)"]),
    (",f a b\n", ['f("a", "b")']),
    (";f a b\n", ['f("a b")']),
    ("/os.system \\\n  cmd\n", ["os.system(cmd)", ""]),
    ("if x:\n    /eval cmd\n    !ls\n", ["if x:", "    eval(cmd)", "    pass"]),
    ("x = %time os.system(y)\nz = !ls\n", ["x = os.system(y)", "z = None"]),
    ("%timeit -n1 -r 2 os.system(x)\n", ["os.system(x)"]),
    ("%prun -s cumulative os.system(x)\n", ["os.system(x)"]),
    ("%time %time time os.system(x)\n", ["os.system(x)"]),
    ("%my_alias os.system(x)\n%sql SELECT 1\n", ["os.system(x)", "pass"]),
    ("time os.system(x)", ["os.system(x)"]),
    ("time = 3", ["time = 3"]),
    ("pip install requests", ["pass"]),
    ("os.system?\nx = [1,\n  2]; y??\n", ["pass", "pass", ""]),
    ("x = (a\n     / b)\n", ["x = (a", "     / b)"]),
    ("s = '''\n/os.system x\n'''\n", ["s = '''", "/os.system x", "'''"]),
])
def test_ipython_syntax_reads_as_the_python_it_runs(source: str, expected: list[str]) -> None:
    """IPython's escapes (EscapedCommand), magic and system assignments, help requests and one-line automagic read
    as what IPython compiles; an escape character that continues an expression or sits in a string is left alone."""
    assert _cell_code(source) == [expected]


@pytest.mark.parametrize(("source", "read"), [
    ("%%bash\nos.system(x)\n", False),
    ("%%html\n<b>os.system(x)</b>\n", False),
    ("%%script bash --bg\nos.system(x)\n", False),
    ("%%writefile notes.txt\nos.system(x)\n", False),
    ("%%capture\n%%time\n    os.system(x)\n", True),
    ("%%script --out log python3\nos.system(x)\n", True),
    ("%%script env -S python3 -u\nos.system(x)\n", True),
    ("%%script ./runner\nos.system(x)\n", True),
    ("%%script $interpreter\nos.system(x)\n", True),
    ("%%writefile job\nos.system(x)\n", True),
    ("%%my_magic\nos.system(x)\n", True),
])
def test_a_cell_magic_is_left_out_only_when_it_runs_another_language(source: str, read: bool) -> None:
    found = embedded_code(".ipynb", notebook(source).encode())
    assert found is not None and ("os.system(x)" in found.text) == read, found
    assert ("not read as Python" in found.left_out) == (not read)


def test_no_magic_is_trusted_in_a_notebook_that_defines_magics_or_runs_what_it_wrote() -> None:
    defines = "from IPython.core.magic import register_cell_magic\n"
    found = embedded_code(".ipynb", notebook(defines, "%%bash\nos.system(x)\n").encode())
    assert found is not None and "os.system(x)" in found.text
    found = embedded_code(".ipynb", notebook("%%writefile payload.txt\nos.system(x)\n", "%run payload.txt\n").encode())
    assert found is not None and "os.system(x)" in found.text


def test_a_notebook_of_only_another_language_says_so_and_holds_no_code() -> None:
    found = embedded_code(".ipynb", notebook("%%bash\nls\n").encode())
    assert found is not None and not found.text.strip() and "%%bash" in found.left_out


def test_a_notebook_the_gate_cannot_parse_is_unreadable_and_one_that_is_no_json_is_not_a_notebook() -> None:
    from gatekeeper.scan.embedded import Unreadable

    with pytest.raises(Unreadable) as deep:
        embedded_code(".ipynb", ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}").encode())
    assert deep.value.blocking
    with pytest.raises(Unreadable) as broken:
        embedded_code(".ipynb", b'{"cells": [\n<<<<<<< HEAD\n')
    assert not broken.value.blocking
    assert embedded_code(".ipynb", b"# a jupytext script\n") is None


@pytest.mark.parametrize("markup", [
    "<svg><style><script>\neval(q)\n</script></style></svg>\n",  # foreign content: <style> is no raw text
    "<select><title><script>\neval(q)\n</script></title></select>\n",  # the select mode ignores <title>
    '<script type="text/j&#97;vascript">\neval(q)\n</script>\n',  # a character reference in the type
    "<script>\nx = 1; // </\u017fcript>\neval(q)\n</script>\n",  # only ASCII letters fold: no end tag
    "<!-->\n<script>\neval(q)\n</script>\n",  # an abrupt comment ends at once
    "<p title='a\"b>' class=x>\n<script>\neval(q)\n</script>\n",
])
def test_scripts_behind_tokenizer_corners_are_read(markup: str) -> None:
    found = embedded_code(".html", markup.encode())
    assert found is not None and "eval(q)" in found.text, markup


@pytest.mark.parametrize("markup", [
    "<script><!--\n</script>\neval(q)\n",  # the escaped state still ends at </script>
    "<script>\neval(q)\n</script\n",  # an end tag without its `>` never closes the script: it never runs
    '<script type="text/plain">\neval(q)\n</script>\n',
    "<!-- <script>\neval(q)\n</script> -->\n",
])
def test_text_a_browser_does_not_run_is_not_read(markup: str) -> None:
    found = embedded_code(".html", markup.encode())
    assert found is None or "eval(q)" not in found.text, found


@pytest.mark.parametrize("unit", ["%time x\n", "time " * 3, "/f a b\n", "x = %time y\n", "%%capture\n", "]",
                                  "[0]", "%%script --a \n", "x = (a\n"])
def test_hostile_cells_cost_linear_time(unit: str) -> None:
    """Every step of the cell reading moves forward (red114: `%%script` options backtracked exponentially)."""
    import time

    def cost(size: int) -> float:
        text = notebook((unit * (size // len(unit) + 1))[:size] + "x?\n").encode()
        start = time.perf_counter()
        embedded_code(".ipynb", text)
        return time.perf_counter() - start

    cost(5_000)  # warm up
    assert cost(200_000) / max(cost(20_000), 1e-4) < 30 or cost(200_000) / max(cost(20_000), 1e-4) < 30
