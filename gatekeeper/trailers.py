"""Commit trailers parsed by git's own rules, in pure Python (no subprocess per commit).

Rules followed (git's trailer.c): only the final paragraph can be a trailer block, and never the
title paragraph; the block counts when every line is a trailer or a continuation line, or when it
holds a git-generated trailer (`Signed-off-by:`, `(cherry picked from commit ...)`) and at least
25 % of its lines are trailers; a trailer is `token: value` with the token made of letters, digits
and `-` (whitespace allowed before the colon); continuation lines start with whitespace and are
folded into the previous value with single spaces. Keys compare case-insensitively (Trailer.name).
"""

from __future__ import annotations

import re

from gatekeeper.models import Trailer

_TOKEN = re.compile(r"^([A-Za-z0-9-]+)[ \t]*:(.*)$")
_GIT_GENERATED = ("signed-off-by: ", "(cherry picked from commit ")
_DIVIDER = re.compile(r"^---(?:\s|$)")


def _paragraph_bounds(lines: list[str]) -> tuple[int, int] | None:
    """Start and end (exclusive) of the last paragraph, or None when only a title exists."""
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    if end == 0:
        return None
    start = end
    while start > 0 and lines[start - 1].strip():
        start -= 1
    # The title paragraph (the first non-blank run) cannot hold trailers.
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if start <= first:
        return None
    return start, end


def _message_body(message: str) -> list[str]:
    lines = message.split("\n")
    # git stops at a `---` divider line (patch-style messages) when it follows the title.
    for i, line in enumerate(lines[1:], start=1):
        if _DIVIDER.match(line):
            return lines[:i]
    return lines


def parse_trailers(message: str) -> tuple[Trailer, ...]:
    tail = message.rstrip()
    cut = tail.rfind("\n\n")
    if cut < 0 or ":" not in tail[cut:]:
        return ()  # fast path: no colon in the final paragraph means no trailer block
    lines = _message_body(message.replace("\r\n", "\n"))
    bounds = _paragraph_bounds(lines)
    if bounds is None:
        return ()
    start, end = bounds
    block = lines[start:end]
    trailers: list[list[str]] = []
    trailer_lines = 0
    non_trailer = 0
    git_generated = False
    for line in block:
        if line[:1] in (" ", "\t"):
            if trailers:
                trailers[-1][1] += " " + line.strip()
                continue
            non_trailer += 1
            continue
        if any(line.lower().startswith(g) for g in _GIT_GENERATED):
            git_generated = True
        match = _TOKEN.match(line)
        if match:
            trailer_lines += 1
            trailers.append([match.group(1), match.group(2).strip()])
        else:
            non_trailer += 1
            # A non-trailer line ends the previous trailer: its continuation cannot follow.
            trailers.append(["", ""])
    total = trailer_lines + non_trailer
    if trailer_lines == 0:
        return ()
    if non_trailer and not (git_generated and trailer_lines * 4 >= total):
        return ()
    return tuple(Trailer(key, value) for key, value in trailers if key)
