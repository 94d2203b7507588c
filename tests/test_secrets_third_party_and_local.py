"""Out-of-sample noise classes (sixteenth session): six public histories the secrets rules were never tuned on
(laravel/laravel, serverless/serverless, pallets/flask, getsentry/sentry-python, supabase/supabase-js,
hashicorp/consul-template: 40,478 commits) blocked 142 times; each finding was judged by hand. The classes here are
the ones a team would switch the gate off for, each with the control that keeps the real case blocking:

- a framework's validation rules as a value (`'password' => 'required|string|min:8|confirmed'`, Laravel and
  CodeIgniter) and a PHP class name (`'Password' => 'Illuminate\\Support\\Facades\\Password'`), a static member read
  (`static::$password`): code, not a password;
- a database URL whose host is the machine itself (`postgresql://postgres:<project name>@localhost:5432` in a CI
  workflow's service container) with a short or low-entropy password: recorded as suppressed with the reason; a
  long random one there still blocks, and so does the same weak one on any other host;
- vendored third-party code (`vendor/`, `node_modules/`, `third_party/`, …; policy `secrets.vendored`): a
  dependency's own test keys and example passwords are recorded as suppressed with the reason; a provider-format key
  (AWS, GitHub, …) there still blocks.

Values are built at run time; no secret-shaped literal is written here.
"""

from __future__ import annotations

import random
import string

import pytest

from gatekeeper.config import DEFAULT_VENDORED_FILES, ConfigError, parse_policy
from gatekeeper.scan.secrets import SecretDetector
from tests.hook_helpers import AWS_KEY
from tests.repo_builder import RepoBuilder
from tests.test_secrets_test_files import _scan as scan_change

_rng = random.Random(1616)


def _random(n: int) -> str:
    return "".join(_rng.choice(string.ascii_letters + string.digits) for _ in range(n))


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector.load()


def _reported(detector: SecretDetector, line: str, path: str) -> list[tuple[str, str]]:
    return [(h.rule_id, h.suppressed) for h in detector.scan_text(line, path=path, with_suppressed=True)]


# -- validation rules, class names, member reads ----------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "            'password' => 'required|string|min:8|confirmed',",
    "\t\t\t'password' => 'required|confirmed|min:6',",
    "\t'password' => 'different:old_password',",
    "        $rules['password'] = 'required|min_length[8]|max_length[64]';",  # CodeIgniter
    "    'password_confirmation' => 'required_with:password|same:password',",
    "        'Password'  => 'Illuminate\\Support\\Facades\\Password',",
    "    'password' => 'Auth\\PasswordController',",
    "    'password' => \"App\\\\Http\\\\Controllers\\\\PasswordController\",",
    "            'password' => static::$password ??= Hash::make('password'),",
    "            'password' => self::$defaultPassword,",
])
def test_validation_rules_class_names_and_member_reads_are_code(detector: SecretDetector, line: str) -> None:
    assert _reported(detector, line, "app/Http/Controllers/Auth/RegisterController.php") == []


@pytest.mark.parametrize("value", [
    "Tq7|vX2k|9fLm",  # pipes, but no validation rule among them
    "required|" + "Tq7vX2k9",  # one rule name and a random word
    "Gx\\Q7mT2p\\r",  # backslashes, not a qualified name (a digit, a lower-case segment)
    "min:8" + "Tq7vX",
])
def test_a_password_that_only_resembles_them_still_blocks(detector: SecretDetector, value: str) -> None:
    assert _reported(detector, f"    'password' => '{value}',", "config/database.php") == [
        ("secrets/generic-password", "")]


# -- a database on the machine itself ----------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "postgresql://postgres:" + "sentry" + "@localhost:5432",
    "postgres://app:" + "app" + "@127.0.0.1/app_test", "postgres://ci:" + "localdevdb" + "@localhost/ci",
    "mysql://root:" + "Guest" + "2025@[::1]:3306/db",
    "redis://:" + "devpass" + "@localhost:6379/0",
    "amqp://guest:" + "rabbit1" + "@127.0.0.1:5672//",
])
def test_a_weak_password_of_a_database_on_the_machine_itself_is_recorded_not_blocking(
        detector: SecretDetector, url: str) -> None:
    found = _reported(detector, f'          psql {url} -c "create database app;" || true', ".github/workflows/test.yml")
    assert len(found) == 1 and found[0][0] == "secrets/database-url-password", found
    assert "local machine" in found[0][1], found


@pytest.mark.parametrize("url", [
    "postgresql://postgres:" + _random(12) + "@localhost:5432",  # a generated one: a tunnel to a real database
    "postgresql://postgres:" + "sentry" + "@db.prod.example.net:5432",  # the same weak one anywhere else
    "postgresql://postgres:" + "sentry" + "@localhost.evil.example:5432",  # a name that only starts like the machine's
    "postgresql://postgres:" + "sentry" + "@127.0.0.1.nip.io:5432",
])
def test_a_strong_local_password_or_a_weak_remote_one_still_blocks(detector: SecretDetector, url: str) -> None:
    assert _reported(detector, f"DATABASE_URL={url}/app", "deploy/prod.env") == [("secrets/database-url-password", "")]


# -- vendored third-party code -----------------------------------------------------------------------------------

PEM = ("-----BEGIN RSA " + "PRIVATE KEY-----\n" + "MIIEpAIBAAKCAQEA" + _random(48) + "\n"
       + "\n".join(_random(64) for _ in range(6)) + "\n-----END RSA " + "PRIVATE KEY-----\n")


def _scan(repo: RepoBuilder, files: dict[str, str], policy_text: str = "version: 1\n") -> list[tuple[str, str, str]]:
    """(path, rule, suppressed_by) of each secrets finding of one commit adding `files` on a base commit."""
    repo.commit("base\n", {"README": "x\n"})
    return scan_change(repo, files, policy_text)


def test_a_dependency_s_test_keys_and_example_passwords_are_recorded_as_vendored(repo: RepoBuilder) -> None:
    password = "DB_PASS=" + _random(4) + "-" + _random(6) + "\n"
    found = _scan(repo, {
        "vendor/github.com/keybase/go-crypto/openpgp/keys_test.go": 'const key = `' + PEM + '`\n',
        "node_modules/jsonwebtoken/test/priv.pem": PEM,
        "api/node_modules/dotenv/README.md": password,
        "third_party/mgo/session.go": "// mongodb://admin:" + _random(12) + "@db.example.net:27017\n",
    })
    assert [(p, r) for p, r, _ in found] == [
        ("api/node_modules/dotenv/README.md", "secrets/generic-password"),
        ("node_modules/jsonwebtoken/test/priv.pem", "secrets/private-key"),
        ("third_party/mgo/session.go", "secrets/database-url-password"),
        ("vendor/github.com/keybase/go-crypto/openpgp/keys_test.go", "secrets/private-key"),
    ], found
    assert all("vendored third-party code" in reason and "secrets.vendored" in reason for _, _, reason in found), found


def test_a_provider_format_key_in_vendored_code_still_blocks_and_the_same_key_outside_it_too(
        repo: RepoBuilder) -> None:
    found = _scan(repo, {"vendor/aws/config.go": f'var key = "{AWS_KEY}"\n', "keys/server.pem": PEM})
    assert found == [("keys/server.pem", "secrets/private-key", ""), ("vendor/aws/config.go", "secrets/aws-access-key", "")]


def test_vendored_empty_turns_it_off_and_a_list_replaces_the_default(repo: RepoBuilder) -> None:
    assert "**/vendor/**" in DEFAULT_VENDORED_FILES and "**/node_modules/**" in DEFAULT_VENDORED_FILES
    found = _scan(repo, {"vendor/x/key.pem": PEM, "deps/y/key.pem": PEM},
                  "version: 1\nsecrets: {vendored: [\"deps/**\"]}\n")
    assert [(p, bool(s)) for p, _, s in found] == [("deps/y/key.pem", True), ("vendor/x/key.pem", False)]


def test_a_vendored_setting_that_is_not_a_list_of_globs_is_refused_with_the_key_named() -> None:
    with pytest.raises(ConfigError, match=r"secrets\.vendored"):
        parse_policy("version: 1\nsecrets: {vendored: vendor}\n")


# -- a service the file itself runs; private keys in tests; references and encoded dummies (held-out histories) ----

@pytest.mark.parametrize(("path", "line"), [
    ("docker-compose.yml", "      - DATABASE_URL=postgresql://postgres:" + "testpass" + "@app-db:5432/app?connect_timeout=300"),
    ("compose.yaml", "      REDIS_URL: redis://:" + "devpass" + "@cache:6379/0"),
    (".github/workflows/test.yml", "          psql postgresql://postgres:" + "sentry" + "@postgres:5432 -c 'select 1'"),
])
def test_a_weak_password_of_a_service_the_compose_or_ci_file_runs_is_recorded(
        detector: SecretDetector, path: str, line: str) -> None:
    found = _reported(detector, line, path)
    assert len(found) == 1 and found[0][0] == "secrets/database-url-password", found
    assert "service the file runs" in found[0][1], found


@pytest.mark.parametrize(("path", "line"), [
    ("deploy/prod.env", "DATABASE_URL=postgresql://postgres:" + "testpass" + "@app-db:5432/app"),  # not a compose or CI file
    ("docker-compose.yml", "      - DATABASE_URL=postgresql://postgres:" + _random(14) + "@app-db:5432/app"),
    ("docker-compose.yml", "      - DATABASE_URL=postgresql://postgres:" + "testpass" + "@db.prod.example.net:5432/app"),
])
def test_a_generated_password_or_another_host_or_file_still_blocks(
        detector: SecretDetector, path: str, line: str) -> None:
    assert _reported(detector, line, path) == [("secrets/database-url-password", "")]


def test_a_private_key_in_test_code_or_test_data_is_recorded_as_a_test_key(repo: RepoBuilder) -> None:
    found = _scan(repo, {
        "pkg/tls/tlsmanager_test.go": "var localhostKey = []byte(`" + PEM + "`)\n",
        "integration/testdata/https/snitest.com.key": PEM,
        "tests/test.key": PEM,
        "integration/fixtures/https/clientca/ca1.key": PEM,  # a fixtures directory: test data for a key
        "db/fixtures/production/002_admin.rb": "u.password = '" + _random(14) + "'\n",  # not for a password (red90)
        "certs/server.key": PEM,  # not a test path: blocks
    })
    assert [(p, bool(s)) for p, _, s in found] == [
        ("certs/server.key", False), ("db/fixtures/production/002_admin.rb", False),
        ("integration/fixtures/https/clientca/ca1.key", True), ("integration/testdata/https/snitest.com.key", True),
        ("pkg/tls/tlsmanager_test.go", True), ("tests/test.key", True)], found
    assert all("secrets.tests" in s for _, _, s in found if s), found


def test_tests_empty_keeps_private_keys_in_tests_blocking(repo: RepoBuilder) -> None:
    found = _scan(repo, {"tests/test.key": PEM, "a/fixtures/b.key": PEM}, "version: 1\nsecrets: {tests: []}\n")
    assert found == [("a/fixtures/b.key", "secrets/private-key", ""), ("tests/test.key", "secrets/private-key", "")]


@pytest.mark.parametrize("line", [
    '# pass = "env(SENDGRID_API_KEY)"',
    'password = "env(SMTP_PASSWORD)"',
    "   password: " + "cGFzc3dvcmQ=",  # base64 of a dummy word, as a Kubernetes Secret's data holds it
    "  password: " + "YWRtaW4=  # 'admin' base64 encoded",
])
def test_an_env_reference_and_a_base64_encoded_dummy_are_not_passwords(detector: SecretDetector, line: str) -> None:
    assert _reported(detector, line, "deploy/config.toml" if "env(" in line else "k8s/secret.yml") == []


def test_a_base64_encoded_real_password_still_blocks(detector: SecretDetector) -> None:
    import base64

    encoded = base64.b64encode(_random(14).encode()).decode()
    assert _reported(detector, f"  password: {encoded}", "k8s/secret.yml") == [("secrets/generic-password", "")]


@pytest.mark.parametrize("line", [
    "   Never pass :data:`~flask.current_app` as sender to a signal.  Use",
    "you can pass :py:func:`functools.partial_wrapper` instead",
])
def test_a_restructuredtext_role_after_a_password_word_is_prose(detector: SecretDetector, line: str) -> None:
    assert _reported(detector, line, "docs/signals.rst") == []


def test_a_password_in_backticks_after_a_colon_still_blocks(detector: SecretDetector) -> None:
    assert _reported(detector, "db_password: `" + _random(14) + "`", "notes.md") == [("secrets/generic-password", "")]


def test_in_a_ci_definition_only_a_database_image_s_name_is_a_service_it_runs(detector: SecretDetector) -> None:
    """A self-hosted runner reaches its network's hosts by one word too: `@proddb` in a deploy workflow is not a
    service container; in a Compose file, a database service's name is (`app-db`), any one word not."""
    line = "        run: psql postgresql://app:" + "hunter22" + "@proddb:5432/app -f migrate.sql"
    assert _reported(detector, line, ".github/workflows/deploy.yml") == [("secrets/database-url-password", "")]
    assert _reported(detector, line, "docker-compose.yml") == [("secrets/database-url-password", "")]  # (red132)
    assert _reported(detector, line.replace("proddb", "app-db"), "docker-compose.yml")[0][1]  # a database service


@pytest.mark.parametrize(("path", "line"), [
    ("azure-pipelines.yml", "  $apiKey = $Env:MYGET_KEY"),  # PowerShell's environment read (Newtonsoft.Json)
    ("docs/config.rst", 'c.NotebookApp.password = u"sha1:' + "67c9e60bb8b6" + ":" + "9ffede0825894254b2e0"
                        + "42ea597d771089e11aed" + '"'),  # Jupyter's password hash: recorded, not reported
])
def test_an_environment_read_and_a_password_hash_are_not_passwords(
        detector: SecretDetector, path: str, line: str) -> None:
    assert all(reason for _, reason in _reported(detector, line, path)), _reported(detector, line, path)


def test_a_format_glued_inside_a_wrapped_line_of_base64_is_encoded_data(detector: SecretDetector) -> None:
    """A notebook's image, 76 characters a line, each a JSON string ending in `\\n`: a provider format's shape glued
    inside one (ipython: a Yandex Cloud key's 12 times) is binary data; the same token written as a value blocks."""
    rng = random.Random(7)
    b64 = string.ascii_letters + string.digits + "+/"
    token = "AQVN" + "".join(rng.choice(string.ascii_letters + string.digits + "_-") for _ in range(36))
    for _ in range(50):
        body = "".join(rng.choice(b64) for _ in range(30)) + "/" + token + "+" + "".join(rng.choice(b64) for _ in range(4))
        found = _reported(detector, f'    "{body}\\n",', "docs/examples/plot.ipynb")
        assert all(reason for _, reason in found), found
    assert _reported(detector, f'YC_API_KEY = "{token}"', "app/config.py")[0][1] == ""


def test_a_keystore_is_judged_where_a_private_key_would_be(repo: RepoBuilder) -> None:
    """A PKCS#12 bundle or Java keystore is binary (no rule reads it): it is recorded as suppressed in a test-data
    directory, Maven's src/test tree, vendored code and for Visual Studio's generated temporary key, and blocks
    anywhere else (a deploy directory included)."""
    blob = "\x00\x01binary keystore\x00"
    found = _scan(repo, {"src/test/resources/server.jks": blob, "vendor/lib/testdata/client.p12": blob,
                         "Src/App.Store/App.Store_TemporaryKey.pfx": blob, "deploy/test/tls.p12": blob,
                         "release/signing.jks": blob})
    assert [(p, bool(s)) for p, _, s in found] == [
        ("Src/App.Store/App.Store_TemporaryKey.pfx", True), ("deploy/test/tls.p12", False),
        ("release/signing.jks", False), ("src/test/resources/server.jks", True),
        ("vendor/lib/testdata/client.p12", True)], found


def test_a_dotnet_test_project_is_test_code(repo: RepoBuilder) -> None:
    found = _scan(repo, {"Src/Newtonsoft.Json.Tests/Documentation/Samples/Linq.cs":
                         "    string json = @\"{'Password': '" + _random(9) + "'}\";\n"})
    assert [(p, bool(s)) for p, _, s in found] == [("Src/Newtonsoft.Json.Tests/Documentation/Samples/Linq.cs", True)]


def test_a_format_glued_inside_one_long_string_of_wrapped_base64_is_encoded_data(detector: SecretDetector) -> None:
    """nbformat 3 keeps a notebook's image as one string of 76-character lines joined by an escaped `\\n` (ipython:
    a Yandex Cloud key's shape 12 times): the run the key shape sits in goes on across those escapes."""
    rng = random.Random(11)
    b64 = string.ascii_letters + string.digits + "+/"
    token = "AQVN" + "".join(rng.choice(string.ascii_letters + string.digits + "_-") for _ in range(36))
    lines = ["".join(rng.choice(b64) for _ in range(76)) for _ in range(6)]
    lines[3] = lines[3][:20] + "/" + token + "+" + lines[3][62:]
    found = _reported(detector, '       "png": "' + "\\n".join(lines) + '"', "examples/Image Processing.ipynb")
    assert found and all(reason for _, reason in found), found


def test_a_key_in_a_production_directory_under_fixtures_or_vendor_blocks(repo: RepoBuilder) -> None:
    """A seed's `fixtures/production/` (red90) and a dependency's `prod/` hold what deploys an environment: a key
    there is never a test's or a dependency's."""
    found = _scan(repo, {"db/fixtures/production/server.key": PEM, "vendor/acme/staging/tls.key": PEM,
                         "db/fixtures/tls/server.key": PEM})
    assert [(p, bool(s)) for p, _, s in found] == [
        ("db/fixtures/production/server.key", False), ("db/fixtures/tls/server.key", True),
        ("vendor/acme/staging/tls.key", False)], found
