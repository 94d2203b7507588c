"""Where the shipped secrets rules live, and which lines they could find anything in, without the detector.

The detector (gatekeeper.scan.secrets) tries a rule on a line only when one of the rule's keywords occurs in
the lowercased line, or, for a rule without keywords, when its prefilter pattern matches. `candidate_filter`
is that first step alone, built from the rules file in a few milliseconds: a reader that has a handful of
short strings to clear (the audit's lists) loads the detector, about 0.1 s, only for a line that could hold
a secret. Same rules, same candidates; the detector still decides what is one.

The keywords and patterns are read from `secrets.candidates.json` beside the rules, which names the SHA-256
of the rules text it was made from: 0.3 ms instead of 13 ms of YAML. An index made from any other text (the
rules edited in place, the index stale or damaged) is not used; the rules are read instead. Regenerate it
with `python -m gatekeeper.scan.secret_candidates` (tests/test_secret_candidates.py fails while it is stale).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gatekeeper.errors import ConfigError
from gatekeeper.lazy_regex import lazy


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


INDEX_NAME = "secrets.candidates.json"


def index_of(text: str) -> dict[str, Any]:
    """What the filter needs from a rules file's text: every rule's keywords, and the prefilter pattern (or, with
    neither, the regex) of each rule without keywords, with the text's SHA-256; and the whole document as YAML reads
    it (`document`: the detector reads it in 1 ms instead of 40 ms of YAML, every hook run — shipped_document)."""
    from gatekeeper import yamlio

    document = yamlio.load(text, fast=True)
    rules = document["rules"]
    return {"rules_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "keywords": sorted({k for rule in rules for k in rule.get("keywords") or ()}),
            "patterns": list(dict.fromkeys(rule.get("prefilter") or rule["regex"] for rule in rules
                                           if not rule.get("keywords"))),
            "document": document}


def shipped_document(rules: Path, text: str) -> Any:
    """The rules document as YAML reads `text`, from the index beside `rules` when it was made from exactly this text;
    None otherwise (the caller parses the YAML)."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    try:
        index = json.loads((rules.parent / INDEX_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    document = index.get("document") if isinstance(index, dict) and index.get("rules_sha256") == digest else None
    return document if isinstance(document, dict) else None


def _index(rules: Path) -> dict[str, Any]:
    """The shipped index when it was made from exactly this rules text, else the rules read now."""
    text = rules.read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode()).hexdigest()
    try:
        index = json.loads((rules.parent / INDEX_NAME).read_text(encoding="utf-8"))
        if (isinstance(index, dict) and index.get("rules_sha256") == digest
                and all(isinstance(index.get(k), list) and all(isinstance(x, str) and x for x in index[k])
                        for k in ("keywords", "patterns"))):
            return index
    except (OSError, ValueError):
        pass
    return index_of(text)


_Trie = dict[str, "_Trie"]


def trie_pattern(words: Sequence[str]) -> str:
    """One regex that matches where any of `words` occurs, as a trie of their characters: `re` tries the
    alternatives of a flat alternation one by one at every position (hundreds of keywords: ~15 us per short
    line), the trie's only the few that share the characters read so far (~2 us). Same answer to `search`: a
    word that is a prefix of another ends in an optional group, taken when the longer word fails."""
    root: _Trie = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: _Trie) -> str:
        alternatives = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            return f"(?:{'|'.join(alternatives)})?" if alternatives else ""
        return alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"

    return pattern(root) if any(words) else "(?!)"


# A pattern that refers to its own groups or sets flags cannot be one alternative of a combined pattern.
_NOT_COMBINABLE = lazy(r"\\[1-9]|\(\?P[=<]|\(\?[aiLmsux-]+[:)]")


SMALL = 64  # lines checked word by word before the keyword trie is compiled


def candidate_filter() -> Callable[[str], bool]:
    """Whether the shipped rules could find a secret in a text (per line, as the detector reads it): any
    rule's keyword in it, lowercased, or any keywordless rule's prefilter pattern. A rules file this cannot
    read makes every text a candidate.

    The keyword trie takes ~8 ms to compile, most of an audit's fixed cost beyond imports: the first SMALL
    lines (the audit's header strings are a handful) are checked keyword by keyword (~15 us a short line, the
    same answer: the trie is that alternation), and the trie is compiled only for a reader with more."""
    try:
        index = _index(default_rules_path())
        keywords: list[str] = index["keywords"]
        patterns = index["patterns"]
        combined = [p for p in patterns if not _NOT_COMBINABLE.search(p)]
        finders = [re.compile(p, re.ASCII) for p in patterns if p not in combined]
        if combined:
            # `search` of an alternation finds a match where any alternative has one.
            try:
                finders.append(re.compile("|".join(f"(?:{p})" for p in combined), re.ASCII))
            except re.error:
                finders.extend(re.compile(p, re.ASCII) for p in combined)
    except Exception:  # whatever is wrong with the file, nothing may be waved through
        return lambda _text: True
    trie: list[re.Pattern[str] | None] = []
    seen = [0]

    def has_keyword(low: str) -> bool:
        if not keywords:
            return False
        if not trie:
            seen[0] += 1
            if seen[0] <= SMALL:
                return any(word in low for word in keywords)
            try:
                trie.append(re.compile(trie_pattern(keywords)))
            except Exception:  # a trie that cannot compile: the word-by-word check stays
                trie.append(None)
        found = trie[0]
        return any(word in low for word in keywords) if found is None else found.search(low) is not None

    def candidate(text: str) -> bool:
        return has_keyword(text.lower()) or any(f.search(text) is not None for f in finders)

    return candidate


def main() -> None:
    """Write the index beside the shipped rules (after an edit of rules/secrets.yml)."""
    rules = default_rules_path()
    target = rules.parent / INDEX_NAME
    target.write_text(json.dumps(index_of(rules.read_text(encoding="utf-8")), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
