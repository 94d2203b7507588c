"""The secrets detector: one positive per shipped rule, hard negatives, redaction, digests, rule files.

Token-shaped values are built at run time from a seeded generator, so this file holds no literal that
looks like a live credential (push protection, secret scanners run over this repository).
"""

from __future__ import annotations

import base64
import hashlib
import random
import string
import textwrap
from pathlib import Path

import pytest

from gatekeeper.errors import ConfigError
from gatekeeper.models import Severity
from gatekeeper.scan.secrets import (
    MAX_GENERIC_LINE,
    SecretDetector,
    SecretHit,
    default_rules_path,
    is_placeholder,
    shannon_entropy,
)
from tests.secrets_samples import rule_entries
from tests.test_secrets_rules import COMMANDS

B62 = string.ascii_letters + string.digits
B64 = B62 + "+/"
B64URL = B62 + "-_"
HEX = "0123456789abcdef"
UPPER = string.ascii_uppercase + string.digits

_rng = random.Random(4242)


def r(n: int, alphabet: str = B62) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def uuid() -> str:
    return "-".join(r(n, HEX) for n in (8, 4, 4, 4, 12))


def jwt() -> str:
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(b'{"sub":"' + r(12).encode() + b'","admin":true}').rstrip(b"=").decode()
    return f"{header}.{payload}.{r(43, B64URL)}"


def discord_bot_token() -> str:
    user_id = base64.b64encode(str(_rng.randint(10**17, 10**18)).encode()).decode().rstrip("=")
    return f"{user_id}.{r(6, B64URL)}.{r(38, B64URL)}"


# (rule id, the secret value, the line that holds it)
_CASES: list[tuple[str, str, str]] = []


def case(rule: str, value: str, template: str = 'value = "{}"') -> None:
    _CASES.append((rule, value, template.format(value)))


case("aws-access-key", "AKIA" + r(16, UPPER), "AWS_ACCESS_KEY_ID={}")
case("aws-access-key", "ASIA" + r(16, UPPER), "  aws_access_key_id: {}")
case("aws-secret-key", r(40, B64), 'aws_secret_access_key = "{}"')
case("aws-secret-key", r(40, B64), "AWS_SECRET_ACCESS_KEY={}")
case("aws-secret-key", r(40, B64), "  secretAccessKey: '{}',")
case("google-api-key", "AIza" + r(35, B64URL), "const maps = '{}';")
case("google-oauth-client-secret", "GOCSPX-" + r(28, B64URL))
case("azure-storage-key", r(86, B64) + "==",
     '"conn": "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={};EndpointSuffix=core.windows.net"')
case("azure-shared-access-key", r(43, B64) + "=",
     "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey={}")
case("digitalocean-token", "dop_v1_" + r(64, HEX), "DIGITALOCEAN_TOKEN={}")
case("heroku-api-key", "HRKU-AA" + r(58, B64URL), "HEROKU_API_KEY={}")
case("heroku-api-key-legacy", uuid(), "HEROKU_API_KEY={}")
case("vault-token", "hvs." + r(90, B64URL), "export VAULT_TOKEN={}")
case("datadog-api-key", r(32, HEX), "DD_API_KEY={}")
case("datadog-api-key", r(40, HEX), '  datadog_app_key: "{}"')
case("github-pat", "ghp_" + r(36), "GITHUB_TOKEN={}")
case("github-fine-grained-pat", "github_pat_" + r(22) + "_" + r(59))
case("github-oauth-token", "gho_" + r(36))
case("github-app-token", "ghs_" + r(36), "git clone https://x-access-token:{}@github.com/o/r.git")
case("github-app-token", "ghu_" + r(36))
case("github-refresh-token", "ghr_" + r(76))
case("gitlab-pat", "glpat-" + r(20, B64URL), "GITLAB_TOKEN={}")
case("gitlab-pat", "glpat-" + r(27, B64URL) + ".01." + r(9, B64URL), "token: {}")
case("gitlab-token", "gldt-" + r(20, B64URL))
case("gitlab-token", "glrt-" + r(20, B64URL))
case("gitlab-token", "GR1348941" + r(20, B64URL))
case("npm-token", "npm_" + r(36), "//registry.npmjs.org/:_authToken={}")
case("pypi-token", "pypi-AgEIcHlwaS5vcmc" + r(120, B64URL), "password = {}")
case("openai-api-key", "sk-proj-" + r(74, B64URL) + "T3BlbkFJ" + r(74, B64URL), "OPENAI_API_KEY={}")
case("openai-api-key", "sk-" + r(20) + "T3BlbkFJ" + r(20), 'openai.api_key = "{}"')
case("anthropic-api-key", "sk-ant-api03-" + r(93, B64URL) + "AA", "ANTHROPIC_API_KEY={}")
case("stripe-secret-key", "sk_live_" + r(24), "Stripe.apiKey = '{}';")
case("stripe-secret-key", "rk_live_" + r(99))
case("stripe-test-key", "sk_test_" + r(24))
case("stripe-webhook-secret", "whsec_" + r(32))
case("slack-token", f"xoxb-{r(12, string.digits)}-{r(13, string.digits)}-{r(24)}", "SLACK_BOT_TOKEN={}")
case("slack-token", f"xoxp-{r(12, string.digits)}-{r(12, string.digits)}-{r(12, string.digits)}-{r(32, HEX)}")
case("slack-app-token", f"xapp-1-A{r(10, UPPER)}-{r(13, string.digits)}-{r(64, HEX)}")
case("slack-webhook", f"T{r(8, UPPER)}/B{r(10, UPPER)}/{r(24)}", 'url = "https://hooks.slack.com/services/{}"')
case("discord-bot-token", discord_bot_token(), "client.run('{}')")
case("discord-webhook", r(68, B64URL), "https://discord.com/api/webhooks/" + r(18, string.digits) + "/{}")
case("telegram-bot-token", f"{_rng.randint(10**8, 10**9)}:AA{r(33, B64URL)}", "TELEGRAM_TOKEN={}")
case("twilio-api-key", "SK" + r(32, HEX))
case("twilio-auth-token", r(32, HEX), "TWILIO_AUTH_TOKEN={}")
case("sendgrid-api-key", f"SG.{r(22, B64URL)}.{r(43, B64URL)}", "SENDGRID_API_KEY={}")
case("mailgun-api-key", "key-" + r(32, HEX), "MAILGUN_KEY={}")
case("shopify-token", "shpat_" + r(32, HEX))
case("shopify-token", "shpss_" + r(32, HEX))
case("private-key", "-----BEGIN RSA PRIVATE KEY-----", "{}")
case("private-key", "-----BEGIN OPENSSH PRIVATE KEY-----", "    {}")
case("private-key", "-----BEGIN EC PRIVATE KEY-----", "{}")
case("private-key", "-----BEGIN DSA PRIVATE KEY-----", "{}")
case("private-key", "-----BEGIN PGP PRIVATE KEY BLOCK-----", "{}")
case("private-key", "-----BEGIN PRIVATE KEY-----", '  "private_key": "{}\\nMIIEvQ' + r(40, B64) + '\\n",')
case("jwt", jwt(), "Authorization: Bearer {}")
case("database-url-password", r(16), "DATABASE_URL=postgres://app:{}@db.internal:5432/app")
case("database-url-password", r(14), "url = 'postgresql+psycopg2://svc:{}@10.0.0.7/main'")
case("database-url-password", r(12), "MONGO_URL=mongodb+srv://admin:{}@cluster0.abcde.mongodb.net/db")
case("database-url-password", r(20), "REDIS_URL=redis://:{}@cache:6379/0")
case("database-url-password", r(12), "amqp://rabbit:{}@mq:5672/")
case("database-url-password", r(12), "DSN = 'mysql://root:{}@localhost/app'")
case("url-credentials", r(18), "git remote add origin https://bob:{}@gitlab.example.org/team/repo.git")
case("generic-password", r(14, B62 + "!#%"), 'db_password = "{}"')
case("generic-password", "Tr0ub4dor%3x", "  password: {}")
case("generic-password", r(12), 'PASSWORD="{}"')
case("generic-password", r(16), '    "password": "{}",')
case("generic-password", r(12), "spring.datasource.password={}")
case("generic-password", r(12), "Server=db;User Id=sa;Password={};")
case("generic-password", r(12), 'password: str = "{}"')
case("generic-password", r(12), "$db_pass = '{}';")
case("generic-password", r(12), 'pwd := "{}"')
case("generic-secret", r(50, B62 + "!@#$%^&*(-_=+)"), "SECRET_KEY = '{}'")
case("generic-secret", r(32, HEX), "api_key: {}")
case("generic-secret", r(40), "const clientSecret = '{}';")
case("generic-secret", r(32), 'config["api_token"] = "{}"')
case("generic-secret", r(32), ":auth_token => '{}'")
case("generic-secret", r(24), "JWT_SECRET={}")
case("generic-secret", uuid(), 'apiKey: "{}"')

POSITIVES = [pytest.param(rule, value, line, id=f"{rule}-{i}") for i, (rule, value, line) in enumerate(_CASES)]

NEGATIVES = [
    # documented examples and placeholders
    "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "token = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2"
    "MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'",
    'GITHUB_TOKEN="ghp_' + "x" * 36 + '"',
    "GITHUB_TOKEN=ghp_" + "X" * 36,
    "STRIPE_KEY=sk_live_" + "0" * 24,
    'api_key = "<your-api-key>"',
    'api_key = "your_api_key_here"',
    "API_KEY=YOUR_API_KEY",
    'password = "changeme"',
    'password = "CHANGE_ME"',
    "password: '********'",
    'password = "xxxxxxxxxxxx"',
    'secret = "test"',
    'token = "fake"',
    'api_key = "sample"',
    'password = "dummy"',
    'password = "placeholder"',
    'password = "aaaaaaaaaaaa"',
    "DATABASE_URL=postgres://postgres:postgres@localhost:5432/app",
    "DATABASE_URL=postgres://user:password@localhost:5432/app",
    "AMQP_URL=amqp://guest:guest@localhost:5672/",
    # templates and references
    'token = "${GITHUB_TOKEN}"',
    "password: $DB_PASSWORD",
    'password: "{{ .Values.db.password }}"',
    "password: '{{vault_db_password}}'",
    "NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}",
    "REDIS_URL=redis://:${REDIS_PASSWORD}@redis:6379",
    "url = 'postgres://app:%(password)s@db/app'",
    'password = os.environ["DB_PASSWORD"]',
    "api_key = os.getenv('API_KEY')",
    'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")',
    "const apiKey = process.env.API_KEY;",
    "password: process.env.DB_PASSWORD,",
    'String password = System.getenv("DB_PASSWORD");',
    "config.secret_key_base = ENV.fetch('SECRET_KEY_BASE')",
    "password = settings.DB_PASSWORD",
    "password = self.password",
    "password = user_password",
    "password: hashedPassword,",
    "api_token = get_token()",
    "secret = secrets.token_urlsafe(32)",
    'api_key = "op://Engineering/Stripe/credential"',
    'SECRET_REF = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"',
    'private_key_path = "/etc/ssl/private/server.key"',
    'private_key = "keys/deploy.pem"',
    # code and prose that name credentials
    "def login(username: str, password: str) -> Session:",
    'password_field = "password"',
    'token_type = "Bearer"',
    "max_tokens = 4096",
    'secret_name = "prod-db-credentials"',
    'secret: "my-app-secret"',
    'if password == "hunter2hunter2":',
    '    raise ValueError("password must be at least 12 characters")',
    "# Set GITHUB_TOKEN in the environment before running the release script.",
    'if line.startswith("-----BEGIN RSA PRIVATE KEY-----"):',
    "Paste the key that starts with -----BEGIN OPENSSH PRIVATE KEY----- into the form.",
    "-----BEGIN PUBLIC KEY-----",
    '"PrivateKey": "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAqKpRg...fvY4+te\\n-----END RSA PRIVATE KEY-----"',
    '"PrivateKey": "-----BEGIN RSA PRIVATE KEY-----\\nkey omitted for security reasons\\n-----END RSA PRIVATE KEY-----"',
    'ACL_CREDENTIALS = "Access-Control-Allow-Credentials"',
    'WaitForTaskToken = "waitForTaskToken"',
    '"NextToken": "' + r(40, B64) + '",',
    "next_page_token = '" + r(24) + "'",
    'csrf_token = "' + r(32) + '"',
    "refresh_token: RefreshTokenT,",
    "-----BEGIN CERTIFICATE-----",
    '    "password": "",',
    "api_key = None",
    # random-looking but not credentials
    f'commit = "{r(40, HEX)}"',
    f"Subproject commit {r(40, HEX)}",
    f'    {{file = "pkg-1.0.tar.gz", hash = "sha256:{r(64, HEX)}"}},',
    f'      "integrity": "sha512-{base64.b64encode(_rng.randbytes(64)).decode()}",',
    f"golang.org/x/net v0.1.0 h1:{base64.b64encode(_rng.randbytes(32)).decode()}",
    f'request_id = "{uuid()}"',
    f'    "id": "{uuid()}",',
    f'payload = "{base64.b64encode(b"The quick brown fox jumps over the lazy dog again").decode()}"',
    f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{r(43, B64)} jdoe@laptop",
    f'cache_key = "{r(32, HEX)}"',
    f"FROM python@sha256:{r(64, HEX)}",
    "",
    "x = 1",
]


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector.load()


def write_rules(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "secrets.yml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


# --- positives and negatives ------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "value", "line"), POSITIVES)
def test_positive(detector: SecretDetector, rule: str, value: str, line: str) -> None:
    hits = detector.scan_lines([(7, line)])
    assert [h.rule_id for h in hits] == [f"secrets/{rule}"], line
    hit = hits[0]
    assert hit.line == 7
    assert line[hit.column - 1 :].startswith(value)
    assert value not in hit.redacted
    if rule != "private-key":  # its digest also covers the key material after the header
        assert hit.digest == hashlib.sha256(value.encode()).hexdigest()


def test_every_shipped_rule_has_a_positive_case(detector: SecretDetector) -> None:
    # Rules with a `sample:` template are exercised by tests/test_secrets_rules.py.
    sampled = {str(e["id"]) for e in rule_entries() if "sample" in e}
    commands = {rule for rule, _ in COMMANDS}
    from tests.test_secrets_file_formats import FORMAT_CASES  # rules that read a file's own format (red107)

    formats = {rule for rule, _, _ in FORMAT_CASES}
    assert {r.id for r in detector.rules} == {rule for rule, _, _ in _CASES} | sampled | commands | formats


@pytest.mark.parametrize("line", NEGATIVES)
def test_negative(detector: SecretDetector, line: str) -> None:
    assert detector.scan_lines([(1, line)]) == []


def test_severity_follows_the_rule(detector: SecretDetector) -> None:
    live, test = detector.scan_text(f"a = 'sk_live_{r(24)}'\nb = 'sk_test_{r(24)}'")
    assert (live.rule_id, live.severity) == ("secrets/stripe-secret-key", Severity.CRITICAL)
    assert (test.rule_id, test.severity) == ("secrets/stripe-test-key", Severity.LOW)


# --- one report per secret, several per line -----------------------------------------------------


def test_provider_rule_wins_over_generic_on_the_same_value(detector: SecretDetector) -> None:
    hits = detector.scan_text(f'GITHUB_TOKEN = "ghp_{r(36)}"\naws_secret_access_key = "{r(40, B64)}"')
    assert [h.rule_id for h in hits] == ["secrets/github-pat", "secrets/aws-secret-key"]


def test_several_secrets_on_one_line_are_each_reported_once(detector: SecretDetector) -> None:
    gh, npm, pw = "ghp_" + r(36), "npm_" + r(36), r(14)
    line = f'env = {{"GH": "{gh}", "NPM": "{npm}", "password": "{pw}", "GH2": "{gh}"}}'
    hits = detector.scan_lines([(3, line)])
    assert [(h.rule_id, h.column) for h in hits] == [
        ("secrets/github-pat", line.index(gh) + 1),
        ("secrets/npm-token", line.index(npm) + 1),
        ("secrets/generic-password", line.index(pw) + 1),
        ("secrets/github-pat", line.rindex(gh) + 1),
    ]


def test_documented_example_is_not_reported_by_the_generic_rule_either(detector: SecretDetector) -> None:
    assert detector.scan_text('token = "AKIAIOSFODNN7EXAMPLE"') == []


# --- redaction and digests --------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "value", "line"), POSITIVES)
def test_redaction_never_shows_more_than_a_short_prefix(
    detector: SecretDetector, rule: str, value: str, line: str
) -> None:
    (hit,) = detector.scan_text(line)
    shown, _, rest = hit.redacted.partition("\u2026")
    assert len(shown) <= 4
    assert len(shown) <= len(value) // 4
    assert value.startswith(shown)
    assert rest == f"[sha256:{hit.digest[:8]}]"
    if rule.startswith("generic-"):
        assert shown == ""  # people choose these; no character of them is shown


def test_redaction_example_format(detector: SecretDetector) -> None:
    value = "AKIA" + r(16, UPPER)
    (hit,) = detector.scan_text(value)
    assert hit.redacted == f"AKIA\u2026[sha256:{hashlib.sha256(value.encode()).hexdigest()[:8]}]"


def test_same_secret_elsewhere_has_the_same_digest(detector: SecretDetector) -> None:
    token = "glpat-" + r(20, B64URL)
    first, second = detector.scan_lines([(3, f"TOKEN={token}"), (90, f'    client = Gitlab(token="{token}")')])
    assert (first.line, second.line) == (3, 90)
    assert first.column != second.column
    assert first.digest == second.digest == hashlib.sha256(token.encode()).hexdigest()


def test_private_keys_with_the_same_header_have_different_digests(detector: SecretDetector) -> None:
    header = "-----BEGIN OPENSSH PRIVATE KEY-----"
    body_a, body_b = r(70, B64), r(70, B64)
    a = detector.scan_lines([(10, header), (11, body_a)])
    b = detector.scan_lines([(20, header), (21, body_b)])
    moved_a = detector.scan_lines([(40, "  " + header), (41, "  " + body_a)])
    assert len(a) == len(b) == len(moved_a) == 1
    assert a[0].digest != b[0].digest
    assert a[0].digest == moved_a[0].digest
    assert body_a not in a[0].redacted and header not in a[0].redacted


def test_line_numbers_and_columns(detector: SecretDetector) -> None:
    token = "npm_" + r(36)
    hits = detector.scan_text(f"first line\n\n  x = '{token}'\r\n")
    assert [(h.line, h.column) for h in hits] == [(3, 8)]


def test_hit_is_frozen(detector: SecretDetector) -> None:
    (hit,) = detector.scan_text("ghp_" + r(36))
    assert isinstance(hit, SecretHit)
    with pytest.raises(AttributeError):
        hit.line = 2  # type: ignore[misc]


# --- hostile input ----------------------------------------------------------------------------------


def test_megabyte_minified_line_still_finds_provider_tokens(detector: SecretDetector) -> None:
    token = "ghp_" + r(36)
    line = "var a=function(b){return b.token||b.key};" * 25_000 + f'var t="{token}";'
    assert len(line) > 1_000_000
    hits = detector.scan_lines([(1, line)])
    assert [(h.rule_id, h.column) for h in hits] == [("secrets/github-pat", line.index(token) + 1)]


def test_long_line_generic_rules_look_near_keywords(detector: SecretDetector) -> None:
    value = r(20)
    line = "x" * (MAX_GENERIC_LINE + 10) + f' ; password="{value}" ;' + "y" * 5000
    hits = detector.scan_lines([(1, line)])
    assert [(h.rule_id, h.column) for h in hits] == [("secrets/generic-password", line.index(value) + 1)]


@pytest.mark.parametrize(
    "line",
    [
        "A" * 1_000_000,
        "AKIA" + "A" * 1_000_000,
        "eyJ" * 300_000,
        ("eyJ" + "a" * 20 + ".") * 40_000,
        "password=" * 100_000 + " ",
        'password="' + "a1" * 500_000,
        "token: " * 140_000,
        "postgres://u:" * 80_000,
        "https://a:" * 100_000,
        ("M" + "a" * 25 + ".abcdef.") * 30_000,
        "-----BEGIN " * 90_000,
        ("sk-" + "a" * 50) * 20_000,
        "glpat-" + ("a" * 30 + ".") * 30_000,
    ],
    ids=lambda line: repr(line[:12]),
)
def test_pathological_lines_finish_without_reporting_noise(detector: SecretDetector, line: str) -> None:
    # No timing assertion (bench/ measures speed); a catastrophic backtrack would hang this test.
    hits = detector.scan_lines([(1, line)])
    assert all(h.rule_id == "secrets/generic-password" for h in hits)


# --- helpers ----------------------------------------------------------------------------------------


def test_placeholder_filter() -> None:
    assert is_placeholder("AKIAIOSFODNN7EXAMPLE")
    assert is_placeholder("${TOKEN}")
    assert is_placeholder("<your-key>")
    assert is_placeholder("0000000000000000")
    assert is_placeholder("Test123")
    assert not is_placeholder("ghp_" + r(36))
    assert not is_placeholder("attestation-" + r(12))  # "test" inside a word is not a placeholder


def test_shannon_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == pytest.approx(2.0)
    assert shannon_entropy("aabb") == pytest.approx(1.0)


def test_default_rules_path_and_digest() -> None:
    path = default_rules_path()
    assert path.name == "secrets.yml"
    assert path.is_file()
    assert SecretDetector.load().digest == hashlib.sha256(path.read_bytes()).hexdigest()


# --- custom rule files ------------------------------------------------------------------------------


def test_keywords_gate_the_regex(tmp_path: Path) -> None:
    detector = SecretDetector.load(write_rules(tmp_path, """\
        version: 1
        rules:
          - id: demo
            description: Demo token
            severity: low
            keywords: [demo_]
            regex: '(?P<secret>[a-z]{4}_[0-9]{6})'
        """))
    assert [h.rule_id for h in detector.scan_text("demo_482913")] == ["secrets/demo"]
    assert detector.scan_text("abcd_482913") == []  # the regex matches, the keyword is absent


def test_entropy_min_and_allow(tmp_path: Path) -> None:
    detector = SecretDetector.load(write_rules(tmp_path, """\
        version: 1
        rules:
          - id: demo
            description: Demo token
            severity: medium
            keywords: [tok-]
            regex: '(?P<secret>tok-[A-Za-z0-9]{12})'
            entropy_min: 3.0
            allow: ['^tok-Known']
        """))
    assert detector.scan_text("tok-abababababab") == []  # entropy 1.6
    assert detector.scan_text("tok-Known" + r(3, string.digits)) == []
    assert len(detector.scan_text("tok-" + r(12))) == 1


BAD_RULES = [
    pytest.param(
        "  - {id: broken, description: d, severity: high, regex: '(?P<secret>[a-z'}\n",
        "rules[0] (id 'broken'): invalid regex: unterminated character set at position 11",
        "fix the regex (Python `re` syntax)",
        id="bad-regex",
    ),
    pytest.param(
        "  - {id: ok, description: d, severity: high, regex: '(?P<secret>x)'}\n"
        "  - {id: nore, description: d, severity: high}\n",
        "rules[1] (id 'nore'): missing required key 'regex'",
        "every rule needs id, description, severity, regex",
        id="missing-key",
    ),
    pytest.param(
        "  - {id: extra, description: d, severity: high, regex: '(?P<secret>x)', entropy: 3}\n",
        "rules[0] (id 'extra'): unknown key 'entropy'",
        "allowed keys: allow, check, description, entropy_min, generic, id, keywords, multiline, next_line, paths, "
        "prefilter, regex, sample, severity, source, test_values",
        id="unknown-key",
    ),
    pytest.param(
        "  - {id: sev, description: d, severity: urgent, regex: '(?P<secret>x)'}\n",
        "rules[0] (id 'sev'): unknown severity 'urgent'",
        "use one of: critical, high, medium, low",
        id="bad-severity",
    ),
    pytest.param(
        "  - {id: nogroup, description: d, severity: low, regex: 'x+'}\n",
        "rules[0] (id 'nogroup'): regex has no named group 'secret'",
        "wrap the secret value in (?P<secret>...)",
        id="no-secret-group",
    ),
    pytest.param(
        "  - {id: kw, description: d, severity: low, regex: '(?P<secret>x)', keywords: [AKIA]}\n",
        "rules[0] (id 'kw'): keywords must be a list of non-empty lowercase strings",
        "write keywords in lowercase: they are matched against the lowercased line",
        id="uppercase-keyword",
    ),
    pytest.param(
        "  - {id: dup, description: d, severity: low, regex: '(?P<secret>x)'}\n"
        "  - {id: dup, description: d, severity: low, regex: '(?P<secret>y)'}\n",
        "rules[1] (id 'dup'): duplicate id",
        "give every rule a unique id",
        id="duplicate-id",
    ),
    pytest.param(
        "  - {description: d, severity: low, regex: '(?P<secret>x)'}\n",
        "rules[0]: missing required key 'id'",
        "every rule needs id, description, severity, regex",
        id="no-id",
    ),
    pytest.param(
        "  - {id: ent, description: d, severity: low, regex: '(?P<secret>x)', entropy_min: high}\n",
        "rules[0] (id 'ent'): entropy_min must be a number between 0 and 8, not 'high'",
        "use bits per character, e.g. `entropy_min: 3.0`, or remove the key",
        id="bad-entropy",
    ),
]


@pytest.mark.parametrize(("rules", "message", "fix"), BAD_RULES)
def test_bad_rules_file(tmp_path: Path, rules: str, message: str, fix: str) -> None:
    path = tmp_path / "secrets.yml"
    path.write_text("version: 1\nrules:\n" + rules, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        SecretDetector.load(path)
    assert info.value.message == f"{path}: {message}"
    assert info.value.fix == fix


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: []\n", "version must be 1, not None"),
        ("version: 1\nrules: []\n", "`rules` must be a non-empty list"),
        ("version: 1\nversion: 1\nrules: []\n", "not valid YAML"),
        ("version: 1\nrule: []\n", "unknown top-level key 'rule'"),
        ("- id: x\n", "expected a mapping with `version: 1` and `rules:`"),
    ],
)
def test_bad_rules_document(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "secrets.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        SecretDetector.load(path)
    assert info.value.message.startswith(f"{path}: {message}")
    assert info.value.fix


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        SecretDetector.load(tmp_path / "nope.yml")
    assert info.value.message == f"{tmp_path / 'nope.yml'}: cannot read secrets rules: No such file or directory"


@pytest.mark.parametrize("line", [
    "DATABASE_URL=postgres://app:{}@db.internal:5432/app",
    "dsn = 'postgres://u:%s@h/db' % password",
    "dsn = 'postgres://u:{0}@h/db'.format(password)",
])
def test_format_placeholders_are_not_secrets(line: str) -> None:
    assert SecretDetector.load().scan_text(line) == []


def test_fingerprint_key_makes_digests_keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    token = "ghp_" + "Zq8X2mP4vR7tK9wL3nB6yH1jD5sF0gC2aE4u"
    plain = SecretDetector.load().scan_text(f'TOKEN = "{token}"')[0]
    monkeypatch.setenv("GATEKEEPER_FINGERPRINT_KEY", "k3y")
    keyed = SecretDetector.load().scan_text(f'TOKEN = "{token}"')[0]
    assert plain.digest == hashlib.sha256(token.encode()).hexdigest()
    assert keyed.digest == hmac.new(b"k3y", token.encode(), hashlib.sha256).hexdigest()
    assert keyed.digest[:8] in keyed.redacted and plain.digest[:8] not in keyed.redacted
