"""gitleaks-format configuration: the policy key `secrets: {config, extend_default}`, the TOML subset
gatekeeper honours (rules, allowlists, [extend]), config errors that name the key, RE2 semantics, and
the trusted source: a push cannot bring the config that judges it.
"""

from __future__ import annotations

import random
import string
import textwrap
from pathlib import Path

import pytest

from gatekeeper.config import parse_policy
from gatekeeper.errors import ConfigError
from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.scan.gitleaks import build_detector, parse_gitleaks
from gatekeeper.scan.secrets import SecretDetector
from gatekeeper.scan.secrets_scanner import SecretsScanner
from tests.hook_helpers import make_server, spush
from tests.repo_builder import RepoBuilder

_rng = random.Random(77)


def r(n: int, alphabet: str = string.ascii_lowercase + string.digits) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


CONFIG = '''
title = "team rules"

[extend]
useDefault = true
disabledRules = ["twilio-api-key"]

[[rules]]
id = "acme-internal-token"
description = "ACME internal service token"
regex = \'\'\'\\b(acme_[a-z0-9]{32})\\b\'\'\'
keywords = ["acme_"]
entropy = 3.0

  [[rules.allowlists]]
  stopwords = ["acme_sandbox"]

[allowlist]
description = "generated fixtures"
paths = [\'\'\'(^|/)testdata/\'\'\']
regexes = [\'\'\'^acme_fixt\'\'\']
'''


def default() -> SecretDetector:
    return SecretDetector.load()


def detector(text: str = CONFIG, extend_default: bool = False) -> SecretDetector:
    return build_detector(parse_gitleaks(text, ".gitleaks.toml"), extend_default=extend_default, default=default,
                          source=".gitleaks.toml")


def ids(d: SecretDetector, line: str, path: str | None = None) -> list[str]:
    return [h.rule_id for h in d.scan_text(line, path=path)]


def test_custom_rule_runs_with_the_default_set() -> None:
    d = detector()
    token = "acme_" + r(32)
    assert ids(d, f"TOKEN={token}") == ["secrets/acme-internal-token"]
    assert ids(d, "GITHUB_TOKEN=ghp_" + r(36, string.ascii_letters + string.digits)) == ["secrets/github-pat"]
    assert "twilio-api-key" not in {rule.id for rule in d.rules}  # disabledRules


def test_rule_stopwords_and_global_allowlist_suppress_with_the_reason() -> None:
    d = detector()
    sandbox = "acme_sandbox" + r(25)
    [hit] = d.scan_text(f"x = {sandbox}", with_suppressed=True)
    assert hit.suppressed == "stopword"
    fixture = "acme_fixt" + r(28)
    [hit] = d.scan_text(f"x = {fixture}", with_suppressed=True)
    assert hit.suppressed == "gitleaks allowlist: generated fixtures"
    [hit] = d.scan_text(f"x = acme_{r(32)}", path="pkg/testdata/creds.txt", with_suppressed=True)
    assert hit.suppressed == "gitleaks allowlist: generated fixtures (path)"


def test_without_use_default_only_the_config_rules_run() -> None:
    text = CONFIG.replace("useDefault = true", "useDefault = false").replace('disabledRules = ["twilio-api-key"]', "")
    d = detector(text)
    assert [rule.id for rule in d.rules] == ["acme-internal-token"]
    assert ids(detector(text, extend_default=True), "k = ghp_" + r(36, string.ascii_letters)) == ["secrets/github-pat"]


def test_re2_semantics_and_linear_time_on_a_catastrophic_pattern() -> None:
    # (a+)+$ backtracks exponentially in a backtracking engine; RE2 answers at once.
    text = '[[rules]]\nid = "evil"\nregex = \'\'\'(a+)+$\'\'\'\nsecretGroup = 1\n'
    d = detector(text)
    assert d.scan_text("a" * 50_000 + "!") == []


BAD = [
    ('[extend]\npath = "other.toml"\n', "extend.path: not supported by gatekeeper"),
    ('[[rules]]\nid = "x"\nregex = "a"\nvalidate = "cel"\n', "rules[0] (id 'x').validate: not supported by gatekeeper"),
    ('[[rules]]\nid = "x"\npath = "a"\n', "rules[0] (id 'x'): a rule without `regex` (a path-only rule) is not supported"),
    ('[[rules]]\nid = "x"\nregex = \'\'\'(?<=a)b\'\'\'\n', "rules[0] (id 'x').regex: not a valid RE2 regex"),
    ('[[rules]]\nid = "x"\nregex = "(a)"\nsecretGroup = 3\n', "rules[0] (id 'x').secretGroup: 3 is not a group"),
    ('[allowlist]\ncommits = ["abc"]\n', "allowlist.commits: not supported by gatekeeper"),
    ('[[allowlists]]\ncondition = "AND"\nregexes = ["a"]\n', "allowlists[0].condition: only OR is supported"),
    ("[rules\n", "not valid TOML"),
    ('unknown = 1\n', "unknown: not supported by gatekeeper"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m.split(":")[0] for _, m in BAD])
def test_unsupported_or_broken_config_is_a_config_error_naming_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        detector(text)
    assert message in info.value.message
    assert info.value.message.startswith(".gitleaks.toml: ")
    assert info.value.fix


def test_policy_key_is_strict_and_resolves_the_path(tmp_path: Path) -> None:
    policy = parse_policy("version: 1\nsecrets: {config: .gitleaks.toml, extend_default: false, validate: true,"
                          " docs: ['**/*.md'], fixtures: ['tests/fixtures/**']}\n", base_dir=tmp_path)
    assert policy.secrets.config == tmp_path / ".gitleaks.toml"
    assert (policy.secrets.extend_default, policy.secrets.validate) == (False, True)
    assert policy.secrets.docs == ("**/*.md",) and policy.secrets.fixtures == ("tests/fixtures/**",)
    assert parse_policy("version: 1\n").secrets.config is None
    with pytest.raises(ConfigError) as info:
        parse_policy("version: 1\nsecrets: {config: x.toml, useDefault: true}\n")
    assert "secrets.useDefault: unknown key" in info.value.message


def test_scanner_reads_the_config_through_the_given_reader(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "r")
    token = "acme_" + r(32)
    sha = repo.commit("add\n", {"app.cfg": f"token = {token}\n"})
    policy = parse_policy("version: 1\nsecrets: {config: team/.gitleaks.toml}\n")
    asked: list[Path] = []

    def reader(path: Path) -> str | None:
        asked.append(path)
        return CONFIG

    scanner = SecretsScanner(settings=policy.secrets, reader=reader)
    git = Git(repo.path)
    result = scanner.scan(ScanJob(git=git, commits=git.commits([sha]), changes={}, head=sha))
    assert asked == [Path("team/.gitleaks.toml")]
    assert [f.rule_id for f in result.findings] == ["secrets/acme-internal-token"]


def test_missing_config_fails_closed(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "r")
    sha = repo.commit("add\n", {"a.txt": "a\n"})
    policy = parse_policy("version: 1\nsecrets: {config: .gitleaks.toml}\n")
    git = Git(repo.path)
    result = SecretsScanner(settings=policy.secrets, reader=lambda _p: None).scan(
        ScanJob(git=git, commits=git.commits([sha]), changes={}, head=sha))
    [failure] = result.findings
    assert failure.rule_id == "tool/secrets-failed" and "gitleaks config not found" in failure.message
    assert not result.stat.ran


REPO_POLICY = textwrap.dedent("""\
    version: 1
    origins: {undeclared: desktop}
    protected_refs: ["refs/heads/main"]
    rules:
      mobile: {scanners: [secrets], block_at: high}
      default: {scanners: [secrets], block_at: high}
    pre_receive: {budget_seconds: 4.0, scanners: [secrets], defer: []}
    secrets: {config: .gitleaks.toml}
    """)


def test_push_is_judged_by_the_config_on_main_not_by_the_pushed_one(tmp_path: Path) -> None:
    server = make_server(tmp_path / "srv", policy=REPO_POLICY, server_side_policy=False)
    admin = server.clone("admin")
    admin.commit("policy\n", {".gatekeeper.yml": REPO_POLICY, ".gitleaks.toml": CONFIG})
    assert spush(server, admin, "origin", "main").code == 0
    work = server.clone("work")
    token = "acme_" + r(32)
    # The push also rewrites the config to allow everything: it must not judge itself with it.
    weakened = CONFIG + "\n[[allowlists]]\nregexes = ['''.*''']\n"
    work.commit("add service\n", {"svc.cfg": f"token = {token}\n", ".gitleaks.toml": weakened})
    result = spush(server, work, "origin", "main")
    assert result.code != 0, result.output
    assert "secrets/acme-internal-token" in result.remote_text, result.remote_text
    assert "policy/changed" in result.remote_text
    assert token not in result.output
