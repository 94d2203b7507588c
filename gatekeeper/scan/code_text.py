"""Where a source file's lines are text, not code, because of what began on an earlier line (red113).

The secrets detector reads an unquoted value after a name as code in a language where such a value is never a string
(`password: pw`, `api_key=key`), but only where the line is code. A line shows by itself whether a name sits in a
string or a comment that opens on it; not whether it lies inside one that began on an earlier line: a YAML document
in a template literal, a block comment without leading `*`, a Vue component's `<template>`, a Python docstring, a
PowerShell here-string, a Rust, C# verbatim or C++ raw string. `TextRegions` lexes a file's lines just enough to say,
for each line, how far into it such a region reaches (`until`) — and just enough not to be fooled by what only looks
like a delimiter: a JavaScript regex literal holding a backtick, a quote or `/*`, a template literal nested in
another's `${…}`, a Rust lifetime (`'a`), a doubled quote in a C# verbatim string (lexgaps).

Lines come as runs of consecutive numbers (the lines a commit added). A run that starts at line 1 is lexed from a known
state. One that starts further in is not: a delimiter there may close what began above the hunk, so the run takes an
opener only where it cannot be a closer, and where it cannot tell it stops tracking that kind of string — code, what
the detector assumed before — and says so (`uncertain`): the caller may then hand in the whole file (FileContext),
which is lexed from its first line instead (red113: a hunk of a Python module's EXAMPLES string). Each line is lexed at
most once, lazily up to the last line asked about; a line longer than MAX_LEXED_LINE (minified code) is not lexed and
leaves code after it. Linear in the text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from gatekeeper.lazy_regex import lazy

MAX_LEXED_LINE = 20_000


@dataclass(frozen=True, slots=True)
class RawString:
    """A string whose closer depends on its opener (Rust `r#"…"#`, C++ `R"x(…)x"`) or that may span lines where the
    language's other strings do not (a Rust `"…"`, a C# `@"…"`): `opener` is a regex whose first group, if any, goes
    into `closer` in place of `{}`; `escape` is what escapes the closer inside ("\\": a backslash, '"': the closer
    doubled, "": nothing). `plain`: the opener is the language's everyday quote, which a run that starts inside a file
    cannot tell from a closer; there it is read as a string that ends with its line, as before (TextRegions)."""

    opener: str
    closer: str
    escape: str = ""
    plain: bool = False


@dataclass(frozen=True, slots=True)
class Syntax:
    """The delimiters of one family of languages, as far as text regions go."""

    name: str
    line_comment: tuple[str, ...] = ()
    block: tuple[str, str] | None = None  # opener, closer
    quotes: str = "\"'"  # single-line strings
    multi: tuple[str, ...] = ()  # multi-line strings: the same delimiter opens and closes
    multi_escapes: bool = True  # a backslash escapes inside a multi-line string (not in Go's raw strings)
    quote_escapes: bool = True  # a backslash escapes inside a single-line string (not in PowerShell)
    here_strings: bool = False  # PowerShell's @" … "@ and @' … '@
    markup: bool = False  # Vue / Svelte: code only inside <script> … </script>
    raw: tuple[RawString, ...] = ()  # strings with their own closers (RawString)
    char_literal: str = ""  # a regex: where a quote in `quotes` is not one, only this whole token is (Rust's 'a')
    regex_literals: bool = False  # JavaScript: `/…/` after an operator is a regex, whatever quotes it holds
    templates: bool = False  # JavaScript: `${ … }` in a template literal is code, and may hold templates itself

    @functools.cache  # noqa: B019 - a handful of module-level instances, compiled once each
    def token(self) -> re.Pattern[str]:
        """What the lexer stops at in code: comment openers, string delimiters, `</script>`, a here-string's start,
        a raw string's opener (group `raw<n>`), a char literal (group `char`), a `/` that may start a regex, a brace
        that may end a template literal's `${`."""
        parts = [re.escape(t) for t in sorted((*self.line_comment, *(self.block[:1] if self.block else ()),
                                                *self.multi), key=len, reverse=True)]
        if self.here_strings:
            parts.insert(0, r"@[\"'][ \t]*\Z")
        if self.markup:
            parts.insert(0, r"(?i:</script\b)")
        parts[:0] = [f"(?P<raw{n}>{raw.opener})" for n, raw in enumerate(self.raw)]
        if self.char_literal:
            parts.insert(0, f"(?P<char>{self.char_literal})")
        if self.quotes:
            parts.append("[" + re.escape(self.quotes) + "]")
        if self.regex_literals:
            parts.append("/")
        if self.templates:
            parts.append("[{}]")
        return re.compile("|".join(parts))


_JS = Syntax("javascript", ("//",), ("/*", "*/"), "\"'", ("`",), regex_literals=True, templates=True)
_MARKUP = Syntax("markup", ("//",), ("/*", "*/"), "\"'", ("`",), markup=True, regex_literals=True, templates=True)
_PYTHON = Syntax("python", ("#",), None, "\"'", ('"""', "'''"))
_GO = Syntax("go", ("//",), ("/*", "*/"), "\"'", ("`",), multi_escapes=False)
_TEXT_BLOCKS = Syntax("c-text-blocks", ("//",), ("/*", "*/"), "\"'", ('"""', "'''"))  # Kotlin, Java, Swift, Dart…
# C#: a raw string literal `"""…"""` (no escapes), a verbatim string `@"…"` (also interpolated, `$@"` or `@$"`) that
# may span lines and escapes its quote by doubling it.
_CSHARP = Syntax("csharp", ("//",), ("/*", "*/"), "\"'", ('"""',), multi_escapes=False,
                 raw=(RawString(r"\$*@\$*\"", '"', '"'),))
# C and C++: a C++11 raw string `R"delim(…)delim"` (with an encoding prefix or not) may span lines.
_C = Syntax("c", ("//",), ("/*", "*/"), "\"'",
            raw=(RawString(r'(?<![\w])(?:u8|[uUL])?R"([^()\\\s"]{0,16})\(', '){}"'),))
# Rust: every string may span lines — a raw one `r#"…"#` (bytes `br#"…"#`) closes at its quote and as many `#`, a
# plain one `"…"` (`b"…"`) at an unescaped quote; a quote is a char literal only as a whole one (`'x'`, `'\''`,
# `'\u{1F600}'`), else it starts a lifetime or a label (`&'a str`, `'outer:`).
_RUST = Syntax("rust", ("//",), ("/*", "*/"), "",
               raw=(RawString(r'(?<![\w])b?r(#*)"', '"{}'), RawString('"', '"', "\\", plain=True)),
               char_literal=r"'(?:[^'\\\n]|\\(?:u\{[0-9A-Fa-f]{1,6}\}|x[0-9A-Fa-f]{2}|.))'")
_POWERSHELL = Syntax("powershell", ("#",), ("<#", "#>"), "\"'", quote_escapes=False, here_strings=True)

_BY_EXTENSION = (
    (re.compile(r"\.[cm]?[jt]sx?\Z"), _JS),
    (re.compile(r"\.(?:vue|svelte)\Z"), _MARKUP),
    (re.compile(r"\.pyw?\Z|\.pyi\Z"), _PYTHON),
    (re.compile(r"\.go\Z"), _GO),
    (re.compile(r"\.(?:java|kts?|scala|groovy|gradle|swift|dart)\Z"), _TEXT_BLOCKS),
    (re.compile(r"\.cs\Z"), _CSHARP),
    (re.compile(r"\.rs\Z"), _RUST),
    (re.compile(r"\.(?:c|cc|cpp|cxx|h|hh|hpp|m|mm)\Z"), _C),
    (re.compile(r"\.ps[md]?1\Z", re.IGNORECASE), _POWERSHELL),
)


def syntax_of(path: str | None) -> Syntax | None:
    """The syntax family of a file by its name, or None (a data file, prose, a language not lexed here)."""
    if path is None:
        return None
    return next((syntax for pattern, syntax in _BY_EXTENSION if pattern.search(path)), None)


# What a run that starts inside a file can tell about a multi-line delimiter: after `=`, `(`, `,`, `:`, `[`, `{`, `+`,
# `return` or a template's tag (`html`, `sql`, a string prefix `f`, `r`, `b`) it opens; first on its line and
# followed by `)`, `;`, `,`, `.`, `]` or `}`, it closes (`` `; ``, `""")`, `` `.trim() ``); first on its line and
# followed by text, a Python docstring opens. Alone on its line it may do either: the run then leaves multi-line
# strings alone.
_OPENS_AFTER = lazy(r"(?:[=(,:\[{+]|\breturn|\byield)[ \t]*(?:[A-Za-z_$][\w$.]*|[rbuf]{1,2})?[ \t]*\Z", re.I)
_CLOSES_BEFORE = lazy(r"[ \t]*[);,.\]}]")
_SCRIPT_OPEN = lazy(r"<script\b[^>]*>|<script\b[^>]*\Z", re.IGNORECASE)
_MARKUP_BLOCK = lazy(r"<(?:template|style)\b", re.IGNORECASE)

_CODE, _BLOCK, _MULTI, _HERE, _OUTSIDE = range(5)  # where a line starts: code, a comment, a string, markup
_IN_CODE = (_CODE, "", "")  # a state: where a line starts, the closer it waits for, what escapes that closer
# A `/` in JavaScript starts a regex literal where a value cannot end: at the line's start, after an operator or an
# opening bracket, after `=>` or a keyword (`return /x/`); after a name, a number or a closing bracket it divides. (Not
# after `<`: `</div>` in JSX.)
_REGEX_AFTER = lazy(r"(?:\A|[(,=:\[!&|?{};+\-*%~^]|=>|\b(?:return|typeof|case|do|else|in|of|new|delete|void"
                          r"|throw|yield|await|instanceof))[ \t]*\Z")
_BACK = 80  # how far back before a delimiter its context is read (a keyword, an operator and the spaces after it)
_TEMPLATE_STOP = lazy(r"`|\$\{")  # where a template literal's text ends: its closer, or an expression
_MAX_NESTING = 64  # template literals in `${…}` in template literals…


@dataclass(slots=True)
class FileContext:
    """The whole file a run of added lines belongs to (the version they were added to), and whether a judgment on those
    lines asked for it. Passed to the detector, which sets `wanted` when a hunk's start left it unsure (the caller may
    then read the file and scan again with `lines`); not domain data, a question and its answer."""

    lines: Sequence[str] | None = None
    wanted: bool = field(default=False)


class TextRegions:
    """For each line of a file (or of a commit's added lines), the column up to which it continues a comment, a
    multi-line string or markup begun on an earlier line: 0 where the line starts as code."""

    def __init__(self, numbers: Sequence[int], texts: Sequence[str], syntax: Syntax,
                 whole: Sequence[str] | None = None) -> None:
        self._numbers = numbers
        self._texts = texts
        self._syntax = syntax
        self._token = syntax.token()
        self._until: list[int] = []
        self._known: list[bool] = []  # whether each line's answer rests on a known state
        self._state = _IN_CODE
        self._braces: list[int] = []  # per `${` of a template literal open here, the `{` opened in it since
        self._certain = True  # the state is known (the run started at line 1, or a delimiter told)
        self._no_multi = False  # a run that could not tell an opener from a closer: multi-line strings not tracked
        # The whole file, lexed from its first line instead, when it holds the given lines where they say they are.
        self._whole = whole if whole is not None and self._holds(whole) else None
        self.uncertain = False  # an answer was given for a line whose state was not known

    def until(self, index: int) -> int:
        """Line `index` (0-based in the texts given) is text up to this column (0: none of it; past its end: all)."""
        if self._whole is not None:
            return self._lex(self._whole, [1], self._numbers[index] - 1)
        answer = self._lex(self._texts, self._numbers, index)
        if not self._known[index]:
            self.uncertain = True
        return answer

    def _holds(self, whole: Sequence[str]) -> bool:
        return all(number <= len(whole) and whole[number - 1].rstrip("\r") == text
                   for number, text in zip(self._numbers, self._texts, strict=True))

    def _lex(self, texts: Sequence[str], numbers: Sequence[int], index: int) -> int:
        """Lex `texts` up to line `index`; a line whose number does not follow the one before starts a run (with
        `numbers` of one element, [1], all of `texts` is one run from line 1)."""
        while len(self._until) <= index:
            at = len(self._until)
            if at == 0 or (len(numbers) > 1 and numbers[at] != numbers[at - 1] + 1):
                self._start_run(numbers[at] == 1)
            text = texts[at]
            if len(text) > MAX_LEXED_LINE:
                self._until.append(0)
                self._known.append(False)
                self._state, self._certain, self._braces = _IN_CODE, False, []
                continue
            self._until.append(self._line(text))
            self._known.append(self._certain)
        return self._until[index]

    def _start_run(self, at_start: bool) -> None:
        self._state = (_OUTSIDE, "", "") if self._syntax.markup and at_start else _IN_CODE
        self._certain = at_start
        self._no_multi = False
        self._braces = []

    def _line(self, text: str) -> int:
        """Lex one line from the current state; returns how far the carried region reaches into it."""
        kind, closer, escape = self._state
        everything = len(text) + 1
        self._state = _IN_CODE
        if kind == _BLOCK:
            end = text.find(closer)
            if end < 0:
                self._state = (kind, closer, escape)
                return everything
            pos = end + len(closer)
        elif kind == _MULTI:
            pos = self._string(text, 0, closer, escape)
            if pos < 0:
                self._state = (kind, closer, escape)
                return everything
        elif kind == _HERE:
            if not text.startswith(closer):
                self._state = (kind, closer, escape)
                return everything
            pos = len(closer)
        elif kind == _OUTSIDE:
            found = _SCRIPT_OPEN.search(text)
            if found is None:
                self._state = (kind, closer, escape)
                return everything
            pos = found.end()
        else:
            pos = 0
        return max(pos, self._code(text, pos))

    def _code(self, text: str, pos: int) -> int:
        """Lex the rest of a line that is code from `pos`; leaves the state the next line starts in. Returns where a
        region the run began in, seen only now, ends on this line (0: none)."""
        syntax = self._syntax
        until = 0
        regex_possible = syntax.regex_literals  # until a `/` on this line fails to close as a regex
        if not self._certain and syntax.here_strings and text.startswith(('"@', "'@")):
            self._certain = True  # the end of a here-string the run started in
            pos = until = 2
        if not self._certain and syntax.markup and _MARKUP_BLOCK.match(text):
            self._state = (_OUTSIDE, "", "")  # a component's <template> or <style> after the <script> the run began in
            self._certain = True
            return len(text) + 1
        while True:
            found = self._token.search(text, pos)
            if found is None:
                return until
            lexeme = found.group(0)
            pos = found.end()
            group = found.lastgroup
            if group == "char":
                continue  # a whole char literal (Rust): its quote opens nothing
            if group is not None and group.startswith("raw"):
                raw = syntax.raw[int(group[3:])]
                closer = raw.closer.replace("{}", found.group(found.re.groupindex[group] + 1) or "") \
                    if "{}" in raw.closer else raw.closer
                if not self._certain and (raw.plain or _OPENS_AFTER.search(text, max(0, found.start() - _BACK),
                                                                           found.start()) is None):
                    # Inside a file, the everyday quote may close what began above: a string ending with its line.
                    end = self._string(text, pos, closer, raw.escape)
                    if end < 0:
                        self._state = _IN_CODE
                        return until
                    pos = end
                    continue
                self._certain = True
                pos = self._string(text, pos, closer, raw.escape)
                if pos < 0:
                    self._state = (_MULTI, closer, raw.escape)
                    return until
                continue
            if lexeme.lower().startswith("</script"):
                self._state = (_OUTSIDE, "", "")
                self._certain = True
                return until
            if lexeme in syntax.line_comment:
                return until
            if syntax.block is not None and lexeme == syntax.block[0]:
                end = text.find(syntax.block[1], pos)
                if end < 0:
                    self._state = (_BLOCK, syntax.block[1], "")
                    return until
                pos = end + len(syntax.block[1])
                continue
            if lexeme.startswith("@"):
                self._state = (_HERE, lexeme[1] + "@", "")
                self._certain = True
                return until
            if lexeme == "/":
                if regex_possible and _REGEX_AFTER.search(text, max(0, found.start() - _BACK),
                                                          found.start()) is not None:
                    end = _regex_end(text, pos)
                    if end < 0:
                        regex_possible = False  # (no regex closes on this line: each `/` from here on divides)
                    else:
                        pos = end
                continue
            if lexeme in "{}":
                if self._braces:
                    if lexeme == "{":
                        self._braces[-1] += 1
                    elif self._braces[-1]:
                        self._braces[-1] -= 1
                    else:  # the end of a template literal's `${`: its text goes on
                        self._braces.pop()
                        pos = self._string(text, pos, "`", "\\")
                        if pos < 0:
                            self._state = (_MULTI, "`", "\\")
                            return until
                continue
            if lexeme in syntax.multi:
                if self._no_multi:
                    continue
                if not self._certain:
                    before = text[:found.start()]
                    if _OPENS_AFTER.search(before) is None:
                        if before.strip() == "" and _CLOSES_BEFORE.match(text, pos) is not None:
                            self._certain = True  # a closer: the run began inside this string
                            until = pos
                            continue
                        if not (syntax is _PYTHON and before.strip() == "" and text[pos:].strip()):
                            self._no_multi = True  # cannot tell: leave multi-line strings alone in this run
                            continue
                    self._certain = True  # an opener: after an operator, or a docstring's first line
                escape = "\\" if syntax.multi_escapes else ""
                pos = self._string(text, pos, lexeme, escape)
                if pos < 0:
                    self._state = (_MULTI, lexeme, escape)
                    return until
                continue
            end = _close(text, pos, lexeme, "\\" if syntax.quote_escapes else "")  # a single-line string
            if end < 0:
                return until
            pos = end

    def _string(self, text: str, pos: int, closer: str, escape: str) -> int:
        """Where the string that `closer` closes ends on this line (after it), or -1; a JavaScript template literal's
        text also ends at a `${`, after which the line is code up to its matching `}` (the nesting kept in
        `_braces`, across lines)."""
        if closer != "`" or not self._syntax.templates:
            return _close(text, pos, closer, escape)
        for stop in _TEMPLATE_STOP.finditer(text, pos):
            if _escaped(text, pos, stop.start()):
                continue
            if stop.group() == "`":
                return stop.end()
            if len(self._braces) < _MAX_NESTING:  # (past that, a pathological nesting is read as one string)
                self._braces.append(0)
                return stop.end()
        return -1


def _escaped(text: str, pos: int, at: int) -> bool:
    """Whether the character at `at` follows an odd number of backslashes (counted back to `pos`)."""
    slashes = 0
    while at - slashes > pos and text[at - slashes - 1] == "\\":
        slashes += 1
    return slashes % 2 == 1


def _close(text: str, pos: int, delimiter: str, escape: str) -> int:
    """Where the string that `delimiter` closes ends on this line (after the delimiter), or -1. `escape`: "\\" (a
    backslash escapes the delimiter), the delimiter itself (doubled, it is one character of the string: C#'s `@"…""…"`)
    or "" (nothing does)."""
    while True:
        at = text.find(delimiter, pos)
        if at < 0:
            return -1
        if escape == "\\" and _escaped(text, pos, at):
            pos = at + 1
            continue
        if escape and escape == delimiter and text.startswith(delimiter, at + len(delimiter)):
            pos = at + 2 * len(delimiter)
            continue
        return at + len(delimiter)


def _regex_end(text: str, pos: int) -> int:
    """Where a JavaScript regex literal whose body starts at `pos` ends on this line (after its closing `/`), or -1:
    a `/` inside a character class or after a backslash does not close it."""
    in_class = False
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            return pos + 1
        pos += 1
    return -1


# A Rust unit-test module written in its file (`#[cfg(test)]` and `mod tests {`), as rustfmt lays it out: the attribute
# and the `mod` line at one indentation, its body indented further, and its closing brace alone at the same
# indentation (rust_test_lines). Other attributes and comments may sit between the two.
_CFG_TEST = lazy(r"([ \t]*)#\[cfg\(test\)\][ \t]*")
_ATTRIBUTE_OR_COMMENT = lazy(r"[ \t]*(?:#\[[^\n]*\]|//[^\n]*)?[ \t]*")
_TEST_MODULE = lazy(r"([ \t]*)(?:pub(?:\([\w: ]{1,40}\))?[ \t]+)?mod[ \t]+[A-Za-z_]\w{0,80}[ \t]*\{[ \t]*")


def rust_test_lines(lines: Sequence[str]) -> frozenset[int]:
    """The line numbers (1-based) inside a Rust file's in-file test modules (`#[cfg(test)] mod tests { … }`): code
    compiled for the crate's tests only, as a `tests/` directory's is (kanidm's test passwords, sec160). Only a module
    laid out as rustfmt writes it: every non-blank line of its body indented further than its `mod` line, up to a `}`
    alone at that line's indentation. A line of the body at the module's indentation or less (a raw string's text, a
    module closed on a line with other code) ends the reading there: nothing of that module is read as test code.
    `#[cfg(not(test))]`, `#[cfg(all(test, …))]`, a `mod tests;` in its own file and a test function outside a module
    are not read (a file of its own is named by the test globs). Linear in the lines."""
    found: set[int] = set()
    index = 0
    while index < len(lines):
        opened = _CFG_TEST.fullmatch(lines[index].rstrip("\r"))
        index += 1
        if opened is None:
            continue
        indent = opened.group(1)
        while index < len(lines) and _ATTRIBUTE_OR_COMMENT.fullmatch(lines[index].rstrip("\r")) and not (
                lines[index].strip().startswith("#[cfg(test)]")):
            index += 1
        module = _TEST_MODULE.fullmatch(lines[index].rstrip("\r")) if index < len(lines) else None
        if module is None or module.group(1) != indent:
            continue
        body: list[int] = []
        index += 1
        state: _RustState = ("", 0)
        depth = 1  # the module's own `{`
        while index < len(lines):
            text = lines[index].rstrip("\r")
            if text == indent + "}":
                if depth == 1 and state == ("", 0):
                    found.update(body)
                index += 1
                break
            if text.strip() and not (text.startswith(indent) and text[len(indent):len(indent) + 1] in (" ", "\t")):
                break  # a line at the module's indentation or less: not a module laid out as rustfmt writes one
            depth, state = _rust_braces(text, depth, state)
            if depth < 1:
                # The module's brace closed on an indented line (`    }`, `    fn t() {} }`): what follows, however
                # indented, is the crate's own code (red162) — nothing of it is read as test code.
                break
            body.append(index + 1)
            index += 1
    return frozenset(found)


# Where a Rust line ends (rust_test_lines): in code (""), a string ('"'), a raw string ("r", its hashes) or a block
# comment ("*", its nesting).
_RustState = tuple[str, int]
_RUST_RAW_OPEN = lazy(r"(?<![\w])b?r(#*)\"")


def _rust_braces(text: str, depth: int, state: _RustState) -> tuple[int, _RustState]:
    """The brace depth after a Rust line, counting only braces in code (not in a string, a raw string, a character
    literal or a comment), and where the line ends. Stops counting, with the depth below 1, once it falls to 0: a
    module's closing brace. Linear in the line."""
    mode, count = state
    pos, end = 0, len(text)
    while pos < end:
        if mode == '"':
            while pos < end and text[pos] != '"':
                pos += 2 if text[pos] == "\\" else 1
            if pos < end:
                mode, pos = "", pos + 1
            continue
        if mode == "r":
            found = text.find('"' + "#" * count, pos)
            if found < 0:
                return depth, (mode, count)
            mode, count, pos = "", 0, found + 1 + count
            continue
        if mode == "*":
            if text.startswith("/*", pos):
                count, pos = count + 1, pos + 2
            elif text.startswith("*/", pos):
                count, pos = count - 1, pos + 2
                if count == 0:
                    mode = ""
            else:
                pos += 1
            continue
        char = text[pos]
        raw = _RUST_RAW_OPEN.match(text, pos) if char in "br" else None
        if raw is not None:
            mode, count, pos = "r", len(raw.group(1)), raw.end()
        elif text.startswith("//", pos):
            break
        elif text.startswith("/*", pos):
            mode, count, pos = "*", 1, pos + 2
        elif char == '"':
            mode, pos = '"', pos + 1
        elif char == "'":
            # A character literal (`'{'`, `'\u{7d}'`), or a lifetime or label (`'a`), which has no closing quote.
            if text.startswith("\\", pos + 1):
                close = text.find("'", pos + 3)
                pos = close + 1 if close > 0 else end
            else:
                pos += 3 if pos + 2 < end and text[pos + 2] == "'" else 1
        else:
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth < 1:
                    return depth, (mode, count)
            pos += 1
    return depth, (mode, count)
