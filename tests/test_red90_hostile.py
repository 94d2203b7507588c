"""Red team red90: real, accidentally committed credentials that today's secrets exclusions (c3273be, 1dbaaac, and
red88's 46b7507) let onto a protected branch.

Each test pushes a real commit through the installed pre-receive hook (policy: secrets at `block_at: high`) and
asserts the push is refused. Each fails on the current code for the reason in its docstring, and each line blocked
before the exclusion it names:

1. `_inside_encoded_data` (c3273be): a private key pasted on ONE line with its newlines stripped (the usual shape
   of a PEM in a `.env`, a CI variable or a Kubernetes Secret's `stringData`): the `-----BEGIN ... PRIVATE
   KEY-----` header is glued to 1,500+ base64 characters of key body with `+` and `/`, so the critical
   private-key hit is recorded as "encoded binary data" and does not block.
2. `_PLACEHOLDER_WORDS` (c3273be): a credential word + a year (`Admin2024`, `Root_2024`, `Guest2025`) — among the
   commonest real passwords of production databases — is a "placeholder"; the generic rules DROP it (not even
   recorded), a database URL's password is recorded as "a dummy word".
3. `_SCRIPT_MEMBER` (46b7507): in any .js/.ts file an unquoted `Word2024!` is read as TypeScript's non-null
   assertion `name!`, so a password on a shell command in a template literal (`mysqldump -pWinter2024!`) or in a
   comment is dropped, though no TypeScript expression is there.
4. DEFAULT_TEST_FILES `**/fixtures/**` (1dbaaac): a directory named fixtures is not always test code — seed_fu's
   `db/fixtures/production/` (GitLab's layout) seeds the production admin, a sports app's `fixtures` module
   calls a live API — and their real password or secret is suppressed as "a value in test code".

Attacks that held (no test): a Google or Stripe key next to a data: URI in HTML/CSS, between base64 strings in a
minified JS bundle (quoted or `+`-concatenated), next to a base64 image in a one-line JSON/notebook, or after a
SAML X509Certificate (quotes, `<`, `;`, `,` and `=` all end the base64 run); a PEM on one line with `\\n` escapes
or spaces between header and body (the run stops at `\\`/space); an `.npmrc` `_authToken=` (`=` ends the run);
an `.env` with a long base64 value on the previous/next line (runs are per line); a version-range password
(`_VERSION_SPEC` needs `digits.digits` first: only made-up values like `7.4-Kx9vQ2mPzL` pass, no real token or
human password has that shape); `_own_name` (needs the value to equal the whole identifier it is assigned to:
no accidental secret does); `src/mocks/` MSW handlers (a mock server's data, by design test code).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.hook_helpers import assert_blocked as _blocked
from tests.hook_helpers import push_files as _push

_rng = random.Random(9090)
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B62 = _B64[:62]


def _chars(alphabet: str, n: int) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


# -- 1: a private key with its newlines stripped is "encoded binary data" ----------------------------------------

def _one_line_pem(kind: str, der_prefix: str) -> str:
    body = der_prefix + _chars(_B64, 1560)
    return f"-----BEGIN {kind}-----{body}==-----END {kind}-----"


@pytest.mark.parametrize("path,template", [
    (".env", "GITHUB_APP_PRIVATE_KEY={pem}\n"),
    ("k8s/ingress-tls.yaml", 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: ingress-tls\ntype: kubernetes.io/tls\n'
                             'stringData:\n  tls.key: "{pem}"\n'),
])
def test_a_private_key_pasted_on_one_line_without_newlines_blocks(tmp_path: Path, path: str, template: str) -> None:
    """secrets.py `_inside_encoded_data` (called from `SecretDetector._candidate` for every non-generic rule):
    the private-key header's match has no `+` or `/`, and right after it the key body runs 1,500+ base64
    characters with `+` and `/` up to the `=` padding, so the run check says "inside a run of 200+ base64
    characters: encoded binary data, not a key" and the critical finding is only recorded as suppressed. A key
    glued to its body is exactly what the rule's own look-ahead (`[ \\t]?[A-Za-z0-9+/]{40}`) was written to
    catch: a PEM whose newlines were stripped to fit one .env line or one YAML string. Blocked before c3273be."""
    kind, prefix = (("RSA PRIVATE KEY", "MIIEpAIBAAKCAQEA") if path == ".env"
                    else ("PRIVATE KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ"))
    _blocked(_push(tmp_path, {path: template.format(pem=_one_line_pem(kind, prefix))}), "secrets/private-key")


# -- 2: a credential word and a year is a "placeholder" -----------------------------------------------------------

@pytest.mark.parametrize("path,line,rule", [
    ("deploy/prod.env", "DB_PASSWORD=" + "Admin" + "2024\n", "secrets/generic-password"),
    ("docker-compose.prod.yml", "services:\n  db:\n    image: postgres:16\n    environment:\n"
                                "      POSTGRES_PASSWORD: " + "Root_" + "2024\n", "secrets/generic-password"),
    ("deploy/prod.env", "DATABASE_URL=postgres://app:" + "Guest" + "2025@prod-db.internal:5432/app\n",
     "secrets/database-url-password"),
])
def test_a_real_weak_password_made_of_a_credential_word_and_a_year_blocks(
        tmp_path: Path, path: str, line: str, rule: str) -> None:
    """secrets.py `_PLACEHOLDER_WORDS` now fullmatches `(password|pass|secret|token|admin|root|guest|user|default)
    [_-]?[0-9]{0,4}`, whatever the case: `Admin2024`, `Root_2024`, `Guest2025` — the word-plus-year passwords
    that top every breach list and guard real production databases — are "placeholders". `is_placeholder` makes
    `_candidate` return None for a generic rule (the value is not even recorded as suppressed) and record the
    database URL's password as "a dummy word". A bare word (`admin`) is a placeholder; a word with a year in a
    production .env or compose file is a password. Blocked before c3273be."""
    _blocked(_push(tmp_path, {path: line}), rule)


# -- 3: `Word2024!` in a JavaScript file is "TypeScript's non-null assertion" --------------------------------------

@pytest.mark.parametrize("path,text", [
    ("scripts/backup.js", "const { execSync } = require('child_process');\n"
                          "execSync(`mysqldump -h db.prod.internal -u root -p" + "Winter" + "2024! shop > dump.sql`);\n"),
    ("src/server/db.ts", "// prod admin login (rotate after launch): password: " + "Summer" + "2024!\n"
                         "export const pool = createPool(process.env.DATABASE_URL!);\n"),
])
def test_a_password_ending_in_a_bang_in_a_javascript_file_blocks(tmp_path: Path, path: str, text: str) -> None:
    """secrets.py `_SCRIPT_MEMBER` (red88, 46b7507) adds the bare `[A-Za-z_$][\\w$]*!` form, and
    `_looks_like_credential` applies it to every unquoted generic value in a .js/.ts/.vue/... file: `Winter2024!`
    — the commonest policy-compliant human password — is "code", so the mysql -p password of a shell command in a
    template literal and a password noted in a comment are dropped, not even recorded. Neither is a TypeScript
    expression. Blocked before 46b7507 (the old `_DOTTED_NAME` needed a dot)."""
    rule = "secrets/mysql-cli-password" if "mysqldump" in text else "secrets/generic-password"
    _blocked(_push(tmp_path, {path: text}), rule)


# -- 4: a directory called fixtures is not always test code -------------------------------------------------------

@pytest.mark.parametrize("path,text,rule", [
    ("db/fixtures/production/002_admin.rb",
     "User.seed do |u|\n  u.id = 1\n  u.username = 'root'\n  u.email = 'ops@corp.example'\n"
     "  u.password = '{pw}'\n  u.admin = true\nend\n", "secrets/generic-password"),
    ("app/fixtures/sync.py",
     'FOOTBALL_DATA_PASSWORD = "{tok}"\n\n\ndef sync_fixtures(season):\n'
     '    return client(FOOTBALL_DATA_PASSWORD).matches(season)\n', "secrets/generic-password"),
])
def test_a_production_fixtures_module_blocks(tmp_path: Path, path: str, text: str, rule: str) -> None:
    """config.py DEFAULT_TEST_FILES now holds `**/fixtures/**` (1dbaaac), so secrets_scanner.py `_context`
    suppresses a test_values rule's hit in any source file under a directory named fixtures — but seed_fu (GitLab's
    `db/fixtures/production/002_admin.rb`) seeds the PRODUCTION database from there, and in a sports app
    `fixtures` is the feature that pulls the match list from a live API. The production admin's password and the
    API secret pass as "a value in test code". Blocked before 1dbaaac. (In the lead's copy the sports app's value is
    a password: generic-secret is medium by design, a warning under `block_at: high`, before 1dbaaac as after.)"""
    body = text.replace("{pw}", _chars(_B62, 8) + "-" + _chars(_B62, 6)).replace("{tok}", _chars(_B62, 32))
    _blocked(_push(tmp_path, {path: body}), rule)
