"""The audit's secret-candidate filter reads the rules' keywords from an index shipped beside the rules; the
index counts only when it was made from exactly the rules text there, so a stale or damaged one can never
let a secret the rules would find through unread."""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest

from gatekeeper.scan import secret_candidates
from gatekeeper.scan.secret_candidates import INDEX_NAME, candidate_filter, default_rules_path, index_of, trie_pattern

TOKEN = "ghp_" + "a1B2c3D4" * 5  # the github-pat rule's shape (keyword ghp_)
RULES = """version: 1
rules:
  - id: demo-token
    description: a demo token
    severity: high
    keywords: [zzdemo_]
    regex: '(?P<secret>zzdemo_[a-z0-9]{20})'
"""


def test_the_shipped_index_is_made_from_the_shipped_rules() -> None:
    rules = default_rules_path()
    shipped = json.loads((rules.parent / INDEX_NAME).read_text(encoding="utf-8"))
    assert shipped == index_of(rules.read_text(encoding="utf-8")), (
        "rules/secrets.yml changed: run `python -m gatekeeper.scan.secret_candidates` and commit the index")


def test_the_filter_flags_a_keyword_and_passes_plain_text() -> None:
    candidate = candidate_filter()
    assert candidate(f"fix login ({TOKEN})")
    assert not candidate("change 7: adjust module 7")


@pytest.fixture
def rules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "secrets.yml").write_text(RULES, encoding="utf-8")
    monkeypatch.setattr(secret_candidates, "default_rules_path", lambda: tmp_path / "secrets.yml")
    return tmp_path


def test_an_index_of_other_rules_is_not_used(rules_dir: Path) -> None:
    # An index that would clear everything, made from other rules: the rules edited in place after it.
    stale = {"rules_sha256": "0" * 64, "keywords": ["nothing-matches-this"], "patterns": []}
    (rules_dir / INDEX_NAME).write_text(json.dumps(stale), encoding="utf-8")
    assert candidate_filter()("token zzdemo_" + "a" * 20)


@pytest.mark.parametrize("damaged", ["{", "[]", '{"rules_sha256": null}', "\xff"])
def test_a_damaged_index_is_not_used(rules_dir: Path, damaged: str) -> None:
    text = (rules_dir / "secrets.yml").read_text(encoding="utf-8")
    index = index_of(text)
    assert index["keywords"] == ["zzdemo_"]
    (rules_dir / INDEX_NAME).write_text(damaged, encoding="utf-8")
    assert candidate_filter()("token zzdemo_" + "a" * 20)


def test_an_index_with_the_right_digest_but_a_bad_shape_is_not_used(rules_dir: Path) -> None:
    text = (rules_dir / "secrets.yml").read_text(encoding="utf-8")
    bad = {**index_of(text), "keywords": "zzdemo_"}  # a string, not a list
    (rules_dir / INDEX_NAME).write_text(json.dumps(bad), encoding="utf-8")
    assert candidate_filter()("token zzdemo_" + "a" * 20)
    assert not candidate_filter()("plain words only")


def test_a_matching_index_is_what_the_filter_reads(rules_dir: Path) -> None:
    text = (rules_dir / "secrets.yml").read_text(encoding="utf-8")
    index = {**index_of(text), "keywords": ["only-in-the-index"]}
    (rules_dir / INDEX_NAME).write_text(json.dumps(index), encoding="utf-8")
    assert candidate_filter()("only-in-the-index here")  # read from the index, not from the YAML


def test_unreadable_rules_make_everything_a_candidate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secret_candidates, "default_rules_path", lambda: tmp_path / "missing.yml")
    assert candidate_filter()("plain words only")


def _naive(keywords: list[str], patterns: list[str]) -> Callable[[str], bool]:
    """The filter as the detector states it: any keyword in the lowercased text, or any pattern found."""
    finders = [re.compile(p, re.ASCII) for p in patterns]
    return lambda text: any(k in text.lower() for k in keywords) or any(f.search(text) for f in finders)


def test_the_trie_filter_answers_as_every_keyword_and_pattern_tried_one_by_one() -> None:
    # The filter matches all keywords at once (a trie-shaped regex) and the keywordless patterns as one
    # alternation: on text made of keyword pieces, whole keywords and prefixes of each other, it must answer
    # exactly as trying every keyword and pattern one by one does.
    index = json.loads((default_rules_path().parent / INDEX_NAME).read_text(encoding="utf-8"))
    naive = _naive(index["keywords"], index["patterns"])
    candidate = candidate_filter()
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "-_.:/$= "
    hits = 0
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        if rng.random() < 0.4:
            word = rng.choice(index["keywords"])
            piece = word[: rng.randint(1, len(word))]
            at = rng.randint(0, len(text))
            text = text[:at] + (piece.upper() if rng.random() < 0.3 else piece) + text[at:]
        expected = naive(text)
        hits += expected
        assert candidate(text) == expected, text
    assert hits > 1_000  # the comparison saw both answers often


@pytest.mark.parametrize(("words", "near_misses"), [
    (["abc", "abd"], ["ab", "acb", "a b c"]),
    (["ab", "abc", "abd"], ["a", "ba", "a-b"]),
    (["a.b", "a*b", "(?"], ["axb", "aab", "(", "?"]),
    (["é", "ée"], ["e", "ee"]),
])
def test_a_trie_pattern_finds_each_word_and_nothing_else(words: list[str], near_misses: list[str]) -> None:
    found = re.compile(trie_pattern(words))
    for word in words:
        assert found.search(f"--{word}--")
    for text in near_misses:
        assert not found.search(text), text


def test_no_keywords_match_nothing() -> None:
    assert not re.compile(trie_pattern([])).search("anything")


def test_patterns_that_cannot_share_one_regex_are_tried_alone(rules_dir: Path) -> None:
    # A backreference and a named group cannot be alternatives of one combined pattern; they still count.
    index = {**index_of((rules_dir / "secrets.yml").read_text(encoding="utf-8")),
             "patterns": [r"(zz)q\1", r"(?P<n>yy)w(?P=n)", r"xx[0-9]{3}"]}
    (rules_dir / INDEX_NAME).write_text(json.dumps(index), encoding="utf-8")
    candidate = candidate_filter()
    assert candidate("a zzqzz b") and candidate("yywyy") and candidate("xx123")
    assert not candidate("zzqyy xx12")


def test_the_detector_reads_the_shipped_rules_from_the_index_not_the_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every hook run loads the detector: the index's copy of the document (made from exactly this text) saves the
    YAML parse, and is validated as the YAML's would be."""
    from gatekeeper import yamlio
    from gatekeeper.scan.secrets import SecretDetector

    def no_yaml(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the shipped rules were parsed as YAML")

    monkeypatch.setattr(yamlio, "load", no_yaml)
    detector = SecretDetector.load()
    assert [h.rule_id for h in detector.scan_text(f"token = {TOKEN}")] == ["secrets/github-pat"]


def test_an_index_of_other_text_gives_no_document(rules_dir: Path) -> None:
    text = (rules_dir / "secrets.yml").read_text(encoding="utf-8")
    (rules_dir / INDEX_NAME).write_text(json.dumps(index_of(text)), encoding="utf-8")
    assert secret_candidates.shipped_document(rules_dir / "secrets.yml", text) == index_of(text)["document"]
    edited = text.replace("zzdemo_", "zzdem0_")
    assert secret_candidates.shipped_document(rules_dir / "secrets.yml", edited) is None
    (rules_dir / INDEX_NAME).write_text("{", encoding="utf-8")
    assert secret_candidates.shipped_document(rules_dir / "secrets.yml", text) is None
