"""False blocking secrets findings on nine histories the rules were never tuned on (this session): pocketbase,
documenso, portainer, getsentry/self-hosted and vaultwarden (15,932 commits: 349 blocking findings), then netbox,
harbor, wagtail and jellyfin (78,827 commits: 1,187). Every finding was judged by hand; the classes below were nearly
all of the false ones. Each comes with the controls that keep a real credential of the same shape blocking:

- a minified or built bundle (`ui/dist/assets/index-<hash>.js`, `app.min.js`): an unquoted value after a keyword is
  minified code there; a quoted literal, a provider's key, a URL's password and a private key in it still block;
- an example password made of dummy words (`Password123`, `test123TEST`, `P@ssw0rd123!`), a word and a counting run
  (`Harbor12345`, `root123`), a keyboard walk, words naming a password (`typeinastrongpassword`), a name to fill in
  between brackets (`[YOUR-PASSWORD]`), a dummy percent-encoded in a URL (`p%40ss%23word`);
- a key block whose body is a few characters repeated (`privatekeyprivatekey…`);
- the emulator keys Microsoft publishes (Azurite's, Cosmos DB's): recorded, not blocking;
- a name that says its value is made up (`FAKE_PASSWORD`, `examplePassword`);
- a translation catalogue under `Localization/`, written with `\\uXXXX` escapes, or a translated sentence holding
  numbers;
- Django's salted MD5 password hashes in a fixture;
- a Go test file in a package directory named `deployments/`;
- a keyword rule's value, or a URL's password for an example's host, in a project's documentation (a docs directory,
  a README): a warning (medium), not blocking; a runbook elsewhere and a URL to a real host still block (red135);
- an example password in a real environment's file (`.env`, `docker-compose.prod.yml`, `group_vars/`, a deploy
  script) is that environment's weak password, and blocks (red135 holds those controls).

Values are built at run time: no secret-shaped literal is written here.
"""

from __future__ import annotations

import base64
import random
import string

import pytest

from gatekeeper.models import Severity
from gatekeeper.scan.secrets import SecretDetector
from tests.hook_helpers import AWS_KEY
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking as _blocking
from tests.secrets_helpers import blocking_findings as _blocking_findings
from tests.secrets_helpers import reported as _reported
from tests.secrets_helpers import scan_commit as _scan

_rng = random.Random(18)


def _random(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


STRONG = _random(6) + "7" + _random(7)  # (a digit for certain)
KEY_HEADER = "-----BEGIN " + "RSA PRIVATE KEY-----"
KEY_FOOTER = "-----END " + "RSA PRIVATE KEY-----"
# Microsoft's published emulator keys, in pieces (they are key-shaped; see secrets._PUBLISHED_KEYS).
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq" + "/K1SZFPTOtr/KBHBeksoGMGw=="
COSMOS_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEc" + "aGQy67XIw/Jw=="


def _key_body(lines: int = 6) -> list[str]:
    return [base64.b64encode(_rng.randbytes(48)).decode() for _ in range(lines)]


# -- example passwords --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "Password123", "test_Password123", "test123TEST", "Admin@123", "mysecretpassword", "SuperSecret!", "P@ssw0rd123!",
    "TestPassword2", "Harbor12345", "root123", "VMware12345", "1234567ab", "12345678AbC", "1q2w3e4r",
])
def test_an_example_password_of_dummy_words_or_a_counting_run_does_not_block(
        secrets_detector: SecretDetector, value: str) -> None:
    """documenso's seeds (`password: 'Password123'`), sentry self-hosted's `TEST_PASS='test123TEST'`, harbor's default
    login `Harbor12345` and database password `root123` in its docs, tests, templates and CI (230 findings)."""
    for line, path in ((f"  password: '{value}',", "packages/prisma/seed/users.ts"),
                       (f"harbor_admin_password: {value}", "make/harbor.yml.tmpl"),
                       (f"  password: {value}", "docs/install.md"),
                       (f'  "password": "{value}",', "contrib/sdk/examples/create_user.py"),
                       (f'docker login -u admin -p {value} "$IP"', "tests/ci/push.sh")):
        assert _blocking(secrets_detector, line, path) == [], (line, path)


@pytest.mark.parametrize("path", ["make/harbor.yml", "src/core/auth/ldap.go", "app/settings.py", "Dockerfile"])
@pytest.mark.parametrize("value", ["Harbor12345", "Admin@123", "Password123"])
def test_an_example_password_outside_a_file_of_examples_still_blocks(secrets_detector: SecretDetector, value: str,
                                                                    path: str) -> None:
    """Read as an example only where examples are written (tests, examples, seeds, templates, docs, CI definitions):
    in a product's configuration or its code the same value is a weak password in use (red136)."""
    assert _blocking(secrets_detector, f'password = "{value}"', path) == ["secrets/generic-password"]


@pytest.mark.parametrize("value", [
    STRONG, "Password123" + _random(8), "Harbor" + "83920", "Summer2024!", "Tr0ub4dor&3", "Harbor1235",
    "mysecretpassword" + _random(3, string.ascii_lowercase) + "7", "Xk9" + "#123",
])
def test_a_password_that_only_resembles_an_example_still_blocks(secrets_detector: SecretDetector, value: str) -> None:
    """A random tail after the dummy words, digits that do not count from 1, one letter that is no dummy word's."""
    assert _blocking(secrets_detector, f"  password: '{value}',", "packages/prisma/seed/users.ts") == [
        "secrets/generic-password"]


@pytest.mark.parametrize("url", [
    "postgresql://[user]:[password]@[host]:[port]/[database]",
    "postgres://postgres:[YOUR-PASSWORD]@db.abcdefghijklmnop.supabase.co:5432/postgres",
    "mysql://[user[:password]@]host/database_name",
    "postgresql://documenso:p%40ss%23word@db.example.net:5432/documenso",
    "postgresql://postgres:typeinastrongpassword@db.abcdefghijklmnop.supabase.co:5432/postgres",
])
def test_a_database_url_with_a_name_to_fill_in_does_not_block(secrets_detector: SecretDetector, url: str) -> None:
    """documenso's self-hosting docs and blog: a template's bracketed names, a dummy percent-encoded, an instruction."""
    assert _blocking(secrets_detector, f'DATABASE_URL="{url}"', "apps/web/.env.example") == []


@pytest.mark.parametrize("password", [f"[{STRONG}]", f"p%40{STRONG}", _random(18, string.ascii_lowercase)])
def test_a_database_url_with_a_real_password_still_blocks(secrets_detector: SecretDetector, password: str) -> None:
    url = f"postgres://app:{password}@db.internal.example.net:5432/app"
    assert _blocking(secrets_detector, f'DATABASE_URL="{url}"', "apps/web/.env.example") == ["secrets/database-url-password"]


# -- key blocks ---------------------------------------------------------------------------------------------------

def test_a_key_block_of_a_repeated_word_is_a_placeholder(secrets_detector: SecretDetector) -> None:
    """getsentry/self-hosted's `sentry/config.example.yml`: a commented example whose body is `privatekey` repeated."""
    text = "\n".join(["# github-app.private-key: |", f"#   {KEY_HEADER}",
                      *["#   " + "privatekey" * 4] * 5, f"#   {KEY_FOOTER}"])
    reported = _reported(secrets_detector, text, "sentry/config.example.yml")
    assert [rule for rule, _ in reported] == ["secrets/private-key"]
    assert "placeholder key body" in reported[0][1]


def test_a_commented_key_block_with_key_material_still_blocks(secrets_detector: SecretDetector) -> None:
    text = "\n".join(["# github-app.private-key: |", f"#   {KEY_HEADER}", *("#   " + line for line in _key_body()),
                      f"#   {KEY_FOOTER}"])
    assert _blocking(secrets_detector, text, "sentry/config.example.yml") == ["secrets/private-key"]


# -- published emulator keys --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "name"), [(AZURITE_KEY, "Azurite"), (COSMOS_KEY, "Cosmos DB")])
def test_microsofts_published_emulator_keys_are_recorded_not_blocking(
        secrets_detector: SecretDetector, key: str, name: str) -> None:
    """documenso's storage docs: `AccountName=devstoreaccount1;AccountKey=…`, the key Azurite ships with."""
    line = f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};BlobEndpoint=http://127.0.0.1"
    reported = _reported(secrets_detector, line, "docs/storage.mdx")
    assert reported and all(suppressed for _, suppressed in reported)
    assert any(name in suppressed for _, suppressed in reported)


def test_an_azure_storage_key_that_is_not_the_emulators_still_blocks(secrets_detector: SecretDetector) -> None:
    key = base64.b64encode(_rng.randbytes(64)).decode()
    line = f"DefaultEndpointsProtocol=https;AccountName=prodstore;AccountKey={key};EndpointSuffix=core.windows.net"
    assert _blocking(secrets_detector, line, "docs/storage.mdx") == ["secrets/azure-storage-key"]


# -- names that say the value is made up --------------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    f"const FAKE_PASSWORD: string = '{STRONG}';", f'examplePassword = "{STRONG}"', f'mock_pass = "{STRONG}"',
    f"let dummyPassword = '{STRONG}';",
])
def test_a_name_that_says_its_value_is_made_up_does_not_block(secrets_detector: SecretDetector, line: str) -> None:
    """harbor's `const FAKE_PASSWORD: string = '…'`: the placeholder a form shows in place of the stored password."""
    assert _blocking(secrets_detector, line, "src/app/replication/target.ts") == []


@pytest.mark.parametrize("line", [
    f"const REAL_PASSWORD: string = '{STRONG}';", f'counterexample_password = "{STRONG}"',
    f'adminPassword = "{STRONG}"', f'TEST_PASSWORD = "{STRONG}"',
])
def test_other_names_still_block(secrets_detector: SecretDetector, line: str) -> None:
    assert _blocking(secrets_detector, line, "src/app/replication/target.ts") == ["secrets/generic-password"]


# -- translation catalogues ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "line"), [
    ("MediaBrowser.Server.Implementations/Localization/Server/es-MX.json", '    "Password": "Contrase\\u00f1a",'),
    ("MediaBrowser.Server.Implementations/Localization/JavaScript/ru.json",
     '    "Password": "\\u041f\\u0430\\u0440\\u043e\\u043b\\u044c",'),
    ("src/portal/src/i18n/lang/zh-cn-lang.json",
     '    "PASSWORD": "\u5bc6\u7801\u957f\u5ea6\u57288\u5230128\u4e4b\u95f4\u3002",'),
])
def test_a_translation_escaped_or_holding_numbers_does_not_block(secrets_detector: SecretDetector, path: str,
                                                                  line: str) -> None:
    """jellyfin's `Localization/` catalogues written with `\\uXXXX` escapes (716 findings), harbor's Chinese
    password rule (`…8到128…`)."""
    assert _blocking(secrets_detector, line, path) == []


@pytest.mark.parametrize("value", [STRONG, "kJhGfTrEwQaSdFgHjK", "x7\\u00e9" + _random(10)])
def test_a_password_in_a_catalogue_still_blocks(secrets_detector: SecretDetector, value: str) -> None:
    path = "MediaBrowser.Server.Implementations/Localization/Server/es-MX.json"
    assert _blocking(secrets_detector, f'    "Password": "{value}",', path) == ["secrets/generic-password"]


# -- password hashes ----------------------------------------------------------------------------------------------

def test_a_django_salted_md5_hash_is_recorded_not_blocking(secrets_detector: SecretDetector) -> None:
    """wagtail's test user fixtures: `"password": "md5$seasalt$<32 hex>"` (130 findings)."""
    line = f'      "password": "md5$seasalt${_random(32, "0123456789abcdef")}",'
    reported = _reported(secrets_detector, line, "wagtail/test/customuser/fixtures/test.json")
    assert [(rule, suppressed) for rule, suppressed in reported] == [
        ("secrets/generic-password", "a password hash, not the password")]


def test_a_value_merely_starting_like_a_hash_still_blocks(secrets_detector: SecretDetector) -> None:
    line = f'      "password": "md5$seasalt${STRONG}",'
    assert _blocking(secrets_detector, line, "wagtail/test/customuser/fixtures/test.json") == ["secrets/generic-password"]


# -- where the file is (the scanner) ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["ui/dist/assets/index-BMShE0dZ.js", "web-vault/js/app.min.js",
                                  "src/ui/static/main.bundle.map", "build/static/js/2.chunk.js"])
def test_minified_code_after_a_keyword_in_a_built_bundle_is_not_a_password(based: RepoBuilder, path: str) -> None:
    """pocketbase's committed `ui/dist/` (282 findings), vaultwarden's `app.min.js`: minified code run together after
    `password=` (a member read and a ternary). A provider's key and a URL's password there still block."""
    minified = ('n.record.password=e.target.value:delete n.record.password;a[`Auth with password`]=e.passwordAuth?.'
                'enabled?async e=>{};switch(k){case"Password":f.login.password=w;break}'
                '!p.login.password&&a(h,n)?p.login.password=v:!p.login.username&&a(h,n);'
                f'const k="{AWS_KEY}";const u="postgres://app:{STRONG}@db.prod.corp.net/app";')
    found = _scan(based, {path: minified + "\n"})
    assert _blocking_findings(found) == [(path, "secrets/aws-access-key"), (path, "secrets/database-url-password")]
    assert not [rule for _, rule, _, _ in found if rule == "secrets/generic-password"]


def test_a_quoted_password_literal_in_a_bundle_still_blocks(based: RepoBuilder) -> None:
    """What a build inlined from its environment (red135): a literal is quoted in a bundle as in any script."""
    path = "ui/dist/assets/index-BMShE0dZ.js"
    found = _scan(based, {path: f'const e={{user:"svc",password:"{STRONG}"}};fetch(u,{{body:e}});\n'})
    assert _blocking_findings(found) == [(path, "secrets/generic-password")]


def test_the_same_line_in_source_code_still_blocks(based: RepoBuilder) -> None:
    found = _scan(based, {"ui/src/records.js": f'var q = {{password: "{STRONG}"}};\n'})
    assert _blocking_findings(found) == [("ui/src/records.js", "secrets/generic-password")]


def test_a_private_key_in_a_bundle_still_blocks(based: RepoBuilder) -> None:
    path = "ui/dist/assets/index-ab12cd34.js"
    found = _scan(based, {path: "\n".join(['var k=`' + KEY_HEADER, *_key_body(), KEY_FOOTER + '`;']) + "\n"})
    assert _blocking_findings(found) == [(path, "secrets/private-key")]


@pytest.mark.parametrize("path", ["docs/installation/3-netbox.md", "README.md", "docs/api/auth.rst",
                                  "apps/docs/content/self-hosting/database.mdx"])
def test_a_keyword_rule_or_url_password_in_documentation_warns_without_blocking(based: RepoBuilder,
                                                                                path: str) -> None:
    """netbox's install guide (`'PASSWORD': 'J5br…'`, the same example in 14 pages), harbor's, memos' API docs: shown
    as medium with the reason, not blocking."""
    text = (f"    'PASSWORD': '{STRONG}',  # PostgreSQL password\n"
            f"DATABASE_URL=postgres://netbox:{STRONG}x@db.example.net:5432/netbox\n")
    found = _scan(based, {path: text})
    assert _blocking_findings(found) == []
    assert sorted(rule for _, rule, severity, _ in found if severity == Severity.MEDIUM) == [
        "secrets/database-url-password", "secrets/generic-password"]


def test_a_provider_key_or_private_key_in_documentation_still_blocks(based: RepoBuilder) -> None:
    text = "\n".join([f"aws_access_key_id = {AWS_KEY}", "", "```", KEY_HEADER, *_key_body(), KEY_FOOTER, "```"])
    found = _scan(based, {"docs/setup.md": text + "\n"})
    assert _blocking_findings(found) == [("docs/setup.md", "secrets/aws-access-key"),
                                         ("docs/setup.md", "secrets/private-key")]


def test_the_documentation_line_in_settings_still_blocks(based: RepoBuilder) -> None:
    found = _scan(based, {"netbox/configuration.py": f"    'PASSWORD': '{STRONG}',  # PostgreSQL password\n"})
    assert _blocking_findings(found) == [("netbox/configuration.py", "secrets/generic-password")]


def test_a_test_files_key_in_a_deployments_package_is_a_tests(based: RepoBuilder) -> None:
    """portainer's `api/stacks/deployments/deploy_test.go`: the `deployments` package's test, not what deploys an
    environment; a key file or a non-test source file in that directory still blocks."""
    key = "\n".join([KEY_HEADER, *_key_body(), KEY_FOOTER])
    found = _scan(based, {"api/stacks/deployments/deploy_test.go": f"const localhostKey = `{key}`\n",
                          "api/stacks/deployments/deploy.go": f"const key = `{key}`\n",
                          "api/stacks/deployments/server.key": key + "\n"})
    assert _blocking_findings(found) == [("api/stacks/deployments/deploy.go", "secrets/private-key"),
                                         ("api/stacks/deployments/server.key", "secrets/private-key")]


@pytest.mark.parametrize("path", [".env", "apps/web/.env.production", "deploy/prod.env", "config/production.yml",
                                  "infra/prod/main.tfvars"])
@pytest.mark.parametrize("value", ["Admin@123", "Password123", "Harbor12345"])
def test_an_example_password_in_a_real_environments_file_is_a_weak_password_and_blocks(
        secrets_detector: SecretDetector, path: str, value: str) -> None:
    """The same value in what configures a running environment is its weak password in use, not an example."""
    assert _blocking(secrets_detector, f"DB_PASSWORD={value}", path) == ["secrets/generic-password"]


@pytest.mark.parametrize("path", [".env.example", "apps/web/.env.template", "playwright/test.env"])
def test_an_example_password_in_an_example_environment_file_is_recorded(secrets_detector: SecretDetector, path: str) -> None:
    """documenso's `.env.example`: `E2E_TEST_AUTHENTICATE_USER_PASSWORD="test_Password123"`."""
    assert _reported(secrets_detector, 'E2E_TEST_AUTHENTICATE_USER_PASSWORD="test_Password123"', path) == [
        ("secrets/generic-password", "example password (dummy words)")]


def test_a_filters_options_after_its_pass_option_are_not_a_password(secrets_detector: SecretDetector) -> None:
    """jellyfin's ffmpeg filter graphs: `overlay=eof_action=pass:repeatlast=0:format=nv12` reads as `pass:` and a
    value; the value is the filter's next options, `name=value` pairs."""
    for line in ('overlayFilters.Add("overlay_rkrga=eof_action=pass:repeatlast=0:format=nv12:afbc=1");',
                 'overlayFilters.Add("overlay=eof_action=pass:shortest=1:repeatlast=0");'):
        assert _blocking(secrets_detector, line, "MediaBrowser.Controller/MediaEncoding/EncodingHelper.cs") == []


@pytest.mark.parametrize("line", [f"pass: {STRONG}", f"pass:x={STRONG}", f"DB_PASS={STRONG}", f"opts=--password={STRONG}",
                                  f"url?user=a&password={STRONG}", f"DB_DSN=password={STRONG} host=db.internal"])
def test_a_password_after_an_equals_sign_still_blocks(secrets_detector: SecretDetector, line: str) -> None:
    assert _blocking(secrets_detector, line, "config/app.sh") in (["secrets/generic-password"], ["secrets/cli-password"])


@pytest.mark.parametrize("path", ["myapp/static/js/login.js", "src/distance.js", "dist-tools/deploy.js",
                                  "ui/dist/.env", "ui/dist/config.json"])
def test_hand_written_scripts_and_other_files_beside_bundles_still_block(based: RepoBuilder, path: str) -> None:
    """A Django app's `static/js/` holds its hand-written scripts; only scripts and styles under `dist/` count as
    built, and nothing but a script or a style there."""
    found = _scan(based, {path: f'password = "{STRONG}"\n'})
    assert _blocking_findings(found) == [(path, "secrets/generic-password")]


@pytest.mark.parametrize("value", ["=passwordMeter", "<pwd", "&onPassword", "=?passwordConfirm"])
def test_an_angularjs_scope_binding_is_not_a_password(secrets_detector: SecretDetector, value: str) -> None:
    """vaultwarden's bundled web vault: `scope: {password: "=passwordMeter"}`, a directive binding's attribute name."""
    assert _blocking(secrets_detector, f'restrict:"A",scope:{{password:"{value}",username:"=user"}}', "web/js/app.js") == []


@pytest.mark.parametrize(("value", "path"), [("=" + STRONG + "!", "web/js/app.js"),
                                             ("=" + STRONG[:4] + "!x", "web/js/app.js"),
                                             ("=" + STRONG, "config/app.yml")])
def test_a_password_that_starts_with_an_equals_sign_still_blocks(secrets_detector: SecretDetector, value: str,
                                                                 path: str) -> None:
    assert _blocking(secrets_detector, f'password: "{value}"', path) == ["secrets/generic-password"]


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize("path", ["docs/api/scripting-guide.md", "tests/api/test_login.sh"])
def test_a_basic_header_with_an_example_password_where_examples_are_written_is_recorded(
        secrets_detector: SecretDetector, path: str) -> None:
    """harbor's API scripting guide: `Authorization: Basic <admin and the product's default login>` (6 findings)."""
    line = f"Authorization: Basic {_basic('admin', 'Harbor12345')}"
    assert _reported(secrets_detector, line, path) == [
        ("secrets/basic-auth-header", "example password (a word and a counting run, or a keyboard walk)")]


@pytest.mark.parametrize(("path", "password"), [("docs/api/scripting-guide.md", STRONG),
                                                ("src/client/registry.go", "Harbor12345"),
                                                (".env.production", "Harbor12345")])
def test_a_basic_header_with_a_real_password_or_outside_examples_still_blocks(secrets_detector: SecretDetector, path: str,
                                                                             password: str) -> None:
    line = f"Authorization: Basic {_basic('admin', password)}"
    assert _blocking(secrets_detector, line, path) == ["secrets/basic-auth-header"]


def _pem(header_indent: str, body: list[str], prefix: str = "") -> str:
    """A key block whose header is indented by `header_indent` and its body and footer by four spaces."""
    return "\n".join([f"{header_indent}{prefix}{KEY_HEADER}", *(f"    {prefix}{b}" for b in body),
                      f"    {prefix}{KEY_FOOTER}"]) + "\n"


def test_a_re_indented_header_of_a_placeholder_key_block_reads_its_body_from_the_file(based: RepoBuilder) -> None:
    """authelia's config.template.yml: a commit re-indents a commented example's header, its `# ...` body kept (22
    blocking findings): the body is read from the file, and the block is a placeholder."""
    based.commit("template\n", {"config.template.yml": "tls:\n  # private_key: |\n" + _pem("  ", ["..."], "# ")})
    found = _scan(based, {"config.template.yml": "tls:\n  # private_key: |\n" + _pem("    ", ["..."], "# ")})
    assert _blocking_findings(found) == []
    assert [(rule, suppressed) for _, rule, _, suppressed in found] == [("secrets/private-key",
                                                                         "placeholder key body")]


def test_a_re_indented_header_of_a_real_key_still_blocks(based: RepoBuilder) -> None:
    body = _key_body()
    based.commit("key\n", {"deploy/tls.yml": "tls:\n  private_key: |\n" + _pem("  ", body)})
    found = _scan(based, {"deploy/tls.yml": "tls:\n  private_key: |\n" + _pem("    ", body)})
    assert _blocking_findings(found) == [("deploy/tls.yml", "secrets/private-key")]


def test_the_rfc_7617_example_credentials_are_recorded(secrets_detector: SecretDetector) -> None:
    """gethomepage/homepage's docs quote HTTP's own example of a Basic header."""
    line = "    Authorization: Basic " + base64.b64encode(b"Aladdin" + b":open sesame").decode() + " # Send a header"
    assert _reported(secrets_detector, line, "docs/configs/docker.md") == [
        ("secrets/basic-auth-header", "the example credentials of RFC 7617 (Basic authentication)")]


@pytest.mark.parametrize("rules", ["required|currentPassword", "confirmed|secure_password", "string|60",
                                   "required|string|min:16|secure_password|confirmed"])
def test_validation_rules_with_an_applications_own_rule_are_not_a_password(secrets_detector: SecretDetector,
                                                                          rules: str) -> None:
    """firefly-iii's form requests: Laravel's rules beside its own `secure_password` and `currentPassword`."""
    assert _blocking(secrets_detector, f"        return ['password' => '{rules}'];", "app/Http/Requests/TokenRequest.php") == []


@pytest.mark.parametrize("value", ["required|" + STRONG, STRONG + "|required", "secure_password|x7" + STRONG])
def test_a_password_beside_a_rule_name_still_blocks(secrets_detector: SecretDetector, value: str) -> None:
    assert _blocking(secrets_detector, f"        return ['password' => '{value}'];", "app/Http/Requests/TokenRequest.php") == [
        "secrets/generic-password"]


@pytest.mark.parametrize("directory", ["internal/configuration/test_resources/crypto", "api/datastore/test_data",
                                       "app/test-resources"])
def test_a_key_pair_in_a_test_resources_directory_is_a_tests(based: RepoBuilder, directory: str) -> None:
    """authelia's `internal/configuration/test_resources/crypto/*.pem` (91 findings): a test's key pairs; the same
    key in an environment's directory or a plain `resources/` one still blocks."""
    key = "\n".join([KEY_HEADER, *_key_body(), KEY_FOOTER]) + "\n"
    found = _scan(based, {f"{directory}/rsa.pem": key, "prod/test_resources/rsa.pem": key,
                          "app/resources/rsa.pem": key})
    assert _blocking_findings(found) == [("app/resources/rsa.pem", "secrets/private-key"),
                                         ("prod/test_resources/rsa.pem", "secrets/private-key")]
