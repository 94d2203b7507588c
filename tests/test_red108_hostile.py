"""Red team red108: the secrets scanner's judgments on three real histories not measured before — openai/openai-python
(Python SDK: API-key handling, tests, generated API reference), vercel/ai (TypeScript SDK of many AI providers: docs,
examples) and ansible/ansible (Python/YAML/PowerShell configuration management: module docs, integration tests).

Measured with `bench/bench_secrets_history.py --min-severity medium` (HEAD's history; the newest 5,000 commits of
vercel/ai and of ansible, plus ansible's whole history), every finding judged by hand (ansible's whole history: a
random sample of 80 of 1,751). "TP" = a real credential, a real-format key (a test key, a revoked token) or a
random-looking value no reader could tell from a real one; everything else is false. Values never shown here.

| history | commits | findings >= medium | TP | precision | blocking (>= high, default policy) false / 10,000 commits |
|---|---|---|---|---|---|
| openai-python (all) | 1,502 | 24 | 4 (2 mTLS test keys, 2 webhook test secrets) | 17 % | 5 false -> 33 |
| vercel/ai (newest 5,000) | 5,000 | 30 | 0 | 0 % | 4 false -> 8 |
| ansible (newest 5,000) | 5,000 | 54 | 6 | 11 % | 46 false of 50 -> 92 |
| ansible (all, sample 80 of 1,751) | 54,660 | 1,751 | 25 of 80 | 31 % | — |

README's goal is <= 1 false blocking finding per 10,000 commits; all three miss it by 8x to 90x.

False-positive classes (counts: openai-python / vercel-ai / ansible-5000 / ansible-sample-80):
- placeholder / example value: 1 / 23 / 19 / 24 (`weather-123`, `calculator-456`, `demo-access-token-123`,
  `chatkit_token_123`, `hunter2`, `Password1`, `Esxi@123$%`, `SuperSecretPass01`, `abc12345`, `1q2w3e`, the MD5 of
  the empty string);
- code: 14 / 3 / 9 / 10 (LLM special tokens `<|im_start|>`; `signingKey: Uint8Array`; `this.#options.credentials`;
  PowerShell cmdlet calls `$password = Get-AnsibleParam ...` / `ConvertTo-SecureString ...`; Ansible `!vault |` tags
  in .rst docs; templates `@password`, `@RUNNER_TOKEN`);
- test fixture: 4 / 3 / 7 / 16 (`"Bearer openai-access-token-1"` and `'x-api-key': 'test-api-key-123'` in test
  files — bearer-token and api-key-header are not `test_values` rules, so secrets.tests does not cover them;
  Ansible's integration tests are YAML and shell, which secrets.tests never covers by design);
- documentation: 1 / 0 / 0 / 0 (a WebRTC `a=ice-pwd:` in an example SDP);
- other: 0 / 1 / 13 / 5 (crypt(3) and PostgreSQL `md5…` password HASHES reported as "Hard-coded password";
  a canary string named `secret`). Whole ansible history, counted with a pattern: 84 PowerShell cmdlet values,
  22 `!vault` tags, 19 crypt hashes + ~38 `md5` hashes, 44 AWS `ClientRequestToken` idempotency UUIDs (placebo
  recordings, .json under test/units: not test source, so reported).

Misses (plain `git log -p` grep of AKIA…, gh?_…, xox?-…, sk-…, AIza…, BEGIN … PRIVATE KEY, db URLs with a password,
hf_…, gsk_…, eyJ…, every added line re-run through the detector): openai-python, all 1,502 HEAD commits and all its
other branches: every private key and real-format key reported; AKIAIOSFODNN7EXAMPLE suppressed as the example;
`OPENAI_API_KEY=sk-maybe…` (a prose placeholder) correctly not reported. vercel/ai newest 5,000: no key format at all
(4 grep hits inside encrypted blobs and label names: correctly nothing). ansible, whole HEAD history (54,660 commits):
83 private-key blocks, 1 AKIA key, 2 mongodb:// URLs with passwords all reported; the 26 grep hits not reported are
code about keys (`startswith('-----BEGIN PRIVATE KEY-----')`), a `MII...` sample, and words holding `sk-`. But two real miss classes showed up in what the scanner did report:

Findings:

1. HIGH (false positive, blocks) — a PowerShell cmdlet call is taken for the password: `$password = Get-AnsibleParam
   -obj $params -name "password"`, `$domain_password = ConvertTo-SecureString $domain_password -AsPlainText -Force`,
   `$params.Credential = Get-MyServiceCredential`. The unquoted value `Get-AnsibleParam` has lower and upper case, so
   `_looks_like_credential` (scan/secrets.py) accepts it; `_CAMEL_WORD` knows Train-Case (`Get-Param`) but not a
   PascalCase noun (`ConvertTo-SecureString`). 84 of 1,751 findings in ansible's history (4.8 %), all HIGH. Fix: an
   unquoted Verb-Noun (`[A-Z][a-z]+[A-Za-z]*-[A-Z][A-Za-z]+`) followed by a space, a parameter or the end is a call.
2. MEDIUM (miss) — the plaintext that `ConvertTo-SecureString "…" -AsPlainText` declares is never the value: under a
   variable named `$secure`/`$cred` nothing is reported; under `$secpasswd` the finding's value (and digest, hence its
   fingerprint and baseline identity) is the cmdlet name, so one baseline entry hides every such password. Fix: a
   rule for a literal before/after `-AsPlainText` (or `-String` with `-AsPlainText`).
3. MEDIUM (false positive) — LLM special tokens as values: `{"token": "<|im_start|>"}` (14 of 24 openai-python
   findings, chatml.md), `"eos_token": "<|endoftext|>"` in every tokenizer_config.json. `<[\\w .:/@-]+>` in
   `_PLACEHOLDER_MARKERS` does not admit `|`. Fix: `<\\|[\\w .-]+\\|>` (a whole value) is a marker.
4. MEDIUM/HIGH (false positive) — word-and-counter values for API keys and tokens: `apiKey: 'weather-123'`,
   `'calculator-456'`, `'demo-access-token-123'`, `"chatkit_token_123"` (generic-secret, medium), and in test files
   `'x-api-key': 'test-api-key-123'` (api-key-header, HIGH) and `"Bearer openai-access-token-1"` (bearer-token,
   HIGH): 25 of 30 vercel/ai findings, 5 of 24 openai-python. `_PLACEHOLDER_WORDS` knows `test-123`, not two lower-
   case words and a counter. Fix (API-key/token rules, not passwords): a value made of lower-case letter runs joined
   by `-`/`_` and ending in a 1-4 digit counter is a made-up name.
5. MEDIUM (false positive) — TypeScript types and identifiers as values: `signingKey: Uint8Array,`, `let
   defaultSigningKey: Uint8Array = randomBytes(32)`, `token: Float32Array;`, `const token = Base64Url;` (2 in
   vercel/ai). `_UNQUOTED_NAME` is letters only, so an identifier with a digit counts as a credential. In JS/TS
   source an unquoted value is never a string. Fix: in script sources an unquoted identifier is code.
6. MEDIUM (false positive) — JS private fields: `credentials: this.#options.credentials` (vercel/ai, angular
   package), `apiKey: this.#apiKey`. `_SCRIPT_MEMBER` has no `#`. Fix: allow `#` before a member name.
7. HIGH (false positive, blocks) — Ansible Vault's tag in documentation: `db_password: !vault |` in .rst/.md
   (3 of 54 in ansible's newest 5,000; 22 in its history). `_YAML_TAG` applies in .yml/.yaml only (red104 made it
   so, for `!x` negation in code). Fix: an unquoted `!word` followed by a YAML block indicator (`|`, `>`) is a tag
   in any file; `!` + random characters stays a password (red101-104).
8. MEDIUM (false positive, class judgment) — password HASHES reported as "Hard-coded password" (HIGH): crypt(3)
   `$6$rounds=…$salt$hash`, yescrypt `$y$…`, bcrypt `$2b$…`, PostgreSQL `md5` + 32 hex — what Ansible's `user` and
   `postgresql_user` modules require instead of the plaintext (13 of 54 in the newest 5,000). Fix: recognise the
   modular-crypt and md5 shapes and report them below the blocking level (or as their own low rule).
9. MEDIUM (false positive) — AWS idempotency tokens: `"ClientRequestToken": "<uuid>"` (44 in ansible's history,
   recorded API responses under test/units/.../placebo_recordings/*.json). generic-secret already excludes
   `idempotency`, `cursor`, `next`/`page` tokens, not AWS's name for the same thing. Fix: add `clientrequest` to the
   token look-behinds.
10. MEDIUM (miss) — URL credentials behind a `+` scheme (`git+https://user:token@…`, `git+ssh://`, `svn+ssh://`):
   pip requirements, Ansible Galaxy role specs. url-credentials' `(?<![a-z0-9+.-])` look-behind refuses the scheme
   after `git+`. Real history: ansible test_role_requirements.py lines 76/84 hold a real-format GitLab deploy token
   in `git+https://gitlab+deploy-token-…:…@gitlab.com/…`: not reported, while the asserted `https://` copy on the
   next line is. Fix: allow `(?:git|svn|hg|bzr)\\+` before the scheme (database-url-password already allows `+x`).

Not bugs (by contract, left as measured): documentation placeholders (`hunter2`, `Password1`; 19 of 54 in ansible)
are what `secrets.docs` globs are for; passwords in test YAML/shell (7 of 54) are outside secrets.tests by design (only
test source code); `#gitleaks:allow` on a line is not honoured (inline suppression of secrets is refused by default).

Tried and held: provider-format keys in test files stay reported (openai-python's mTLS keys and `whsec_` secrets);
AKIA…EXAMPLE suppressed; prose `sk-maybe…` placeholders not reported; base64 encrypted blobs in vercel/ai fixtures
holding `sk-E` by chance not reported; Uint8Array with an optional marker (`secretKey?: Uint8Array | undefined`)
not reported.

Every test builds secret-shaped values by concatenation and runs the real SecretDetector with the shipped rules, or
the real `gatekeeper check` (SECRETS_ONLY_POLICY). Each false-positive test has a control beside it showing the
real-secret variant of the same line still reported.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.models import Severity
from gatekeeper.scan.secrets import SecretDetector, SecretHit
from tests.scan_helpers import SECRETS_ONLY_POLICY, check_commit

# Random-looking, mixed-case values built at run time (never one literal).
R = "Xk9" + "mQ2vLp7Rt4" + "Wz8NbJc5Hd3"  # 24 characters
HEX = "3f9a" + "c2e17b04d5" + "9e8f6a1b2c3d4e5f60"  # 32 lower-case hex
UUID = "3faf" + "a1c2-9b7e-4d21-" + "8c3a-0f5e6d7c8b9a"


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector.load()


def _hits(detector: SecretDetector, path: str, line: str) -> list[SecretHit]:
    return detector.scan_text(line, path=path)


def _rules(detector: SecretDetector, path: str, line: str) -> list[str]:
    return [h.rule_id for h in _hits(detector, path, line)]


# -- 1. PowerShell cmdlet calls ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path,line", [
    ("win_service.ps1", "$password = Get-AnsibleParam -obj $params -name 'pass" + "word' -type 'str'"),
    ("win_domain_group.ps1", "$domain_password = Get-AnsibleParam -obj $params -name \"domain_pass" + "word\""),
    ("win_domain_computer.ps1", "$domain_password = ConvertTo-SecureString $domain_pass" + "word -AsPlainText -Force"),
    ("setup.ps1", "$sec_password = ConvertTo-SecureString -String $pass" + "word -AsPlainText -Force"),
    ("developing_modules_general_windows.rst", "$params.Credential = Get-MyService" + "Credential"),
])
def test_powershell_cmdlet_call_is_not_a_password(detector: SecretDetector, path: str, line: str) -> None:
    """Finding 1: the cmdlet name after `=` is read as an unquoted password (generic-password HIGH, blocks) or secret.
    84 of 1,751 findings in ansible's history. Secure: a Verb-Noun call is code."""
    assert _rules(detector, path, line) == [], f"{path}: {line!r} reported"


def test_control_powershell_literal_password_still_reported(detector: SecretDetector) -> None:
    """Control for 1: a quoted literal assigned to a password variable in PowerShell is still a password."""
    assert "secrets/generic-password" in _rules(detector, "setup.ps1", "$password = \"" + R + "\"")


@pytest.mark.parametrize("line", [
    "$secure = ConvertTo-SecureString \"" + R + "\" -AsPlainText -Force",
    "$cred = New-Object PSCredential('admin', (ConvertTo-SecureString '" + R + "' -AsPlainText -Force))",
    "$secpasswd = ConvertTo-SecureString -String '" + R + "' -AsPlainText -Force",
])
def test_plaintext_given_to_convertto_securestring_is_the_reported_value(detector: SecretDetector, line: str) -> None:
    """Finding 2 (miss): `-AsPlainText` declares the literal a plaintext secret. Under `$secure`/`$cred` nothing is
    reported; under `$secpasswd` the finding's value is the cmdlet name, so its digest (fingerprint, baseline
    identity) is the same for every password. Secure: a finding whose value is the literal."""
    hits = _hits(detector, "deploy.ps1", line)
    starts = {h.column - 1 for h in hits}
    assert line.index(R) in starts, f"{line!r}: reported at columns {sorted(s + 1 for s in starts)}, not the literal"


# -- 3. LLM special tokens -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path,line", [
    ("chatml.md", "{\"token\": \"<|im_" + "start|>\"},"),
    ("chatml.md", "{\"token\": \"<|im_end|>\"}, \"\\n\", {\"token\": \"<|im_" + "start|>\"},"),
    ("tokenizer_config.json", "  \"eos_token\": \"<|endof" + "text|>\","),
    ("tokenizer_config.json", "  \"bos_token\": \"<|begin_of" + "_text|>\","),
    ("prompt.py", "STOP_TOKEN = \"<|eot" + "_id|>\""),
])
def test_llm_special_token_is_not_a_secret(detector: SecretDetector, path: str, line: str) -> None:
    """Finding 3: a chat-template special token (`<|im_start|>`) assigned to `token`/`eos_token` is a secret (medium):
    14 of openai-python's 24 findings. `<...>` is a placeholder marker, `<|...|>` is not. Secure: not reported."""
    assert _rules(detector, path, line) == [], f"{path}: {line!r} reported"


def test_control_random_value_under_token_still_reported(detector: SecretDetector) -> None:
    """Control for 3: the same line shapes with a random value are reported."""
    assert _rules(detector, "chatml.md", "{\"token\": \"" + R + "\"},") == ["secrets/generic-secret"]
    assert _rules(detector, "tokenizer_config.json", "  \"auth_token\": \"" + R + "\",") == ["secrets/generic-secret"]


# -- 4. word-and-counter names for keys and tokens -------------------------------------------------------------------

WORD_COUNTER = [
    ("tool-call-with-context.ts", "    weather: { apiKey: 'weather-" + "123' },"),
    ("tool-call-with-context.ts", "    calculatorApiKey: 'calculator-" + "456',"),
    ("mcp-with-auth/server.ts", "    const accessToken = 'demo-access-" + "token-123';"),
    ("openapi.transformed.yml", "    \"client_secret\": \"chatkit_" + "token_123\","),
    ("anthropic-aws-fetch.test.ts", "        'x-api-key': 'test-api-" + "key-123',"),
    ("test_client.py", "    assert h.get(\"Authorization\") == \"Bearer openai-access-" + "token-1\""),
]


@pytest.mark.parametrize("path,line", WORD_COUNTER)
def test_words_and_a_counter_are_not_a_key(detector: SecretDetector, path: str, line: str) -> None:
    """Finding 4: lower-case words and a short counter assigned to an API key or token are reported (generic-secret
    medium; api-key-header and bearer-token HIGH, also in test files, where secrets.tests does not apply to them).
    25 of vercel/ai's 30 findings, 5 of openai-python's. Secure: a made-up name, not reported."""
    assert _rules(detector, path, line) == [], f"{path}: {line!r} reported"


@pytest.mark.parametrize("value", [R, HEX, "weather-" + R, "sk-live-" + HEX])
@pytest.mark.parametrize("path,line", WORD_COUNTER)
def test_control_random_value_in_the_same_lines_still_reported(detector: SecretDetector, path: str, line: str,
                                                                value: str) -> None:
    """Control for 4: the same lines with a random, hex, or word-prefixed random value are still reported."""
    for placeholder in ("weather-123", "calculator-456", "demo-access-token-123", "chatkit_token_123",
                        "test-api-key-123", "openai-access-token-1"):
        line = line.replace(placeholder, value)
    assert _rules(detector, path, line), f"{path}: {line!r} not reported"


# -- 5./6. TypeScript types, identifiers and private fields ----------------------------------------------------------

@pytest.mark.parametrize("path,line", [
    ("continuation-capability.ts", "let defaultSigningKey: Uint8" + "Array = randomBytes(32);"),
    ("continuation-capability.ts", "  signingKey: Uint8" + "Array,"),
    ("embedding.ts", "  token: Float32" + "Array;"),
    ("codec.ts", "const token = Base64" + "Url;"),
    ("completion.ng.ts", "      credentials: this.#options.credent" + "ials,"),
    ("client.ts", "const token = this.#config.api" + "Token;"),
    ("client.ts", "  apiKey: this.#api" + "Key,"),
])
def test_typescript_type_or_private_field_is_code(detector: SecretDetector, path: str, line: str) -> None:
    """Findings 5 and 6: an unquoted identifier holding a digit (a type: Uint8Array) or a `this.#private` member chain
    is a secret (generic-secret, medium) in TS/JS source, where an unquoted value is never a string. Secure: code."""
    assert _rules(detector, path, line) == [], f"{path}: {line!r} reported"


@pytest.mark.parametrize("path,line", [
    ("continuation-capability.ts", "  signingKey: '" + R + "',"),
    ("client.ts", "  apiKey: '#" + R + "',"),
    ("config.yml", "signing_key: " + R),
])
def test_control_quoted_key_in_script_and_unquoted_in_yaml_still_reported(detector: SecretDetector, path: str,
                                                                           line: str) -> None:
    """Control for 5/6: a quoted literal in TS (also one starting with `#`) and an unquoted YAML value are reported."""
    assert _rules(detector, path, line) == ["secrets/generic-secret"], f"{path}: {line!r}"


# -- 7. Ansible Vault tags in documentation --------------------------------------------------------------------------

@pytest.mark.parametrize("path,line", [
    ("docs/vault_guide/vault_encrypting_content.rst", "    db_password: !vault |"),
    ("docs/network_best_practices.rst", "    ansible_ssh_pass: !vault |"),
    ("README.md", "    new_user_password: !vault >"),
])
def test_vault_tag_in_docs_is_not_a_password(detector: SecretDetector, path: str, line: str) -> None:
    """Finding 7: `password: !vault |` outside a .yml file is a hard-coded password (HIGH, blocks): 22 findings in
    ansible's history, all documentation of Ansible Vault. Secure: `!word` before a block indicator is a YAML tag."""
    assert _rules(detector, path, line) == [], f"{path}: {line!r} reported"


@pytest.mark.parametrize("path,line", [(".env", "PASSWORD=!" + R), ("notes.md", "    password: !" + R)])
def test_control_bang_random_password_still_reported(detector: SecretDetector, path: str, line: str) -> None:
    """Control for 7: `!` followed by random characters stays a password (red101-red104)."""
    assert "secrets/generic-password" in _rules(detector, path, line)


# -- 8. password hashes ----------------------------------------------------------------------------------------------

SALT = "Ab3dEf9h" + "Ij2kLm4n"
HASHES = [
    "$6$rounds=656000$" + SALT + "$" + ("aB3/" + "cD5." + "eF7x") * 7 + "gH1/kL",  # sha512-crypt, 86
    "$y$j9T$" + SALT + "Op5q12$" + ("aB3/" + "cD5." + "eF7x") * 3 + "gH1/kLmN9",  # yescrypt
    "$2b$12$" + ("aB3d" + "cD5." + "eF7x") * 4 + "gH1/kL",  # bcrypt, 53
    "md5" + HEX,  # PostgreSQL
]


@pytest.mark.parametrize("value", HASHES)
def test_password_hash_does_not_block_as_a_plaintext_password(detector: SecretDetector, value: str) -> None:
    """Finding 8: the crypt(3)/PostgreSQL hash Ansible's user and postgresql_user modules take instead of a plaintext
    is reported as "Hard-coded password" at HIGH (13 of ansible's newest 54 findings). Secure: not at a blocking
    severity (a hash may still be reported, lower, as what it is)."""
    hits = _hits(detector, "roles/users/tasks/main.yml", "    password: \"" + value + "\"")
    assert all(h.severity < Severity.HIGH for h in hits), [(h.rule_id, h.severity.name) for h in hits]


def test_control_plaintext_password_in_the_same_task_still_blocks(detector: SecretDetector) -> None:
    """Control for 8: a plaintext password in the same task is HIGH."""
    hits = _hits(detector, "roles/users/tasks/main.yml", "    password: \"" + R + "\"")
    assert [(h.rule_id, h.severity) for h in hits] == [("secrets/generic-password", Severity.HIGH)]


# -- 9. / 10. through `gatekeeper check` ------------------------------------------------------------------------------

def _secrets(verdict: dict, path: str) -> list[tuple[str, bool]]:
    return [(f["rule_id"], bool(f.get("blocking"))) for f in verdict["findings"]
            if f.get("path") == path and str(f["rule_id"]).startswith("secrets/")]


RECORDING = "test/units/modules/cloud/amazon/placebo_recordings/cloudformation/DescribeStackEvents_1.json"


def test_aws_client_request_token_is_not_a_credential(tmp_path: Path) -> None:
    """Finding 9: AWS's idempotency `ClientRequestToken` (a UUID in recorded API responses) is a secret: 44 findings
    in ansible's history. Secure: `gatekeeper check` reports nothing on it, like `idempotency_token`."""
    text = "{\n  \"StackEvents\": [\n    {\n      \"ClientRequest" + "Token\": \"" + UUID + "\",\n" \
           "      \"StackName\": \"ansible-test\"\n    }\n  ]\n}\n"
    _code, verdict = check_commit(tmp_path, {RECORDING: text}, SECRETS_ONLY_POLICY)
    assert _secrets(verdict, RECORDING) == []


def test_control_auth_token_uuid_in_a_recording_still_reported(tmp_path: Path) -> None:
    """Control for 9: a UUID under a credential's name (Consul/Heroku tokens are UUIDs) is still reported."""
    text = "{\n  \"Auth" + "Token\": \"" + UUID + "\"\n}\n"
    _code, verdict = check_commit(tmp_path, {RECORDING: text}, SECRETS_ONLY_POLICY)
    assert _secrets(verdict, RECORDING) == [("secrets/generic-secret", True)]


@pytest.mark.parametrize("line", [
    "git+https://deploy:" + R + "@gitlab.example.com/org/lib.git#egg=lib",
    "git+https://gitlab+deploy-token-312644:" + R + "@gitlab.com/org/role",
    "svn+ssh://bob:" + R + "@svn.example.org/repo/trunk",
])
def test_url_credentials_behind_a_vcs_scheme_prefix_are_reported(tmp_path: Path, line: str) -> None:
    """Finding 10 (miss): `git+https://user:token@` (pip requirements, Galaxy role specs) is not reported: the
    url-credentials look-behind refuses a scheme after `+`. ansible's test_role_requirements.py holds a real-format
    GitLab deploy token so, unreported, while its `https://` copy is. Secure: reported (blocks at medium here)."""
    _code, verdict = check_commit(tmp_path, {"requirements.txt": line + "\n"}, SECRETS_ONLY_POLICY)
    assert ("secrets/url-credentials", True) in _secrets(verdict, "requirements.txt")


def test_control_plain_https_url_credentials_reported(tmp_path: Path) -> None:
    """Control for 10: the same credential in a plain https:// URL is reported and blocks."""
    line = "https://deploy:" + R + "@gitlab.example.com/org/lib.git"
    _code, verdict = check_commit(tmp_path, {"requirements.txt": line + "\n"}, SECRETS_ONLY_POLICY)
    assert ("secrets/url-credentials", True) in _secrets(verdict, "requirements.txt")
