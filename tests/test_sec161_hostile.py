"""sec161's loosenings attacked in bulk: for each, generated secrets written in the very shape it lets through, or next
to it, must still block (one random.Random, values made at run time)."""

from __future__ import annotations

import base64
import random
import string

from gatekeeper.scan.secrets import SecretDetector
from tests.secrets_helpers import blocking

_RNG = random.Random(1610)
_TRIALS = 200


def _generated(n: int = 14) -> str:
    """A generated password: letters and digits, a digit and both cases sure."""
    body = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(n - 3))
    return body + _RNG.choice(string.digits) + _RNG.choice(string.ascii_uppercase) + _RNG.choice(string.ascii_lowercase)


def _misses(detector: SecretDetector, lines: list[str], path: str, rule: str = "secrets/generic-password") -> list[str]:
    return [line for line in lines if rule not in blocking(detector, line, path)]


def test_fake_in_a_value_outside_examples_or_inside_a_word_blocks(secrets_detector: SecretDetector) -> None:
    shapes = ("fake{r}", "Fake-{r}", "{r}Fake", "{r}_fake_{r}", "FAKE{r}")
    lines = [f'  "password": "{_RNG.choice(shapes).replace("{r}", _generated())}",' for _ in range(_TRIALS)]
    for path in ("src/Api/appsettings.json", "config/users.json", "deploy/fixtures/users.json", "tests/fixtures/.env"):
        assert _misses(secrets_detector, lines, path) == [], path
    glued = [f'  "password": "{_generated()}{_RNG.choice(["fakery", "fakes", "fakeout"])}{_generated()}",'
             for _ in range(_TRIALS)]
    assert _misses(secrets_detector, glued, "tests/fixtures/users.json") == []


def test_generated_values_beside_the_fill_in_words_block(secrets_detector: SecretDetector) -> None:
    shapes = ("SET_{r}", "{r}_HERE_{r}", "{r}HERE_12", "HERE_{r}", "{r}-here-2024-{r}", "{r}_HERE_12345")
    lines = [f"DB_PASSWORD={_RNG.choice(shapes).replace('{r}', _generated())}" for _ in range(_TRIALS)]
    assert _misses(secrets_detector, lines, ".env") == []


def test_base64_of_no_identity_hash_blocks(secrets_detector: SecretDetector) -> None:
    lines = []
    for _ in range(_TRIALS):
        raw = _RNG.randbytes(_RNG.randint(45, 120))
        if raw[0] in (0, 1):
            raw = b"\x02" + raw[1:]
        lines.append(f'MasterPassword = "{base64.b64encode(raw).decode()}";')
    assert _misses(secrets_detector, lines, "src/Core/Services/UserService.cs") == []


def test_encoded_generated_values_block(secrets_detector: SecretDetector) -> None:
    labels = ("test-", "fake_", "my-", "test-api-key-", "")
    lines = [f"      api-key: {base64.b64encode((_RNG.choice(labels) + _generated(20) + _RNG.choice(['', chr(10)])).encode()).decode()}"
             for _ in range(_TRIALS)]
    assert _misses(secrets_detector, lines, "charts/app/ci/values.yaml", "secrets/api-key-header") == []


def test_rules_strings_around_generated_values_block(secrets_detector: SecretDetector) -> None:
    shapes = ("{r}|", "|{r}", "required|{r}", "{r}|required", "required|{r}|")
    lines = [f"$password = '{_RNG.choice(shapes).replace('{r}', _generated())}';" for _ in range(_TRIALS)]
    assert _misses(secrets_detector, lines, "app/Http/Requests/User.php") == []


def test_generated_element_text_after_an_arrow_elsewhere_blocks(secrets_detector: SecretDetector) -> None:
    lines = [f'<x-input name="db_password" :rules="[v => !!v]" value="x"></x-input><password>{_generated()}</password>'
             for _ in range(_TRIALS)]
    assert _misses(secrets_detector, lines, "resources/views/settings.blade.php", "secrets/xml-password") == []
