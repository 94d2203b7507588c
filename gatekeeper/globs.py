"""One translation of gitignore-style wildcards to a regular expression, for the three places that read them:
policy path globs (config), CODEOWNERS (review.semantics) and .gitattributes (scan.attributes)."""

from __future__ import annotations

import re


def translate(pattern: str, *, classes: bool = False) -> str:
    """The regex body of a wildcard pattern: `**/` any leading directories (none too), `**` anything, `*` and `?`
    inside one path segment, everything else literal; with `classes`, `[…]` a character class (`[!…]` and `[^…]`
    negated) as git's wildmatch reads it, an unclosed `[` literal."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif classes and pattern[i] == "[" and (end := pattern.find("]", i + 2)) >= 0:
            body = pattern[i + 1 : end]
            negated = body[:1] in ("!", "^")
            out.append("[" + ("^" if negated else "") + re.escape(body[1:] if negated else body) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)
