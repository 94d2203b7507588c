"""Red team red88: credentials that today's secrets changes (d588327, fb6cbd5) let onto a protected branch.

Each test pushes a real commit through the installed pre-receive hook (policy: secrets at `block_at: high`) and
asserts the push is refused. Each fails on d588327+fb6cbd5 for the reason in its docstring:

1. `_DOTTED_NAME` now reads `Word.Word!`, `Word!.Word` and `Word?.Word` as TypeScript member access in EVERY file
   and every unquoted value: the commonest human password shape (`Tr0ub4dor.Horse!`, `Welcome!.Home`) in a
   `.env` or YAML file is no longer found at all (it blocked before).
2. `named-provider-token` is `generic: true` in rules/secrets.yml, so the test-file suppression treats a Fastly /
   PagerDuty / Mapbox... key (a provider's key with no prefix, recognised by the provider's name) as a keyword
   value a test asserts on: a real key pasted into an integration test passes.
3. `bearer-token` is `generic: true` too: an HTTP recording (VCR / pytest-recording / Betamax cassette) under
   `tests/` or `spec/` holds the live bearer token of the recorded request, and it passes.
4. DEFAULT_TEST_FILES matches configuration of a deployed environment NAMED test (`infra/environments/test/`,
   `inventories/test/`) and Next.js' `.env.test.local` (the local-secrets file): their real passwords pass.

Attacks that held (no test): a provider-format key (AWS) in a test file; test-path case tricks (globs are case-
sensitive, so `Tests/` only blocks more); renaming a file out of tests/ (renames are off: its lines are added
lines of the new path); the suppression on commit messages/headers/tag text (excluded by path); `@env:`/
`@keychain:` with a real password (the anchored name pattern needs a bare identifier); a key on an armour header
line or in a block whose CRC fails (still high); CRLF armour; a block in a commit message (never downgraded);
two blocks one broken (judged separately).
"""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from tests.hook_helpers import assert_blocked as _blocked
from tests.hook_helpers import push_files as _push

_rng = random.Random(8888)
B62 = string.ascii_letters + string.digits


def _token(n: int) -> str:
    return "".join(_rng.choice(B62) for _ in range(n))


# -- 1: `_DOTTED_NAME` reads a human password ending in `!` as TypeScript -------------------------------------

@pytest.mark.parametrize("path,line", [
    ("deploy/.env", "DB_PASSWORD=" + "Tr0ub4dor" + ".Horse!\n"),
    ("deploy/.env", "ADMIN_PASSWORD=" + "Welcome!" + ".Home\n"),
    ("config/mail.yml", "smtp_password: " + "Gr33n" + ".Apple!\n"),
    ("config/app.ini", "password = " + "Summer" + ".Breeze2024!\n"),
])
def test_a_password_shaped_like_typescript_member_access_in_a_config_file_blocks(
        tmp_path: Path, path: str, line: str) -> None:
    """secrets.py `_DOTTED_NAME` (used by `_looks_like_credential` for every unquoted generic value, whatever the
    file) now accepts a `!` after any segment and `?.`: `Tr0ub4dor.Horse!` fullmatches, so it is "code" and the
    generic-password rule drops it — in a .env / YAML / INI file, where no TypeScript can be. Before d588327 each
    of these lines blocked."""
    _blocked(_push(tmp_path, {path: line}), "secrets/generic-password")


# -- 2: a provider's key recognised by the provider's name is "generic" -----------------------------------------

def test_a_named_provider_key_in_an_integration_test_blocks(tmp_path: Path) -> None:
    """rules/secrets.yml marks `named-provider-token` (FASTLY_API_TOKEN=<32 random>, PagerDuty, Mapbox, Vercel...:
    providers whose keys have no prefix) `generic: true`, so secrets_scanner.py `_context` suppresses it in any
    test file — though it is a provider's key, the very kind the change says still blocks in tests, and
    integration tests are where such keys get pasted."""
    body = (f'FASTLY_API_TOKEN = "{_token(32)}"\n\n\n'
            "def test_purge():\n    assert purge(FASTLY_API_TOKEN, 'svc') == 200\n")
    _blocked(_push(tmp_path, {"tests/integration/test_fastly.py": body}), "secrets/named-provider-token")


# -- 3: a recorded request's bearer token ------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["tests/cassettes/test_charge.yaml", "spec/fixtures/vcr_cassettes/charge.yml"])
def test_a_bearer_token_recorded_in_a_test_cassette_blocks(tmp_path: Path, path: str) -> None:
    """`bearer-token` is `generic: true`: secrets_scanner.py `_context` suppresses it under tests/ and spec/. An HTTP
    cassette (VCR, pytest-recording, Betamax) is not a value a test asserts on but the bytes of a real request,
    Authorization header included: the live token passes the gate."""
    cassette = ("interactions:\n- request:\n    body: null\n    headers:\n      Authorization:\n"
                f"      - Bearer {_token(40)}\n    method: POST\n    uri: https://api.example.net/v1/charges\n")
    _blocked(_push(tmp_path, {path: cassette}), "secrets/bearer-token")


# -- 4: an environment called "test" is not a test file ----------------------------------------------------------

@pytest.mark.parametrize("path,line", [
    ("infra/environments/test/terraform.tfvars", 'db_password = "{a}-{b}"\n'),
    ("ansible/inventories/test/group_vars/all.yml", "postgres_password: '{a}-{b}'\n"),
    (".env.test.local", "DATABASE_PASSWORD={a}-{b}\n"),
])
def test_configuration_of_a_deployed_test_environment_blocks(tmp_path: Path, path: str, line: str) -> None:
    """config.py DEFAULT_TEST_FILES: `**/test/**` matches any directory named test — a Terraform or Ansible
    environment called `test` (a deployed QA environment with real credentials) — and `**/*.test.*` matches
    `.env.test.local`, the file Next.js/Vite keep real secrets in. secrets_scanner.py `_context` suppresses the
    generic-password hit there as if it were a value in a unit test."""
    text = line.format(a=_token(7), b=_token(7))
    _blocked(_push(tmp_path, {path: text}), "secrets/generic-password")
