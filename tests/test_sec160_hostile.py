"""sec160's loosenings attacked in bulk: for each, generated secrets written in the very shape it lets through must still
block (one random.Random, values made at run time), and the Rust test-module reading must not reach code outside a
module it can bound."""

from __future__ import annotations

import base64
import random
import string

import pytest

from gatekeeper.scan.code_text import rust_test_lines
from gatekeeper.scan.secrets import SecretDetector
from tests.secrets_helpers import blocking

_RNG = random.Random(1600)
_TRIALS = 200


def _generated(n: int = 12) -> str:
    """A generated password: letters and digits, a digit and both cases sure."""
    body = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(n - 3))
    return body + _RNG.choice(string.digits) + _RNG.choice(string.ascii_uppercase) + _RNG.choice(string.ascii_lowercase)


def _misses(detector: SecretDetector, lines: list[str], path: str, rule: str = "secrets/generic-password") -> list[str]:
    return [line for line in lines if rule not in blocking(detector, line, path)]


def test_generated_parts_in_a_key_path_block(secrets_detector: SecretDetector) -> None:
    lines = [f'val Password = "{_generated(8)}.{_generated(8)}.password"' for _ in range(_TRIALS)]
    lines += [f'val Password = "acme.{_generated(8)}.password"' for _ in range(_TRIALS)]
    assert _misses(secrets_detector, lines, "src/main/scala/Keys.scala") == []


def test_generated_paths_and_fields_in_rust_block(secrets_detector: SecretDetector) -> None:
    lines = [f"Password => {_generated(10)}::{_generated(10)}," for _ in range(_TRIALS)]
    lines += [f"let password = ::{_generated(10)}::{_generated(10)};" for _ in range(_TRIALS)]
    lines += [f"    pub password: {_generated(10)}.0," for _ in range(_TRIALS)]
    assert _misses(secrets_detector, lines, "src/auth.rs") == []


def test_generated_values_padded_with_nuls_block(secrets_detector: SecretDetector) -> None:
    pads = ("\\000", "\\0", "\\x00", "\\u0000")
    lines = [f'User-Password = "{_generated()}{_RNG.choice(pads) * _RNG.randint(1, 3)}"' for _ in range(_TRIALS)]
    assert _misses(secrets_detector, lines, "raddb/sites-available/default") == []


def test_generated_values_after_a_closing_parenthesis_block(secrets_detector: SecretDetector) -> None:
    lines = [f'String password = "){_generated()}";' for _ in range(_TRIALS)]
    lines += [f'String password = ").{_RNG.choice(["append", "concat"])}({_generated()}";' for _ in range(_TRIALS)]
    assert _misses(secrets_detector, lines, "src/main/java/Config.java") == []


def test_generated_digit_runs_in_a_tests_basic_header_block(secrets_detector: SecretDetector) -> None:
    runs = set()
    while len(runs) < _TRIALS:
        run = "".join(_RNG.choice(string.digits) for _ in range(_RNG.randint(6, 10)))
        if not "1234567890".startswith(run):
            runs.add(run)
    lines = [f'auth: "Basic {base64.b64encode(f"admin:{run}".encode()).decode()}"' for run in sorted(runs)]
    assert _misses(secrets_detector, lines, "e2e/testsuite.yaml", "secrets/basic-auth-header") == []


def test_generated_values_in_an_inno_language_file_block(secrets_detector: SecretDetector) -> None:
    lines = [f"WizardPassword={_generated()}" for _ in range(_TRIALS)]
    assert _misses(secrets_detector, lines, "installer/Icelandic.isl") == []


def test_generated_app_specific_passwords_block(secrets_detector: SecretDetector) -> None:
    groups = ["-".join("".join(_RNG.choice(string.ascii_lowercase) for _ in range(4)) for _ in range(4))
              for _ in range(_TRIALS)]
    # (A generated one that happens to hold the alphabet's first eight letters in two groups is a placeholder by the
    # same marker as `abcdefgh`: none of these does.)
    assert not any("abcd-efgh" in g for g in groups)
    assert _misses(secrets_detector, [f"APP_PASSWORD={g}" for g in groups], "scripts/notarize.sh") == []


def _with_8s(value: str) -> str:
    chars = list(value)
    for at in _RNG.sample(range(len(chars)), 2):
        chars[at] = "8"
    return "".join(chars)


def test_generated_values_with_8s_block(secrets_detector: SecretDetector) -> None:
    lines = [f"password: {_with_8s(_generated(14))}" for _ in range(_TRIALS)]
    # A dummy word respelt with 8s and a digit and a letter more is a password (`P@88w0rd7Q`; a doubled last letter
    # is the word respelt, as `P@ssw0rdd` was before).
    lines += [f"password: {word}{_RNG.choice(string.digits)}{_RNG.choice(string.ascii_uppercase)}"
              for word in ("P@88w0rd", "pa88word", "8ecret") for _ in range(10)]
    assert _misses(secrets_detector, lines, "config/app.yml") == []


def test_generated_passwords_in_an_http_client_environment_block(secrets_detector: SecretDetector) -> None:
    lines = [f'    "adminPassword": "{_generated()}",' for _ in range(_TRIALS)]
    assert _misses(secrets_detector, lines, "http-client.env.json") == []


@pytest.mark.parametrize("source", [
    # A module whose closing brace sits on a code line, and production code indented as deeply as the module after it.
    "mod outer {\n    #[cfg(test)]\n    mod tests {\n        fn t() {} }\n    fn login() {\n"
    "        let password = \"{p}\";\n    }\n}\n",
    # An indented fake module inside a raw string, then production code at column 0.
    "const S: &str = r#\"\n    #[cfg(test)]\n    mod tests {\n\"#;\nfn login() {\n    let password = \"{p}\";\n}\n",
    # `#[cfg(not(test))]`, `#[cfg(all(test, unix))]`, and a cfg(test) written in a comment.
    "#[cfg(not(test))]\nmod real {\n    fn login() {\n        let password = \"{p}\";\n    }\n}\n",
    "#[cfg(all(test, unix))]\nmod real {\n    fn login() {\n        let password = \"{p}\";\n    }\n}\n",
    "// #[cfg(test)]\nmod real {\n    fn login() {\n        let password = \"{p}\";\n    }\n}\n",
    # A test module that ends, then production code after a blank line.
    "#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n\nfn login() {\n    let password = \"{p}\";\n}\n",
])
def test_a_password_outside_any_boundable_test_module_is_not_test_code(source: str) -> None:
    lines = source.replace("{p}", _generated()).split("\n")
    password_line = next(i + 1 for i, text in enumerate(lines) if "let password" in text)
    assert password_line not in rust_test_lines(lines)
