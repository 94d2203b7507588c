"""Hostile configuration (issue #9 items 16, 21, 24, 25): every number finite and in range, globs that
could never match refused, impossible dates, bad tags, deep nesting and alias bombs as config errors
(exit 3) naming the key path — in the policy, the device registry and the baseline alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gatekeeper.cli import run
from gatekeeper.config import glob_match, parse_policy
from gatekeeper.errors import ConfigError
from gatekeeper.provenance.devices import parse_registry
from gatekeeper.scan.baseline import load_baseline, parse_baseline
from tests.repo_builder import RepoBuilder

BAD_NUMBERS = [
    ("pre_receive: {budget_seconds: .nan}", "pre_receive.budget_seconds: must be a finite number, got nan"),
    ("pre_receive: {budget_seconds: .NaN}", "pre_receive.budget_seconds: must be a finite number, got nan"),
    ("pre_receive: {budget_seconds: .inf}", "pre_receive.budget_seconds: must be a finite number, got inf"),
    ("pre_receive: {budget_seconds: -.inf}", "pre_receive.budget_seconds: must be a finite number, got -inf"),
    ("pre_receive: {budget_seconds: -1}", "pre_receive.budget_seconds: must be greater than 0"),
    ("pre_receive: {budget_seconds: 0}", "pre_receive.budget_seconds: must be greater than 0"),
    ("pre_receive: {budget_seconds: 1.0e+308}", "pre_receive.budget_seconds: must be greater than 0 and at most"),
    ("pre_receive: {budget_seconds: true}", "pre_receive.budget_seconds: expected a number, got a boolean"),
    ("pre_receive: {budget_seconds: '3'}", "pre_receive.budget_seconds: expected a number, got a string"),
    ("rules: {mobile: {review: {approvals: true}}}", "rules.mobile.review.approvals: expected an integer, got a "
                                                     "boolean"),
    ("rules: {mobile: {review: {approvals: -1}}}", "rules.mobile.review.approvals: must be between 0 and 100"),
    ("rules: {mobile: {review: {approvals: 1000000000000}}}", "rules.mobile.review.approvals: must be between"),
    ("rules: {mobile: {review: {approvals: 1.5}}}", "rules.mobile.review.approvals: expected an integer, got a "
                                                    "number"),
    ("rules: {mobile: {review: {approvals: .nan}}}", "rules.mobile.review.approvals: expected an integer"),
    ("zones: [{name: z, paths: [a/**], mobile: {review: {approvals: .inf}}}]",
     "zones[0].mobile.review.approvals: expected an integer"),
]


@pytest.mark.parametrize(("body", "message"), BAD_NUMBERS)
def test_every_number_is_finite_and_in_range(body: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_policy(f"version: 1\n{body}\n", "p.yml")
    assert info.value.message.startswith(f"p.yml: {message}"), info.value.message


@pytest.mark.parametrize("version", ["true", "1.0", "'1'", ".nan"])
def test_version_is_the_integer_one(version: str) -> None:
    with pytest.raises(ConfigError, match=r"p\.yml: version: unsupported version"):
        parse_policy(f"version: {version}\n", "p.yml")


def test_nan_budget_is_refused_by_policy_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / ".gatekeeper.yml"
    policy.write_text("version: 1\non_timeout: warn\npre_receive: {budget_seconds: .nan}\n")
    assert run(["policy", "check", str(policy)]) == 3
    assert "pre_receive.budget_seconds: must be a finite number" in capsys.readouterr().err


@pytest.mark.parametrize(("glob", "problem"), [
    ("/src/payments/**", "is absolute"),
    ("src\\\\payments\\\\**", "uses `\\`"),
    ("src/../payments/**", "`..` segment"),
    ("src//payments", "empty"),
    (" src/payments/**", "blanks"),
    ("./", "empty"),
])
def test_zone_globs_that_never_match_are_refused(glob: str, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_policy(f'version: 1\nzones:\n  - {{name: z, paths: ["{glob}"], mobile: block}}\n', "p.yml")
    assert info.value.message.startswith("p.yml: zones[0].paths[0]: ")
    assert problem in info.value.message
    assert "could never match" in info.value.message


def test_empty_zone_glob_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"zones\[0\]\.paths\[0\]: must not be empty"):
        parse_policy('version: 1\nzones:\n  - {name: z, paths: [""], mobile: block}\n', "p.yml")


def test_zone_globs_are_normalised() -> None:
    policy = parse_policy("version: 1\nzones:\n  - {name: z, paths: [./src/payments/**, src/billing, docs/x.md],"
                          " mobile: block}\n", "p.yml")
    paths = policy.zones[0].paths
    assert "src/payments/**" in paths
    # A plain name covers itself and everything beneath it (fail closed: a directory is what was meant).
    assert any(glob_match(p, "src/billing/charge.py") for p in paths)
    assert any(glob_match(p, "src/billing") for p in paths)
    assert not any(glob_match(p, "src/billing2/x.py") for p in paths)
    assert any(glob_match(p, "docs/x.md") for p in paths)


def test_plain_zone_name_catches_a_mobile_change(repo: RepoBuilder, tmp_path: Path) -> None:
    repo.commit("base", {"README.md": "hi\n"})
    repo.branch("feature")
    repo.commit("pay\n\nOrigin-Device: mobile\n", {"src/payments/charge.py": "x = 1\n"})
    policy = tmp_path / "policy.yml"
    for glob in ("src/payments", "./src/payments/**", "src/payments/"):
        policy.write_text("version: 1\nrules:\n  mobile: {scanners: [], review: {approvals: 0}}\n"
                          f"zones:\n  - {{name: payments, paths: ['{glob}'], mobile: block}}\n")
        out = tmp_path / "out.json"
        assert run(["check", "--repo", str(repo.path), "--policy", str(policy), "--format", "json",
                    "--output", str(out)]) == 1, glob
        rules = {f["rule_id"] for f in json.loads(out.read_text())["findings"]}
        assert "policy/zone-violation" in rules


BOMB = """\
version: 1
a: &a ["x","x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
on_tool_error: *f
"""

HOSTILE_YAML = [
    ("ignore:\n  - {rule: semgrep/x, reason: r, expires: 2027-02-30}\n", "ignore[0].expires: line 3: "),
    ("ignore:\n  - {rule: semgrep/x, reason: r, expires: 2027-13-01}\n", "ignore[0].expires: line 3: "),
    ("pre_receive: {budget_seconds: !!int abc}\n", "pre_receive.budget_seconds: line 2: "),
    ("pre_receive: {budget_seconds: !!float abc}\n", "pre_receive.budget_seconds: line 2: "),
    ("on_timeout: !!python/object:os.system {}\n", "on_timeout: line 2: "),
    ("on_timeout: !!python/name:os.system ''\n", "on_timeout: line 2: "),
    ("on_timeout: !!binary '%%%'\n", "on_timeout: "),
    ("ignore: " + "[" * 300 + "]" * 300 + "\n", "nested more than"),
    ("ignore: " + "{a: " * 100 + "1" + "}" * 100 + "\n", "nested more than 64 levels deep"),
    (BOMB.removeprefix("version: 1\n"), "expands to more than"),
    ("ignore: &x [*x]\n", "an alias refers to a value that contains it"),
]


@pytest.mark.parametrize(("body", "message"), HOSTILE_YAML)
def test_hostile_yaml_is_a_config_error_with_the_key_path(body: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_policy("version: 1\n" + body, "p.yml")
    assert info.value.message.startswith("p.yml: ")
    assert message in info.value.message, info.value.message
    assert len(info.value.message) < 600  # bounded, whatever the document holds


@pytest.mark.parametrize(("body", "message"), HOSTILE_YAML[:3])
def test_policy_check_exits_3_not_4(body: str, message: str, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / ".gatekeeper.yml"
    policy.write_text("version: 1\n" + body)
    assert run(["policy", "check", str(policy)]) == 3
    err = capsys.readouterr().err
    assert "config error" in err and message in err and "internal error" not in err


REGISTRY = """\
version: 1
devices:
  - id: pixel8-jdoe
    owner: jdoe@example.com
    class: mobile
    managed: false
    keys: ["0123456789ABCDEF0123456789ABCDEF01234567"]
    enrolled: {enrolled}
"""


@pytest.mark.parametrize(("enrolled", "message"), [
    ("2026-02-30", "devices[0].enrolled: line 8: "),
    ("!!int abc", "devices[0].enrolled: line 8: "),
    ("!!python/object/apply:os.system ['true']", "devices[0].enrolled: line 8: "),
])
def test_registry_impossible_dates_and_tags(enrolled: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_registry(REGISTRY.format(enrolled=enrolled), "devices.yml")
    assert info.value.message.startswith("devices.yml: " + message), info.value.message


@pytest.mark.parametrize("version", ["true", "1.0"])
def test_registry_version_is_the_integer_one(version: str) -> None:
    with pytest.raises(ConfigError, match=r"devices\.yml: version: unsupported version"):
        parse_registry(f"version: {version}\ndevices: []\n", "devices.yml")


@pytest.mark.parametrize(("text", "message"), [
    ('{"version": true, "fingerprints": []}', "b.json: version: expected the integer 1"),
    ('{"version": 1.0, "fingerprints": []}', "b.json: version: expected the integer 1"),
    ('{"version": NaN, "fingerprints": []}', "b.json: cannot read baseline: NaN is not a valid value"),
    ('{"version": 1, "fingerprints": [Infinity]}', "b.json: cannot read baseline: Infinity is not a valid value"),
    ('{"version": 1, "fingerprints": [1]}', "b.json: fingerprints[0]: not a fingerprint"),
    ('{"version": 1, "fingerprints": ["a b"]}', "b.json: fingerprints[0]: not a fingerprint"),
    ('{"version": 1, "fingerprints": ' + "[" * 100_000 + "]" * 100_000 + "}", "b.json: cannot read baseline"),
    ("[]", "b.json: not a gatekeeper baseline"),
])
def test_baseline_is_strict(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_baseline(text, "b.json")
    assert info.value.message.startswith(message), info.value.message


def test_baseline_file_errors_are_config_errors(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_baseline(path)
    path.write_text('{"version": 1, "fingerprints": ["abc"]}')
    assert load_baseline(path) == frozenset({"abc"})


@pytest.mark.parametrize("rule", ["tool/*", "tool/github-failed", "review/missing", "review/*", "gate/bypassed",
                                  "origin/spoofed", "*", "*/*", "?ool/github-failed", "policy/changed",
                                  "policy/ignore-expired"])
def test_ignore_entries_cannot_name_gate_findings(rule: str) -> None:
    """Issue #9 item 21: refused at load, naming the key — not silently ignored at run time."""
    with pytest.raises(ConfigError) as info:
        parse_policy(f'version: 1\nignore:\n  - {{rule: "{rule}", reason: r}}\n', "p.yml")
    assert info.value.message.startswith("p.yml: ignore[0].rule: ")
    assert "would hide findings about the gate itself" in info.value.message


@pytest.mark.parametrize("rule", ["semgrep/python-eval", "secrets/*", "bandit/B6*", "policy/zone-violation",
                                  "provenance/unsigned", "scan/binary-skipped"])
def test_ignore_entries_for_content_and_policy_rules_load(rule: str) -> None:
    policy = parse_policy(f'version: 1\nignore:\n  - {{rule: "{rule}", reason: r, paths: [./tests/**]}}\n', "p.yml")
    assert policy.ignore[0].rule == rule
    assert policy.ignore[0].paths == ("tests/**",)


@pytest.mark.parametrize(("body", "message"), [
    ("inline_ignore: {refuse: secrets}", "inline_ignore.refuse: expected a list of strings"),
    ("inline_ignore: {refuse: ['se crets']}", "inline_ignore.refuse[0]: 'se crets' is not a category"),
    ("inline_ignore: {refuses: []}", "inline_ignore.refuses: unknown key"),
])
def test_inline_ignore_key_is_strict(body: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_policy(f"version: 1\n{body}\n", "p.yml")
    assert info.value.message.startswith(f"p.yml: {message}"), info.value.message


def test_inline_ignore_defaults_refuse_secrets_and_provenance() -> None:
    policy = parse_policy("version: 1\n", "p.yml")
    assert policy.inline_ignore.refuse == ("secrets", "provenance")
    assert policy.inline_ignore.refuses("secrets/aws-access-key") == "secrets"
    assert policy.inline_ignore.refuses("semgrep/python-eval") is None
    assert parse_policy("version: 1\ninline_ignore: {refuse: []}\n", "p.yml").inline_ignore.refuse == ()
