"""Red team red135: attacks on 696f7e7..348f92b — what the secrets secrets_detector now takes for "not a leak": example
passwords (`example_password`, `_dummy_composition`, `_COUNTED`, `_REAL_ENVIRONMENT`), bracketed and percent-decoded
placeholders, `_NOT_REAL_NAME`, `_OPTION_VALUE_KEYWORD`, and the scanner's `_GENERATED`, `_DOCUMENTATION` and
`_TEST_NAMED_SOURCE` contexts.

Every test asserts the secure behaviour and fails on w/red135 (348f92b) for the reason its docstring names; each
value blocked at 696f7e7 (measured with the same SecretDetector / SecretsScanner calls on a worktree of 696f7e7).
Secret-shaped values are built at run time.

Findings:

1. HIGH (miss, regression) — scan/secrets.py `_REAL_ENVIRONMENT` (used for `SourceKind.deployed`, which is the only
   thing keeping `example_password` from suppressing) knows `.env*`, `*.tfvars`, `*.tfstate`, `prod/`-like
   directories and files *named* `prod*.yml`; it misses the production configuration files everybody writes:
   `docker-compose.prod.yml`, `docker/db.env`, Helm `values-prod.yaml`, Spring `application-prod.properties`, .NET
   `appsettings.Production.json`, Django `settings/production.py`, Rails `config/environments/production.rb`,
   `config/database.yml`, Terraform `*.tf`, `terraform.tfstate.backup`, `terraform.tfvars.json`, and even the
   scanner's own `_DEPLOYED` set (Ansible `group_vars/`, `host_vars/`, `inventory/`, `deploy/`, `infra/`, `*.sh`,
   `*.env`): "what deploys an environment: its keys are real ones wherever they sit" (secrets_scanner.py).
   Measured: 50 common weak-but-real passwords (`Welcome@123`, `Admin@2023`, `Company123`, `Postgres123!`,
   `SuperSecret2024!`, …) x 7 such production files: 308 blocking findings at 696f7e7, 70 now (77 % newly missed);
   under `k8s/prod/` 44/50 both before and after. The same weak value is what the docstring itself calls "a weak
   password in use". Fix: gate on `_DEPLOYED` too, and on environment-named files (`*[._-](prod|production|staging)
   [._-]*`, `appsettings.Production.json`, `settings/production.py`, `*.tf`, `*.tfstate*`, `*.tfvars.json`); better,
   apply `example_password` only where the existing example/test/doc contexts are, not everywhere else.
2. MEDIUM (miss, regression) — `_COUNTED`'s letters are any 1-12 letters, not a word: `NqVwYSVP123`,
   `EpyIgKpaUnAr123` (12 random letters, ~68 bits, then "123") is "an example password" in any file that is not a
   real environment's (`src/config/database.js`, `app/settings.py`). `_dummy_composition` limits each digit run to 4
   but not their number: `admin-3640-5622-4154-9909-5145` (66 random bits), `pass$9070&2931@7585*…` are "dummy words".
   All blocked at 696f7e7. Fix: require the letters to be a word (`_WORD_CASES`, low entropy, a vowel ratio) and cap
   digits/symbols overall (e.g. one digit run, one mark).
3. MEDIUM (miss, regression) — `_OPTION_VALUE_KEYWORD` drops any `<alnum>=pass:<letter>…`: OpenSSL's own pass-phrase
   argument syntax written with `=` (`openssl pkcs12 -passout=pass:<random>`, `-passin=pass:<random>`) and
   `PASSIN=pass:<random>` / `--db=pass:<random>` are no longer reported (blocked at 696f7e7). Fix: only when what
   follows `pass:` is itself an option (`[A-Za-z_]\\w*=`), as in ffmpeg's `eof_action=pass:repeatlast=0`.
4. MEDIUM (miss, regression) — secrets_scanner.py `_DOCUMENTATION` downgrades every keyword-rule and URL-password
   finding in .md/.rst/.adoc to MEDIUM whatever the value is: a runbook's random 20-character password and a
   `postgres://admin:<random>@prod-db.corp.internal` URL in `ops/runbook.md` / `deploy/README.md` no longer block
   (they did). Fix: downgrade only example-shaped values (placeholder/example password/low entropy) or example/local
   hosts (`example.net`, `localhost`); keep a random value with a real host blocking.
5. MEDIUM (miss, regression) — `_GENERATED` suppresses every keyword-rule finding, quoted literals included, in any
   .js under `dist/` or `static/js/`: Django/Flask keep hand-written scripts in `<app>/static/js/` (a
   `const API_SECRET = "<random>"` there is source), a compiled server's `dist/server/config.js` holds its real
   password, and a bundle's quoted literal (`password:"<random>"`, what webpack's DefinePlugin inlines from the build
   environment) is the leak itself, not minified code. Fix: suppress only unquoted, code-shaped values (member reads,
   ternaries) in bundles; do not treat `static/js/` as built.
6. MEDIUM (miss, regression) — `_test_key` now takes a test-named source file as a test in ANY `_DEPLOYED_DIRECTORY`,
   not only a Go package named `deployments`: a private key in `infra/prod/smoke_test.py` or
   `inventory/check_test.py` is "a private key in test code" (critical, blocked at 696f7e7) — a production smoke
   test's key, or a trivially renamed deploy key. Fix: exempt only `deploy(ments)?/` package directories, never
   `prod/`, `production/`, `staging/`, `inventory/`, `group_vars/`, `host_vars/`, `environments/`, `infra/`.
7. LOW (miss, regression) — `_NOT_REAL_NAME` takes any word *starting* with the prefix (`[A-Za-z0-9]{0,20}` glued on)
   and applies in real environments' files: `MOCKINGBIRD_PASSWORD`, `SAMPLER_PASSWORD`, `DUMMYNET_PASSWORD` in
   `.env.production` are "made up" (blocked at 696f7e7). Fix: the prefix must end at a word boundary (`_`, `.`, `-`,
   a case hump), and not in `SourceKind.deployed`.
8. LOW (miss, regression) — the percent-decoded URL password goes through all of `placeholder_reason`, markers
   included, and is not gated by `deployed`: a random password whose symbols were correctly percent-encoded now reads
   as a template when two symbols land side by side (`%24%7B` = `${`, `%7B%7B`, `%3Cx7%3E`, `%7Bab%7D`), and
   `%5BAdmin2024%5D` is "a name to fill in, in brackets" in `.env.production`. Measured: 600 random passwords per
   generator, percent-encoded in a `.env.production` DATABASE_URL: pwgen -sy 16 597 -> 593 blocking, KeePass all-chars
   20 595 -> 587, Bitwarden 14 600 -> 600 (12 of 1,800 newly missed). Fix: on the decoded value apply only the
   dummy-word checks (`_PLACEHOLDER_WORDS`, `_respelled_word`), not the template markers.

Tried and held (no test):
- cost: every new regex and the `_dummy_words` DP are bounded (values <= 40 chars, a 40-char window for
  `_NOT_REAL_NAME`); scan_text on 50-390 KB hostile inputs (many unterminated key headers, `a=pass:bN` x 4,000,
  `FAKE_PASSWORD=` x 4,000, `\\u00f1` x 4,000, 4,000 dummy-word values, letters x 40 KB then `123`): per-byte time
  ratio 8x input = 0.2-1.3 at head and the same at 696f7e7. `_GENERATED` is quadratic in a path of repeated `dist/`
  components (10 KB path: 38 ms per call), but a commit with a 1,000-deep `dist/…/app.js` (git mktree) and 300
  findings scans in 4.8 s, the same as `dost/…` (4.9 s): the pre-existing glob matching dominates; no new cost.
- `_repeated_material`: 40+ characters of random base64 hold < 16 distinct characters with negligible probability;
  a real key's body with comment marks, quotes or `\\n` escapes still blocks.
- `_PUBLISHED_KEYS`: exact SHA-256 match only; another Azure key still blocks.
- Django `md5$…$hex` / `sha1$…$hex`: fullmatch on a hash shape, password rules only.
- `\\uXXXX` decoding and digits in "sentences": only in localized resources and form-message objects; a random
  mixed-case value still fails the word-case check.
- `_PASSWORD_PHRASE` (`mycompanypasswordforprod`) and `(Admin2024)` in `.env.production`: not reported at 696f7e7
  either (pre-existing).
"""

from __future__ import annotations

import base64
import random
import string

import pytest

from gatekeeper.scan.secrets import SecretDetector
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking as _blocking
from tests.secrets_helpers import blocking_paths as _blocking_paths
from tests.secrets_helpers import reported as _reported
from tests.secrets_helpers import scan_commit as _scan

_rng = random.Random(135)
ALNUM = string.ascii_letters + string.digits


def _random(n: int, alphabet: str = ALNUM) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


STRONG = "Kq" + _random(8) + "7" + _random(9)  # (a letter first, a digit for certain: 20 characters)
KEY_HEADER = "-----BEGIN " + "RSA PRIVATE KEY-----"
KEY_FOOTER = "-----END " + "RSA PRIVATE KEY-----"


def _key() -> str:
    return "\n".join([KEY_HEADER, *(base64.b64encode(_rng.randbytes(48)).decode() for _ in range(6)), KEY_FOOTER])


# -- 1. HIGH: a weak real password in a production file _REAL_ENVIRONMENT does not know ----------------------------

PRODUCTION_FILES = [
    ("DB_PASSWORD: {v}", "docker-compose.prod.yml"),
    ("POSTGRES_PASSWORD={v}", "docker/db.env"),
    ("  password: {v}", "charts/app/values-prod.yaml"),
    ("spring.datasource.password={v}", "src/main/resources/application-prod.properties"),
    ('  "Password": "{v}"', "src/Api/appsettings.Production.json"),
    ("    'PASSWORD': '{v}',", "mysite/settings/production.py"),
    ('  password = "{v}"', "infra/rds.tf"),
    ('  "password": "{v}",', "terraform.tfstate.backup"),
    ("mysql_root_password: {v}", "ansible/group_vars/all.yml"),
    ("ansible_password: {v}", "inventory/hosts.yml"),
    ("export DB_PASSWORD='{v}'", "scripts/deploy.sh"),
]


@pytest.mark.parametrize(("template", "path"), PRODUCTION_FILES, ids=[p for _, p in PRODUCTION_FILES])
@pytest.mark.parametrize("value", ["Welcome@123", "Company123", "SuperSecret2024!"])
def test_a_weak_real_password_in_a_production_config_blocks(secrets_detector: SecretDetector, template: str, path: str,
                                                            value: str) -> None:
    """Fails: `example_password` suppresses it ("example password (…)") because `_REAL_ENVIRONMENT` knows only
    `.env*`, `*.tfvars`/`*.tfstate`, `prod/`-like directories and files named `prod*.yml`; none of these production
    files (nor the scanner's own `_DEPLOYED` set) counts as deployed. Blocked at 696f7e7."""
    line = template.format(v=value)
    assert _blocking(secrets_detector, line, path) != [], _reported(secrets_detector, line, path)


def test_a_weak_password_in_a_production_compose_file_blocks_a_real_commit(based: RepoBuilder) -> None:
    """Fails: the same through the scanner on a real commit — recorded as suppressed, nothing blocks."""
    found = _scan(based, {"docker-compose.prod.yml": "services:\n  db:\n    environment:\n"
                                                     "      POSTGRES_PASSWORD: Welcome@123\n",
                          "ansible/group_vars/all.yml": "mysql_root_password: Admin@2023\n"})
    assert _blocking_paths(found) == {"docker-compose.prod.yml", "ansible/group_vars/all.yml"}, found


# -- 2. MEDIUM: example shapes that hold random values -------------------------------------------------------------

RANDOMISH = [
    _random(10, string.ascii_letters) + "123",
    _random(12, string.ascii_letters) + "123",
    "admin-" + "-".join(_random(4, string.digits) for _ in range(5)),
    "pass" + "".join(_random(4, string.digits) + _random(1, "!@#$*&") for _ in range(5)),
]


@pytest.mark.parametrize("value", RANDOMISH)
def test_random_letters_or_digit_groups_are_not_an_example_password(secrets_detector: SecretDetector, value: str) -> None:
    """Fails: `_COUNTED` takes any 1-12 letters as "a word" before a counting run, and `_dummy_composition` any number
    of <= 4-digit groups and marks after a dummy word: 50-68 random bits read as "an example password"."""
    for line, path in ((f"  password: '{value}',", "src/config/database.js"),
                       (f"password = '{value}'", "app/settings.py")):
        assert _blocking(secrets_detector, line, path) == ["secrets/generic-password"], _reported(secrets_detector, line, path)


# -- 3. MEDIUM: OpenSSL's `pass:` argument after `=` ----------------------------------------------------------------

@pytest.mark.parametrize("line", [
    f"openssl pkcs12 -export -in c.pem -passout=pass:{STRONG} -out c.p12",
    f"openssl rsa -in k.pem -passin=pass:{STRONG} -out k.dec.pem",
    f"PASSIN=pass:{STRONG}",
])
def test_an_openssl_pass_argument_after_an_equals_sign_blocks(secrets_detector: SecretDetector, line: str) -> None:
    """Fails: `_OPTION_VALUE_KEYWORD` (for ffmpeg's `eof_action=pass:repeatlast=0`) drops every `x=pass:<letter>`,
    though what follows here is a random pass phrase, not another `name=value` option. Blocked at 696f7e7."""
    assert _blocking(secrets_detector, line, "scripts/sign.sh") != [], _reported(secrets_detector, line, "scripts/sign.sh")


# -- 4. MEDIUM: a runbook's real password -----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["ops/runbook.md", "deploy/README.md", "docs/operations/restore.rst"])
def test_a_random_password_for_a_real_host_in_a_runbook_blocks(based: RepoBuilder, path: str) -> None:
    """Fails: `_DOCUMENTATION` downgrades every keyword-rule and URL-password finding in a page to medium (a
    warning), whatever the value: a random password and a URL to a non-example production host do not block."""
    text = (f"Restore the production database:\n\n    export PGPASSWORD='{STRONG}'\n"
            f"    psql postgres://admin:{STRONG}@prod-db.corp.internal:5432/app\n")
    found = _scan(based, {path: text})
    assert _blocking_paths(found) == {path}, found


# -- 5. MEDIUM: hand-written scripts and literals taken for a built bundle -----------------------------------------

@pytest.mark.parametrize(("path", "text"), [
    ("shop/static/js/checkout.js", f'const password = "{STRONG}";\nlogin("svc", password);\n'),
    ("dist/server/config.js", f'module.exports = {{ db: {{ host: "db.internal", password: "{STRONG}" }} }};\n'),
    ("web/dist/assets/index-3f9a1c.js", f'const e={{user:"svc",password:"{STRONG}"}};fetch(u,{{body:e}});\n'),
])
def test_a_password_literal_in_a_dist_or_static_script_blocks(based: RepoBuilder, path: str, text: str) -> None:
    """Fails: `_GENERATED` takes every .js under `dist/` or `static/js/` for a built bundle and suppresses every
    keyword-rule finding there, a quoted random literal included (the value webpack inlined is the leak)."""
    found = _scan(based, {path: text})
    assert _blocking_paths(found) == {path}, found


# -- 6. MEDIUM: a test-named file in a production directory ---------------------------------------------------------

@pytest.mark.parametrize("path", ["infra/prod/smoke_test.py", "inventory/check_test.py",
                                  "environments/production/login_test.go"])
def test_a_private_key_in_a_test_named_file_of_a_production_directory_blocks(based: RepoBuilder, path: str) -> None:
    """Fails: `_TEST_NAMED_SOURCE` (for portainer's `deployments/deploy_test.go`) now lifts the deployed-directory
    guard for every `_DEPLOYED_DIRECTORY` — `prod/`, `production/`, `inventory/`, `environments/` — so a private key
    there is "a private key in test code" (critical, blocked at 696f7e7)."""
    found = _scan(based, {path: f'KEY = """{_key()}"""\n'})
    assert _blocking_paths(found) == {path}, found


# -- 7. LOW: a name that only starts like "fake" ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["MOCKINGBIRD_PASSWORD", "SAMPLER_PASSWORD", "DUMMYNET_PASSWORD"])
def test_a_name_merely_starting_with_a_made_up_prefix_blocks(secrets_detector: SecretDetector, name: str) -> None:
    """Fails: `_NOT_REAL_NAME` glues up to 20 letters onto the prefix (`mock` + `ingbird_`) and is applied in a real
    environment's file too."""
    assert _blocking(secrets_detector, f"{name}={STRONG}", ".env.production") == ["secrets/generic-password"]


# -- 8. LOW: a percent-encoded random password decoded into a template --------------------------------------------

@pytest.mark.parametrize("password", [
    STRONG[:6] + "%24%7B" + STRONG[6:], STRONG[:6] + "%7B%7B" + STRONG[6:],
    STRONG[:6] + "%3Cx7%3E" + STRONG[6:], "%5BAdmin2024%5D",
])
def test_a_percent_encoded_password_in_a_production_url_blocks(secrets_detector: SecretDetector, password: str) -> None:
    """Fails: the decoded password goes through all of `placeholder_reason` (`${`, `{{`, `<…>`, brackets), even in
    `.env.production`: a generator's symbols, correctly encoded, make it a template. Blocked at 696f7e7."""
    line = f"DATABASE_URL=postgres://app:{password}@db.prod.corp.net:5432/app"
    assert _blocking(secrets_detector, line, ".env.production") == ["secrets/database-url-password"], _reported(
        secrets_detector, line, ".env.production")
