"""Five histories the gate was never tuned on, measured blind (meas141: coolify, ory/kratos, ory/hydra, dokku, Kong's
insomnia): the classes of their false blocking findings, each as a real commit, beside what must still block.
Values are made at run time."""

from __future__ import annotations

import base64
import random
import string

import pytest

from gatekeeper.scan.secrets import SecretDetector
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking, blocking_findings, reported, scan_commit

_RNG = random.Random(141)


def _random(n: int = 20) -> str:
    """Letters and digits, a digit and a letter of each case among them (what a generated password holds)."""
    body = [_RNG.choice(string.ascii_letters + string.digits) for _ in range(n - 3)]
    return "".join(body) + _RNG.choice(string.digits) + _RNG.choice(string.ascii_uppercase) + _RNG.choice("xyz")


# (path, line) that are not secrets: a variable or a reference where the value stands.
_NOT_SECRETS = {
    "PHP interpolation in a URL": ("app/Models/StandaloneMysql.php",
                                   '        $url = "mysql://{$encodedUser}:{$encodedPass}@{$serverIp}:{$this->port}/db";'),
    "PHP interpolation of a property": ("app/Jobs/Backup.php",
                                        '    $url = "mongodb://{$user}:{$this->mongo_root_password}@{$host}:27017";'),
    "a shell variable escaped in a PHP string": (
        "app/Livewire/Import.php",
        '    $cmd .= " | mariadb -u root -p\\$MARIADB_ROOT_PASSWORD \\${MARIADB_DATABASE:-default}";'),
    "a JSON pointer in an OpenAPI mapping": ("spec/api.json",
                                             '      "password": "#/components/schemas/updateSettingsFlowWithPassword",'),
    "a JSON pointer in YAML": ("internal/client-go/api/openapi.yaml",
                               "          password: '#/components/schemas/updateLoginFlowWithPasswordMethod'"),
    "a build secret's mount": ("scripts/smoke.sh", '  docker buildx build --secret id=NPM_TOKEN,src=/run/npm .'),
    "openssl reading a file": ("templates/compose/documenso.yaml", "          -password file:/tmp/cert_pass"),
    "openssl reading the environment": ("ops/pack.sh", "openssl pkcs12 -export -in c.crt -passout env:P12_PASS"),
    "a sudoers tag": ("plugins/nginx/install",
                      '  echo "%dokku ALL=(ALL) NOPASSWD:/etc/init.d/nginx reload, /usr/sbin/nginx -t" > /etc/sudoers.d/x'),
    "sed with another delimiter": (".travis.yml", '  - "sed --in-place \\"s|secret_key|secret_key = $AWS_SECRET_KEY|\\" .s3cfg"'),
    "the name of a hash to fill in": ("config/gitlab.rb", "#     password: MD5_PASSWORD_HASH"),
    "RFC 6749's example client": ("fosite/introspection.go",
                                  "//\tAuthorization: Basic " + base64.b64encode(("s6BhdRkqt3" + ":" + "gX1fBat3bV").encode()
                                                                               ).decode()),
    "a regular expression's named group": ("src/__fixtures__/httpbin.expected.json",
                                           '    "paths": ["/basic-auth/(?<user>[^\\\\/\\\\s]+)/(?<password>[^\\\\/\\\\s]+)$"]'),
    "RFC 7662's example token": ("fosite/introspection.go", "//\tAuthorization: Bearer " + "23410913-" + "abewfq.123483"),
}


@pytest.mark.parametrize("case", list(_NOT_SECRETS))
def test_a_variable_or_a_reference_is_not_a_secret(secrets_detector: SecretDetector, case: str) -> None:
    path, line = _NOT_SECRETS[case]
    assert [rule for rule, suppressed in reported(secrets_detector, line, path) if not suppressed] == []


# The same places with a literal: each still blocks.
def _literals() -> dict[str, tuple[str, str]]:
    value = _random()
    return {
        "a URL's literal password": ("app/Models/StandaloneMysql.php",
                                     f'        $url = "mysql://app:{value}@db01.acme-corp.com:3306/db";'),
        "a literal after -p": ("app/Livewire/Import.php", f'    $cmd .= " | mariadb -u root -p{value} app";'),
        "a literal that starts like a pointer": ("config/app.json", f'  "password": "#{value}",'),
        "openssl's literal pass source": ("ops/pack.sh", f"openssl pkcs12 -export -in c.crt -passout pass:{value}"),
        "a build secret given as a value": ("scripts/smoke.sh", f"  tool --secret {value} ."),
    }


@pytest.mark.parametrize("case", list(_literals()))
def test_the_same_places_with_a_literal_still_block(secrets_detector: SecretDetector, case: str) -> None:
    path, line = _literals()[case]
    assert [rule for rule, suppressed in reported(secrets_detector, line, path) if not suppressed] != [], line


@pytest.mark.parametrize("path, line", [
    ("oryx/sqlcon/parse_opts_test.go", '\t\tdsn: "postgres://user:{pw}@host:port",'),
    ("tests/Unit/SanitizeLogsForExportTest.php", "    'amqp://rabbit:{pw}@rabbitmq:5672' => 'amqp://rabbit:x@rabbitmq',"),
    ("src/db/url.test.ts", "  const url = 'postgresql://app:{pw}@localhost:5432/app'"),
])
def test_a_urls_password_for_an_example_host_in_test_code_is_a_tests_value(based: RepoBuilder, path: str,
                                                                            line: str) -> None:
    """Recorded as suppressed, whatever the password (a test's DSN parser or log sanitizer is fed made-up URLs)."""
    found = scan_commit(based, {path: line.format(pw=_random()) + "\n"})
    assert blocking_findings(found) == []
    reasons = [s for _, rule, _, s in found if rule == "secrets/database-url-password"]
    assert any(reason.startswith("context: a value in test code") for reason in reasons), found


@pytest.mark.parametrize("path, line", [
    # another host, in test code
    ("tests/integration/db_test.go", 'dsn := "postgres://ci:{pw}@db01.acme-corp.com:5432/app"'),
    # an example host, but not test code (a deployed script; a config file under tests/ that is no code)
    ("deploy/migrate.sh", "psql postgres://app:{pw}@localhost:5432/app"),
    ("prod/tests/smoke_test.py", "URL = 'postgres://app:{pw}@db:5432/app'"),
])
def test_a_urls_password_elsewhere_still_blocks(based: RepoBuilder, path: str, line: str) -> None:
    found = scan_commit(based, {path: line.format(pw=_random()) + "\n"})
    assert [rule for _, rule in blocking_findings(found)] == ["secrets/database-url-password"]


def test_a_go_mysql_dsn_for_an_example_host_in_the_docs_warns(based: RepoBuilder) -> None:
    """Go's MySQL driver writes the host in its protocol (`user:pw@tcp(host:port)/db`): an example's host all the same."""
    found = scan_commit(based, {"docs/docs/dependencies.md": "> `mysql://user:" + _random(8) + "@tcp(host:port)/db`.\n"})
    assert blocking_findings(found) == [] and [r for _, r, _, _ in found] == ["secrets/database-url-password"]
    found = scan_commit(based, {"docs/docs/prod.md": "> `mysql://app:" + _random(8) + "@tcp(db01.acme-corp.com:3306)/db`\n"})
    assert [rule for _, rule in blocking_findings(found)] == ["secrets/database-url-password"]


def test_a_bearer_literal_in_test_code_is_a_tests_value(based: RepoBuilder) -> None:
    line = '\t\t"Authorization": {"Bearer ' + _random(40) + '"},\n'
    assert blocking_findings(scan_commit(based, {"oryx/logrusx/logrus_test.go": line})) == []
    assert [rule for _, rule in blocking_findings(scan_commit(based, {"oryx/logrusx/logrus.go": line}))] == [
        "secrets/bearer-token"]


def test_a_key_in_a_stub_directory_is_test_data(based: RepoBuilder) -> None:
    from tests.test_secrets_key_elision import _header, _material
    key = "\n".join((_header("RSA "), *_material(_RNG, 1190), _header("RSA ", end=True))) + "\n"
    assert blocking_findings(scan_commit(based, {"cmd/stub/rsa.key": key})) == []
    assert [rule for _, rule in blocking_findings(scan_commit(based, {"cmd/keys/rsa.key": key}))] == ["secrets/private-key"]


def test_dummy_words_joined_by_colons_in_a_fixture_are_an_example(secrets_detector: SecretDetector) -> None:
    found = reported(secrets_detector, '        "password": "My:Secret:Password"',
                     "packages/importers/src/__tests__/fixtures/curl/complex-output.json")
    assert found == [("secrets/generic-password", "example password (dummy words)")]


def test_a_jest_snapshot_is_test_code(based: RepoBuilder) -> None:
    """A snapshot records what a test's code produced from its made-up input (insomnia's importers)."""
    line = '    "password": "' + _random(14) + '",\n'
    path = "packages/insomnia/src/utils/importers/__tests__/__snapshots__/convert.test.ts.snap"
    assert blocking_findings(scan_commit(based, {path: line})) == []
    assert blocking_findings(scan_commit(based, {"packages/insomnia/src/utils/importers/convert.json": line})) != []


def test_a_yaml_file_in_a_compose_directory_is_a_compose_file(secrets_detector: SecretDetector) -> None:
    """`templates/compose/postiz.yaml`: a name-made password for the database service the file runs (coolify)."""
    # (Built from its parts: a URL with a password, whole, is what this repository's own gate blocks on.)
    line = '      - "DATABASE_URL=postgresql://postiz-user:' + "postiz-" + 'password@postiz-postgres:5432/postiz-db-local"'
    assert [s for _, s in reported(secrets_detector, line, "templates/compose/postiz.yaml")] == [
        "a weak password of a database in a service the file runs (Compose or CI)"]
    assert blocking(secrets_detector, line, "templates/k8s/postiz.yaml") == ["secrets/database-url-password"]
