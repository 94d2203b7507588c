"""Notebook cells bandit never read (scan/embedded.py, scan/workspace.py, scan/head.py): a hostile author who wants
`subprocess.call(cmd, shell=True)`, `pickle.loads`, `yaml.load` or `eval(input())` in a notebook past bandit.

A notebook's code cells reach bandit as one Python text, and bandit reads nothing of a file Python cannot parse (nor
of one whose syntax tree is too deep for its recursive walk): one cell was enough to hide every other cell of the
notebook from bandit, leaving a low `scan/parse-error` (or `scan/incomplete`) for the whole file. semgrep recovers
from a parse error and still read the rest; bandit's own checks (B301 pickle, B506 yaml.load, B602 shell=True, B307
eval) were gone. Found (each test below fails on main fb1ea5d for the reason its docstring names):

1. MEDIUM (miss) — one cell Python cannot parse (a syntax error; IPython syntax the converter does not rewrite, such
   as a magic on a backslash-continued line, which IPython runs) hides the whole notebook from bandit. Fix: each
   cell is parsed on its own; a cell that does not parse is read statement by statement (top-level statements that
   parse stay), and only what does not parse is left out of bandit's copy — reported as `scan/parse-error` on the
   cell's own line, which follows `unscanned` as a Python file bandit cannot parse does.
2. MEDIUM (miss) — a cell nested deeper than bandit's recursive walk (3,000 terms of `a+a+...`: Python runs it, bandit
   gives up on the file) hides the whole notebook. Fix: such a cell is left out of bandit's copy and reported as
   `scan/incomplete` on its line.
3. MEDIUM (miss) — `%load_ext` of an extension the gate does not know can define or redefine any magic
   (`%matplotlib`, `%%bash`): the converter still read `%matplotlib os.system(...)` as `pass` and `%%bash` as shell.
   Fix: after a `%load_ext` of an unknown extension no magic is trusted (as for a notebook that registers magics):
   a line magic's argument is read when it is Python, every cell magic's body is Python.
4. LOW (miss) — `%lprun -f f stmt` / `%mprun -f f stmt` (line_profiler, memory_profiler) run their statement;
   their `-f NAME` option swallowed the statement (read as `pass`).
5. LOW (miss) — an nbformat 3 notebook (`worksheets`) with an empty `cells` list beside them: Jupyter upgrades the
   worksheets (nbformat's v3 reader), the gate read only `cells`.
6. LOW (miss, no note) — an SoS notebook (the polyglot kernel `sos`): its kernel names no Python, so none of it was
   read, yet a cell runs in SoS itself (Python) unless its metadata names another kernel, and a cell whose kernel is
   `Python3` runs Python. Fix: an SoS notebook's cells are read by their own kernel; the others are named in the
   notes.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from gatekeeper.scan.embedded import embedded_code
from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit

IMPORTS = "import os\nimport pickle\nimport subprocess\n\nimport yaml\n"
SINKS = ["subprocess.call(cmd, shell=True)\n", "pickle.loads(data)\n", "yaml.load(text)\n", "eval(input())\n"]
# bandit's test for each sink
SINK_TESTS = {"subprocess.call": "bandit/B602", "pickle.loads": "bandit/B301", "yaml.load": "bandit/B506",
              "eval(input": "bandit/B307"}


def _nb(*cells: str | list[str], nbformat: int = 4, extra: dict[str, Any] | None = None) -> str:
    """A notebook as Jupyter writes it (one JSON string per line, sorted keys)."""
    document: dict[str, Any] = {
        "cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
                   "source": c if isinstance(c, list) else c.splitlines(keepends=True)} for c in cells],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": nbformat, "nbformat_minor": 5}
    document.update(extra or {})
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


_V3_WITH_EMPTY_CELLS = json.dumps({
    "cells": [], "metadata": {"name": "demo"}, "nbformat": 3, "nbformat_minor": 0,
    "worksheets": [{"cells": [{"cell_type": "code", "collapsed": False, "input": ["import os\n",
                                                                                   "os.system(input())\n"],
                               "language": "python", "metadata": {}, "outputs": []}], "metadata": {}}]},
    indent=1) + "\n"

SAMPLES: dict[str, str] = {
    # 1. a cell that does not parse: a syntax error, and IPython syntax the converter does not rewrite
    "nb/broken_cell.ipynb": _nb(IMPORTS, "def broken(:\n    pass\n", *SINKS),
    "nb/python2_cell.ipynb": _nb(IMPORTS, 'print "hello"\n', *SINKS),
    "nb/unhandled_in_cell.ipynb": _nb("import os\nos.system(input())\nx = \\\n%time 1\n"),
    # 2. a cell too deep for bandit's walk
    "nb/deep_cell.ipynb": _nb(IMPORTS, "x = " + "+".join(["a"] * 3000) + "\n", *SINKS),
    # 3. %load_ext of an extension the gate does not know
    "nb/load_ext.ipynb": _nb("%load_ext magic_pack\n", "import os\n", "%matplotlib os.system(input())\n",
                             "%%bash\nos.system(input())\n"),
    "nb/load_ext_known.ipynb": _nb("%load_ext autoreload\n%autoreload 2\n", "%%bash\nls -la\n",
                                   "%matplotlib inline\nimport os\nos.system(input())\n"),
    # 4. profilers' code magics
    "nb/lprun.ipynb": _nb("%load_ext line_profiler\n", "import os\n", "%lprun -f os.system os.system(input())\n"),
    "nb/mprun.ipynb": _nb("%load_ext memory_profiler\n", "import os\n", "%mprun -f os.system os.system(input())\n"),
    # 5. nbformat 3 beside an empty cells list
    "nb/v3_empty_cells.ipynb": _V3_WITH_EMPTY_CELLS,
}


# bandit alone: where semgrep runs, the gate drops bandit's findings its own rules make at the same sinks
# (scan/themes.py), and semgrep already read past a broken cell.
BANDIT_ONLY_POLICY = ALL_SCANNERS_POLICY.replace("[secrets, semgrep, bandit]", "[bandit]")


@pytest.fixture(scope="module")
def verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    _code, result = check_commit(tmp_path_factory.mktemp("nbcells"), SAMPLES, BANDIT_ONLY_POLICY)
    return result


def _findings(verdict: dict[str, Any], path: str, prefix: str = "") -> list[tuple[str, int | None]]:
    return sorted((f["rule_id"], f["line"]) for f in verdict["findings"]
                  if f["path"] == path and f["rule_id"].startswith(prefix))


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


# -- 1. a cell Python cannot parse ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["nb/broken_cell.ipynb", "nb/python2_cell.ipynb", "nb/deep_cell.ipynb"])
def test_bandit_reads_every_cell_beside_one_it_cannot(verdict: dict[str, Any], path: str) -> None:
    """MEDIUM: one broken or too-deep cell made the whole notebook unreadable to bandit (one low scan/parse-error or
    scan/incomplete for the file); bandit's own findings on the other cells — B602, B301, B506, B307 — were gone."""
    text = SAMPLES[path]
    found = _findings(verdict, path, "bandit/")
    for needle, rule in SINK_TESTS.items():
        assert (rule, _line_of(text, needle)) in found, (needle, found, _findings(verdict, path))


@pytest.mark.parametrize(("path", "needle", "rule"), [
    ("nb/broken_cell.ipynb", "def broken(:", "scan/parse-error"),
    ("nb/python2_cell.ipynb", 'print \\"hello', "scan/parse-error"),
    ("nb/deep_cell.ipynb", "x = a+a", "scan/incomplete"),
])
def test_the_cell_bandit_could_not_read_is_reported_at_its_line(verdict: dict[str, Any], path: str, needle: str,
                                                                rule: str) -> None:
    """The cell left out of bandit's reading is named at its own line, once, so a reviewer knows which part of the
    notebook went unchecked (and `unscanned` decides, as for a Python file bandit cannot parse)."""
    line = _line_of(SAMPLES[path], needle)
    unread = [f for f in verdict["findings"] if f["path"] == path and f["rule_id"] in ("scan/parse-error",
                                                                                        "scan/incomplete")
              and f["message"].startswith("bandit")]
    assert [(f["rule_id"], f["line"]) for f in unread] == [(rule, line)], unread
    assert "cell" in unread[0]["message"]


def test_ipython_syntax_the_converter_misses_hides_no_statement_of_its_cell(verdict: dict[str, Any]) -> None:
    """MEDIUM: IPython runs `x = \\` then `%time 1` (an escape on a continued line); the gate's text does not parse,
    and the os.system two lines above it, in the same cell, reached no bandit check."""
    text = SAMPLES["nb/unhandled_in_cell.ipynb"]
    assert ("bandit/B605", _line_of(text, "os.system")) in _findings(verdict, "nb/unhandled_in_cell.ipynb")


# -- 3. %load_ext ---------------------------------------------------------------------------------------------------

def test_after_an_unknown_extension_no_magic_is_trusted(verdict: dict[str, Any]) -> None:
    """MEDIUM: an extension loaded with `%load_ext` may register `%matplotlib` or `%%bash` as its own (a magic of the
    same name replaces IPython's); the gate read `%matplotlib os.system(...)` as `pass` and the `%%bash` cell as
    shell, so neither os.system reached a code scanner."""
    text = SAMPLES["nb/load_ext.ipynb"]
    lines = {line for rule, line in _findings(verdict, "nb/load_ext.ipynb", "bandit/") if rule == "bandit/B605"}
    assert lines == {_line_of(text, "%matplotlib"), _line_of(text, '"os.system(input())')}, \
        _findings(verdict, "nb/load_ext.ipynb")


def test_a_known_extension_keeps_magics_as_they_are(verdict: dict[str, Any]) -> None:
    """Control: `%load_ext autoreload` registers only `%autoreload` / `%aimport`; `%%bash` stays shell (left out, no
    parse error) and the Python cell is read."""
    text = SAMPLES["nb/load_ext_known.ipynb"]
    found = _findings(verdict, "nb/load_ext_known.ipynb")
    assert ("bandit/B605", _line_of(text, "os.system")) in found
    assert not [rule for rule, _line in found if rule.startswith("scan/")], found


# -- 4. profilers' code magics --------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["nb/lprun.ipynb", "nb/mprun.ipynb"])
def test_profiler_magics_run_their_statement(verdict: dict[str, Any], path: str) -> None:
    """LOW: `%lprun -f FUNC STMT` and `%mprun -f FUNC STMT` run STMT (line_profiler, memory_profiler); `-f`'s value
    was read as the start of the code, which then did not parse: `pass`."""
    text = SAMPLES[path]
    assert ("bandit/B605", _line_of(text, "run -f")) in _findings(verdict, path, "bandit/"), _findings(verdict, path)


# -- 5. nbformat 3 ----------------------------------------------------------------------------------------------------

def test_nbformat_3_worksheets_are_read_beside_an_empty_cells_list(verdict: dict[str, Any]) -> None:
    """LOW: nbformat's v3 reader upgrades the worksheets and ignores a top-level `cells`; the gate read `cells` (empty)
    and nothing else."""
    text = SAMPLES["nb/v3_empty_cells.ipynb"]
    assert ("bandit/B605", _line_of(text, "os.system")) in _findings(verdict, "nb/v3_empty_cells.ipynb")


# -- cost -------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("unit", ["def f(:\n", "x = 1\ny(\n", "@d\n", "else:\n", "x = \\\n%time 1\n",
                                  "if x:\n  y\n z\n", "(" * 150 + ")" * 150 + "\n"])
def test_reading_cells_statement_by_statement_costs_linear_time(unit: str) -> None:
    """A cell of thousands of broken statements costs time linear in its size (each statement is parsed a bounded
    number of times; past a budget, the rest of a broken cell is left out whole)."""
    def cost(size: int) -> float:
        source = (unit * (size // len(unit) + 1))[:size]
        text = _nb(source, "x = 1\n", source).encode()
        start = time.perf_counter()
        embedded_code(".ipynb", text, whole=True)
        return time.perf_counter() - start

    cost(5_000)  # warm up
    small = max(cost(20_000), 1e-3)
    assert cost(200_000) / small < 30


# -- 6. SoS ------------------------------------------------------------------------------------------------------------

def test_an_sos_notebooks_python_cells_are_read() -> None:
    """LOW: `kernelspec.name: sos` says no Python, so the gate read nothing; SoS runs a cell without a `kernel` in
    SoS itself (Python 3) and one with `kernel: Python3` in the python3 kernel. An R cell stays out (noted)."""
    def cell(source: str, kernel: str | None) -> dict[str, Any]:
        return {"cell_type": "code", "execution_count": 1, "metadata": {} if kernel is None else {"kernel": kernel},
                "outputs": [], "source": source.splitlines(keepends=True)}

    document = {"cells": [cell("import os\nos.system(input())\n", None), cell("x <- system(readline())\n", "R"),
                          cell("import subprocess\nsubprocess.call(cmd, shell=True)\n", "Python3")],
                "metadata": {"kernelspec": {"display_name": "SoS", "language": "sos", "name": "sos"},
                             "language_info": {"name": "sos"},
                             "sos": {"kernels": [["Python3", "python3", "Python3", "#FFD91A"], ["R", "ir", "R", ""],
                                                 ["SoS", "sos", "", ""]]}},
                "nbformat": 4, "nbformat_minor": 5}
    found = embedded_code(".ipynb", json.dumps(document, indent=1).encode(), whole=True)
    assert found is not None
    assert "os.system(input())" in found.text and "subprocess.call(cmd, shell=True)" in found.text
    assert "readline" not in found.text and "R" in found.left_out and not found.unread
