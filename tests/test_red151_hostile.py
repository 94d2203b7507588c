"""red151: the twenty-fourth session's loosenings attacked as a hostile pusher would (sec150's secrets readings, the
NuGet vendored globs, OpenSSL's `pass:` argument, sig150's issuer of non-RSA and v3 OpenPGP signatures, origin150's
agents). Each real bypass through the real gate (`gatekeeper check`, a real push into a bare repository with the hook),
beside the shapes sec150 measured, which must stay quiet. Values are made at run time."""

from __future__ import annotations

import base64
import random
import string
from pathlib import Path

import pytest

from gatekeeper.config import DEFAULT_VENDORED_FILES, glob_match
from gatekeeper.provenance import openpgp
from gatekeeper.scan.secrets import SecretDetector
from tests.hook_helpers import assert_blocked, push_files
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking, check_json

_RNG = random.Random(151)


def _generated(n: int = 12) -> str:
    """A generated password that could pass for a name: letters and digits, a lower-case letter first."""
    return (_RNG.choice(string.ascii_lowercase) + "".join(_RNG.choice(string.ascii_letters + string.digits)
                                                          for _ in range(n - 3))
            + _RNG.choice(string.digits) + _RNG.choice(string.ascii_uppercase))


def _word_password(word: str, mark: str, name: str) -> str:
    """A person's password of a word, a mark and a word (`<Company>/<password>`), built so no literal sits here."""
    return word + mark + name


# --- 1. a namespace before the key's own name (sec150's _NAMESPACED_NAME): HIGH, fixed --------------------------
# A person's password of a capitalised word, `/` or `#`, and the key's one-word name read as a Rails route or a Redux
# action type — in a .env and a database.yml too (what deploys an environment).

_WORD_PASSWORDS = [
    (".env", "DB_PASSWORD=" + _word_password("Acme", "#", "DB_PASSWORD")),
    ("config/database.yml", "  password: " + _word_password("Company", "/", "password")),
    ("config/app.yml", "password: " + _word_password("Summer", "#", "Password")),
    ("app/settings.py", 'PASSWORD = "' + _word_password("Spring", "#", "Password") + '"'),
    ("src/config.js", 'const password = "' + _word_password("Welcome", "/", "Password") + '";'),
    ("src/config.js", 'const password = "' + _word_password("blue/Dragon", "#", "password") + '";'),
    ("src/config.js", 'const password = "' + _word_password("acme", "#", "password") + '";'),
]


@pytest.mark.parametrize("path, line", _WORD_PASSWORDS)
def test_a_word_a_mark_and_the_keys_one_word_name_is_a_password(secrets_detector: SecretDetector, path: str,
                                                                line: str) -> None:
    assert blocking(secrets_detector, line, path) == ["secrets/generic-password"], line


@pytest.mark.parametrize("path, line", [
    # sec150's measured shapes stay quiet: a lower-case namespace and an action's name of two words or more.
    ("config/routes.rb", '    get "/login/forgot_password" => "login#forgot_password",'),
    ("config/routes.rb", '  post "/admin/reset_password" => "admin/users#reset_password"'),
    ("frontend/src/Store/Actions/seasonPassActions.js", "export const SAVE_SEASON_PASS = 'seasonPass/saveSeasonPass';"),
    ("src/store/auth.ts", "export const RESET_PASSWORD = 'auth/RESET_PASSWORD';"),
])
def test_a_route_or_an_action_type_is_still_no_password(secrets_detector: SecretDetector, path: str,
                                                        line: str) -> None:
    assert blocking(secrets_detector, line, path) == []


# --- 2. a `::` / `?.` reference in source (sec150's _CODE_REFERENCE): MEDIUM, fixed --------------------------------
# Any names joined by `::` were code wherever the line's own text reader did not see a string or a comment: a Ruby
# comment after a string, a heredoc (Ruby, PHP, Perl), Ruby's `__END__`, Lua's long string. A generated password of
# letters and digits with `::` in it passed there; before sec150 (PHP's `Name::name` only) it blocked.

_IN_TEXT = [
    ("app/models/user.rb", "x = 'a' # password = {a}::{b}"),
    ("app/lib/conf.rb", "CONF = <<~EOS\n  password = {a}::{b}\nEOS\n"),
    ("app/lib/conf.rb", "puts DATA.read\n__END__\npassword = {a}::{b}\n"),
    ("src/conf.php", "<?php\n$c = <<<EOT\npassword = {a}::{b}\nEOT;\n"),
    ("script/conf.pl", "print <<EOF;\npassword = {a}::{b}\nEOF\n"),
    ("src/conf.lua", "local c = [[\npassword = {a}::{b}\n]]\n"),
    ("src/Conf.kt", "password = {a}::{b}"),
    # A generated last member holding a credential's word by chance (digits beside it).
    ("app/lib/conf.rb", "CONF = <<~EOS\n  password = {a}::{k}\nEOS\n"),
]


@pytest.mark.parametrize("path, text", _IN_TEXT)
def test_a_generated_password_with_a_double_colon_in_text_still_blocks(secrets_detector: SecretDetector, path: str,
                                                                       text: str) -> None:
    line = text.replace("{a}", _generated()).replace("{b}", _generated()).replace(
        "{k}", _generated(6) + "Key" + _RNG.choice(string.digits))
    assert blocking(secrets_detector, line, path) == ["secrets/generic-password"], line


@pytest.mark.parametrize("path, line", [
    # sec150's measured references stay quiet: the last member names what it reads.
    ("modules/features/account/LoginPage.kt", "            onUpdatePassword = viewModel::updatePassword,"),
    ("modules/features/account/LogInViewModel.kt", "        onUpdatePassword = ::updatePassword,"),
    ("lib/tasks/fake_data.rake", "      password = Faker::Internet.password"),
    ("src/Api/HostConfigController.cs", "            resource.Password = user?.Password ?? string.Empty;"),
    ("lib/settings.dart", "  final password = settings?.auth?.password;"),
    ("src/Model.php", "        $password = static::$password ??= Hash::make('x');"),
])
def test_a_reference_naming_a_password_is_still_code(secrets_detector: SecretDetector, path: str, line: str) -> None:
    assert blocking(secrets_detector, line, path) == []


# --- 3. NuGet's restore folder (secrets.vendored): LOW, narrowed by the lead ----------------------------------------
# `secrets.vendored` suppresses every finding but a provider key's (a password, a generic secret, a private key) unless
# the path deploys (.env, .sh, prod/, deploy/ …). The NuGet glob `packages/*.<digit>*.*/` also took a monorepo
# package named with a dot and a digit; now only the folders a NuGet package unpacks (`lib/`, `tools/`, `content/`…).
# Left: a monorepo package so named with its own `lib/` (a hostile pusher gains nothing over `vendor/` anyway).

@pytest.mark.parametrize("path", [
    "packages/python.3.11/settings.py",
    "packages/auth.2fa.service/src/config.js",
    "packages/app.v2.1/config/database.yml",
])
def test_a_monorepo_package_with_a_dotted_version_is_not_read_as_nugets(path: str) -> None:
    assert not any(glob_match(g, path) for g in DEFAULT_VENDORED_FILES), path


# --- 4. an OpenPGP signature's issuer read whatever its algorithm (sig150): none found ----------------------------

def _crc24(data: bytes) -> int:
    from tests.test_signature_armor import _crc24_reference  # RFC 4880's own loop, held to the module's table there

    return _crc24_reference(data)


def _armored(body: bytes) -> bytes:
    packet = bytes([0xC2, 0xFF]) + len(body).to_bytes(4, "big") + body
    return (b"-----BEGIN PGP SIGNATURE-----\n\n" + base64.b64encode(packet) + b"\n="
            + base64.b64encode(_crc24(packet).to_bytes(3, "big")) + b"\n-----END PGP SIGNATURE-----\n")


def test_malformed_signature_packets_never_raise_from_the_issuer_reader() -> None:
    rng = random.Random(1510)
    for _ in range(3000):
        version = rng.choice([3, 4, 4, 5])
        body = bytes([version]) + bytes(rng.randrange(256) for _ in range(rng.randrange(0, 60)))
        if version == 4 and len(body) > 6 and rng.random() < 0.7:  # a plausible head, random subpacket lengths
            body = bytes([4, 0, 22, 8]) + rng.randrange(0, 120).to_bytes(2, "big") + body[6:]
        issued = openpgp.read_issuer(_armored(body))
        assert issued.signature is None or issued.issuer is not None
        assert issued.issuer is None or all(c in "0123456789ABCDEF" for c in issued.issuer)
    # A subpacket claiming 4 GiB, and a hashed area longer than the packet.
    huge = bytes([4, 0, 22, 8, 0, 10, 0xFF]) + (2**32 - 1).to_bytes(4, "big") + b"\x21" + bytes(4)
    assert openpgp.read_issuer(_armored(huge)).issuer is None
    assert openpgp.read_issuer(_armored(bytes([4, 0, 22, 8, 0xFF, 0xFF, 5, 16]))).issuer is None


# --- through the real gate -----------------------------------------------------------------------------------------

def _hostile_files() -> dict[str, str]:
    return {
        ".env": "DB_PASSWORD=" + _word_password("Acme", "#", "DB_PASSWORD") + "\n",
        "config/database.yml": "production:\n  password: " + _word_password("Company", "/", "password") + "\n",
        "app/lib/conf.rb": f"CONF = <<~EOS\n  password = {_generated()}::{_generated()}\nEOS\n",
    }


def test_gatekeeper_check_blocks_each_hostile_shape(tmp_path: Path, based: RepoBuilder) -> None:
    base = based.head()
    based.commit("configuration\n", _hostile_files())
    verdict = check_json(tmp_path, based, base)
    assert verdict["decision"] == "block"
    assert {(f["rule_id"], f["path"]) for f in verdict["findings"] if f["blocking"]} == {
        ("secrets/generic-password", ".env"), ("secrets/generic-password", "config/database.yml"),
        ("secrets/generic-password", "app/lib/conf.rb")}


@pytest.mark.parametrize("path", sorted(_hostile_files()))
def test_a_push_of_each_hostile_shape_is_refused(tmp_path: Path, path: str) -> None:
    assert_blocked(push_files(tmp_path, {path: _hostile_files()[path]}), "secrets/generic-password")


def test_a_push_of_sec150s_quiet_shapes_is_still_accepted(tmp_path: Path) -> None:
    result = push_files(tmp_path, {
        "config/routes.rb": 'Rails.application.routes.draw do\n  get "/login/forgot_password" => '
                            '"login#forgot_password"\nend\n',
        "src/store/auth.ts": "export const RESET_PASSWORD = 'auth/RESET_PASSWORD';\n",
        "lib/tasks/fake_data.rake": "task :fake do\n  password = Faker::Internet.password\nend\n",
    })
    assert result.code == 0, result.output


# --- the lead's review: a namespace before the key's own name is read in source only --------------------------------

@pytest.mark.parametrize("path", [".env", "config/app.env", "deploy/settings.ini", "docker-compose.yml"])
def test_a_word_and_the_keys_own_name_blocks_outside_source(secrets_detector: SecretDetector, path: str) -> None:
    """`DB_PASSWORD=acme#db_password` blocked before sec150's route reading and passed after it: in a .env or a config
    file the value is the password itself, not a route's or an action type's name."""
    value = "acme" + "#" + "db_password"
    line = f"DB_PASSWORD={value}" if not path.endswith(".yml") else f"      DB_PASSWORD: {value}"
    assert blocking(secrets_detector, line, path) == ["secrets/generic-password"]
