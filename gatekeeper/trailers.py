"""Commit trailers exactly as git reads them for a commit (`git log --format=%(trailers:only,unfold)`).

Pure Python, one pass per message, no subprocess. The rules are git's own (trailer.c, commit.c's
`ignore_non_trailer`, pretty.c), followed step by step so the two agree on every message:
- the message starts at its first non-blank line (pretty.c skips leading blank lines before %(trailers));
- a `---` line is *not* a patch divider in a commit message (%(trailers) parses with `no_divider`);
- everything from a `# ------------------------ >8 ------------------------` scissors line on is ignored;
- a trailing run of comment lines (`#`), empty lines and an old `Conflicts:` block (tab-indented paths)
  is ignored — note that a line holding only spaces or a CR is *not* empty for this step;
- the title paragraph (up to the first blank line, comment lines skipped) never holds trailers;
- scanning back from the end, whitespace-only lines (space, tab, CR) count as blank: trailing ones are
  skipped, the first other one ends the candidate block;
- the block counts when it has trailers and no non-trailer lines, or when it holds a git-generated line
  (`Signed-off-by: `, `(cherry picked from commit `, both case-sensitive) and trailers make up at least
  25 % of it; comment lines inside it are skipped, indented lines are continuations;
- a trailer line is `token[ \\t]*:value`, the token ASCII letters, digits and `-`; continuation lines are
  folded into the previous trailer (each newline and the whitespace after it become one space);
- git's whitespace is exactly space, tab, CR and LF (not form feed, not Unicode spaces), and git stops
  reading the message at a NUL byte.
Keys compare case-insensitively (Trailer.name).
"""

from __future__ import annotations

from gatekeeper.lazy_regex import lazy
from gatekeeper.models import Trailer

WHITESPACE = " \t\r\n"  # git's isspace() (sane_ctype): no \v, no \f
_SEPARATOR = lazy(r"([A-Za-z0-9-]+)[ \t]*:")
_GIT_GENERATED = ("Signed-off-by: ", "(cherry picked from commit ")
_FOLD = lazy(r"\n[ \t\r\n]*")
_SCISSORS = " ------------------------ >8 ------------------------"


def _blank(line: str) -> bool:
    return not line.strip(WHITESPACE)


def message_lines(message: str) -> tuple[list[str], bool]:
    """The message as git's trailer code sees its lines (cut at a NUL, leading blank lines dropped, the
    empty string after a final newline not counted as a line), and whether the last line ends in LF."""
    nul = message.find("\x00")
    if nul >= 0:
        message = message[:nul]
    lines = message.split("\n")
    terminated = lines[-1] == ""
    if terminated:
        lines.pop()
    first = 0
    while first < len(lines) and _blank(lines[first]):
        first += 1
    return (lines[first:] if first else lines), terminated


def trailer_block(lines: list[str], terminated: bool = True, comment: str = "#") -> tuple[int, int]:
    """Start and end (line indexes, end exclusive) of the trailer block; start == end when there is none.

    `terminated`: whether the last line ends with a newline (git matches "Conflicts:\n" and the
    scissors line only with their newline)."""
    last = len(lines) - 1 if not terminated else len(lines)  # index of an unterminated last line
    # wt_status_locate_end: a scissors line (`git commit -v`) ends the message.
    scissors = comment + _SCISSORS
    cut = len(lines)
    for index, line in enumerate(lines):
        if line == scissors and index != last:
            cut = index
            break
    # ignore_non_trailer: the trailing run of comments, empty lines and an old "Conflicts:" block.
    boc = 0  # like git, a run that begins on the very first line (offset 0) is not remembered
    in_conflicts = False
    for index in range(cut):
        line = lines[index]
        if line.startswith(comment) or line == "":
            if not boc:
                boc = index
        elif line == "Conflicts:" and index != last:  # "Conflicts:\n", exactly
            in_conflicts = True
            if not boc:
                boc = index
        elif in_conflicts and line.startswith("\t"):
            pass
        elif boc:
            boc = 0
            in_conflicts = False
    end = boc or cut

    # find_trailer_start: the title paragraph first (comment lines skipped), then back from the end.
    title_end = 0
    while title_end < end:
        line = lines[title_end]
        if not line.startswith(comment) and _blank(line):
            break
        title_end += 1
    only_spaces = True
    recognized = False
    trailer_lines = non_trailer_lines = continuations = 0
    for index in range(end - 1, title_end - 1, -1):
        line = lines[index]
        if line.startswith(comment):
            non_trailer_lines += continuations
            continuations = 0
            continue
        if _blank(line):
            if only_spaces:
                continue
            non_trailer_lines += continuations
            if (recognized and trailer_lines * 3 >= non_trailer_lines) or (trailer_lines and not non_trailer_lines):
                return index + 1, end
            return end, end
        only_spaces = False
        if line.startswith(_GIT_GENERATED):
            trailer_lines += 1
            continuations = 0
            recognized = True
        elif _SEPARATOR.match(line):
            trailer_lines += 1
            continuations = 0
        elif line[0] in WHITESPACE:
            continuations += 1
        else:
            non_trailer_lines += 1 + continuations
            continuations = 0
    return end, end


def parse_trailers(message: str, comment: str = "#") -> tuple[Trailer, ...]:
    """The trailers git reads from a commit message, in order, continuation lines folded."""
    if ":" not in message:
        return ()  # fast path: every trailer has a separator
    lines, terminated = message_lines(message)
    start, end = trailer_block(lines, terminated, comment)
    if start == end:
        return ()
    entries: list[list[str]] = []
    last_is_trailer = False
    for line in lines[start:end]:
        if last_is_trailer and (not line or line[0] in WHITESPACE):
            entries[-1].append(line)
            continue
        entries.append([line])
        last_is_trailer = _SEPARATOR.match(line) is not None
    found: list[Trailer] = []
    for entry in entries:
        match = _SEPARATOR.match(entry[0])
        if match is None:
            continue  # comment lines, `(cherry picked from commit ...)`, prose inside a 25 % block
        value = "\n".join(entry)[match.end():]
        if len(entry) > 1:
            value = _FOLD.sub(" ", value)
        found.append(Trailer(match.group(1), value.strip(WHITESPACE)))
    return tuple(found)


_IDENT = lazy(r"\A[ \t]*(?P<name>[^<>]*?)[ \t]*<[ \t]*(?P<email>[^<>\s]*)[ \t]*>")


def parse_ident(value: str) -> tuple[str, str] | None:
    """`Name <email>` of a Signed-off-by / Co-authored-by value, tolerant of what people really write:
    runs of spaces, spaces inside the angle brackets, and anything after them (`(github: user)`,
    `[backport]`). The name has its whitespace collapsed; the e-mail is lower-cased. None without `<…>`."""
    match = _IDENT.match(value)
    if match is None or not match.group("email"):
        return None
    return " ".join(match.group("name").split()), match.group("email").lower()
