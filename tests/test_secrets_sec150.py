"""Six self-hosted application and infrastructure histories the gate was never tuned on, measured blind (sec150:
lobsters, hexpm, lemmy, prometheus-community's helm-charts, pocket-casts-android, Sonarr — Ruby, Elixir, Rust, Helm,
Kotlin, C#): the classes of their false blocking findings, each beside what must still block. Values are made at run
time."""

from __future__ import annotations

import base64
import random
import string
from pathlib import Path

import pytest

from gatekeeper.config import DEFAULT_VENDORED_FILES, glob_match
from gatekeeper.scan.secrets import SecretDetector
from tests.hook_helpers import assert_blocked, push_files
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking, blocking_findings, reported, scan_commit

_RNG = random.Random(150)


def _random(n: int = 16) -> str:
    """Letters and digits with a mark (what a generated password holds)."""
    body = [_RNG.choice(string.ascii_letters + string.digits) for _ in range(n - 4)]
    return "".join(body) + _RNG.choice(string.digits) + _RNG.choice(string.ascii_uppercase) + "!" + _RNG.choice("xyz")


def _identifier(n: int = 12) -> str:
    """Letters and digits, a letter first: a generated password that could pass for a name in code."""
    return _RNG.choice(string.ascii_letters) + "".join(_RNG.choice(string.ascii_letters + string.digits)
                                                       for _ in range(n - 3)) + _RNG.choice(string.digits) + "Q"


def _mixed_letters(n: int = 12) -> str:
    """Random letters whose case changes every letter (a generated password of letters only, no word's shape)."""
    return "".join(c.upper() if i % 2 else c for i, c in enumerate(_RNG.choice(string.ascii_lowercase)
                                                                   for _ in range(n)))


# --- a reference written with `::` or `?.` in source (pocket-casts-android 8, lobsters 1, Sonarr 3) ---------------

@pytest.mark.parametrize("path, line", [
    ("modules/features/account/LoginPage.kt", "            onUpdatePassword = viewModel::updatePassword,"),
    ("modules/features/account/LogInViewModel.kt", "        onUpdatePassword = ::updatePassword,"),
    ("lib/tasks/fake_data.rake", "      password = Faker::Internet.password"),
    ("app/models/user.rb", "    self.password = Devise::Encryptor.digest_password"),
    ("src/Api/HostConfigController.cs", "            resource.Password = user?.Password ?? string.Empty;"),
    ("src/Core/ConfigFileProvider.cs",
     '    public string PostgresPassword => _postgresOptions?.Password ?? GetValue("PostgresPassword", string.Empty);'),
    ("lib/settings.dart", "  final password = settings?.auth?.password;"),
])
def test_a_reference_in_source_is_no_password(secrets_detector: SecretDetector, path: str, line: str) -> None:
    assert blocking(secrets_detector, line, path) == []


@pytest.mark.parametrize("path, line", [
    # The same shape where an unquoted value is text: a data file, a shell script, a .env.
    (".env", "PASSWORD={a}::{b}"),
    ("config/app.yml", "password: {a}?.{b}"),
    ("scripts/start.sh", "DB_PASSWORD={a}::{b}"),
    # In source, inside a string, a comment, or a multi-line string begun earlier: text.
    ("app/Config.kt", 'val dsn = "password={a}::{b}"'),
    ("app/Config.kt", "// password = {a}::{b}"),
    ("app/config.rb", "# password = {a}::{b}"),
    ("app/Config.kt", 'val conf = """\npassword = {a}::{b}\n"""'),
    ("app/Config.cs", 'var conf = @"\npassword = {a}?.{b}\n";'),
    # Quoted, it is a string whatever it holds.
    ("app/Config.kt", 'val password = "{a}::{b}"'),
    ("app/config.rb", "password = '{a}::{b}'"),
    # A mark a name never holds, beside the `::`.
    ("app/Config.kt", "val password = {a}::{b}!"),
    ("app/config.rb", "password = {a}::{b}-{a}"),
])
def test_a_password_shaped_as_a_reference_still_blocks(secrets_detector: SecretDetector, path: str, line: str) -> None:
    text = line.replace("{a}", _identifier()).replace("{b}", _identifier())
    assert blocking(secrets_detector, text, path) == ["secrets/generic-password"], text


# --- a namespace and the key's own name (lobsters' routes 16, Sonarr's Redux action type 1) -----------------------

@pytest.mark.parametrize("path, line", [
    ("config/routes.rb", '    get "/login/forgot_password" => "login#forgot_password",'),
    ("config/routes.rb", '    match "/login/set_new_password" => "login#set_new_password",'),
    ("config/routes.rb", '  post "/admin/reset_password" => "admin/users#reset_password"'),
    ("frontend/src/Store/Actions/seasonPassActions.js", "export const SAVE_SEASON_PASS = 'seasonPass/saveSeasonPass';"),
    ("src/store/auth.ts", "export const RESET_PASSWORD = 'auth/RESET_PASSWORD';"),
])
def test_a_namespace_and_the_own_name_is_no_password(secrets_detector: SecretDetector, path: str, line: str) -> None:
    assert blocking(secrets_detector, line, path) == []


@pytest.mark.parametrize("path, line", [
    # A generated value after the namespace, or before the name.
    ("config/routes.rb", '    get "/login/forgot_password" => "login#{r}",'),
    ("config/routes.rb", '    get "/login/forgot_password" => "{i}#forgot_password",'),
    ("config/routes.rb", '    get "/login/forgot_password" => "{L}#forgot_password",'),
    ("src/store/auth.ts", "export const RESET_PASSWORD = '{L}/RESET_PASSWORD';"),
    ("src/store/auth.ts", "export const RESET_PASSWORD = 'auth/{i}';"),
    # Another name than the key's.
    ("config/database.rb", 'db_password = "acme#{i}"'),
    ("app/settings.py", 'DB_PASSWORD = "prod/{i}"'),
    # A mark in the namespace: a password that happens to end in the name.
    ("app/settings.py", 'DB_PASSWORD = "{r}#DB_PASSWORD"'),
])
def test_a_namespace_before_another_value_still_blocks(secrets_detector: SecretDetector, path: str, line: str) -> None:
    text = line.replace("{r}", _random()).replace("{i}", _identifier()).replace("{L}", _mixed_letters())
    assert blocking(secrets_detector, text, path) == ["secrets/generic-password"], text


# --- `hunter2`, the Internet's example password, where examples are written (hexpm's API docs: 5) ----------------

def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize("path, line", [
    ("apiary.apib", '                 "password": "hunter42",'),
    ("lib/hex_web/web/templates/docs/publish.html.eex", "Password: hunter42"),
    ("docs/api.md", "password: hunter2"),
    ("test/fixtures/users.json", '{"password": "Hunter2"}'),
])
def test_hunter2_is_an_example_password_where_examples_are_written(secrets_detector: SecretDetector, path: str,
                                                                   line: str) -> None:
    assert [why for _rule, why in reported(secrets_detector, line, path)] == ["example password (dummy words)"]


def test_a_basic_header_of_hunter2_in_api_blueprint_is_an_example(secrets_detector: SecretDetector) -> None:
    line = "            Authorization: Basic " + _basic("ericmj", "hunter42")
    assert reported(secrets_detector, line, "apiary.apib") == [
        ("secrets/basic-auth-header", "example password (dummy words)")]


@pytest.mark.parametrize("path, line", [
    # What deploys an environment, or a configuration that is no example: a weak password in use.
    (".env", "DB_PASSWORD=hunter2"),
    ("deploy/values.yaml", "password: hunter42"),
    ("config/prod.exs", 'password: "hunter2",'),
    ("docker/pleroma/docker-compose.yml", "      POSTGRES_PASSWORD: hunter2"),
    # Where examples are written, a password that only starts with the word.
    ("apiary.apib", '"password": "hunter{r}"'),
    ("docs/api.md", "password: Hunter{i}"),
])
def test_hunter2_outside_examples_or_with_more_still_blocks(secrets_detector: SecretDetector, path: str,
                                                          line: str) -> None:
    text = line.replace("{r}", _random()).replace("{i}", _identifier())
    assert blocking(secrets_detector, text, path) == ["secrets/generic-password"], text


def test_a_generated_password_in_api_blueprint_still_blocks(secrets_detector: SecretDetector) -> None:
    assert blocking(secrets_detector, '"password": "' + _random() + '"', "apiary.apib") == ["secrets/generic-password"]
    line = "Authorization: Basic " + _basic("ericmj", _random())
    assert blocking(secrets_detector, line, "apiary.apib") == ["secrets/basic-auth-header"]


# --- NuGet's restore folder and tool (Sonarr's vendored DotNetZip docs and NuGet.exe: 34) -------------------------

@pytest.mark.parametrize("path", [
    "packages/DotNetZip.1.9.1.8/lib/net20/Ionic.Zip.xml",
    "src/packages/Newtonsoft.Json.12.0.3/lib/net45/Newtonsoft.Json.xml",
    "packages/Backbone.js.0.9.2/NuGet.exe",
    ".nuget/NuGet.exe",
    "NzbDrone.Tvdb.Offline/.nuget/NuGet.exe",
])
def test_nugets_restore_folder_and_tool_are_vendored(path: str) -> None:
    assert any(glob_match(g, path) for g in DEFAULT_VENDORED_FILES), path


@pytest.mark.parametrize("path", [
    ".nuget/NuGet.Config",  # a package source's credentials go there
    "packages/api/config.json",  # a monorepo's package
    "packages/web3.js/src/index.js",
    "packages/vue2.7-compat/src/index.js",
    "packages/app.v2/settings.json",
    "src/packages.config",
])
def test_other_packages_directories_are_not_vendored(path: str) -> None:
    assert not any(glob_match(g, path) for g in DEFAULT_VENDORED_FILES), path


def test_a_password_in_a_nuget_folder_is_suppressed_but_a_provider_key_and_a_deployed_file_block(
        tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"README.md": "x\n"})
    aws = "AKIA" + "".join(_RNG.choice(string.ascii_uppercase + "234567") for _ in range(16))
    found = scan_commit(repo, {
        "packages/DotNetZip.1.9.1.8/lib/net20/Ionic.Zip.xml": f'zip.Password = "{_random()}";\n',
        "packages/Acme.Client.2.1.0/lib/settings.json": f'{{"aws_access_key_id": "{aws}"}}\n',
        "packages/Acme.Client.2.1.0/content/.env": f"DB_PASSWORD={_random()}\n",
        ".nuget/NuGet.Config": f'<add key="ClearTextPassword" value="{_random()}" />\n',
        "packages/api/config.json": f'{{"password": "{_random()}"}}\n',
    })
    assert sorted(path for path, _rule in blocking_findings(found)) == [
        ".nuget/NuGet.Config", "packages/Acme.Client.2.1.0/content/.env",
        "packages/Acme.Client.2.1.0/lib/settings.json", "packages/api/config.json"], found


# --- real pushes through the hook --------------------------------------------------------------------------------

def test_a_push_of_the_false_shapes_is_accepted_and_a_hostile_one_refused(tmp_path: Path) -> None:
    clean = push_files(tmp_path / "clean", {
        "config/routes.rb": 'Rails.application.routes.draw do\n  get "/login/forgot_password" => '
                            '"login#forgot_password"\nend\n',
        "app/src/main/java/LoginPage.kt": "LoginPage(\n    onUpdatePassword = viewModel::updatePassword,\n)\n",
        "src/Api/HostConfigController.cs": "resource.Password = user?.Password ?? string.Empty;\n",
        "apiary.apib": '## Login\n\n    {"username": "ericmj", "password": "hunter42"}\n',
        "packages/DotNetZip.1.9.1.8/lib/net20/Ionic.Zip.xml": '<code>zip.Password = "VerySecret!";</code>\n',
    })
    assert clean.code == 0, clean.output
    hostile = push_files(tmp_path / "hostile", {
        "app/src/main/java/Config.kt": f'val dsn = "password={_identifier()}::{_identifier()}"\n',
    })
    assert_blocked(hostile, "secrets/generic-password")
    hostile = push_files(tmp_path / "hostile2", {
        "config/routes.rb": f'  get "/login/forgot_password" => "login#{_random()}"\n',
    })
    assert_blocked(hostile, "secrets/generic-password")


# --- OpenSSL's pass phrase argument after `-password` (held out: DependencyTrack's dev Makefile, 1) -----------------

@pytest.mark.parametrize("line", [
    "\topenssl pkcs12 -export -in ./certs/broker-cert.pem -inkey ./certs/broker-key.pem -out ./certs/broker.p12"
    " -password pass:changeit",
    "openssl enc -aes256 -pass pass:changeit -in data.bin -out data.enc",
    "openssl pkcs12 -export -in c.pem -out c.p12 -password 'pass:password'",
])
def test_an_openssl_pass_phrase_argument_is_read_as_the_phrase(secrets_detector: SecretDetector, line: str) -> None:
    assert blocking(secrets_detector, line, "dev/kafka-mtls/Makefile") == []


@pytest.mark.parametrize("line", [
    "openssl pkcs12 -export -in c.pem -out c.p12 -password pass:{r}",
    "openssl enc -aes256 -pass pass:{r} -in data.bin",
    'openssl enc -aes256 -pass "pass:{r}" -in data.bin',
    "openssl pkcs12 -export -in c.pem -out c.p12 -password pass:{i}",
    "mytool --password pass:{r}",  # any tool: the phrase after `pass:` is judged, and it is a password
])
def test_a_real_pass_phrase_after_pass_still_blocks(secrets_detector: SecretDetector, line: str) -> None:
    text = line.replace("{r}", _random()).replace("{i}", _identifier())
    assert blocking(secrets_detector, text, "scripts/make-keystore.sh") == ["secrets/cli-password"], text


def test_a_push_of_a_makefile_with_a_real_openssl_pass_phrase_is_refused(tmp_path: Path) -> None:
    clean = push_files(tmp_path / "clean", {
        "dev/Makefile": "certs:\n\topenssl pkcs12 -export -in c.pem -out c.p12 -password pass:changeit\n"})
    assert clean.code == 0, clean.output
    hostile = push_files(tmp_path / "hostile", {
        "dev/Makefile": f"certs:\n\topenssl pkcs12 -export -in c.pem -out c.p12 -password pass:{_random()}\n"})
    assert_blocked(hostile, "secrets/cli-password")
