"""Patterns compiled on first use (gatekeeper.lazy_regex): every one of gatekeeper's compiles, the shipped secrets
rules read lazily are the rules read eagerly, and a lazy pattern answers as the compiled one does."""

from __future__ import annotations

import importlib
import pickle
import pkgutil
import re

import pytest

import gatekeeper
from gatekeeper import lazy_regex
from gatekeeper.lazy_regex import LazyPattern, lazy
from gatekeeper.scan import secrets
from gatekeeper.scan.secret_candidates import default_rules_path
from gatekeeper.scan.secrets import SecretDetector, parse_rules
from tests.hook_helpers import AWS_KEY
from tests.leak_helpers import token_maker


def test_every_module_pattern_of_gatekeeper_compiles() -> None:
    """A pattern that does not compile fails here, not on the first push that reaches it."""
    for module in pkgutil.walk_packages(gatekeeper.__path__, "gatekeeper."):
        if module.name.endswith("__main__"):
            continue
        importlib.import_module(module.name)
    assert lazy_regex.compile_all() > 300  # (the secrets modules alone hold ~200)


def test_the_shipped_rules_read_lazily_are_the_rules_compiled_and_checked_eagerly() -> None:
    text = default_rules_path().read_text(encoding="utf-8")
    eager = parse_rules(text, "shipped")  # every pattern compiled, every rule's `secret` group checked
    lazily = parse_rules(text, "shipped", lazily=True)
    assert [r.id for r in eager] == [r.id for r in lazily]
    for one, other in zip(eager, lazily, strict=True):
        assert isinstance(other.regex, LazyPattern)
        assert (one.regex.pattern, one.regex.flags) == (other.regex.pattern, other.regex.flags)  # type: ignore
        assert [a.pattern for a in one.allow] == [a.pattern for a in other.allow]
        assert "secret" in other.regex.groupindex  # type: ignore[attr-defined]


def test_the_default_detector_finds_what_a_detector_of_eagerly_compiled_rules_finds() -> None:
    """The same findings, the same redaction, and the same width limits on long lines (a rule's longest match is read
    from its pattern: a lazy one must not read as unbounded)."""
    text = default_rules_path().read_text(encoding="utf-8")
    eager = SecretDetector(parse_rules(text, "shipped"))
    default = SecretDetector.load()
    assert any(isinstance(r.regex, LazyPattern) for r in default.rules)
    key = AWS_KEY
    token = token_maker(1729)()  # (made at run time: this file holds no token)
    samples = [f"aws_access_key_id = {key}", f"GITHUB_TOKEN={token}", "password = 'Tr0ub4dor&3x!'",
               "x" * 5_000 + f" secret_key = '{key}' " + "y" * 5_000, "nothing to see here"]
    for sample, expected in zip(samples, ["aws-access-key", "github-pat", "generic-password", "aws-access-key", None],
                                strict=True):
        found = [(h.rule_id, h.value, h.redacted) for h in eager.scan_text(sample, path="app/settings.py")]
        assert [f[0] for f in found] == ([f"secrets/{expected}"] if expected else [])
        assert found == [(h.rule_id, h.value, h.redacted) for h in default.scan_text(sample, path="app/settings.py")]
    for one, other in zip(eager.rules, default.rules, strict=True):
        assert secrets._max_width(one.regex) == secrets._max_width(other.regex)


def test_a_lazy_pattern_answers_as_the_compiled_pattern_does() -> None:
    made = LazyPattern(r"(?P<word>[a-z]+)-(\d+)", re.IGNORECASE)
    plain = re.compile(r"(?P<word>[a-z]+)-(\d+)", re.IGNORECASE)
    text = "Ab-12 cd-3 x"
    assert "search" not in vars(made)  # not compiled yet
    assert made.search(text) is not None and made.search(text).group() == plain.search(text).group()  # type: ignore
    assert "search" in vars(made)  # compiled: the compiled pattern's own method from now on
    assert made.match(text, 3) is None and plain.match(text, 3) is None
    assert made.fullmatch("ab-1").group("word") == "ab"  # type: ignore[union-attr]
    assert [m.span() for m in made.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert made.findall(text) == plain.findall(text)
    assert made.sub("#", text) == plain.sub("#", text) and made.subn("#", text) == plain.subn("#", text)
    assert made.split(text) == plain.split(text)
    assert (made.flags, made.groups, dict(made.groupindex)) == (plain.flags, plain.groups, dict(plain.groupindex))
    copied = pickle.loads(pickle.dumps(made))
    assert copied.pattern == made.pattern and copied.search(text).span() == (0, 5)  # type: ignore[union-attr]
    data = lazy(rb"\x00+")
    assert data.split(b"a\x00\x00b") == [b"a", b"b"]


def test_a_pattern_that_does_not_compile_fails_on_first_use_and_in_compile_all() -> None:
    broken = LazyPattern("(unclosed")
    with pytest.raises(re.error):
        broken.search("x")
    registered = lazy("[unclosed")
    try:
        with pytest.raises(re.error):
            lazy_regex.compile_all()
    finally:
        lazy_regex._REGISTRY.remove(registered)


def test_a_rules_file_a_user_supplies_is_compiled_when_it_is_loaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rules = tmp_path / "rules.yml"
    rules.write_text("version: 1\nrules:\n  - id: broken\n    description: d\n    severity: high\n"
                     "    regex: '(?P<secret>[a-z'\n")
    with pytest.raises(gatekeeper.errors.ConfigError, match="invalid regex"):
        SecretDetector.load(rules)
