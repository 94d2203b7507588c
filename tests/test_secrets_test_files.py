"""Keyword rules (`test_values: true` in rules/secrets.yml) in test source code (policy `secrets.tests`,
DEFAULT_TEST_FILES unless set, and a source-code extension): the values tests assert on (`password:
'secure-password-123'`, `--api-key="secret123"`) are recorded as suppressed with the reason, never dropped; a
provider-format key, a named provider's token, a bearer header, and anything in a test directory's DATA (a
cassette, a .env or .tfvars of a deployed test environment: red88) still block. Measured on google-gemini/gemini-cli (6,384
commits): 9 false blocking findings before, 0 after; the one true one (an OAuth client secret in src/) stays."""

from __future__ import annotations

import pytest

from gatekeeper.config import DEFAULT_TEST_FILES, ConfigError, parse_policy
from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.scan.secrets import SecretDetector
from gatekeeper.scan.secrets_scanner import SecretsScanner
from tests.hook_helpers import AWS_KEY
from tests.repo_builder import RepoBuilder

PASSWORD_LINE = "const password = 'Tq7-vX2k-9fLm';\n"
CLI_LINE = "run(['deploy', '--api-key=\"Tq7vX2k9fLmR\"']);\n"


def _scan(repo: RepoBuilder, files: dict[str, str], policy_text: str = "version: 1\n") -> list[tuple[str, str, str]]:
    base = repo.head()
    sha = repo.commit("add\n", files)
    git = Git(repo.path)
    settings = parse_policy(policy_text).secrets
    result = SecretsScanner(settings=settings).scan(
        ScanJob(git=git, commits=git.commits([sha], [base]), changes=git.changed_files([sha]), head=sha))
    return sorted((f.path or "", f.rule_id, f.suppressed_by) for f in result.findings
                  if f.rule_id.startswith("secrets/"))


@pytest.fixture
def based(repo: RepoBuilder) -> RepoBuilder:
    repo.commit("base\n", {"README": "x\n"})
    return repo


@pytest.mark.parametrize("path", ["packages/core/src/services/keychain.test.ts", "src/app.spec.js",
                                  "tests/test_login.py", "pkg/auth/login_test.go", "src/__tests__/a.jsx",
                                  "internal/testdata/gen.go", "app/src/test/java/LoginTest.java",
                                  "frontend/src/mocks/handlers.ts", "crates/uv-auth/src/middleware/tests.rs",
                                  "shop/orders/tests.py", "tests_helpers/conftest.py"])
def test_a_keyword_rule_in_a_test_file_is_suppressed_with_the_reason(based: RepoBuilder, path: str) -> None:
    found = _scan(based, {path: PASSWORD_LINE})
    assert [(p, r) for p, r, _ in found] == [(path, "secrets/generic-password")]
    assert "test code" in found[0][2] and "secrets.tests" in found[0][2]


def test_the_same_line_outside_tests_blocks_and_a_provider_key_in_a_test_still_does(based: RepoBuilder) -> None:
    found = _scan(based, {"src/db.ts": PASSWORD_LINE, "src/deploy.test.ts": CLI_LINE,
                          "tests/test_aws.py": f"KEY = '{AWS_KEY}'\n"})
    assert found == [("src/db.ts", "secrets/generic-password", ""),
                     ("src/deploy.test.ts", "secrets/cli-password", found[1][2]),
                     ("tests/test_aws.py", "secrets/aws-access-key", "")]
    assert "test code" in found[1][2]


@pytest.mark.parametrize("path", ["internal/testdata/cfg.yaml", "tests/cassettes/login.json", ".env.test",
                                  "tests/run_integration.sh"])
def test_data_and_scripts_under_test_paths_still_block(based: RepoBuilder, path: str) -> None:
    assert _scan(based, {path: PASSWORD_LINE}) == [(path, "secrets/generic-password", "")]


def test_the_policy_sets_or_clears_the_test_globs(based: RepoBuilder) -> None:
    assert parse_policy("version: 1\n").secrets.tests == DEFAULT_TEST_FILES
    cleared = _scan(based, {"src/db.test.ts": PASSWORD_LINE}, "version: 1\nsecrets: {tests: []}\n")
    assert cleared == [("src/db.test.ts", "secrets/generic-password", "")]
    own = _scan(based, {"qa/db.ts": PASSWORD_LINE, "src/x.test.ts": PASSWORD_LINE},
                "version: 1\nsecrets: {tests: ['qa/**']}\n")
    assert [(p, bool(s)) for p, _, s in own] == [("qa/db.ts", True), ("src/x.test.ts", False)]
    with pytest.raises(ConfigError) as info:
        parse_policy("version: 1\nsecrets: {tests: '**/*.test.*'}\n")
    assert "secrets.tests" in info.value.message


@pytest.mark.parametrize("line", ["password: frontmatter.password!,", "token: opts?.token,",
                                  "password = config!.db.password", "pwd: this.settings?.auth!.pwd;"])
def test_typescript_member_access_is_code_not_a_password(line: str) -> None:
    detector = SecretDetector.load()
    assert detector.scan_text(line, path="src/agentLoader.ts") == []


def test_a_quoted_value_that_looks_like_member_access_is_still_a_secret() -> None:
    detector = SecretDetector.load()
    assert [h.rule_id for h in detector.scan_text("password = 'a.b!c9Xq'", path="src/a.ts")] == [
        "secrets/generic-password"]


@pytest.mark.parametrize("line", ['"password": "@env:DARWIN_DEV_PASS"', "password: '@keychain:AC_PASSWORD'"])
def test_apple_notarisation_references_are_not_passwords(line: str) -> None:
    """git-lfs/git-lfs script/macos/manifest.json (gon's configuration): `@env:NAME` names a variable."""
    assert SecretDetector.load().scan_text(line, path="script/macos/manifest.json") == []


@pytest.mark.parametrize("line", ['  FEEDBACK$PASSWORD = "FEEDBACK$PASSWORD",', 'DB_PASSWORD = "DB_PASSWORD"',
                                  "API_SECRET: 'API_SECRET'"])
def test_a_name_valued_by_itself_is_not_a_secret(line: str) -> None:
    """An enum member or message key whose value is its own name (All-Hands-AI/OpenHands' i18n declaration)."""
    assert SecretDetector.load().scan_text(line, path="frontend/src/i18n/declaration.ts") == []


@pytest.mark.parametrize("line", ['        let password_1 = "password1";', "    db_password: 'DbPassword'",
                                  'API-SECRET-KEY = "api_secret_key"'])
def test_a_name_spelled_without_its_separators_or_case_is_not_a_secret(line: str) -> None:
    """A test's stand-in that spells its variable's name (astral-sh/uv's auth tests: `password_1 = "password1"`, 32
    blocking findings in its history)."""
    assert SecretDetector.load().scan_text(line, path="crates/uv-auth/src/middleware.rs") == []


@pytest.mark.parametrize("line", ['MY_PASSWORD="MY_PASSWORD2x!"', 'password_1 = "password12"',
                                  'keychain_password="password1x"', 'db_password = "db-pass-word9"'])
def test_a_value_that_only_starts_like_its_name_is_still_a_secret(line: str) -> None:
    found = SecretDetector.load().scan_text(line, path=".env")
    assert [h.rule_id for h in found] == ["secrets/generic-password"]


def test_a_key_shape_inside_base64_data_is_recorded_not_blocking() -> None:
    """pydantic/pydantic-ai's test cassettes hold an MP4 as base64: where a `+` or `/` fences the right letters,
    a provider's format (there: Yandex Cloud's `YC` + 38) matches inside it. In a run of 200+ base64 characters
    with `+` or `/`, such a match is recorded as suppressed with the reason; the same key delimited as a key is
    written blocks."""
    key = AWS_KEY
    blob = "A" * 120 + "+" + key + "/" + "Qk9ZYmFzZTY0" * 10
    found = SecretDetector.load().scan_text(f'{{"bytes": "{blob}"}}', path="tests/cassettes/video.yaml",
                                            with_suppressed=True)
    assert [(h.rule_id, "encoded binary data" in h.suppressed) for h in found] == [("secrets/aws-access-key", True)]
    short = "A" * 20 + "+" + key + "/" + "B" * 20
    found = SecretDetector.load().scan_text(f'"{short}"', path="config.yaml", with_suppressed=True)
    assert [(h.rule_id, h.suppressed) for h in found] == [("secrets/aws-access-key", "")]
    assert [h.rule_id for h in SecretDetector.load().scan_text(f"aws_access_key_id = {key}", path="a.ini")] == [
        "secrets/aws-access-key"]


@pytest.mark.parametrize("line", ['"@inquirer/password": "^4.0.21",', '"password-prompt": "~1.1.3"',
                                  "secret_key_version: '2.4.0'"])
def test_a_version_range_is_not_a_password(line: str) -> None:
    """cline/cline's package-lock.json: a dependency named …password and its version — in a dependency manifest
    only (red91: elsewhere a dotted date and a name is a password)."""
    assert SecretDetector.load().scan_text(line, path="package-lock.json") == []
    assert SecretDetector.load().scan_text(line, path="docs/package.json") == []
