"""Six histories of ecosystems the gate was never measured on, read blind (sec160: IceCubesApp — Swift, halo — Java and
Spring, localsend — Dart and Flutter, kubespray — Ansible, gatling — Scala, h2o — C), and the classes left from
sec150's held-out pair (kanidm, DependencyTrack): the classes of their false blocking findings, each beside what must
still block. Values are made at run time."""

from __future__ import annotations

import base64
import random
import string
from pathlib import Path

import pytest

from gatekeeper.config import DEFAULT_VENDORED_FILES, glob_match, parse_policy
from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.scan.code_text import rust_test_lines
from gatekeeper.scan.secrets import SecretDetector
from gatekeeper.scan.secrets_scanner import SecretsScanner
from tests.hook_helpers import assert_blocked, push_files
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking, blocking_findings, scan_commit

_RNG = random.Random(160)


def _random(n: int = 16) -> str:
    """Letters and digits with a mark (what a generated password holds)."""
    body = [_RNG.choice(string.ascii_letters + string.digits) for _ in range(n - 4)]
    return "".join(body) + _RNG.choice(string.digits) + _RNG.choice(string.ascii_uppercase) + "!" + _RNG.choice("xyz")


def _alnum(n: int = 16) -> str:
    """Letters and digits, a digit and both cases sure (pwgen's shape: kanidm's test passwords)."""
    body = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(n - 3))
    return body + _RNG.choice(string.digits) + _RNG.choice(string.ascii_uppercase) + _RNG.choice(string.ascii_lowercase)


def _lower(n: int) -> str:
    return "".join(_RNG.choice(string.ascii_lowercase) for _ in range(n))


def _word_case(n: int = 6) -> str:
    """Random letters written as a name is (`Kqmzpw`): what a generated password of letters only can look like."""
    return _RNG.choice(string.ascii_uppercase) + _lower(n - 1)


# --- a configuration key's dotted path valued by its own name (gatling's config-key constants, 17) -----------------

@pytest.mark.parametrize("path, line", [
    ("gatling-core/src/main/scala/io/gatling/core/ConfigKeys.scala",
     '      val Password = "gatling.ssl.keyStore.password"'),
    ("gatling-core/src/main/scala/io/gatling/core/ConfigurationConstants.scala",
     '\tval CONF_HTTP_BASIC_AUTH_PASSWORD = "gatling.http.basicAuth.password"'),
    ("gatling-core/src/main/scala/io/gatling/core/ConfigurationConstants.scala",
     '  val CONF_HTTP_SSL_TRUST_STORE_PASSWORD = "gatling.http.ssl.trustStore.password"'),
    ("src/main/java/Keys.java", '    public static final String PASSWORD = "app.datasource.password";'),
])
def test_a_config_keys_dotted_path_is_no_password(secrets_detector: SecretDetector, path: str, line: str) -> None:
    assert blocking(secrets_detector, line, path) == []


@pytest.mark.parametrize("path, line", [
    # A part of random letters whose case changes, or with a digit: no key's path.
    ("src/Keys.scala", 'val Password = "acme.{mixed}.password"'),
    ("src/Keys.scala", 'val Password = "acme.{lower}7.password"'),
    # One part before the name only (`Company.password`, red151's shape with a dot), or a capital first.
    ("src/Keys.scala", 'val Password = "keyStore.password"'),
    ("src/Keys.scala", 'val Password = "Acme.keyStore.password"'),
    # The same value in a data file: there it is the password itself.
    ("config/app.yml", 'password: "gatling.ssl.keyStore.password"'),
    ("config/settings.json", '"password": "acme.keyStore.password"'),
    # A random value: not a path at all.
    ("src/Keys.scala", 'val Password = "{random}"'),
])
def test_a_password_shaped_as_a_key_path_still_blocks(secrets_detector: SecretDetector, path: str, line: str) -> None:
    mixed = "".join(c.upper() if i % 2 else c for i, c in enumerate(_lower(8)))
    text = line.replace("{mixed}", mixed).replace("{lower}", _lower(6)).replace("{random}", _random())
    assert blocking(secrets_detector, text, path) == ["secrets/generic-password"], text


# --- Inno Setup's language files (localsend's installer, 2) ----------------------------------------------------------

def test_an_inno_setup_language_file_is_a_catalogue(secrets_detector: SecretDetector) -> None:
    path = "support/build/windows/inno/Icelandic.isl"
    assert blocking(secrets_detector, "WizardPassword=A\u00f0gangsor\u00f0", path) == []
    assert blocking(secrets_detector, "IncorrectPassword=A\u00f0gangsor\u00f0i\u00f0 sem \u00fe\u00fa innsl\u00f3st er "
                                      "ekki r\u00e9tt.", path) == []
    assert blocking(secrets_detector, f"WizardPassword={_random()}", path) == ["secrets/generic-password"]


# --- the alphabet in a format's groups (localsend's notarisation scripts, 3) ------------------------------------------

def test_the_alphabet_in_groups_is_a_placeholder(secrets_detector: SecretDetector) -> None:
    assert blocking(secrets_detector, "APP_PASSWORD=abcd-efgh-ijkl-mnop", "scripts/compile_mac_dmg.sh") == []
    generated = "-".join(_lower(4) for _ in range(4))  # an app-specific password's own shape
    assert blocking(secrets_detector, f"APP_PASSWORD={generated}", "scripts/compile_mac_dmg.sh") == [
        "secrets/generic-password"]


# --- the code between two strings of a builder's chain (gatling's toString, 1) -----------------------------------------

@pytest.mark.parametrize("path", ["src/main/scala/ProxyConfig.scala", "src/main/java/ProxyConfig.java"])
def test_a_builders_chain_between_strings_is_code(secrets_detector: SecretDetector, path: str) -> None:
    line = '\t\t\t.append("password=").append(password).append(", ")'
    assert blocking(secrets_detector, line, path) == []


@pytest.mark.parametrize("path, line", [
    ("src/main/java/Config.java", 'String password = "){r}";'),
    ("src/main/java/Config.java", 'String password = ").{w}({r}";'),  # a call and a password after it
    ("src/main/java/Config.java", 'String password = ").append(x";'),  # not the next call opened
    ("config/app.yml", 'password: ").append(password).append("'),  # not in source
])
def test_a_value_starting_like_a_chain_still_blocks(secrets_detector: SecretDetector, path: str, line: str) -> None:
    text = line.replace("{r}", _random()).replace("{w}", _lower(6))
    assert blocking(secrets_detector, text, path) == ["secrets/generic-password"], text


# --- a counting run alone, where examples are written (halo's e2e suite: `admin:123456` five times) --------------------

def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def test_a_counting_run_is_an_example_password_in_tests_only(secrets_detector: SecretDetector) -> None:
    line = f'  auth: "Basic {_basic("admin", "123456")}"'
    assert blocking(secrets_detector, line, "e2e/testsuite.yaml") == []
    assert blocking(secrets_detector, line, "deploy/testsuite.yaml") == ["secrets/basic-auth-header"]
    assert blocking(secrets_detector, line, "src/main/resources/application.yaml") == ["secrets/basic-auth-header"]
    # A run that is not counted from 1, or a random one, is a password in tests too.
    for password in ("173946", "".join(_RNG.choice(string.digits) for _ in range(8)), _random()):
        text = f'  auth: "Basic {_basic("admin", password)}"'
        assert blocking(secrets_detector, text, "e2e/testsuite.yaml") == ["secrets/basic-auth-header"], password


# --- a Rust path or field as a value (kanidm's match arms, 4: since red151 narrowed `::` references; post hoc, the
# held-out AppFlowy's generated protobuf types, 65, and a newtype's `.0`, 21) -------------------------------------------

@pytest.mark.parametrize("line", [
    "            AuthType::GeneratedPassword => SessionScope::ReadWrite,",
    "            EventDetail::PersonSetSelfMail | EventDetail::PersonSetSelfPassword => OpKind::WriteOp,",
    "        Credential::Password => cred_type::password,",
    "    pub password: ::std::string::String,",
    "        self.one_of_password = ::std::option::Option::None;",
    "            password: password.0,",
    "        let password = self.password.0;",
])
def test_a_rust_match_arms_path_is_code(secrets_detector: SecretDetector, line: str) -> None:
    assert blocking(secrets_detector, line, "server/lib/src/idm/authsession.rs") == []


@pytest.mark.parametrize("path, line", [
    ("src/lib.rs", "let password = {w}::{a};"),  # a part with digits: a generated run
    ("src/lib.rs", "Password => {a}::{a},"),
    ("src/lib.rs", "let password = {a}.0;"),  # a field's name with digits
    ("src/lib.py", "password = ::std::string::{w}{a}"),  # not Rust
    ("src/lib.rs", 'Password => "{w}::{w}",'),  # quoted: a string
    ("src/lib.rs", "// password => {a}::{w}"),  # in a comment: text
    ("src/lib.rs", 'const DOC: &str = r#"\npassword => {a}::{w}\n"#;'),  # in a raw string begun above: text
    ("app/config.php", "'password' => {w}::{w},"),  # PHP's `=>` assigns
])
def test_a_password_after_an_arrow_still_blocks(secrets_detector: SecretDetector, path: str, line: str) -> None:
    text = line.replace("{w}", _word_case(7)).replace("{a}", _alnum(10))
    assert blocking(secrets_detector, text, path) == ["secrets/generic-password"], text


# --- a dummy word padded with escaped NULs (kanidm's FreeRADIUS sample, 5) ---------------------------------------------

def test_a_dummy_word_padded_with_nuls_is_a_placeholder(secrets_detector: SecretDetector) -> None:
    path = "rlm_python/sites-available/default"
    assert blocking(secrets_detector, '\t#\tUser-Password = "password\\000\\000"', path) == []
    assert blocking(secrets_detector, '\tUser-Password = "changeme\\x00\\x00"', path) == []
    for padded in (f"{_alnum(12)}\\000\\000", f"{_alnum(12)}\\0", f"\\000{_alnum(12)}"):
        assert blocking(secrets_detector, f'\tUser-Password = "{padded}"', path) == ["secrets/generic-password"]


# --- the JetBrains HTTP client's shared environment (DependencyTrack, 2) -----------------------------------------------

def test_an_http_client_environment_reads_example_passwords_without_a_remote_host(
        secrets_detector: SecretDetector) -> None:
    local = '{\n  "dev": {\n    "adminPassword": "admin123",\n    "projectName": "Foo"\n  }\n}\n'
    assert blocking(secrets_detector, local, "http-client.env.json") == []
    remote = ('{\n  "prod": {\n    "host": "https://dtrack.acme-corp.com",\n    "adminPassword": "admin123"\n'
              "  }\n}\n")
    assert blocking(secrets_detector, remote, "http-client.env.json") == ["secrets/generic-password"]
    # The private file is where the secrets go; a generated value is a password in either.
    assert blocking(secrets_detector, local, "http-client.private.env.json") == ["secrets/generic-password"]
    generated = local.replace("admin123", _random())
    assert blocking(secrets_detector, generated, "http-client.env.json") == ["secrets/generic-password"]


# --- GNU libtool's ltmain.sh is vendored; a key under `t/` is a test's --------------------------------------------------

@pytest.mark.parametrize("path", ["deps/yaml/config/ltmain.sh", "ltmain.sh", "build-aux/ltmain.sh"])
def test_libtools_script_is_vendored(path: str) -> None:
    assert any(glob_match(g, path) for g in DEFAULT_VENDORED_FILES)


def test_libtools_script_suppresses_a_password_but_not_a_provider_key(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"README.md": "x\n"})
    aws = "AKIA" + "".join(_RNG.choice(string.ascii_uppercase + "234567") for _ in range(16))
    found = scan_commit(repo, {
        "deps/yaml/config/ltmain.sh": 'if test "$linkmode,$pass" = "lib,link"; then\n  :\nfi\n',
        "deps/other/config/ltmain.sh": f'AWS_ACCESS_KEY_ID="{aws}"\n',
        "deps/yaml/config/ltmain-helper.sh": f'DB_PASSWORD="{_random()}"\n',
        "deploy/vendor/ltmain.sh": f'DB_PASSWORD="{_random()}"\n',
    })
    assert sorted(path for path, _rule in blocking_findings(found)) == [
        "deploy/vendor/ltmain.sh", "deps/other/config/ltmain.sh", "deps/yaml/config/ltmain-helper.sh"], found


def _pem_key() -> str:
    body = base64.b64encode(_RNG.randbytes(600)).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN " + "RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END " + "RSA PRIVATE KEY-----\n"


def test_a_private_key_under_t_is_a_tests_but_not_in_what_deploys(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"README.md": "x\n"})
    found = scan_commit(repo, {
        "t/assets/test_client.key": _pem_key(),
        "deps/picotls/t/assets/rsa/key.pem": _pem_key(),
        "infra/t/server.key": _pem_key(),
        "tt/server.key": _pem_key(),
        "examples/h2o/server.key": _pem_key(),
    })
    assert sorted(path for path, _rule in blocking_findings(found)) == [
        "examples/h2o/server.key", "infra/t/server.key", "tt/server.key"], found


# --- a Rust file's in-file test module (kanidm's pwgen passwords, 4 on sec150's count) ---------------------------------

def _rust(password: str, where: str) -> str:
    """A Rust source file with `password` in a test module (`where` = "test"), a `cfg(not(test))` module ("not"), or
    production code after the test module ("after")."""
    use = f'        let password = "{password}";\n        assert!(check(password));\n'
    module = ("#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn checks() {\n"
              + (use if where == "test" else "        assert!(true);\n") + "    }\n}\n")
    if where == "not":
        module = module.replace("#[cfg(test)]", "#[cfg(not(test))]").replace("assert!(true);\n", use.strip() + "\n")
    after = f'\npub fn login() -> bool {{\n    let password = "{password}";\n    check(password)\n}}\n'
    return "pub fn check(p: &str) -> bool {\n    !p.is_empty()\n}\n\n" + module + (after if where == "after" else "")


def test_rust_test_lines_reads_a_module_laid_out_by_rustfmt() -> None:
    lines = _rust("x", "test").split("\n")
    inside = rust_test_lines(lines)
    assert lines.index("mod tests {") + 1 not in inside  # (1-based: the mod line itself is not the body)
    assert {i + 1 for i, text in enumerate(lines) if "let password" in text} <= inside
    assert rust_test_lines(_rust("x", "not").split("\n")) == frozenset()


@pytest.mark.parametrize("source", [
    # Closed on a line with other code, then production code at the module's indentation: no module read.
    "#[cfg(test)]\nmod tests {\n    fn t() {} }\nfn login() {\n    let password = \"{p}\";\n}\n",
    # A `#[cfg(test)]` and `mod` in a raw string, production code after it at column 0.
    "const S: &str = r#\"\n#[cfg(test)]\nmod tests {\n\"#;\nfn login() {\n    let password = \"{p}\";\n}\n}\n",
    # A test function, not a module; and a module in its own file.
    "#[cfg(test)]\nfn helper() {\n    let password = \"{p}\";\n}\n",
    "#[cfg(test)]\nmod tests;\nfn login() {\n    let password = \"{p}\";\n}\n",
])
def test_rust_test_lines_reads_no_module_it_cannot_bound(source: str) -> None:
    lines = source.replace("{p}", _alnum()).split("\n")
    password_line = next(i + 1 for i, text in enumerate(lines) if "let password" in text)
    assert password_line not in rust_test_lines(lines)


def _scan(repo: RepoBuilder, files: dict[str, str], policy: str = "version: 1\n") -> list[tuple[str, str]]:
    base = repo.head()
    sha = repo.commit("add\n", files)
    git = Git(repo.path)
    result = SecretsScanner(settings=parse_policy(policy).secrets).scan(
        ScanJob(git=git, commits=git.commits([sha], [base]), changes=git.changed_files([sha]), head=sha))
    return sorted((f.path or "", f.rule_id) for f in result.findings if not f.suppressed_by
                  and f.rule_id.startswith("secrets/") and f.severity >= 3)


def test_a_password_in_a_rust_test_module_is_a_tests_and_elsewhere_blocks(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"README.md": "x\n"})
    password = _alnum()
    found = _scan(repo, {
        "libs/crypto/src/lib.rs": _rust(password, "test"),
        "libs/auth/src/lib.rs": _rust(_alnum(), "after"),
        "libs/pam/src/lib.rs": _rust(_alnum(), "not"),
        "deploy/src/lib.rs": _rust(_alnum(), "test"),  # what deploys an environment: its values are its own
    })
    assert found == [("deploy/src/lib.rs", "secrets/generic-password"), ("libs/auth/src/lib.rs",
                     "secrets/generic-password"), ("libs/pam/src/lib.rs", "secrets/generic-password")], found


def test_a_rust_test_module_added_to_in_a_later_commit_is_read_from_the_whole_file(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"src/lib.rs": _rust("x", "test").replace('"x"', "String::new()")})
    source = _rust("x", "test").replace('"x"', "String::new()")
    # A hunk deep in the test module, its `#[cfg(test)]` lines above it unchanged.
    added = source.replace("        assert!(check(password));\n",
                           f'        assert!(check(password));\n        let other = "{_alnum()}";\n'
                           f'        let password = "{_alnum()}";\n', 1)
    assert _scan(repo, {"src/lib.rs": added}) == []


def test_a_provider_key_in_a_rust_test_module_still_blocks_and_a_policy_without_tests_reads_none(
        tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"README.md": "x\n"})
    aws = "AKIA" + "".join(_RNG.choice(string.ascii_uppercase + "234567") for _ in range(16))
    found = _scan(repo, {"src/aws.rs": _rust("x", "test").replace(
        'let password = "x";', f'let access_key_id = "{aws}";')})
    assert [rule for _path, rule in found] == ["secrets/aws-access-key"], found
    found = _scan(repo, {"src/lib.rs": _rust(_alnum(), "test")}, "version: 1\nsecrets:\n  tests: []\n")
    assert found == [("src/lib.rs", "secrets/generic-password")], found


# --- real pushes through the hook --------------------------------------------------------------------------------

def test_a_push_of_the_false_shapes_is_accepted_and_hostile_ones_refused(tmp_path: Path) -> None:
    clean = push_files(tmp_path / "clean", {
        "gatling-core/src/main/scala/ConfigKeys.scala": '  val Password = "gatling.ssl.keyStore.password"\n',
        "support/inno/Icelandic.isl": "WizardPassword=A\u00f0gangsor\u00f0\n",
        "scripts/notarize.sh": "APP_PASSWORD=abcd-efgh-ijkl-mnop\n",
        "src/main/java/ProxyConfig.java": '    sb.append("password=").append(password).append(", ");\n',
        "e2e/testsuite.yaml": f'auth: "Basic {_basic("admin", "123456")}"\n',
        "server/src/authsession.rs": "match t {\n    AuthType::GeneratedPassword => SessionScope::ReadWrite,\n}\n",
        "rlm_python/sites-available/default": '#\tUser-Password = "password\\000\\000"\n',
        "http-client.env.json": '{"dev": {"adminPassword": "admin123"}}\n',
        "libs/crypto/src/lib.rs": _rust(_alnum(), "test"),
    })
    assert clean.code == 0, clean.output
    for name, files in {
        "rust": {"libs/crypto/src/lib.rs": _rust(_alnum(), "after")},
        "keypath": {"config/settings.json": '{"password": "acme.keyStore.password"}\n'},
        "nul": {"raddb/default": f'User-Password = "{_alnum(12)}\\000"\n'},
        "env": {"http-client.private.env.json": '{"dev": {"adminPassword": "admin123"}}\n'},
    }.items():
        assert_blocked(push_files(tmp_path / name, files), "secrets/generic-password")


# --- `8` for an `s` in a respelt dummy word (halo's documented default, 3) --------------------------------------------

def test_a_dummy_word_with_8_for_s_is_a_placeholder(secrets_detector: SecretDetector) -> None:
    assert blocking(secrets_detector, "super-admin-password: P@88w0rd", "docs/install.md") == []
    assert blocking(secrets_detector, 'curl -u "admin:P@88w0rd" http://localhost:8090/api', "docs/auth/README.md") == []
    # A digit more, a letter more, or a random value with 8s in it is a password.
    for value in ("P@88w0rd8", "Pa8sw0rdX", "".join(_RNG.choice("8" + string.ascii_letters) for _ in range(10)) + "8"):
        assert blocking(secrets_detector, f"password: {value}", "config/app.yml") == ["secrets/generic-password"], value
