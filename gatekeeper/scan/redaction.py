"""Keeping scanned source out of tool messages: a tool that quotes what it matched (bandit's hard-coded
password tests, semgrep's `$X` interpolation) must not carry a password into a report, the scan cache,
the decision log or a pusher's terminal.

The values to hide are found by position — the literals Python parsed out of the flagged lines, the
text semgrep bound to each metavariable — never by a pattern over the message, which a quote, a
newline or a long token in the value would end early. Each is replaced, in the message's one-line
form, by the same redaction the secrets scanner prints (no prefix, keyed hash).
"""

from __future__ import annotations

from collections.abc import Iterable

from gatekeeper.lazy_regex import lazy
from gatekeeper.scan.secrets import redact, value_digest

# A value shorter than this is redacted only where the message quotes it ('ab'): replacing every
# occurrence of a two-letter value would shred the message's own words, and hides nothing more.
MIN_BARE_VALUE = 4


def redacted(value: str) -> str:
    return redact(value, value_digest(value), prefix=False)


_WORD = lazy(r"[A-Za-z]{1,12}")
_QUOTES = (("'", "'"), ('"', '"'), ("`", "`"), ("(", ")"))


def redact_values(message: str, values: Iterable[str], *, words_quoted_only: bool = False) -> str:
    """`message` on one line, with every value (and its whitespace-collapsed form) redacted. `words_quoted_only`:
    a value that is one short word of letters is redacted only where the message quotes it or puts it in
    parentheses (bandit's "on file (name)") — for a tool whose own words ("Probable insecure usage of temp file")
    would otherwise lose every word a literal on the line spells, and whose messages set off what they take from
    the code."""
    flat = " ".join(message.split())
    # Longest first: a value that contains a shorter one is replaced whole.
    for value in sorted({v for v in values if v.strip()}, key=len, reverse=True):
        replacement = redacted(value)
        for form in dict.fromkeys((value, " ".join(value.split()))):
            if len(form) >= MIN_BARE_VALUE and not (words_quoted_only and _WORD.fullmatch(form)):
                flat = flat.replace(form, replacement)
            elif form:
                for start, end in _QUOTES:
                    flat = flat.replace(f"{start}{form}{end}", f"{start}{replacement}{end}")
    return flat
