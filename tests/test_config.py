"""Strict policy validation: exact error messages naming the key path, defaults, init/check commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gatekeeper.cli import run
from gatekeeper.config import (
    DEFAULT_POLICY_DATA,
    DEFAULT_POLICY_YAML,
    default_policy,
    glob_match,
    load_policy_file,
    load_yaml,
    parse_policy,
)
from gatekeeper.errors import ConfigError
from gatekeeper.models import DeviceClass, Severity

BAD = {
    "missing version": ("origins: {undeclared: mobile}\n", "p.yml: version: required key is missing"),
    "wrong version": ("version: 2\n", "p.yml: version: unsupported version 2 (this gatekeeper reads version 1)"),
    "empty file": ("", "p.yml: version: the file is empty; `version: 1` is required"),
    "unknown top key": ("version: 1\nprotected_ref: [main]\n",
                        "p.yml: protected_ref: unknown key (expected one of: version, origins, protected_refs, rules, "
                        "zones, devices, allowed_signers, gpg_home, signer_binding, require_dco, baseline, "
                        "pre_receive, on_tool_error, on_timeout, bypass, ignore, inline_ignore, log, ai, unscanned, bandit, "
                        "secrets, forge_signatures)"),
    "unknown nested key": (
        "version: 1\nrules:\n  mobile: {scanners: [secrets], blok_at: high}\n  default: {}\n",
        "p.yml: rules.mobile.blok_at: unknown key (expected one of: scanners, block_at, require_signature, "
        "require_registered_device, review)"),
    "bad severity": ("version: 1\nrules:\n  mobile: {block_at: hgh}\n  default: {}\n",
                     "p.yml: rules.mobile.block_at: expected one of info, low, medium, high, critical, got 'hgh'"),
    "bad scanner": ("version: 1\nrules:\n  mobile: {scanners: [secrets, trivy]}\n  default: {}\n",
                    "p.yml: rules.mobile.scanners[1]: unknown scanner 'trivy' (expected one of: secrets, semgrep, "
                    "bandit)"),
    "wrong type": ("version: 1\norigins: {mobile_classes: mobile}\n",
                   "p.yml: origins.mobile_classes: expected a list of strings, got a string (write [mobile])"),
    "bad class": ("version: 1\norigins: {mobile_classes: [phone]}\n",
                  "p.yml: origins.mobile_classes[0]: expected one of mobile, tablet, web, desktop, ci, got 'phone'"),
    "bool wrong": ("version: 1\nrules:\n  mobile: {require_signature: 'yes'}\n  default: {}\n",
                   "p.yml: rules.mobile.require_signature: expected true or false, got a string"),
    "zone needs paths": ("version: 1\nzones:\n  - {name: payments}\n", "p.yml: zones[0].paths: required key is missing"),
    "zone bad action": ("version: 1\nzones:\n  - {name: p, paths: ['a/**'], mobile: deny}\n",
                        "p.yml: zones[0].mobile: expected one of block, allow, got 'deny'"),
    "ignore needs reason": ("version: 1\nignore:\n  - {rule: semgrep/x}\n", "p.yml: ignore[0].reason: required key is missing"),
    "ignore bad date": ("version: 1\nignore:\n  - {rule: x/y, reason: r, expires: soon}\n",
                        "p.yml: ignore[0].expires: expected a date (YYYY-MM-DD), got 'soon'"),
    "budget too big": ("version: 1\npre_receive: {budget_seconds: 6}\n",
                       "p.yml: pre_receive.budget_seconds: 6s leaves no room: GitHub Enterprise Server kills all "
                       "hooks after 5 s in total"),
    "duplicate key": ("version: 1\non_timeout: warn\non_timeout: block\n", "p.yml: line 3: duplicate key 'on_timeout'"),
    "yaml syntax": ("version: 1\nrules: [\n", "p.yml: line 3, column 1: invalid YAML: expected the node content, but found '<stream end>'"),
    "top not mapping": ("- 1\n", "p.yml: (top level): expected a mapping, got a list"),
    "unscanned bad action": ("version: 1\nunscanned: {mobile: deny}\n",
                             "p.yml: unscanned.mobile: expected one of block, warn, allow, got 'deny'"),
    "unscanned unknown rule set": ("version: 1\nunscanned: {phone: block}\n",
                                   "p.yml: unscanned.phone: unknown key (expected one of: mobile, default, tablet, web, "
                                   "desktop, ci)"),
    "unscanned not a mapping": ("version: 1\nunscanned: block\n", "p.yml: unscanned: expected a mapping, got a string"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_config_errors_are_exact(name: str) -> None:
    text, message = BAD[name]
    with pytest.raises(ConfigError) as info:
        parse_policy(text, "p.yml")
    assert info.value.message == message
    assert info.value.fix


def test_default_policy_is_the_init_template() -> None:
    policy = default_policy()
    assert policy == parse_policy(DEFAULT_POLICY_YAML, "built-in default")
    # The parsed form default_policy() starts from is the text, value for value (types included: a 4 that
    # should be 4.0 would compare equal as a number but not as what the loader produces).
    loaded = load_yaml(DEFAULT_POLICY_YAML, "built-in default")
    assert loaded == DEFAULT_POLICY_DATA
    assert repr(loaded) == repr(DEFAULT_POLICY_DATA)
    assert policy.origins.mobile_classes == (DeviceClass.MOBILE, DeviceClass.TABLET)
    assert policy.origins.undeclared is DeviceClass.DESKTOP
    assert policy.ruleset("mobile").scanners == ("secrets", "semgrep", "bandit")
    assert policy.ruleset("mobile").review is not None
    assert policy.ruleset("default").scanners == ("secrets",)
    assert policy.ruleset("default").block_at is Severity.HIGH
    assert policy.protected_refs == ("refs/heads/main", "refs/heads/master", "refs/heads/release/*")
    assert policy.on_tool_error == "block"


def test_full_policy_parses(tmp_path: Path) -> None:
    text = """
version: 1
origins: {mobile_classes: [mobile, tablet, web], undeclared: mobile}
protected_refs: [main, "refs/heads/release/*"]
rules:
  mobile:
    scanners: [secrets, semgrep, bandit]
    block_at: high
    require_signature: true
    require_registered_device: true
    review: {approvals: 2, exclude_authors: true, after_last_mobile_commit: true}
  default: {scanners: [secrets], block_at: critical}
zones:
  - {name: payments, paths: ["src/payments/**"], mobile: block, unmanaged_device: block}
  - {name: health, paths: ["src/health/**"], mobile: {review: {approvals: 3}}}
devices: .gatekeeper/devices.yml
allowed_signers: .gatekeeper/allowed_signers
pre_receive: {budget_seconds: 4.0, scanners: [secrets], defer: [semgrep, bandit]}
on_tool_error: block
on_timeout: warn
bypass: {push_option: gatekeeper.bypass, allowed: [release-captain], reason_required: true}
ignore:
  - {rule: semgrep/python-eval, paths: ["tests/**"], reason: "fixtures", expires: 2027-06-30}
"""
    policy = parse_policy(text, "p.yml", base_dir=tmp_path)
    assert policy.protected_refs == ("refs/heads/main", "refs/heads/release/*")
    assert policy.origins.undeclared is DeviceClass.MOBILE
    assert policy.devices == tmp_path / ".gatekeeper/devices.yml"
    assert policy.zones[1].mobile_review is not None and policy.zones[1].mobile_review.approvals == 3
    assert policy.ignore[0].expires == dt.date(2027, 6, 30)
    assert policy.on_timeout == "warn"


@pytest.mark.parametrize(("pattern", "path", "expected"), [
    ("src/payments/**", "src/payments/a/b.py", True),
    ("src/payments/**", "src/payments.py", False),
    ("**/*.py", "a.py", True),
    ("**/*.py", "x/y/a.py", True),
    ("refs/heads/release/*", "refs/heads/release/1.0", True),
    ("refs/heads/release/*", "refs/heads/release/1.0/hotfix", False),
    ("tests/", "tests/a/b", True),
])
def test_glob(pattern: str, path: str, expected: bool) -> None:
    assert glob_match(pattern, path) is expected


def test_policy_init_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / ".gatekeeper.yml"
    assert run(["policy", "init", "--path", str(target)]) == 0
    assert run(["policy", "check", str(target)]) == 0
    assert run(["policy", "init", "--path", str(target)]) == 2  # refuses to overwrite
    target.write_text("version: 1\nbogus: 1\n")
    assert run(["policy", "check", str(target)]) == 3
    err = capsys.readouterr().err
    assert f"gatekeeper: config error: {target}: bogus: unknown key" in err
    assert run(["policy", "check", str(tmp_path / "missing.yml")]) == 3


def test_left_out_keys_never_weaken_the_gate() -> None:
    """A small policy file inherits the built-in rule sets key by key (review, scanners, thresholds)."""
    builtin = default_policy()
    minimal = parse_policy("version: 1\n", "p.yml")
    assert minimal.rules == builtin.rules
    partial = parse_policy("version: 1\nrules:\n  mobile: {block_at: medium}\n  default: {}\n", "p.yml")
    mobile = partial.ruleset("mobile")
    assert mobile.block_at is Severity.MEDIUM
    assert mobile.scanners == ("secrets", "semgrep", "bandit") and mobile.review is not None
    assert partial.ruleset("default") == builtin.ruleset("default")
    web = parse_policy("version: 1\nrules:\n  web: {scanners: [secrets]}\n", "p.yml").ruleset("web")
    assert web.review is not None and web.block_at is Severity.HIGH  # starts from the mobile rules
    off = parse_policy("version: 1\nrules:\n  mobile: {review: {approvals: 0}}\n", "p.yml").ruleset("mobile")
    assert off.review is None  # switching review off is explicit
    two = parse_policy("version: 1\nrules:\n  mobile: {review: {approvals: 2}}\n", "p.yml").ruleset("mobile")
    assert two.review is not None and two.review.approvals == 2 and two.review.exclude_authors


def test_policy_check_validates_the_files_it_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / ".gatekeeper.yml"
    target.write_text("version: 1\ndevices: .gatekeeper/devices.yml\n")
    assert run(["policy", "check", str(target)]) == 3
    assert f"{tmp_path / '.gatekeeper/devices.yml'}: device registry not found" in capsys.readouterr().err
    (tmp_path / ".gatekeeper").mkdir()
    (tmp_path / ".gatekeeper/devices.yml").write_text("version: 1\ndevices: []\n")
    assert run(["policy", "check", str(target)]) == 0
    assert "0 device(s) in" in capsys.readouterr().out


def test_a_day_that_does_not_exist_gets_a_fix_that_says_so(tmp_path: Path) -> None:
    policy = tmp_path / "p.yml"
    policy.write_text("version: 1\nignore:\n  - {rule: semgrep/python-eval*, reason: r, expires: 2027-02-30}\n")
    with pytest.raises(ConfigError) as raised:
        load_policy_file(policy)
    assert "2027-02-30" in raised.value.message and raised.value.fix == "write a date that exists, as YYYY-MM-DD"
