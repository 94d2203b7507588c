"""code_text.TextRegions: how far a comment, a multi-line string or markup begun on an earlier line reaches into each
line — from a file's first line, and from a hunk that starts inside the file, where a delimiter may be a closer."""

from __future__ import annotations

import time

import pytest

from gatekeeper.scan.code_text import MAX_LEXED_LINE, TextRegions, syntax_of


def _text_lines(path: str, text: str, first: int = 1) -> list[int]:
    """The 1-based numbers (from `first`) of the lines that start inside a region carried from an earlier line."""
    lines = text.removesuffix("\n").split("\n")
    syntax = syntax_of(path)
    assert syntax is not None
    regions = TextRegions(list(range(first, first + len(lines))), lines, syntax)
    return [first + i for i in range(len(lines)) if regions.until(i) > 0]


@pytest.mark.parametrize(("path", "text", "inside"), [
    ("a.ts", "const c = `\nservices:\n  db: x\n`;\nconst y = 1;\n", [2, 3, 4]),
    ("a.ts", "let a = 1; /* a\n  b: c\n*/ let d = 2;\nlet e = 3;\n", [2, 3]),
    ("a.ts", 'const g = "src/**/*.ts";\nconst h = 1;\n', []),  # a comment opener inside a string opens nothing
    ("a.ts", "const s = 'it\\'s /* not';\nconst t = 1;\n", []),
    ("a.ts", "const u = `a ${b} \\` c`;\nconst v = 1;\n", []),
    ("a.vue", "<template>\n  <p>x: y</p>\n</template>\n<script setup>\nconst a = 1;\n</script>\n<style>\n</style>\n",
     [1, 2, 3, 4, 7, 8]),
    ("a.py", 'def f():\n    """Doc.\n    x: y\n    """\n    z = 1\n', [3, 4]),
    ("a.py", "q = '''\na: b\n'''\n# '''\nr = 1\n", [2, 3]),
    ("main.go", "const env = `\nA: b\n`\nvar c = 1\n", [2, 3]),
    ("Seed.kt", 'val y = """\n    a: b\n""".trimIndent()\nval c = 1\n', [2, 3]),
    ("s.ps1", '$e = @"\nA=b\n"@\n<# c\nd #> $f = 1\n$g = 1\n', [2, 3, 5]),
])
def test_regions_from_the_first_line(path: str, text: str, inside: list[int]) -> None:
    assert _text_lines(path, text) == inside


@pytest.mark.parametrize(("path", "text", "inside"), [
    # A closer first on its line: the hunk began inside the string; after it, code.
    ("a.ts", "  more text\n`;\nconst a = { password: b };\n", [2]),
    # A lone delimiter may open or close: multi-line strings are not tracked in this hunk.
    ("a.ts", "  text\n`\nconst a = 1;\nconst t = `\n  x: y\n`\n", []),
    ("a.py", '    """\n    x: y\n    """\n    z = 1\n', []),
    # After an operator a delimiter only opens; a block comment opener is one anywhere.
    ("a.ts", "const t = `\n  x: y\n`;\nlet z = 1; /*\n  w\n*/\n", [2, 3, 5, 6]),
    ("a.py", 'def f():\n    """Doc.\n    x: y\n    """\n', [3, 4]),
    # A Vue component's <template> after the <script> the hunk began in.
    ("a.vue", "  const a = 1;\n</script>\n<template>\n  x: y\n</template>\n", [3, 4, 5]),
    ("a.vue", "const a = 1;\n<template v-if>\n  x: y\n", [2, 3]),
    ("s.ps1", 'A=b\n"@\n$c = 1\n', [2]),
])
def test_regions_in_a_hunk_that_starts_inside_the_file(path: str, text: str, inside: list[int]) -> None:
    assert _text_lines(path, text, first=40) == [40 + n - 1 for n in inside]


def test_a_new_run_of_lines_starts_afresh() -> None:
    """Two hunks of one file: the second starts where its own lines say, not where the first ended."""
    lines = ["const t = `", "  x: y", "const a = 1;"]
    syntax = syntax_of("a.ts")
    assert syntax is not None
    regions = TextRegions([1, 2, 30], lines, syntax)
    assert [regions.until(i) > 0 for i in range(3)] == [False, True, False]


def test_files_that_are_not_lexed() -> None:
    assert syntax_of("config.yml") is None and syntax_of("README.md") is None and syntax_of(None) is None


def test_a_minified_line_is_not_lexed_and_leaves_code() -> None:
    lines = ["var a=`" + "x" * MAX_LEXED_LINE, "password: b"]
    syntax = syntax_of("bundle.js")
    assert syntax is not None
    assert TextRegions([1, 2], lines, syntax).until(1) == 0


def test_lexing_costs_linear_time() -> None:
    """Lines dense with quotes, comment openers and escapes: 10x the lines, about 10x the time."""
    syntax = syntax_of("a.ts")
    assert syntax is not None
    unit = "'\\'' \"\\\"\" /* */ `\\`` "

    def cost(count: int) -> float:
        lines = [unit * 100] * count
        regions = TextRegions(list(range(1, count + 1)), lines, syntax)
        start = time.perf_counter()
        regions.until(count - 1)
        return time.perf_counter() - start

    assert cost(2000) / cost(200) < 30 or cost(2000) / cost(200) < 30
