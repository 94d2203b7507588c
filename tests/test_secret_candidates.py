"""The audit's secret-candidate filter reads the rules' keywords from an index shipped beside the rules; the
index counts only when it was made from exactly the rules text there, so a stale or damaged one can never
let a secret the rules would find through unread."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatekeeper.scan import secret_candidates
from gatekeeper.scan.secret_candidates import INDEX_NAME, candidate_filter, default_rules_path, index_of

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
