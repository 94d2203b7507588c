"""fix120: the classes behind red120's findings 7, 8, 10, 11 and 12 (tests/test_red120_hostile.py), beyond its examples.

1. A coding cookie decides how Python reads a file's bytes. bandit reads the bytes the gate writes for it; IPython
   runs a notebook's cell as text and a cookie in it is a comment. Any cookie-shaped line on line 1 or 2 of a
   notebook's code (`# -*- coding: latin-1 -*-`, `# vim: set fileencoding=utf-7`, on line 2 after a comment) must
   not change what bandit reads. An ordinary .py file's cookie is honoured by Python: there the tools must read the
   text Python runs (semgrep reads bytes as UTF-8 and read a UTF-7 line `# +AAo-jsonpickle.decode(...)` as a
   comment, where Python runs the call on a line of its own).
2. Python that changes how IPython reads cells without defining a magic by name — an extension's loader called
   directly, an input transformer, an AST transformer — trusts no magic; a module of the commit's tree named like a
   known extension beside the notebook (its directory or one above it, where kernels start) is no known extension.
3. A "Generated with/by" footer names an agent only as the agent that helped: the whole footer is the agent's name
   (with its product, model and version words), or the name follows words that say it helped ("assistance from",
   "the help of", "using", "yours truly"). A denial ("no Copilot", "without Claude"), another thing's name ("data
   from Gemini", "statsmodels GLM") is no evidence; a model after the agent's name ("Claude Opus 4.1", "Gemini
   2.5 Flash") is; so is a model of no agent of the table ("ChatGPT", "GPT-4o"), with no agent named.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest

from gatekeeper.models import AIInvolvement, DeviceClass
from gatekeeper.scan.embedded import embedded_code
from tests.origin_helpers import detect_origin
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit

MOBILE = (DeviceClass.MOBILE, DeviceClass.TABLET)
URLOPEN = "import sys, urllib.request\nACM = 0\nx = 1 +ACM- len(urllib.request.urlopen(sys.argv[1]).read())\n"


def _notebook(*sources: str, indent: int | None = 1) -> str:
    cells = [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
              "source": source.splitlines(keepends=True)} for source in sources]
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=indent) + "\n"


SHADOW = ("def load_ipython_extension(ip):\n"
          "    ip.register_magic_function(lambda line, cell: ip.run_cell(cell), 'cell', 'bash')\n")
BASH_CELL = "%%bash\nimport os\nos.system(input())\n"

FILES = {
    # 1: cookie forms on line 1 or 2 of a compact notebook's code.
    "nb/emacs.ipynb": _notebook("# -*- coding: utf-7 -*-\n" + URLOPEN, indent=None),
    "nb/vim.ipynb": _notebook("# vim: set fileencoding=utf-7 :\n" + URLOPEN, indent=None),
    "nb/second.ipynb": _notebook("#!/usr/bin/env python\n# coding=utf-7\n" + URLOPEN, indent=None),
    # 1: an ordinary module whose cookie Python honours: the call runs on a line of its own.
    "pkg/utf7.py": "# coding: utf-7\nimport jsonpickle, sys\nx = 1  # +AAo-jsonpickle.decode(sys.stdin.read())\n",
    # 2: a package (not a module file) named like a known extension, one directory above the notebook.
    "lab/sql/__init__.py": SHADOW,
    "lab/deep/shadow.ipynb": _notebook("%load_ext sql\n", BASH_CELL),
    # 2: the known extension with nothing of that name in the tree (guard: its %%bash cell is another language's).
    "ok/known.ipynb": _notebook("%load_ext sql\n", BASH_CELL),
    # 2: a directory of that name without `__init__` (a namespace package: the installed one wins; guard).
    "mig/sql/001_init.sql": "create table t (id int);\n",
    "mig/known.ipynb": _notebook("%load_ext sql\n", BASH_CELL),
    # 2: the same beside a notebook whose directory's name the gate shows escaped (a tab, a byte outside UTF-8): the
    # tree is asked by the name git recorded, not the shown one.
    "odd\udcffdir/sql.py": SHADOW,  # (a lone 0xFF byte in the name, written through surrogateescape)
    "odd\udcffdir/shadow.ipynb": _notebook("%load_ext sql\n", BASH_CELL),
}


@pytest.fixture(scope="module")
def verdict(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    return check_commit(tmp_path_factory.mktemp("fix120"), FILES, ALL_SCANNERS_POLICY)


def _found(result: dict[str, Any], path: str) -> list[tuple[str, int | None]]:
    return sorted((f["rule_id"], f["line"]) for f in result["findings"] if f["path"] == path)


# -- 1: coding cookies ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["nb/emacs.ipynb", "nb/vim.ipynb", "nb/second.ipynb"])
def test_no_cookie_shape_changes_what_bandit_reads_of_a_notebook(verdict: tuple[int, dict[str, Any]],
                                                                  path: str) -> None:
    """IPython runs `1 + ACM - len(urlopen(...))` whatever the first comment says; bandit's copy must decode as the
    text it is (B310 found), in Emacs' and Vim's cookie forms and on line 2 after a comment."""
    _, result = verdict
    assert [f for f in _found(result, path) if f[0] == "bandit/B310"], _found(result, path)


def test_the_notebooks_copy_holds_no_cookie() -> None:
    """The text handed to a tool: the cookie-shaped comment is blank, the rest of the cell where it was."""
    found = embedded_code(".ipynb", _notebook("# coding: latin-1\n" + URLOPEN, indent=None).encode(), whole=True)
    assert found is not None
    readable = found.readable()
    assert "coding" not in readable and "urlopen" in readable, readable
    assert readable.count("\n") == found.text.count("\n")


def test_a_modules_cookie_is_read_as_python_reads_it(verdict: tuple[int, dict[str, Any]]) -> None:
    """An ordinary module: Python decodes it as UTF-7 and runs jsonpickle.decode on line 4 of its text; semgrep, which
    reads the bytes as UTF-8, saw a comment. The tools read the text Python runs."""
    _, result = verdict
    found = _found(result, "pkg/utf7.py")
    assert [f for f in found if f[0] == "semgrep/python-jsonpickle-decode"], found


# -- 2: extensions and magics ------------------------------------------------------------------------------------------

def test_a_package_above_the_notebook_named_like_a_known_extension_is_no_known_extension(
        verdict: tuple[int, dict[str, Any]]) -> None:
    """`lab/sql/` is imported by `%load_ext sql` when the kernel starts in `lab/` (or `lab/deep/` is run from
    there): the `%%bash` cell may be Python; it is read."""
    _, result = verdict
    found = _found(result, "lab/deep/shadow.ipynb")
    assert [f for f in found if f[0] in ("bandit/B605", "semgrep/python-os-system-non-literal")], found


def test_a_module_beside_a_notebook_in_an_oddly_named_directory_is_found(verdict: tuple[int, dict[str, Any]]) -> None:
    """The workspace looked the notebook's directory up by its display name (`odd\\377dir`, escaped), which names no
    directory: the shadowing `sql.py` went unseen and `%%bash` stayed another language's (review of fix120)."""
    _, result = verdict
    found = [f for f in result["findings"] if f["path"].startswith("odd")]
    assert [f for f in found if f["rule_id"] in ("bandit/B605", "semgrep/python-os-system-non-literal")], found


def test_a_known_extension_with_nothing_of_its_name_in_the_tree_stays_known(
        verdict: tuple[int, dict[str, Any]]) -> None:
    """(Guard.) ipython-sql's `%load_ext sql` in a tree without a `sql` module: `%%bash` is shell, left out."""
    _, result = verdict
    assert not [f for f in _found(result, "ok/known.ipynb") if f[0].startswith(("bandit/", "semgrep/"))]


def test_a_directory_without_init_named_like_a_known_extension_shadows_nothing(
        verdict: tuple[int, dict[str, Any]]) -> None:
    """(Guard.) `mig/sql/` of migrations is a namespace package at most: ipython-sql, installed, is what loads."""
    _, result = verdict
    assert not [f for f in _found(result, "mig/known.ipynb") if f[0].startswith(("bandit/", "semgrep/"))]


@pytest.mark.parametrize("loader", [
    "import magicpack\nmagicpack.load_ipython_extension(get_ipython())\n",
    "import importlib\ngetattr(importlib.import_module('magicpack'), 'load_ipython_extension')(get_ipython())\n",
    "get_ipython().input_transformers_cleanup.append(lambda lines: lines[1:])\n",
    "get_ipython().input_transformers_post.append(lambda lines: lines)\n",
    "import rewrite\nget_ipython().ast_transformers.append(rewrite.Unmagic())\n",
])
def test_python_that_changes_how_cells_are_read_trusts_no_magic(loader: str) -> None:
    """Each of these changes what a `%%bash` cell runs without any of the words `_DEFINES_MAGICS` knew: an
    extension's loader, an input transformer (the cell's text before IPython reads it), an AST transformer (the
    `run_cell_magic` call the cell becomes)."""
    found = embedded_code(".ipynb", _notebook(loader, BASH_CELL).encode())
    assert found is not None and "os.system(input())" in found.text, found


# -- 3: footers -------------------------------------------------------------------------------------------------------

_origin = partial(detect_origin, classes=MOBILE)


@pytest.mark.parametrize("footer", [
    "Generated without Claude", "Generated by hand (no Copilot)", "Generated with care, never Cursor",
    "Generated by people, not by Claude Code", "Generated with no help from Copilot",
    "Generated without the help of GitHub Copilot", "Generated by Bob using no Codex",
    "Generated with a Gemini dataset", "Generated with colors from Cursor", "Generated by the Cline docs build",
    "Generated with Claude Shannon's formula", "Generated by Cursor position tracking",
])
def test_a_footer_that_denies_or_only_mentions_an_agent_is_no_evidence(repo: RepoBuilder, footer: str) -> None:
    """Class of findings 10-11: the agent's name is denied, or names something else — a data set, a person, the
    project's own build."""
    result = _origin(repo, "Regenerate the tables\n\n" + footer + "\n")
    assert result.ai is AIInvolvement.NONE, result.evidence


@pytest.mark.parametrize(("footer", "agent"), [
    ("Generated with Claude Opus 4.1", "claude-code"),
    ("Generated with Claude 3.7 Sonnet", "claude-code"),
    ("Generated with Gemini 2.5 Flash", "gemini"),
    ("Generated with some help from Claude Sonnet 4.5", "claude-code"),
    ("Generated with the assistance of Gemini 2.5 Pro", "gemini"),
    ("Generated by GitHub Copilot Edits", "copilot"),
    ("Generated with Codex CLI 0.46.0 (gpt-5-codex)", "codex"),
    ("Generated by ChatGPT", None),
    ("Generated with GPT-4o", None),
    ("Generated with the help of ChatGPT", None),
])
def test_a_footer_naming_an_agent_or_model_that_helped_is_evidence(repo: RepoBuilder, footer: str,
                                                                   agent: str | None) -> None:
    """Class of finding 12: the agent's name then its model or feature, after words of help or alone; a model of no
    agent of the table is evidence without an agent."""
    result = _origin(repo, "Add the report\n\n" + footer + "\n")
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert (result.agent.id if result.agent is not None else None) == agent, result.evidence
