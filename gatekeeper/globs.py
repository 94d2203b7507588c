"""One translation of gitignore-style wildcards to a regular expression, for the places that read them: policy
path globs (config) and CODEOWNERS (review.semantics). (Which `.gitattributes` apply is git's own answer:
Git.checkout_attribute.)"""

from __future__ import annotations

import re


def translate(pattern: str) -> str:
    """The regex body of a wildcard pattern: `**/` any leading directories (none too), `**` anything, `*` and `?`
    inside one path segment, everything else literal."""
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
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)
