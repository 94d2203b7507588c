"""Six AI-era histories the gate was never tuned on, measured blind (meas149: spec-kit, humanlayer, langfuse, ollama,
beads, trigger.dev): the classes of their false blocking findings, each beside what must still block. Values are made
at run time."""

from __future__ import annotations

import random
import string

import pytest

from gatekeeper.scan.secrets import SecretDetector
from tests.secrets_helpers import blocking, reported

_RNG = random.Random(149)


def _random(n: int = 16) -> str:
    """Letters and digits with a mark (what a generated password holds)."""
    body = [_RNG.choice(string.ascii_letters + string.digits) for _ in range(n - 4)]
    return "".join(body) + _RNG.choice(string.digits) + _RNG.choice(string.ascii_uppercase) + "!" + _RNG.choice("xyz")


def _letters_digits(n: int = 16) -> str:
    """Letters and digits only (a generated password a field chain's characters could hold)."""
    return "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(n - 2)) + "7Q"


def _escaped(inner: str) -> str:
    """`<inner>` as Go's encoding/json (and any HTML-safe JSON encoder) writes it."""
    return "\\u003c" + inner + "\\u003e"


# --- a name to fill in between JSON-escaped angle brackets (beads' `.beads/issues.jsonl`: 24) --------------------

@pytest.mark.parametrize("inner", ["key", "your-api-key", "token", "KEY", "password"])
def test_a_name_to_fill_in_between_json_escaped_brackets_is_a_placeholder(secrets_detector: SecretDetector,
                                                                         inner: str) -> None:
    line = ('{"id":"bd-42","description":"Command flags:\\n- --port=8080 (HTTP port)\\n- --api-key='
            + _escaped(inner) + ' (auth key, auto-generated)\\n"}')
    assert blocking(secrets_detector, line, ".beads/issues.jsonl") == []
    assert blocking(secrets_detector, '{"cmd": "serve --password ' + _escaped(inner) + ' now"}', "data/run.json") == []


@pytest.mark.parametrize("value", [
    _escaped("{pw}"),  # a generated password between the same escapes: stricter than the bare `<…>`, which no rule reads
    _escaped("key") + "{pw}",  # a placeholder and a password run together
    "{pw}" + _escaped("key"),
    "\\u003c" + "{pw}",  # an escape opened and never closed
])
def test_a_password_beside_json_escaped_brackets_still_blocks(secrets_detector: SecretDetector, value: str) -> None:
    line = '{"description": "- --api-key=' + value.replace("{pw}", _random()) + ' (auth key)"}'
    assert blocking(secrets_detector, line, ".beads/issues.jsonl") == ["secrets/cli-password"], line


def test_only_the_angle_brackets_escapes_are_read(secrets_detector: SecretDetector) -> None:
    """Any other escape is the value as written: a literal `\\u0024` in a shell script is part of a password, not a
    variable's `$` (decoding every escape would let one pass)."""
    for escape in ("\\u0024", "\\u0026", "\\u003c"):
        line = "DB_PASSWORD='" + _letters_digits(8) + escape + _letters_digits(8) + "'"
        assert blocking(secrets_detector, line, "scripts/start.sh") == ["secrets/generic-password"], line


# --- a Go template's variable declared from a field chain (trigger.dev's Helm helpers: 4) ------------------------

@pytest.mark.parametrize("line", [
    '{{- $password := .Values.registry.auth.password }}',
    '{{- $password := .Values.registry.externalConnection.auth.password }}',
    '{{- $password := .Values.postgresql.global.postgresql.postgresqlPassword | default "password" -}}',
    '{{ $dbPassword := $.Values.db.password | quote }}',
    '{{- $pwd := .Values.auth.password | b64enc -}}',
])
def test_a_go_template_field_chain_is_no_password(secrets_detector: SecretDetector, line: str) -> None:
    assert blocking(secrets_detector, line, "hosting/k8s/helm/templates/_helpers.tpl") == []


@pytest.mark.parametrize("line", [
    # A literal, quoted (how a template writes one) or pasted unquoted, blocks.
    '{{- $password := "{pw}" }}',
    '{{- $password := {pw} }}',
    # A field-looking value with a mark in it is no field chain.
    '{{- $password := .Values.{pw} }}',
    # A default that is a real password is the value used wherever the field is unset.
    '{{- $password := .Values.db.password | default "{ld}" }}',
    '{{- $password := .Values.db.password | default `{ld}` }}',
    # Any other literal in the pipeline keeps the line blocking.
    '{{- $password := .Values.db.password | printf "%s{ld}" }}',
    # Outside a template action the same text is not Go template code.
    '$password := .Values.{ld}',
])
def test_a_literal_in_a_template_action_still_blocks(secrets_detector: SecretDetector, line: str) -> None:
    text = line.replace("{pw}", _random()).replace("{ld}", _letters_digits())
    assert blocking(secrets_detector, text, "charts/app/templates/_helpers.tpl") == ["secrets/generic-password"], text


# --- a label naming what goes there (langfuse's OpenAPI documents' description: 6) ------------------------------

@pytest.mark.parametrize("path, line", [
    ("web/public/generated/api/openapi.yml", "    - password: Langfuse Secret Key"),
    ("fern/apis/server/definition/api.yml", "  - password: Langfuse Secret Key"),
    ("docs/auth.md", "- password: Your Project Secret Key."),
    ("openapi.yml", "    - pass: Acme Personal Access Token"),
])
def test_a_label_naming_the_secret_is_no_password(secrets_detector: SecretDetector, path: str, line: str) -> None:
    assert blocking(secrets_detector, line, path) == []


@pytest.mark.parametrize("path, line", [
    ("openapi.yml", "    - password: {pw} Secret Key"),  # a password, then a label
    ("openapi.yml", "    - password: Sunshine Key"),  # two words: a passphrase as often as a label
    ("openapi.yml", "    - password: Sunshine Monkey Dragon"),  # no word naming a secret
    ("openapi.yml", "    - password: Langfuse # secret key"),  # a comment is no label's word
    ("config/app.yml", "password: Langfuse"),
    # What deploys an environment reads the words whole: they are its password.
    (".env", "PASSWORD: Langfuse Secret Key"),
    ("deploy/values.yaml", "password: Langfuse Secret Key"),
])
def test_a_word_value_without_a_label_still_blocks(secrets_detector: SecretDetector, path: str, line: str) -> None:
    text = line.replace("{pw}", _random())
    assert blocking(secrets_detector, text, path) == ["secrets/generic-password"], text


# --- `[pw]` in brackets (langfuse's `.env.prod.example`: 4) -----------------------------------------------------

@pytest.mark.parametrize("path", [".env.prod.example", ".env", "deploy/app.env"])
def test_a_bracketed_pw_is_a_name_to_fill_in(secrets_detector: SecretDetector, path: str) -> None:
    line = 'DIRECT_URL="postgresql://postgres:[pw]@db.[db_id].supabase.co:5432/postgres"'
    assert reported(secrets_detector, line, path) == [
        ("secrets/database-url-password", "placeholder value (a name to fill in, in brackets)")]


@pytest.mark.parametrize("value", ["[{ld}]", "[pw{ld}]", "{ld}pw"])
def test_a_password_beside_pw_still_blocks(secrets_detector: SecretDetector, value: str) -> None:
    line = 'DATABASE_URL="postgresql://postgres:' + value.replace("{ld}", _letters_digits(12)) + '@db.acme-corp.com/app"'
    assert blocking(secrets_detector, line, ".env") == ["secrets/database-url-password"], line
