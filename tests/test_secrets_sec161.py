"""sec161: six histories never measured here, read blind (maybe-finance/maybe — Ruby on Rails, android/nowinandroid —
Kotlin/Android, bitwarden/server — C#/.NET, akaunting/akaunting — PHP/Laravel, livebook-dev/livebook — Elixir/Phoenix,
argoproj/argo-helm — Helm), the classes of their false blocking findings, each beside what must still block; and
red162's gap: two string literals joined by the language's operator hid the second from every rule. Values are made
at run time."""

from __future__ import annotations

import base64
import random
import string
import uuid
from pathlib import Path

import pytest

from gatekeeper.models import Severity
from gatekeeper.scan.secrets import SecretDetector, _fold_literal_joins
from tests.hook_helpers import assert_blocked, push_files
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking, blocking_findings, reported, scan_commit

_RNG = random.Random(161)


def _generated(n: int = 14) -> str:
    """A generated password: letters and digits, a digit and both cases sure."""
    body = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(n - 3))
    return body + _RNG.choice(string.digits) + _RNG.choice(string.ascii_uppercase) + _RNG.choice(string.ascii_lowercase)


def _uuid() -> str:
    return str(uuid.UUID(int=_RNG.getrandbits(128), version=4))


# --- two string literals joined: one string (red162's strict xfail, MEDIUM; the same in every language) --------------

@pytest.mark.parametrize("path, line, rule", [
    ("src/api.js", 'const body = "user=admin&password=" + "{p}";', "secrets/generic-password"),
    ("src/api.js", 'const body = "user=admin&password=".concat("{p}");', "secrets/generic-password"),
    ("src/api.ts", "const body = 'user=admin&password=' + '{p}' + '&remember=1';", "secrets/generic-password"),
    ("src/db.ts", 'const url = "postgres://app:" + "{p}" + "@db.internal/app";', "secrets/database-url-password"),
    ("src/db.mjs", "const url = `mysql://app:` + `{p}` + `@10.0.3.4/app`;", "secrets/database-url-password"),
    ("src/main/java/Db.java", 'String url = "jdbc:postgresql://db/app?user=app&password=" + "{p}";',
     "secrets/generic-password"),
    ("app/src/main/kotlin/Db.kt", 'val dsn = "Server=db;Password=" + "{p}" + ";"', "secrets/generic-password"),
    ("src/Data/Db.cs", 'var cs = "Server=db;User Id=app;Password=" + "{p}" + ";";', "secrets/generic-password"),
    ("app/db.py", 'DSN = "host=db password=" + "{p}"', "secrets/generic-password"),
    ("app/db.py", 'DSN = ("host=db password=" "{p}")', "secrets/generic-password"),
    ("pkg/db/db.go", 'dsn := "host=db password=" + "{p}"', "secrets/generic-password"),
    ("app/models/db.rb", 'DSN = "host=db password=" + "{p}"', "secrets/generic-password"),
    ("app/Database.php", "$dsn = 'mysql:host=db;password=' . '{p}';", "secrets/generic-password"),
])
def test_a_password_joined_after_its_label_blocks(secrets_detector: SecretDetector, path: str, line: str,
                                                  rule: str) -> None:
    password = _generated()
    text = line.replace("{p}", password)
    hits = [h for h in secrets_detector.scan_text(text, path=path) if h.rule_id == rule]
    assert len(hits) == 1, (text, hits)
    # Reported where the value is on the line as written, and the value itself is what is hashed.
    assert hits[0].column == text.index(password) + 1
    assert hits[0].value == password


@pytest.mark.parametrize("path, line", [
    # A name between two strings is code (the value is not in the text): red102's reading holds.
    ("src/api.js", 'const body = "user=admin&password=" + password + "&remember=1";'),
    ("src/api.js", 'const body = "user=admin&password=".concat(password);'),
    ("src/main/java/Db.java", 'String url = "jdbc:postgresql://db/app?password=" + cfg.password + "&ssl=" + "true";'),
    # A dummy word or a placeholder joined on is still one.
    ("src/api.js", 'const body = "user=admin&password=" + "changeme";'),
    ("src/api.js", 'const body = "user=admin&password=" + "${PASSWORD}";'),
    ("src/api.js", 'const body = "user=admin&password=" + "";'),
    # Two labels joined: no value.
    ("src/Login.tsx", 'const label = "Password" + ": ";'),
    ("app/db.py", 'HELP = "the password " "of the database"'),
    # Not a join in the language (JavaScript has no side-by-side join; a comma separates arguments).
    ("src/api.js", 'log("password=", "{p}");'),
])
def test_joins_without_a_literal_value_stay_quiet(secrets_detector: SecretDetector, path: str, line: str) -> None:
    assert blocking(secrets_detector, line.replace("{p}", _generated()), path) == []


@pytest.mark.parametrize("path, text, rule", [
    ("src/main/java/Db.java", 'String url = "jdbc:postgresql://db/app?user=app&password="\n        + "{p}";',
     "secrets/generic-password"),
    ("src/api.js", 'const body = "user=admin&password=" +\n  "{p}";', "secrets/generic-password"),
    ("app/db.py", 'DSN = ("host=db password="\n       "{p}")', "secrets/generic-password"),
    ("src/db.ts", 'const url = "postgres://app:" +\n  "{p}" + "@db.internal/app";', "secrets/database-url-password"),
])
def test_a_join_broken_over_two_lines_blocks_on_the_values_line(secrets_detector: SecretDetector, path: str,
                                                                text: str, rule: str) -> None:
    password = _generated()
    hits = secrets_detector.scan_text(text.replace("{p}", password), path=path)
    assert [(h.rule_id, h.line, h.value) for h in hits] == [(rule, 2, password)], hits


def test_a_name_joined_on_the_next_line_stays_quiet(secrets_detector: SecretDetector) -> None:
    assert blocking(secrets_detector, 'const body = "user=admin&password=" +\n  pw;', "src/api.js") == []
    assert blocking(secrets_detector, 'String s = "password="\n    + cfg.password + "&a=" + "b";',
                    "src/main/java/Db.java") == []


def test_the_fold_keeps_the_lines_places() -> None:
    text = 'x = "a=" + "bc" + "d"; y = "e".concat("f") + g'
    folded = _fold_literal_joins(text, "src/x.js")
    assert folded is not None
    joined, origin, joins = folded
    assert joined == 'x = "a=bcd"; y = "ef" + g'
    assert [text[i] for i in origin[:-1]] == list(joined)
    assert [joined[j] for j in joins] == ["b", "d", "f"]
    assert _fold_literal_joins(text, "notes.txt") is None  # no language: no join
    assert _fold_literal_joins('"a" "b"', "src/x.js") is None  # not a join in JavaScript


def test_a_joined_password_is_refused_at_the_hook_and_a_joined_name_accepted(tmp_path: Path) -> None:
    quiet = push_files(tmp_path / "quiet", {
        "src/api.js": 'export const body = (pw) => "user=admin&password=" + pw + "&remember=" + "1";\n'})
    assert quiet.code == 0, quiet.output
    line = 'export const url = "postgres://app:" + "{p}" + "@db.internal/app";\n'.replace("{p}", _generated())
    assert_blocked(push_files(tmp_path / "loud", {"src/db.js": line}), "secrets/database-url-password")


# --- a provider's sandbox token (maybe-finance's recorded Plaid sandbox exchanges, 7) ----------------------------------

def test_a_plaid_sandbox_token_is_reported_low_and_a_production_one_blocks(secrets_detector: SecretDetector) -> None:
    path = "test/vcr_cassettes/plaid/get_item.yml"
    sandbox = f'      string: \'{{"access_token":"access-sandbox-{_uuid()}"}}\''
    assert reported(secrets_detector, sandbox, path) == [("secrets/plaid-sandbox-token", "")]
    assert blocking(secrets_detector, sandbox, path) == ["secrets/plaid-sandbox-token"]
    hits = secrets_detector.scan_text(sandbox, path=path)
    assert [h.severity for h in hits] == [Severity.LOW]
    for environment in ("production", "development"):
        for where in (path, "app/models/plaid_item.rb", "config/initializers/plaid.rb"):
            line = f'ACCESS_TOKEN = "access-{environment}-{_uuid()}"'
            hits = secrets_detector.scan_text(line, path=where)
            assert [(h.rule_id, h.severity) for h in hits] == [("secrets/plaid-access-token", Severity.HIGH)], line


def test_a_braintree_sandbox_token_is_reported_low_and_a_production_one_blocks(secrets_detector: SecretDetector) -> None:
    def token(environment: str) -> str:
        middle = "".join(_RNG.choice(string.ascii_lowercase + string.digits) for _ in range(16))
        return f"access_token${environment}${middle}${_RNG.randbytes(16).hex()}"

    sandbox = secrets_detector.scan_text(f'BT_TOKEN = "{token("sandbox")}"', path="config/braintree.rb")
    assert [(h.rule_id, h.severity) for h in sandbox] == [("secrets/braintree-sandbox-token", Severity.LOW)]
    live = secrets_detector.scan_text(f'BT_TOKEN = "{token("production")}"', path="spec/cassettes/pay.yml")
    assert [(h.rule_id, h.severity) for h in live] == [("secrets/braintree-token", Severity.HIGH)]


def test_a_commit_of_sandbox_cassettes_passes_and_a_production_token_beside_them_blocks(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"README.md": "x\n"})
    found = scan_commit(repo, {
        "test/vcr_cassettes/plaid/get_item.yml": f'string: \'{{"access_token":"access-sandbox-{_uuid()}"}}\'\n',
        "test/vcr_cassettes/plaid/exchange.yml": f'"access_token": "access-production-{_uuid()}",\n',
    })
    assert blocking_findings(found) == [("test/vcr_cassettes/plaid/exchange.yml", "secrets/plaid-access-token")], found


# --- an instruction to fill in, in capitals, with a counter (bitwarden's `SET_A_PASSWORD_HERE_123`, 27) ----------------

@pytest.mark.parametrize("path, line", [
    ("dev/.env.example", "MSSQL_SA_PASSWORD=SET_A_PASSWORD_HERE_123"),
    ("dev/secrets.json.example", '"connectionString": "Host=localhost;Username=postgres;Password=SET_A_PASSWORD_HERE_123;'
                                 'Database=vault_dev"'),
    (".github/workflows/test-database.yml", '  CONN_STR: "server=localhost;uid=root;pwd=SET_A_PASSWORD_HERE_123;"'),
    ("config/app.yml", "password: SET-YOUR-PASSWORD-HERE-1"),
])
def test_an_instruction_to_fill_in_is_a_placeholder(secrets_detector: SecretDetector, path: str, line: str) -> None:
    assert blocking(secrets_detector, line, path) == []


@pytest.mark.parametrize("line", [
    "DB_PASSWORD=SET_{r}",  # `set` and a generated value: read
    "DB_PASSWORD={r}_HERE_2024X",  # not a counter after `here`
    "DB_PASSWORD=Sett1ng-{r}",  # a word starting `set`, no separator
    "DB_PASSWORD={r}here12",  # no separator before `here`
])
def test_a_password_around_the_instructions_words_still_blocks(secrets_detector: SecretDetector, line: str) -> None:
    text = line.replace("{r}", _generated())
    assert blocking(secrets_detector, text, ".env") == ["secrets/generic-password"], text


# --- a value that says it is fake, where examples are written (bitwarden's seed fixtures, 50) --------------------------

@pytest.mark.parametrize("value", ["fakeLinkedInPassword", "Fake-Concur-Pass-24", "ghp_FakeSeederToken4DevOrg2026",
                                   "fakeV2Password", "npm_FakeSeederPublishToken2026", "FAKE_{r}"])
def test_a_value_that_says_it_is_fake_is_an_example_in_fixtures(secrets_detector: SecretDetector, value: str) -> None:
    line = f'        "password": "{value.replace("{r}", _generated())}",'
    assert blocking(secrets_detector, line, "util/Seeder/Seeds/fixtures/ciphers/public-site-logins.json") == []
    assert blocking(secrets_detector, line, "tests/fixtures/users.json") == []
    found = reported(secrets_detector, line, "tests/fixtures/users.json")
    assert found == [("secrets/generic-password", "its value says it is made up")], found


@pytest.mark.parametrize("path, value", [
    # Outside where examples are written: the value is read as any other.
    ("src/Api/appsettings.json", "fakeLinkedIn{r}"),
    ("config/database.yml", "Fake-{r}"),
    # In a real environment's file, even under fixtures/.
    ("tests/fixtures/.env", "Fake-{r}"),
    ("deploy/fixtures/users.json", "fake{r}"),
    # `fake` inside a word, not a word of its own.
    ("tests/fixtures/users.json", "Fakeout{r}"),
    ("tests/fixtures/users.json", "{r}fakery"),
    ("tests/fixtures/users.json", "xfake{r}"),
])
def test_a_password_holding_fake_elsewhere_still_blocks(secrets_detector: SecretDetector, path: str,
                                                        value: str) -> None:
    line = f'  "password": "{value.replace("{r}", _generated())}",'
    assert blocking(secrets_detector, line, path) == ["secrets/generic-password"], (path, line)


# --- ASP.NET Core Identity's password hash (bitwarden's seeded user, 1) ------------------------------------------------

def _identity_v3(iterations: int = 100_000, salt: int = 16, key: int = 32, prf: int = 1) -> str:
    raw = (b"\x01" + prf.to_bytes(4, "big") + iterations.to_bytes(4, "big") + salt.to_bytes(4, "big")
           + _RNG.randbytes(salt) + _RNG.randbytes(key))
    return base64.b64encode(raw).decode()


def test_an_aspnet_identity_hash_is_a_hash_and_lookalikes_are_passwords(secrets_detector: SecretDetector) -> None:
    path = "src/Core/Services/UserSeeder.cs"
    for value in (_identity_v3(), _identity_v3(iterations=10_000, prf=2), _identity_v3(salt=32),
                  base64.b64encode(b"\x00" + _RNG.randbytes(48)).decode()):
        line = f'MasterPassword = "{value}";'
        assert reported(secrets_detector, line, path) == [("secrets/generic-password",
                                                           "a password hash, not the password")], value
    # Base64 of the same length that is no such structure: a secret (a generated key, a wrong marker, the lengths not
    # adding up).
    for value in (base64.b64encode(_RNG.randbytes(61)).decode(),
                  base64.b64encode(b"\x02" + _RNG.randbytes(60)).decode(),
                  _identity_v3(key=31), _identity_v3(salt=8), _identity_v3(iterations=10), _identity_v3(prf=7)):
        line = f'MasterPassword = "{value}";'
        assert blocking(secrets_detector, line, path) == ["secrets/generic-password"], value


# --- PHP's arrow inside a Blade component's bound attribute (akaunting, 3) ---------------------------------------------

def test_an_arrow_in_a_bound_attribute_is_not_the_tags_end(secrets_detector: SecretDetector) -> None:
    line = ("<x-form.group.checkbox name=\"change_password\" :options=\"['1' => trans('auth.change_password')]\" "
            "form-group-class=\"sm:col-span-3\" />")
    assert blocking(secrets_detector, line, "resources/views/auth/users/edit.blade.php") == []
    # The element's own text and a value attribute still read.
    for text in (f'<property name="db.password">{_generated()}</property>',
                 f'<add key="DbPassword" value="{_generated()}" />'):
        assert blocking(secrets_detector, text, "config/app.xml") == ["secrets/xml-password"], text


# --- a Laravel rules string being built, its `|` at the end (akaunting, 1) ---------------------------------------------

def test_a_rules_string_being_built_is_no_password(secrets_detector: SecretDetector) -> None:
    path = "app/Http/Requests/Auth/User.php"
    for line in ("$password = 'required|';", "$password = '|confirmed';", "$password .= 'confirmed|';"):
        assert blocking(secrets_detector, line, path) == [], line
    for value in (f"{_generated()}|", f"required|{_generated()}", f"|{_generated()}", "Sunsh1ne-required|"):
        line = f"$password = '{value}';"
        assert blocking(secrets_detector, line, path) == ["secrets/generic-password"], line


# --- a dummy label base64-encoded with echo's newline (argo-helm's CI values, 2) ---------------------------------------

def test_an_encoded_dummy_label_with_a_newline_is_a_placeholder(secrets_detector: SecretDetector) -> None:
    path = "charts/argo-rollouts/ci/enable-extra-objects-values.yaml"
    for label in ("test-api-key\n", "test-app-key\n", "fake_token", "password\n"):
        line = f"      api-key: {base64.b64encode(label.encode()).decode()} # a label"
        assert blocking(secrets_detector, line, path) == [], label
    # A generated value encoded, with or without a newline, and a dummy word joined to one: a secret.
    for plain in (f"{_generated(24)}\n", _generated(24), f"test-{_generated(16)}\n", "test-api-key-Zq8Rm2Xw\n"):
        line = f"      api-key: {base64.b64encode(plain.encode()).decode()}"
        assert blocking(secrets_detector, line, path) == ["secrets/api-key-header"], plain


# --- post hoc, from the held-out koel: PHP's `::class` constant, an API's docs directory --------------------------------

def test_a_php_class_constant_is_code_and_a_password_before_it_still_blocks(secrets_detector: SecretDetector) -> None:
    assert blocking(secrets_detector, "        'Password' => Password::class,", "config/app.php") == []
    assert blocking(secrets_detector, "        'Password' => \\Illuminate\\Support\\Facades\\Password::class,",
                    "config/app.php") == []
    for value in (f"'{_generated()}::class'", f"{_generated()}", f"{_generated()}::classy", f"Xk{_generated()}::clas"):
        line = f"        'password' => {value},"
        assert blocking(secrets_detector, line, "config/app.php") == ["secrets/generic-password"], line


def test_an_api_docs_directory_is_documentation(tmp_path: Path) -> None:
    line = "    -d '{\"email\":\"john@doe.com\",\"password\":\"" + _generated() + "\"}'\n"
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"README.md": "x\n"})
    found = scan_commit(repo, {"api-docs/source/index.md": line, "apidocs/auth.md": line,
                               # Not a directory merely holding the letters, nor a runbook under what deploys.
                               "rapid-docs-x/index.md": line, "deploy/api-docs/runbook.md": line})
    assert blocking_findings(found) == [("deploy/api-docs/runbook.md", "secrets/generic-password"),
                                        ("rapid-docs-x/index.md", "secrets/generic-password")], found
    assert {(path, severity) for path, _rule, severity, _s in found} >= {
        ("api-docs/source/index.md", Severity.MEDIUM), ("apidocs/auth.md", Severity.MEDIUM)}, found
