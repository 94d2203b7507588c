"""sec161: six histories never measured here, read blind (maybe-finance/maybe — Ruby on Rails, android/nowinandroid —
Kotlin/Android, bitwarden/server — C#/.NET, akaunting/akaunting — PHP/Laravel, livebook-dev/livebook — Elixir/Phoenix,
argoproj/argo-helm — Helm), the classes of their false blocking findings, each beside what must still block; and
red162's gap: two string literals joined by the language's operator hid the second from every rule. Values are made
at run time."""

from __future__ import annotations

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
