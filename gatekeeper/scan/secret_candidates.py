"""Where the shipped secrets rules live, and which lines they could find anything in, without the detector.

The detector (gatekeeper.scan.secrets) tries a rule on a line only when one of the rule's keywords occurs in
the lowercased line, or, for a rule without keywords, when its prefilter pattern matches. `candidate_filter`
is that first step alone, built from the rules file in a few milliseconds: a reader that has a handful of
short strings to clear (the audit's lists) loads the detector, about 0.1 s, only for a line that could hold
a secret. Same rules, same candidates; the detector still decides what is one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from gatekeeper.errors import ConfigError


def default_rules_path() -> Path:
    """The shipped rules: inside the package (wheel) or next to it (source checkout).

    `Path(__file__).parents[1]` is the `gatekeeper` package directory, i.e. what
    `Path(gatekeeper.__file__).parent` names, without depending on the package's `__init__`.
    """
    package_dir = Path(__file__).resolve().parents[1]
    candidates = (package_dir / "rules" / "secrets.yml", package_dir.parent / "rules" / "secrets.yml")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ConfigError(
        "secrets rules file not found (looked at " + " and ".join(str(c) for c in candidates) + ")",
        "reinstall gatekeeper so that rules/secrets.yml ships with it, or pass a rules file explicitly",
    )


def candidate_filter() -> Callable[[str], bool]:
    """Whether the shipped rules could find a secret in a text (per line, as the detector reads it): any
    rule's keyword in it, lowercased, or any keywordless rule's prefilter pattern. A rules file this cannot
    read makes every text a candidate."""
    from gatekeeper import yamlio

    try:
        data = yamlio.load(default_rules_path().read_text(encoding="utf-8"), fast=True)
        rules = data["rules"]
        keywords = {k for rule in rules for k in rule.get("keywords") or ()}
        patterns = [rule.get("prefilter") or rule["regex"] for rule in rules if not rule.get("keywords")]
        words = re.compile("|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True)))
        finders = [re.compile(p, re.ASCII) for p in patterns]
    except Exception:  # whatever is wrong with the file, nothing may be waved through
        return lambda _text: True

    def candidate(text: str) -> bool:
        return (words.search(text.lower()) is not None if keywords else False) or any(
            f.search(text) is not None for f in finders)

    return candidate
