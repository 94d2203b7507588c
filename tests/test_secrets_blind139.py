"""False blocking secrets findings of a blind measurement on five unseen histories (meas139: FreshRSS, listmonk,
miniflux, navidrome, shlink; 21,182 commits, 13 blocking, 12 false). Each class below is built as a class — realistic
variants, not the one listed string — and each comes with controls: a real credential of the same shape in the same
place (a random password, a provider token, a real private key, a weak password in a real environment's file) still
blocks.

- a sed command replacing a shipped default in an install script (`s/NAME=<default>/NAME=$var/g`: listmonk);
- a translation catalogue named by a bare ISO 639-1 language code (`sv.json`: navidrome's Swedish catalogue);
- a Google service-account key id whose JSON object holds no private key (golang.org/x/oauth2's vendored test data);
- an unquoted YAML alias (`password: *db-password`: listmonk's docker-compose.yml);
- a Vue bound attribute after `type="password"` (`:disabled="!data['…']"`: listmonk's settings view);
- an API client's request collection (a Bruno `.bru` file, a Postman collection, a `.http` file: miniflux).

Left open (see docs/secrets.md): the respelt dummy word with a trailing mark in a development stack (shlink) — the
same value is one red136 requires to block in a Kubernetes Secret, and a file's path cannot tell the two apart.

Values are built at run time; no secret-shaped literal is written here.
"""

from __future__ import annotations

import base64
import random
import string

import pytest

from gatekeeper.scan.secrets import SecretDetector
from tests.hook_helpers import AWS_KEY
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking, blocking_findings, reported, scan_commit

_rng = random.Random(139)


def _random(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


STRONG = _random(8) + "7" + _random(9)  # 18 random characters, a digit for certain
WEAK = "Welcome" + "@123"  # a weak password people really use
PASSWORD = "generic-password"


# -- 1. a sed substitution of a shipped default ------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    'sed -i "s/POSTGRES_PASSWORD=listmonk/POSTGRES_PASSWORD=$db_password/g" docker-compose.yml',
    '    sed $SED_INPLACE "s/POSTGRES_PASSWORD=listmonk/POSTGRES_PASSWORD=$db_password/g" docker-compose.yml',
    "sed -i 's|DB_PASSWORD=changeme|DB_PASSWORD=${NEW_PASSWORD}|' .env",
    'sed -i "s#MYSQL_ROOT_PASSWORD=root123#MYSQL_ROOT_PASSWORD=${ROOT_PW}#" compose.yaml',
    'sed -i -e "s/admin_password=admin/admin_password=$ADMIN_PASS/g" app.ini',
    'sed -i "s/^db_password=secret/db_password=\\"$DB_PASS\\"/" config.ini',
])
def test_a_sed_substitution_replacing_a_default_by_a_variable_is_not_a_password(
        secrets_detector: SecretDetector, line: str) -> None:
    """listmonk's install-prod.sh (3 blocking findings, one line re-added): the script replaces the default password
    its docker-compose.yml ships by a generated one; the "value" runs from the default through the delimiter to the
    variable."""
    assert blocking(secrets_detector, line, "install-prod.sh") == [], reported(secrets_detector, line, "install-prod.sh")


@pytest.mark.parametrize("line", [
    # the old value is a random password: a password written in the script
    'sed -i "s/POSTGRES_PASSWORD=' + STRONG + '/POSTGRES_PASSWORD=$db_password/g" docker-compose.yml',
    # the new value is a literal
    'sed -i "s/POSTGRES_PASSWORD=listmonk/POSTGRES_PASSWORD=' + STRONG + '/g" docker-compose.yml',
    # a variable glued to a literal
    'sed -i "s/POSTGRES_PASSWORD=listmonk/POSTGRES_PASSWORD=$db_password' + STRONG + '/g" docker-compose.yml',
    # a weak real password as the old value
    'sed -i "s/POSTGRES_PASSWORD=' + WEAK + '/POSTGRES_PASSWORD=$db_password/g" docker-compose.yml',
    # no substitution: a password assigned, then a path
    "POSTGRES_PASSWORD=" + STRONG + "/POSTGRES_PASSWORD=$x/g",
])
def test_a_sed_substitution_holding_a_literal_password_still_blocks(secrets_detector: SecretDetector,
                                                                    line: str) -> None:
    assert blocking(secrets_detector, line, "install-prod.sh") == ["secrets/" + PASSWORD], \
        reported(secrets_detector, line, "install-prod.sh")


def test_a_provider_key_in_a_sed_substitution_still_blocks(secrets_detector: SecretDetector) -> None:
    line = f'sed -i "s/AWS_ACCESS_KEY_ID={AWS_KEY}/AWS_ACCESS_KEY_ID=$key/g" .env'
    assert "secrets/aws-access-key" in blocking(secrets_detector, line, "install.sh")


def test_a_sed_substitution_in_a_real_commit_does_not_block(based: RepoBuilder) -> None:
    found = scan_commit(based, {
        "install-prod.sh": "#!/bin/sh\ndb_password=$(generate_password)\n"
                           'sed -i "s/POSTGRES_PASSWORD=listmonk/POSTGRES_PASSWORD=$db_password/g" docker-compose.yml\n',
        ".env.production": f"DB_PASSWORD={WEAK}\n"})
    assert blocking_findings(found) == [(".env.production", "secrets/" + PASSWORD)], found


# -- 2. a catalogue named by a bare language code ----------------------------------------------------------------

@pytest.mark.parametrize(("path", "word"), [
    ("sv.json", "L\u00f6senord"),  # navidrome's root sv.json
    ("ui/src/fi.json", "Salasana"),
    ("resources/pl.json", "Has\u0142o"),
    ("web/hu.yml", "Jelsz\u00f3"),
    ("app/assets/tr.json", "\u015eifre"),
    ("static/ru.json", "\u041f\u0430\u0440\u043e\u043b\u044c"),
    ("src/nb.json", "Passord"),
])
def test_a_translation_in_a_catalogue_named_by_a_language_code_is_not_a_password(
        secrets_detector: SecretDetector, path: str, word: str) -> None:
    """navidrome's `sv.json` ("Add Swedish translation", 2 blocking findings): a file named by an ISO 639-1 code alone
    is a catalogue, as `sv-SE.json` and `i18n/sv.json` are."""
    for line in (f'    "password": "{word}",', f'  "passwordRequired": "{word}",'):
        assert blocking(secrets_detector, line, path) == [], (line, reported(secrets_detector, line, path))


@pytest.mark.parametrize(("path", "value"), [
    ("db.json", "L\u00f6senord"),  # not a language code
    ("ui.json", "Passwort"),
    ("js.json", "Passwort"),
    ("ci.yml", "Passwort"),
    ("sv.json", STRONG),  # digits: no word of any language
    ("sv.json", "kJhGfTrEwQaSdFgHjK"),  # random letters: no word's shape
    ("config/de.json", WEAK),
    ("sv.env", "L\u00f6senord"),  # not a catalogue's format
])
def test_a_password_in_a_file_named_like_a_language_code_still_blocks(secrets_detector: SecretDetector, path: str,
                                                                       value: str) -> None:
    line = f"PASSWORD={value}" if path.endswith(".env") else f'    "password": "{value}",'
    assert blocking(secrets_detector, line, path) == ["secrets/" + PASSWORD], reported(secrets_detector, line, path)


def test_a_provider_key_in_a_bare_language_catalogue_still_blocks(secrets_detector: SecretDetector) -> None:
    assert "secrets/aws-access-key" in blocking(secrets_detector, f'    "aws": "{AWS_KEY}",', "sv.json")


# -- 4. a service-account key id with no private key -------------------------------------------------------------

_KEY_ID = "268f" + "".join(_rng.choice("0123456789abcdef") for _ in range(36))


def _pem() -> str:
    """A private key's block as a service-account JSON writes it: one string, `\\n` escapes (random base64 body)."""
    body = "\\n".join(_random(64, string.ascii_letters + string.digits + "+/") for _ in range(20))
    return "-----BEGIN " + "PRIVATE KEY-----\\n" + "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + body + \
        "\\n-----END " + "PRIVATE KEY-----\\n"


def _service_account(private_key: str, *, key_id: str = _KEY_ID) -> str:
    return ("var jwtJSONKey = []byte(`{\n"
            f'  "private_key_id": "{key_id}",\n'
            f'  "private_key": "{private_key}",\n'
            '  "client_email": "gopher@developer.gserviceaccount.com",\n'
            '  "client_id": "gopher.apps.googleusercontent.com",\n'
            '  "type": "service_account"\n'
            "}`)\n")


@pytest.mark.parametrize("private_key", ["super secret key", "", "<your private key>", "${GOOGLE_PRIVATE_KEY}",
                                         "-----BEGIN " + "PRIVATE KEY-----\\n...\\n-----END " + "PRIVATE KEY-----\\n"])
def test_a_service_account_key_id_without_a_private_key_is_not_a_key(secrets_detector: SecretDetector,
                                                                     private_key: str) -> None:
    """golang.org/x/oauth2's own test fixtures, vendored by miniflux (2 critical findings): a `private_key_id` is the
    key's public identifier; a JSON object whose `private_key` holds no key material opens nothing."""
    text = _service_account(private_key)
    found = reported(secrets_detector, text, "vendor/golang.org/x/oauth2/google/google_test.go")
    assert [rule for rule, suppressed in found if not suppressed] == [], found


def test_vendored_service_account_test_data_does_not_block_a_real_commit(based: RepoBuilder) -> None:
    found = scan_commit(based, {"vendor/golang.org/x/oauth2/google/google_test.go": _service_account("super secret key"),
                                "auth/sa_test.go": _service_account("super secret key")})
    assert blocking_findings(found) == [], found


@pytest.mark.parametrize("path", ["vendor/golang.org/x/oauth2/google/google_test.go", "auth/sa_test.go",
                                  "config/service-account.json"])
def test_a_service_account_with_a_real_private_key_still_blocks(based: RepoBuilder, path: str) -> None:
    """The key id is what still blocks a real service-account file in test code or vendored code, where the private
    key's own finding is a test's key or a dependency's (secrets.tests, secrets.vendored)."""
    text = _service_account(_pem())
    if path.endswith(".json"):
        text = text.split("`", 1)[1].rsplit("`", 1)[0]
    found = scan_commit(based, {path: text})
    assert (path, "secrets/gcp-service-account-key") in blocking_findings(found), found


def test_a_one_line_service_account_with_a_real_key_still_blocks(secrets_detector: SecretDetector) -> None:
    line = (f'{{"type": "service_account", "private_key_id": "{_KEY_ID}", "private_key": "{_pem()}", '
            '"client_email": "svc@proj.iam.gserviceaccount.com"}')
    assert "secrets/gcp-service-account-key" in blocking(secrets_detector, line, "sa.json")


def test_a_key_id_whose_private_key_is_not_in_view_still_blocks(secrets_detector: SecretDetector) -> None:
    """Only the key's own object can say it holds no key: a key id added alone (the key outside the added lines, or
    before the id) is read as the file it most often is."""
    assert blocking(secrets_detector, f'  "private_key_id": "{_KEY_ID}",', "sa.json") == [
        "secrets/gcp-service-account-key"]
    text = f'{{\n  "private_key": "{_pem()}",\n  "private_key_id": "{_KEY_ID}"\n}}\n'
    assert "secrets/gcp-service-account-key" in blocking(secrets_detector, text, "sa.json")


def test_a_key_id_with_a_dummy_key_in_another_object_still_blocks(secrets_detector: SecretDetector) -> None:
    """The dummy `private_key` must be the key id's own object's: one after the object closed is another's."""
    text = (f'{{\n  "private_key_id": "{_KEY_ID}",\n  "client_email": "svc@proj.iam.gserviceaccount.com"\n}}\n'
            '{\n  "private_key": "super secret key"\n}\n')
    assert "secrets/gcp-service-account-key" in blocking(secrets_detector, text, "sa.json")


# -- 5. a YAML alias ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "line"), [
    ("docker-compose.yml", "      LISTMONK_db__password: *db-password"),
    ("docker-compose.yml", "      POSTGRES_PASSWORD: *db_password"),
    ("config/app.yaml", "  password: *defaultPassword"),
    ("deploy/values.yaml", "    password: *pg.pass"),
    ("compose.yaml", "  MYSQL_PASSWORD: *MYSQL_PASSWORD  # the anchor above"),
])
def test_an_unquoted_yaml_alias_is_a_reference(secrets_detector: SecretDetector, path: str, line: str) -> None:
    """listmonk's docker-compose.yml (1 blocking finding): `*db-password` names the anchor `&db-password`, whose own
    value is read where it is defined."""
    assert blocking(secrets_detector, line, path) == [], reported(secrets_detector, line, path)


@pytest.mark.parametrize(("path", "line"), [
    ("docker-compose.yml", '      POSTGRES_PASSWORD: "*db-password"'),  # quoted: a string
    ("docker-compose.yml", "      POSTGRES_PASSWORD: *" + STRONG),  # a random "name"
    (".env", "DB_PASSWORD=*db-password"),  # not YAML: `*` is a character of the value
    ("docker-compose.yml", "      POSTGRES_PASSWORD: &db-password " + STRONG),  # the anchor's value
])
def test_a_star_led_value_that_is_no_alias_still_blocks(secrets_detector: SecretDetector, path: str,
                                                        line: str) -> None:
    assert blocking(secrets_detector, line, path) == ["secrets/" + PASSWORD], reported(secrets_detector, line, path)


# -- 6. a Vue bound attribute after type="password" --------------------------------------------------------------

@pytest.mark.parametrize("line", [
    """<b-input v-model="data['bounce.sendgrid_key']" type="password" :disabled="!data['bounce.sendgrid_enabled']" """
    """name="sendgrid_key" />""",
    '<b-input type="password" :disabled="!data.sendgrid_enabled" />',
    '<input type="password" :placeholder="settings.passwordHint" />',
    """<input autocomplete="new-password" :class="{ 'is-danger': errors.length > 0 }" />""",
    "<el-input type='password' :readonly='!form.editing' />",
])
def test_a_bound_attribute_after_a_password_type_is_not_a_value(secrets_detector: SecretDetector, line: str) -> None:
    """listmonk's bounces.vue (1 blocking finding): `type="password"` closes its attribute, and `:disabled=` is Vue's
    binding shorthand — another attribute, not a typed assignment to `password`."""
    for path in ("frontend/src/views/settings/bounces.vue", "templates/login.html"):
        assert blocking(secrets_detector, line, path) == [], reported(secrets_detector, line, path)


def test_the_same_markup_quoted_in_prose_is_not_a_value(secrets_detector: SecretDetector) -> None:
    """A page or a comment that quotes such markup in a code span (this fix's own documentation)."""
    line = """a bound attribute after the keyword (`type="password" :disabled="!data['k']"`: another attribute's)"""
    for path in ("docs/secrets.md", "gatekeeper/scan/secrets.py"):
        assert blocking(secrets_detector, line, path) == [], reported(secrets_detector, line, path)


@pytest.mark.parametrize("line", [
    '<input type="password" :value="' + STRONG + '" />',  # a random token bound as the field's value
    "  password: '" + STRONG + "',",  # the component's data
    '<my-login :password="' + STRONG + '" />',  # a prop named password
])
def test_a_literal_password_in_a_vue_component_still_blocks(secrets_detector: SecretDetector, line: str) -> None:
    path = "frontend/src/views/Login.vue"
    assert blocking(secrets_detector, line, path) == ["secrets/" + PASSWORD], reported(secrets_detector, line, path)


# -- 7. an API client's request collection -----------------------------------------------------------------------

_EXAMPLE_PASSWORDS = ["secret" + "123", "Password" + "123", "admin" + "123", "test123" + "TEST"]


@pytest.mark.parametrize("path", ["contrib/bruno/miniflux/Create a new user.bru", "api/Users/login.bru",
                                  "postman/Miniflux.postman_collection.json", "requests/users.http",
                                  "api.rest"])
@pytest.mark.parametrize("value", _EXAMPLE_PASSWORDS)
def test_an_example_password_in_an_api_collection_is_an_example(secrets_detector: SecretDetector, path: str,
                                                                 value: str) -> None:
    """miniflux's Bruno collection ("Create a new user", 1 blocking finding): an API client's saved request documents
    the API, as a docs page's example does; its real credentials are variables (`{{minifluxPassword}}`)."""
    line = f'  "password": "{value}"'
    assert blocking(secrets_detector, line, path) == [], reported(secrets_detector, line, path)


@pytest.mark.parametrize(("path", "value"), [
    ("contrib/bruno/miniflux/Create a new user.bru", STRONG),  # a random password: a real one
    ("postman/Miniflux.postman_collection.json", STRONG),
    ("requests/users.http", STRONG),
    ("bruno/environments/Production.bru", "secret" + "123"),  # an environment's values
    ("postman/Prod.postman_environment.json", "secret" + "123"),
    ("postman/local.postman_environment.json", WEAK),
])
def test_a_real_password_in_an_api_collection_still_blocks(secrets_detector: SecretDetector, path: str,
                                                           value: str) -> None:
    line = f'  "password": "{value}"'
    assert blocking(secrets_detector, line, path) == ["secrets/" + PASSWORD], reported(secrets_detector, line, path)


def test_a_provider_token_in_an_api_collection_still_blocks(secrets_detector: SecretDetector) -> None:
    token = "ghp" + "_" + _random(36)
    assert "secrets/github-pat" in blocking(secrets_detector, f"  Authorization: token {token}", "api/Users/get.bru")


def test_the_collection_in_a_real_commit(based: RepoBuilder) -> None:
    body = "post {\n  url: {{minifluxUrl}}/v1/users\n  body: json\n}\n\nbody:json {\n  {\n    \"username\": " \
           "\"foobar\",\n    \"password\": \"" + "secret" + "123" + "\"\n  }\n}\n"
    found = scan_commit(based, {"contrib/bruno/miniflux/Create a new user.bru": body,
                                "contrib/bruno/miniflux/Login.bru": body.replace("secret" + "123", STRONG)})
    assert blocking_findings(found) == [("contrib/bruno/miniflux/Login.bru", "secrets/" + PASSWORD)], found


def test_basic_auth_of_an_example_login_in_a_collection(secrets_detector: SecretDetector) -> None:
    """A saved request's Basic header with an example login is an example too; a random one blocks."""
    example = base64.b64encode(("admin:" + "admin" + "123").encode()).decode()
    real = base64.b64encode(("admin:" + STRONG).encode()).decode()
    assert blocking(secrets_detector, f"Authorization: Basic {example}", "requests/users.http") == []
    assert blocking(secrets_detector, f"Authorization: Basic {real}", "requests/users.http") == [
        "secrets/basic-auth-header"]
