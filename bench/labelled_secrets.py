"""A labelled set of source lines for measuring secret detectors: provider tokens and hard negatives.

Positives follow the providers' published token formats, filled with random characters from a fixed
seed at run time (the repository holds no token-shaped literals for push protection to trip over).
Negatives are the lines that trip naive detectors: documented example keys, placeholders, template
and environment references, git and lockfile hashes, UUIDs, base64 of ordinary text, public keys,
code that merely *names* credentials. Each line carries the path it would live in, because
detect-secrets chooses its keyword patterns by file extension and skips lock files by name.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

SEED = 20261128
T = TypeVar("T")

B62 = string.ascii_letters + string.digits
B64 = B62 + "+/"
B64URL = B62 + "-_"
HEX = "0123456789abcdef"
UPPER_DIGITS = string.ascii_uppercase + string.digits


@dataclass(frozen=True, slots=True)
class Sample:
    path: str  # the file this line would be in
    line: str
    secret: bool  # the label: does the line contain a live-looking credential?
    kind: str  # the provider format, or the negative category


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def s(self, n: int, alphabet: str = B62) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def pick(self, options: Sequence[T]) -> T:
        return self.rng.choice(options)

    def uuid(self) -> str:
        return "-".join(self.s(n, HEX) for n in (8, 4, 4, 4, 12))

    def b64url(self, data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    def password(self) -> str:
        """Something a person or a password manager would pick."""
        if self.rng.random() < 0.5:
            return self.s(self.rng.randint(12, 24), B62 + "!#%^*-_+=")
        word = self.pick(["Summer", "Falcon", "Orchid", "Granite", "Harbor", "Velvet", "Quartz", "Maple"])
        return f"{word}{self.rng.randint(10, 9999)}{self.pick(['!', '#', '?', '%', '^'])}{self.s(3)}"


# --- positives: (kind, variable name, value factory) ---------------------------------------------


def _provider_tokens(g: _Gen) -> list[tuple[str, str, Callable[[], str]]]:
    def discord_bot() -> str:
        user_id = str(g.rng.randint(10**17, 10**19 - 1)).encode()
        return f"{g.b64url(user_id)}.{g.s(6, B64URL)}.{g.s(g.rng.randint(27, 38), B64URL)}"

    def jwt() -> str:
        header = g.b64url(json.dumps({"alg": g.pick(["HS256", "RS256", "ES256"]), "typ": "JWT"}).encode())
        claims = {"sub": g.uuid(), "iat": g.rng.randint(1_600_000_000, 1_800_000_000),
                  "role": g.pick(["admin", "svc", "user"])}
        payload = g.b64url(json.dumps(claims).encode())
        return f"{header}.{payload}.{g.s(43, B64URL)}"

    return [
        ("aws-access-key", "AWS_ACCESS_KEY_ID", lambda: g.pick(["AKIA", "ASIA"]) + g.s(16, UPPER_DIGITS)),
        ("aws-secret-key", "AWS_SECRET_ACCESS_KEY", lambda: g.s(40, B64)),
        ("github-pat", "GITHUB_TOKEN", lambda: "ghp_" + g.s(36)),
        ("github-oauth", "GH_OAUTH_TOKEN", lambda: "gho_" + g.s(36)),
        ("github-app", "GH_APP_TOKEN", lambda: g.pick(["ghu_", "ghs_"]) + g.s(36)),
        ("github-refresh", "GH_REFRESH", lambda: "ghr_" + g.s(36)),
        ("github-fine-grained", "GH_PAT", lambda: "github_pat_" + g.s(22) + "_" + g.s(59)),
        ("gitlab-pat", "GITLAB_TOKEN", lambda: "glpat-" + g.s(20, B62 + "-_")),
        ("gitlab-other", "CI_DEPLOY_TOKEN", lambda: g.pick(["gldt-", "glrt-", "glptt-"]) + g.s(20, B62 + "-_")),
        ("slack-bot", "SLACK_BOT_TOKEN",
         lambda: f"xoxb-{g.s(12, string.digits)}-{g.s(13, string.digits)}-{g.s(24)}"),
        ("slack-user", "SLACK_USER_TOKEN",
         lambda: f"xoxp-{g.s(12, string.digits)}-{g.s(12, string.digits)}-{g.s(13, string.digits)}-{g.s(32, HEX)}"),
        ("slack-app", "SLACK_APP_TOKEN",
         lambda: f"xapp-1-A{g.s(10, UPPER_DIGITS)}-{g.s(13, string.digits)}-{g.s(64, HEX)}"),
        ("slack-webhook", "SLACK_WEBHOOK_URL",
         lambda: f"https://hooks.slack.com/services/T{g.s(8, UPPER_DIGITS)}/B{g.s(10, UPPER_DIGITS)}/{g.s(24)}"),
        ("stripe-live", "STRIPE_SECRET_KEY", lambda: g.pick(["sk_live_", "rk_live_"]) + g.s(24)),
        ("stripe-live-long", "STRIPE_API_KEY", lambda: "sk_live_51" + g.s(97)),
        ("stripe-test", "STRIPE_TEST_KEY", lambda: "sk_test_" + g.s(24)),
        ("google-api-key", "GOOGLE_API_KEY", lambda: "AIza" + g.s(35, B64URL)),
        ("google-oauth-secret", "GOOGLE_CLIENT_SECRET", lambda: "GOCSPX-" + g.s(28, B64URL)),
        ("openai-project", "OPENAI_API_KEY", lambda: "sk-proj-" + g.s(74, B64URL) + "T3BlbkFJ" + g.s(74, B64URL)),
        ("openai-legacy", "OPENAI_KEY", lambda: "sk-" + g.s(20) + "T3BlbkFJ" + g.s(20)),
        ("anthropic", "ANTHROPIC_API_KEY", lambda: "sk-ant-api03-" + g.s(93, B64URL) + "AA"),
        ("npm", "NPM_TOKEN", lambda: "npm_" + g.s(36)),
        ("pypi", "PYPI_TOKEN", lambda: "pypi-AgEIcHlwaS5vcmc" + g.s(g.rng.randint(60, 160), B64URL)),
        ("jwt", "SESSION_JWT", jwt),
        ("twilio-api-key", "TWILIO_API_KEY", lambda: "SK" + g.s(32, HEX)),
        ("twilio-auth-token", "TWILIO_AUTH_TOKEN", lambda: g.s(32, HEX)),
        ("sendgrid", "SENDGRID_API_KEY", lambda: f"SG.{g.s(22, B64URL)}.{g.s(43, B64URL)}"),
        ("mailgun", "MAILGUN_API_KEY", lambda: "key-" + g.s(32, HEX)),
        ("heroku", "HEROKU_API_KEY", lambda: "HRKU-AA" + g.s(58, B64URL)),
        ("heroku-legacy", "HEROKU_API_KEY", g.uuid),
        ("discord-bot", "DISCORD_BOT_TOKEN", discord_bot),
        ("discord-webhook", "DISCORD_WEBHOOK",
         lambda: f"https://discord.com/api/webhooks/{g.s(18, string.digits)}/{g.s(68, B64URL)}"),
        ("telegram", "TELEGRAM_BOT_TOKEN", lambda: f"{g.rng.randint(10**8, 10**10 - 1)}:AA{g.s(33, B64URL)}"),
        ("shopify", "SHOPIFY_ACCESS_TOKEN", lambda: g.pick(["shpat_", "shpca_", "shppa_", "shpss_"]) + g.s(32, HEX)),
        ("digitalocean", "DIGITALOCEAN_TOKEN", lambda: g.pick(["dop_v1_", "doo_v1_"]) + g.s(64, HEX)),
        ("vault", "VAULT_TOKEN", lambda: "hvs." + g.s(g.pick([24, 90]), B64URL)),
        ("datadog", "DD_API_KEY", lambda: g.s(32, HEX)),
    ]


def _assignment(g: _Gen, name: str, value: str) -> tuple[str, str]:
    """One of the usual ways code and config hold a value: (path, line)."""
    lower = name.lower()
    camel = lower.split("_")[0] + "".join(p.title() for p in lower.split("_")[1:])
    style = g.rng.randrange(7)
    if style == 0:
        return "settings.py", f'{name} = "{value}"'
    if style == 1:
        return ".env", f"{name}={value}"
    if style == 2:
        return "config.yaml", f"  {lower}: {value}"
    if style == 3:
        return "config.json", f'  "{lower}": "{value}",'
    if style == 4:
        return "client.js", f"const {camel} = '{value}';"
    if style == 5:
        return "deploy.sh", f'export {name}="{value}"'
    return "main.go", f'\t{camel} := "{value}"'


def _positives(g: _Gen) -> list[Sample]:
    out: list[Sample] = []
    for kind, name, make in _provider_tokens(g):
        for _ in range(7):
            path, line = _assignment(g, name, make())
            out.append(Sample(path, line, True, kind))
        # and once outside an assignment: a header, a CLI flag, a URL
        value = make()
        line = g.pick([f'headers = {{"Authorization": "Bearer {value}"}}',
                       f"curl -H 'X-Api-Key: {value}' https://api.example.net/v1/items",
                       f"    client = Client({value!r})"])
        out.append(Sample("tool.py", line, True, kind))

    for _ in range(6):
        for kind, template in (
            ("private-key", "-----BEGIN {} PRIVATE KEY-----"),
            ("private-key-json", '  "private_key": "-----BEGIN {} PRIVATE KEY-----\\nMII{}\\n",'),
        ):
            algo = g.pick(["RSA", "EC", "DSA", "OPENSSH", "ENCRYPTED"])
            line = template.format(algo, g.s(60, B64)) if "{}\\n" in template else template.format(algo)
            out.append(Sample("id_key" if kind == "private-key" else "sa.json", line, True, kind))
    out.append(Sample("key.asc", "-----BEGIN PGP PRIVATE KEY BLOCK-----", True, "private-key"))
    out.append(Sample("key.pem", "-----BEGIN PRIVATE KEY-----", True, "private-key"))

    for _ in range(10):
        scheme, user = g.pick([("postgres", "app"), ("postgresql", "svc"), ("mysql", "root"),
                               ("mongodb+srv", "admin"), ("redis", ""), ("amqp", "rabbit")])
        host = g.pick(["db.internal", "10.0.3.7", "cluster0.ab1cd.mongodb.net", "mq.prod.svc"])
        url = f"{scheme}://{user}:{g.s(g.rng.randint(12, 24))}@{host}:5432/main"
        path, line = _assignment(g, "DATABASE_URL", url)
        out.append(Sample(path, line, True, "database-url"))
    for _ in range(4):
        account = g.s(10, string.ascii_lowercase)
        conn = (f"DefaultEndpointsProtocol=https;AccountName={account};AccountKey={g.s(86, B64)}==;"
                "EndpointSuffix=core.windows.net")
        out.append(Sample("appsettings.json", f'    "StorageConnection": "{conn}"', True, "azure-storage"))

    generic_names = ["DB_PASSWORD", "password", "SMTP_PASSWORD", "admin_pass", "SECRET_KEY", "client_secret",
                     "api_key", "API_TOKEN", "webhook_secret", "access_token", "JWT_SECRET", "signing_key"]
    for _ in range(3):
        for name in generic_names:
            value = g.password() if "pass" in name.lower() else g.s(g.rng.randint(24, 48), g.pick([B62, HEX, B64]))
            path, line = _assignment(g, name, value)
            out.append(Sample(path, line, True, "generic"))
    return out


# --- negatives ----------------------------------------------------------------------------------------


def _negatives(g: _Gen) -> list[Sample]:
    out: list[Sample] = []

    def add(kind: str, path: str, *lines: str) -> None:
        out.extend(Sample(path, line, False, kind) for line in lines)

    # documented example keys and obvious placeholders
    add("documented-example", "README.md",
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "export AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE",
        "token = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
        "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'")
    placeholders = ["<your-api-key>", "your_api_key_here", "changeme", "CHANGE_ME", "xxxxxxxxxxxxxxxx", "XXXXXXXXXXXX",
                    "********", "dummy", "placeholder", "test", "fake", "sample", "REDACTED", "<token>",
                    "YOUR_TOKEN_HERE", "insert-key-here", "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
                    "ghp_" + "x" * 36, "AKIA" + "X" * 16, "glpat-xxxxxxxxxxxxxxxxxxxx", "your-secret-key"]
    names = ["API_KEY", "password", "GITHUB_TOKEN", "client_secret", "SECRET_KEY", "access_token", "STRIPE_KEY"]
    for value in placeholders:
        for _ in range(2):
            path, line = _assignment(g, g.pick(names), value)
            add("placeholder", path, line)
    templates = ["${DB_PASSWORD}", "$DB_PASSWORD", "{{ .Values.db.password }}", "{{ vault_api_token }}",
                 "%(password)s", "{password}", "${{ secrets.NPM_TOKEN }}", "#{ENV['API_KEY']}",
                 "%SECRET_KEY%", "$(cat /run/secrets/token)"]
    for value in templates:
        for _ in range(2):
            path, line = _assignment(g, g.pick(names), value)
            add("template", path, line)

    # environment and config look-ups, code that names credentials
    add("env-lookup", "app.py",
        'password = os.environ["DB_PASSWORD"]', "api_key = os.getenv('API_KEY')",
        'SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")', "token = settings.GITHUB_TOKEN",
        "client_secret = config.oauth.client_secret", 'aws_secret_access_key=env("AWS_SECRET_ACCESS_KEY"),',
        "password = self.password", "api_token = get_token()")
    add("env-lookup", "server.js",
        "const apiKey = process.env.API_KEY;", "password: process.env.DB_PASSWORD,",
        "const token = req.headers.authorization;", "  secret: config.get('jwtSecret'),")
    add("env-lookup", "Main.java", 'String password = System.getenv("DB_PASSWORD");')
    add("env-lookup", "config.rb", "  config.secret_key_base = ENV.fetch('SECRET_KEY_BASE')")
    add("env-lookup", "main.go", 'token := os.Getenv("GITHUB_TOKEN")')
    add("env-lookup", ".github/workflows/ci.yml", "          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}",
        "          password: ${{ secrets.REGISTRY_PASSWORD }}")
    add("code", "auth.py",
        "def login(username: str, password: str) -> Session:", "    if not token:",
        'password_field = "password"', 'token_type = "Bearer"', "max_tokens = 4096",
        'secret_name = "prod-db-credentials"', "auth = HTTPBasicAuth(user, password)",
        '    raise ValueError("password must be at least 12 characters")',
        "hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())", 'TOKEN_URL = "https://oauth2.example.net/token"',
        'private_key_path = "/etc/ssl/private/server.key"', 'credentials_file = "~/.aws/credentials"',
        "# Set GITHUB_TOKEN in the environment before running the release script.",
        "    token = generate_token(user_id=user.id, ttl=3600)", "api_key = None",
        'if line.startswith("-----BEGIN RSA PRIVATE KEY-----"):',
        "Paste the key that starts with -----BEGIN OPENSSH PRIVATE KEY----- into the form.",
        "secret = secrets.token_urlsafe(32)", '    "password": "",',
        'SECRET_REF = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"',
        'api_key = "op://Engineering/Stripe/credential"')

    # hashes, ids and encodings that look random
    for _ in range(20):
        sha = g.s(40, HEX)
        add("git-sha", g.pick(["Makefile", "deps.bzl", ".gitmodules"]),
            g.pick([f'commit = "{sha}"', f"git checkout {sha}", f'rev = "{sha}"', f"    revision: {sha}",
                    f"Subproject commit {sha}"]))
    for _ in range(20):
        package = f"pkg-{g.rng.randint(1, 9)}.0.tar.gz"
        add("lockfile-hash", "poetry.lock", f'    {{file = "{package}", hash = "sha256:{g.s(64, HEX)}"}},')
    for _ in range(15):
        add("lockfile-hash", "requirements.txt", f"    --hash=sha256:{g.s(64, HEX)} \\")
    for _ in range(20):
        add("lockfile-hash", "package-lock.json",
            f'      "integrity": "sha512-{base64.b64encode(g.rng.randbytes(64)).decode()}",')
    for _ in range(15):
        add("lockfile-hash", "go.sum",
            f"github.com/{g.s(6, string.ascii_lowercase)}/lib v1.{g.rng.randint(0, 9)}.0 h1:"
            f"{base64.b64encode(g.rng.randbytes(32)).decode()}")
    for _ in range(10):
        add("lockfile-hash", "Cargo.lock", f'checksum = "{g.s(64, HEX)}"')
    for _ in range(15):
        add("sha256", "SHA256SUMS", f"{g.s(64, HEX)}  gatekeeper-{g.rng.randint(1, 9)}.tar.gz")
    for _ in range(25):
        u = g.uuid()
        add("uuid", g.pick(["fixtures.json", "models.py", "schema.yaml"]),
            g.pick([f'    "id": "{u}",', f'request_id = "{u}"', f"  tenantId: {u}", f"ORDER_ID={u}",
                    f'    uuid: "{u}"']))
    sentences = ["The quick brown fox jumps over the lazy dog.", "Hello, world! This is a configuration blob.",
                 "Lorem ipsum dolor sit amet, consectetur adipiscing elit.", "{\"theme\": \"dark\", \"lang\": \"en\"}",
                 "Please contact the infrastructure team for access.", "Welcome to the developer portal v2"]
    for _ in range(25):
        text = g.pick(sentences) + " " + g.s(6, string.ascii_lowercase)
        blob = base64.b64encode(text.encode()).decode()
        add("base64-text", g.pick(["fixtures.py", "data.json", "message.yaml"]),
            g.pick([f'payload = "{blob}"', f'    "data": "{blob}",', f"  body: {blob}"]))
    for _ in range(10):
        add("public-key", "authorized_keys",
            f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{g.s(43, B64)} {g.s(5, string.ascii_lowercase)}@laptop")
    add("public-key", "cert.pem", "-----BEGIN PUBLIC KEY-----", "-----BEGIN CERTIFICATE-----")
    for _ in range(10):
        add("url-no-password", g.pick(["docker-compose.yml", "settings.py"]),
            g.pick(["  DATABASE_URL: postgres://app@db:5432/app", "REDIS_URL = 'redis://localhost:6379/0'",
                    "MONGO_URL=mongodb://mongo:27017/test", "url = https://github.com/org/repo.git",
                    "  image: ghcr.io/org/app:1.4.2", "AMQP_URL=amqp://guest:guest@localhost:5672/"]))
    for _ in range(15):
        add("misc", g.pick(["styles.css", "version.py", "Dockerfile"]),
            g.pick([f"  color: #{g.s(6, HEX)};", f'__version__ = "1.{g.rng.randint(0, 40)}.{g.rng.randint(0, 9)}"',
                    f"FROM python@sha256:{g.s(64, HEX)}", f"  etag: W/\"{g.s(32, HEX)}\"",
                    f"cache_key = \"{g.s(32, HEX)}\"", f"nonce = '{g.s(16, string.digits)}'"]))
    return out


# --- issue 11: bare tokens, commands, headers, keys; written from the providers' documentation -------
#
# Each entry: (family, factory). The bodies are random characters of the documented alphabet and length,
# written here from the providers' pages, not from rules/secrets.yml, and placed WITHOUT an assignment
# keyword (in prose, a JSON array, a CLI argument, a URL), which is what the old rules could not see.

BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l".upper()
B32_LOWER = "abcdefghijklmnopqrstuvwxyz234567"


def _bare_formats(g: _Gen) -> list[tuple[str, Callable[[], str]]]:
    hexs = lambda n: g.s(n, HEX)  # noqa: E731
    uuid = g.uuid
    return [
        ("huggingface", lambda: "hf_" + g.s(34, string.ascii_letters)),
        ("docker", lambda: g.pick(["dckr_pat_", "dckr_oat_"]) + g.s(27, B64URL)),
        ("grafana", lambda: g.pick(["glc_" + g.s(g.rng.randint(60, 160), B64), "glsa_" + g.s(32) + "_" + hexs(8)])),
        ("newrelic", lambda: g.pick(["NRAK-" + g.s(27, UPPER_DIGITS), "NRII-" + g.s(32, B64URL)])),
        ("atlassian", lambda: "ATATT3" + g.s(186, B64URL)),
        ("notion", lambda: "ntn_" + g.s(11, string.digits) + g.s(35)),
        ("supabase", lambda: "sbp_" + hexs(40)),
        ("doppler", lambda: "dp." + g.pick(["pt", "st", "sa", "ct"]) + "." + g.s(43)),
        ("databricks", lambda: "dapi" + hexs(32)),
        ("linear", lambda: "lin_api_" + g.s(40)),
        ("postman", lambda: "PMAK-" + hexs(24) + "-" + hexs(34)),
        ("planetscale", lambda: "pscale_" + g.pick(["tkn", "pw", "oauth"]) + "_" + g.s(43, B64URL)),
        ("groq", lambda: "gsk_" + g.s(52)),
        ("perplexity", lambda: "pplx-" + g.s(48)),
        ("age", lambda: "AGE-SECRET-KEY-1" + g.s(58, BECH32)),
        ("azure-ad", lambda: g.s(3) + str(g.rng.randint(0, 9)) + "Q~" + g.s(34, B62 + "_~.-")),
        ("aws-bedrock", lambda: "ABSK" + g.s(g.rng.randint(110, 180), B64)),
        ("aws-mws", lambda: "amzn.mws." + uuid()),
        ("sonar", lambda: g.pick(["squ_", "sqp_", "sqa_"]) + hexs(40)),
        ("replicate", lambda: "r8_" + g.s(37)),
        ("rubygems", lambda: "rubygems_" + hexs(48)),
        ("pulumi", lambda: "pul-" + hexs(40)),
        ("dynatrace", lambda: "dt0c01." + g.s(24, UPPER_DIGITS) + "." + g.s(64, UPPER_DIGITS)),
        ("figma", lambda: "figd_" + g.s(40, B64URL)),
        ("tailscale", lambda: "tskey-" + g.pick(["auth", "api", "client"]) + "-" + g.s(12) + "-" + g.s(30)),
        ("openrouter", lambda: "sk-or-v1-" + hexs(64)),
        ("slack-webhook", lambda: f"https://hooks.slack.com/services/T{g.s(8, UPPER_DIGITS)}/B{g.s(10, UPPER_DIGITS)}/"
                                  f"{g.s(24)}"),
        ("github", lambda: g.pick(["ghp_", "gho_", "ghs_", "ghu_"]) + g.s(36)),
        ("sendgrid", lambda: f"SG.{g.s(22, B64URL)}.{g.s(43, B64URL)}"),
        ("google-api-key", lambda: "AIza" + g.s(35, B64URL)),
    ]


def _issue11(g: _Gen) -> list[Sample]:
    out: list[Sample] = []
    prose = ["we rotated {} yesterday", "  - {}", '["{}"]', "token {} expired", "curl https://api.example.net?key={}",
             "see {} in the logs", "| prod | {} |"]
    for family, make in _bare_formats(g):
        for _ in range(6):
            out.append(Sample(g.pick(["notes.md", "data.json", "run.sh", "issue.txt"]),
                              g.pick(prose).format(make()), True, f"bare:{family}"))
    pw = g.password
    commands = [
        lambda: f"CREATE USER 'svc'@'%' IDENTIFIED BY '{pw()}';",
        lambda: f"ALTER ROLE app WITH LOGIN PASSWORD '{pw()}';",
        lambda: f"mysql -u root -p{g.s(14)} -h db.internal app",
        lambda: f"gpg --batch --passphrase '{pw()}' --decrypt backup.gpg",
        lambda: f"curl -u deploy:{g.s(16)} https://nexus.internal/repository/",
        lambda: f"Authorization: Basic {base64.b64encode(f'svc:{g.s(14)}'.encode()).decode()}",
        lambda: f"-H 'Authorization: Bearer {g.s(40, B64URL)}'",
        lambda: f"sshpass -p '{pw()}' ssh admin@10.0.0.5",
        lambda: f"redis-cli -h cache -a {g.s(20)} INFO",
        lambda: f"docker login -u ci -p {g.s(24)} registry.internal",
        lambda: f"keytool -list -keystore app.jks -storepass {g.s(12)}",
        lambda: f"openssl pkcs12 -in cert.p12 -passin pass:{g.s(12)} -nodes",
    ]
    for _ in range(3):
        for make_line in commands:
            out.append(Sample(g.pick(["deploy.sh", "README.md", "init.sql"]), make_line(), True, "command"))
    for header in ("-----BEGIN OPENSSH PRIVATE KEY-----", "PuTTY-User-Key-File-" + "3: ssh-ed25519",
                   "-----BEGIN EC PRIVATE KEY-----"):
        out.append(Sample("key.txt", header, True, "private-key"))
    hard_negatives = [
        lambda: f"sha256:{g.s(64, HEX)}", lambda: g.uuid(), lambda: base64.b64encode(g.rng.randbytes(40)).decode(),
        lambda: f"commit {g.s(40, HEX)}", lambda: "hf_" + "x" * 34, lambda: "dapi" + "0" * 32,
        lambda: "Authorization: Bearer <token>", lambda: "mysql -u root -p app", lambda: "curl -u $USER:$PASS https://x",
        lambda: "PASSWORD '${DB_PASSWORD}'", lambda: "gsk_" + "X" * 52, lambda: "--password-file /run/secrets/pw",
        lambda: "Authorization: Basic " + base64.b64encode(b"user:password").decode(),
        lambda: f"integrity sha512-{base64.b64encode(g.rng.randbytes(64)).decode()}",
        lambda: f"  color: '\033[{g.rng.randint(30, 37)}m'", lambda: "//  name:password:UID:GID:GECOS:directory:shell",
        lambda: '"pwd: getcwd: No such process"', lambda: "--- PASS: TestLogin (0.01s)",
    ]
    for _ in range(4):
        for make_line in hard_negatives:
            out.append(Sample(g.pick(["notes.md", "main.go", "lock.json"]), make_line(), False, "hard-negative"))
    return out


def build_samples(seed: int = SEED) -> list[Sample]:
    """The labelled set, positives first; deterministic for a given seed."""
    g = _Gen(seed)
    return _positives(g) + _negatives(g) + _issue11(g)


def labelled_lines(seed: int = SEED) -> tuple[list[str], list[bool]]:
    """(lines, labels): label True when the line holds a credential."""
    samples = build_samples(seed)
    return [s.line for s in samples], [s.secret for s in samples]


if __name__ == "__main__":
    samples = build_samples()
    positives = sum(s.secret for s in samples)
    print(f"{positives} positives, {len(samples) - positives} negatives")
