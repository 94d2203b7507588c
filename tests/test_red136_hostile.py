"""Red team red136: attacks on 696f7e7..958a0c7 — what red135's fixes (f2e5159, 19d195d) still leave open in the secrets
detector's "not a leak" readings, and fix135o's AI-origin additions (agents `claude@anthropic.com`,
`clio-agent@sisyphuslabs.ai`; "Ultraworked with", Orbis Security AI's fix line, Copilot Workspace's session sentence;
the audit fast path's `_WORDS`).

Every finding test asserts the secure behaviour and fails on w/red136 (958a0c7) for the reason its docstring names.
Each secrets value here was reported (blocking) at 696f7e7: measured with the same SecretDetector / SecretsScanner
calls on a detached worktree of 696f7e7. Secret-shaped values are built at run time.

Findings:

1. HIGH (miss, regression; red135 #1 left open) — scan/secrets.py `_REAL_ENVIRONMENT` (SourceKind.deployed, the only
   gate on `example_password`) is still an allow-list of a few production shapes, so a weak real password is "an
   example password" (recorded as suppressed) in every other file that deploys an environment: a Kubernetes Secret
   manifest (`k8s/db-secret.yaml`, `kind: Secret` / `stringData:`), kustomize's `secretGenerator`, Helm `values.yaml`,
   Rails `config/secrets.yml` / `credentials.yml` / `database.yml`, Phoenix `config/prod.secret.exs` (`.exs` is not in
   the environment-named extension list), `Dockerfile` `ENV`, Windows `deploy.bat` / `.cmd`, `config/app.ini`,
   `.my.cnf`, a systemd unit's `Environment=`, a `Jenkinsfile`, Ansible `roles/*/vars/main.yml` and playbooks,
   `wp-config.php`, `appsettings.json`, `application.properties`, Nomad `*.hcl`, `ci/deploy-prod.sh` (any `ci/`
   directory), environments spelt `preprod`, `prd`, `prod-eu/` (`(?<![A-Za-z])prod(?![A-Za-z])` and the directory list
   need the bare word). Measured: 36 production shapes x 4 weak values (`Welcome@123`, `Admin@2023`, `Company123!`,
   `P@ssw0rd2024`): 144/144 blocking at 696f7e7, 12/144 now (33 of 36 shapes miss all four). 95 common corporate
   passwords (`Password1`, `Welcome@123`, `Admin@123`, `Qwerty123!`, `Postgres123`, `Cisco@123`, `Harbor12345`, …) in
   a Kubernetes Secret manifest: 87 blocking at 696f7e7, 27 now (60 newly missed, 69 %). Fix: invert the gate — read
   `example_password` only where an example context is known (tests, examples, docs, seeds, `*.example`/`*.sample`
   files), not everywhere but an enumerated set; at least add `kind: Secret` manifests, `secrets.yml`/`credentials.yml`,
   Dockerfiles, `.bat`/`.cmd`, `.exs`/`.cnf`/`.service`/`.config`, `preprod`/`prd` and `prod-*` directories.
2. MEDIUM (miss, regression) — scan/secrets.py `_basic_auth` (the basic-auth-header structure test) calls
   `is_placeholder`, which now includes `example_password` with no `deployed` gate: `Authorization: Basic
   base64(admin:Admin@123)` in `.env.production`, `scripts/deploy.sh`, `infra/main.tf`, `k8s/prod/…` "fails the
   basic-auth structure test". Measured 5 weak passwords x 4 deployed files x 2 forms: 40/40 blocking at 696f7e7, 0/40
   now. Fix: `_basic_auth` uses `placeholder_reason` only (or passes the SourceKind and honours `deployed`).
3. MEDIUM (miss, regression) — `_BUNDLE` + `kind.bundle and not quoted` skips every unquoted keyword value in any .js
   under `dist/` — but "unquoted" is only the character before the value: a password inside a string literal
   (`"Server=…;User Id=sa;Password=<random>;"`, `"https://api…/login?user=svc&password=<random>"`,
   `'password=<random>'`) is skipped, in `dist/server/db.js` (tsc's output of a Node server) as in a real bundle.
   All blocked at 696f7e7. The docs promise "a quoted literal (what a build inlined from its environment) … still
   block". Fix: skip only code-shaped values (identifier, member read, operator next), or only when the match is not
   inside a string literal.
4. MEDIUM (miss, regression; red135 #3 left open) — `_OPTION_VALUE_KEYWORD` `pass:[A-Za-z_]\\w{0,40}=` takes base64
   padding for an option's `=`: `-passout=pass:<openssl rand -base64 16>` and `PASSIN=pass:<…>` are dropped when the
   base64 has no `+`/`/` and starts with a letter. Measured 200 values each, `scripts/sign.sh`: 16 bytes 43 % missed,
   20 bytes 33 %, 28 bytes 26 % (0 % at 696f7e7). Fix: require the `name=` to be followed by a value and a separator
   (`=[^=\\s]`), or the option name to be short lower-case words as ffmpeg's are.
5. MEDIUM (miss, regression) — secrets_scanner.py documentation downgrade + scan/secrets.py `_EXAMPLE_HOST`: "a URL to
   any other host … still blocks", but one-word hosts are all "examples" (`pgprod01`, `cache-prod-1`: internal hosts
   reached through the DNS search domain, as runbooks write them), `.local` is (Active Directory's `corp.local`,
   `sql01.contoso.local`) and a bracketed IPv6 literal `[2a01:4f8:…]` matches the `[<placeholder>` branch. A random
   password for them in `docs/runbooks/*.md` is medium (does not block); all blocked at 696f7e7. Fix: one word only
   when it is a known service/image name (`db`, `postgres`, `redis`: `_DATABASE_NAMES`) without digits; drop `.local`;
   brackets only for `[::1]` and `[2001:db8:…]`.
6. LOW (miss, regression) — `_DOCUMENTATION` takes a README at any depth for the project's page: a random password
   in `servers/pgprod01/README.md`, `ops/README.md`, `k8s/README.md` is medium. Fix: the repository root's README (or
   one under a docs directory) only; or downgrade only example-shaped values.
7. LOW (miss, regression; red135 #2 left open) — `_COUNTED_WORD` is a case shape, not a word: any 1-10 lower-case (or
   upper-case) letters with a vowel (93 % of random 10-letter strings) then `123…`, then up to 4 letters of any case
   and a mark, is "an example password": `xkqvbzmwpa123pBzW!` (~70 random bits). Measured 300 values x 2 files: lower
   10 + 123: 92 % suppressed; + 4 mixed letters + `!`: 91 %; capitals 10 + 123456: 92 % (0 % at 696f7e7). Fix: a word
   list or a pronounceability test (vowel ratio, no run of 4 consonants), and no random letters after the run.
8. LOW (miss, regression) — `_NOT_REAL_NAME` admits one more word after the prefix, so a random value under
   `MOCK_SERVER_PASSWORD`, `SAMPLE_STORE_PASSWORD`, `LAB_SAMPLE_DB_PASSWORD` (a laboratory's sample database),
   `sampleDbPassword` is dropped without a record outside a real environment's file. Fix: the prefix immediately before
   the keyword (`FAKE_PASSWORD`, `mock_pass`), or only for example-shaped values.
9. LOW (miss, AI origin) — origin/ai.py `footer_agent`: Orbis Security AI writes its fix line two ways; only "…generated
   by Orbis Security AI" is read. "Automated security fix generated by OrbisAI Security" (label `orbisai`, then
   "Security" is no product word) stays human: 14 commits in 8 mirrors (huginn 4, vaultwarden 2, claude-code 2,
   browser-use 2, cline, git, serverless, memos) against 21 read as AI. Fix: add the label "orbisai security".

Tried and held (B: fix135o):
- identities: every commit authored as `claude@anthropic.com` in the mirrors is an agent's (woodpecker 164, documenso
  2, cline, claude-code, playwright-mcp, paperless-ngx: names "Claude", "Claude Assistant", "Claude AI Assistant");
  `clio-agent@sisyphuslabs.ai` only in Sisyphus co-author lines.
- false AI on real histories: every message in 75 mirrors holding `ultraworked`, `sisyphus`, `orbis`, `oh-my-open`,
  `fix generated by` or `copilot-workspace` (170) read with 696f7e7 and HEAD: 89 newly AI, all an agent's own line
  (Orbis fix PRs, Sisyphus footers, Copilot Workspace sessions, also in refs/pull/*); no prose, no namesake. "Automated
  dependency upgrade by Orbis…" (27) stays human as fix135o chose. Revert messages do not carry the body (git revert,
  GitHub's revert button), so they stay human; a quoted `> …` footer counts as it does for every older footer.
- check/audit parity (test below): quoted, indented, CRLF, upper-case, trailing space, tab, NBSP, Kelvin-sign `K`,
  dotless i (U+0131) and long s (U+017F) spellings: both front doors agree on all 13.
- regex cost: body_lines on 0.3-3.8 MB hostile messages (unclosed workspace sentences, 300-char paths, 8-space gaps,
  repeated "automated security fix ", open `Ultraworked with [` lines): per-byte time ratio for 4x input 0.37-1.30.
Tried and held (A): `_SCOPE_BINDING` (a random value must start with `=<&` and be all word characters after: ~6e-5
of pwgen -sy 16); `_PUBLISHED_KEYS`, `_repeated_material`, `\\uXXXX` decoding as red135 found; `_TEST_NAMED_SOURCE`
in `deploy/` needs a source extension or a test-data directory for a key; the bracket and `_PASSWORD_PHRASE`
placeholders in `.env.production` were not reported at 696f7e7 either.
"""

from __future__ import annotations

import base64
import random
import string
from functools import partial

import pytest

from gatekeeper import origin
from gatekeeper.git import Git
from gatekeeper.models import AIInvolvement, DeviceClass
from gatekeeper.origin.base import OriginContext
from gatekeeper.scan.secrets import SecretDetector
from tests.audit_helpers import audit
from tests.origin_helpers import detect_origin
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking as _blocking
from tests.secrets_helpers import blocking_paths as _blocking_paths
from tests.secrets_helpers import reported as _reported
from tests.secrets_helpers import scan_commit as _scan

_rng = random.Random(136)
ALNUM = string.ascii_letters + string.digits


def _random(n: int, alphabet: str = ALNUM) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


STRONG = "Kq" + _random(8) + "7" + _random(9)  # (a letter first, a digit for certain: 20 characters)


# -- 1. HIGH: production files `_REAL_ENVIRONMENT` still does not know ---------------------------------------------

PRODUCTION_SHAPES = {
    "k8s/db-secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {v}\n",
    "k8s/overlays/prod-eu/secret.yaml": 'kind: Secret\nstringData:\n  DB_PASSWORD: "{v}"\n',
    "kustomization.yaml": "secretGenerator:\n- name: db\n  literals:\n  - password={v}\n",
    "charts/billing/values.yaml": "postgresql:\n  auth:\n    password: {v}\n",
    "values-preprod.yaml": "db:\n  password: {v}\n",
    "envs/prd/config.yaml": "db:\n  password: {v}\n",
    "config/secrets.yml": "production:\n  db_password: {v}\n",
    "config/credentials.yml": "production:\n  smtp_password: {v}\n",
    "config/database.yml": "production:\n  adapter: postgresql\n  password: {v}\n",
    "config/prod.secret.exs": 'config :app, App.Repo,\n  password: "{v}",\n',
    "Dockerfile": "ENV DB_PASSWORD={v}\n",
    "scripts/deploy.bat": "set DB_PASSWORD={v}\n",
    "config/app.ini": "[database]\npassword = {v}\n",
    ".my.cnf": "[client]\npassword={v}\n",
    "systemd/api.service": "[Service]\nEnvironment=DB_PASSWORD={v}\n",
    "ansible/roles/db/vars/main.yml": "mysql_root_password: {v}\n",
    "wp-config.php": "define( 'DB_PASSWORD', '{v}' );\n",
    "ci/deploy-prod.sh": "export DB_PASSWORD='{v}'\n",
}


@pytest.mark.parametrize("path", sorted(PRODUCTION_SHAPES))
@pytest.mark.parametrize("value", ["Welcome@123", "Admin@2023"])
def test_a_weak_password_in_a_production_file_blocks(secrets_detector: SecretDetector, path: str, value: str) -> None:
    """Fails: recorded as suppressed, "example password (…)" — `_REAL_ENVIRONMENT` lists `.env*`, Terraform, a few
    directories and files named `*prod*.<ext>`; none of these (a Secret manifest, Rails' secrets, a Dockerfile, a
    .bat deploy script, `.exs`, `preprod`, `prd/`, `prod-eu/`, `ci/`) counts as a real environment's file. Blocked at
    696f7e7."""
    text = PRODUCTION_SHAPES[path].format(v=value)
    assert _blocking(secrets_detector, text, path) != [], _reported(secrets_detector, text, path)


COMMON_PASSWORDS = ("Password1", "Password123!", "Welcome123", "Welcome@123", "P@ssword1", "Passw0rd!", "Admin123",
                    "Admin@123", "Admin2024!", "Letmein123!", "Abc123", "Abcd@1234", "Pass@123", "Test@123",
                    "Company123", "Secret123", "Guest123", "Hello@123", "Master123", "Dragon123", "1q2w3e4r",
                    "Qazwsx123", "Asdf1234", "Oracle123", "Postgres123", "Mysql@123", "Redis123", "Tomcat123",
                    "Sa@12345", "Grafana@123", "Harbor12345", "Vmware123!", "Cisco@123", "Huawei@123", "Linux@123")


def test_no_common_password_is_an_example_in_a_kubernetes_secret(secrets_detector: SecretDetector) -> None:
    """Fails: of 95 common corporate passwords in a `kind: Secret` manifest, 87 blocked at 696f7e7 and 27 now; these
    35 (each blocked at 696f7e7) are all "example passwords" in the one object whose whole purpose is a deployed
    secret."""
    missed = []
    for value in COMMON_PASSWORDS:
        text = f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  DB_PASSWORD: \"{value}\"\n"
        if not _blocking(secrets_detector, text, "manifests/db-secret.yaml"):
            missed.append(value)
    assert missed == [], f"{len(missed)} of {len(COMMON_PASSWORDS)} read as example passwords: {missed}"


def test_a_weak_password_in_a_kubernetes_secret_blocks_a_real_commit(based: RepoBuilder) -> None:
    """Fails: the same through the scanner on a real commit — recorded as suppressed, nothing blocks."""
    found = _scan(based, {
        "k8s/db-secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n"
                              "  password: Welcome@123\n",
        "Dockerfile": "FROM app:1\nENV DB_PASSWORD=Admin@2023\n"})
    assert _blocking_paths(found) == {"k8s/db-secret.yaml", "Dockerfile"}, found


# -- 2. MEDIUM: the basic-auth structure test reads example passwords everywhere ----------------------------------

def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize("path", [".env.production", "scripts/deploy.sh", "infra/main.tf", "k8s/prod/ingress.yaml"])
@pytest.mark.parametrize("password", ["Admin@123", "Harbor12345", "Welcome@123"])
def test_a_basic_auth_header_with_a_weak_password_in_a_real_environment_blocks(secrets_detector: SecretDetector, path: str,
                                                                               password: str) -> None:
    """Fails: `_basic_auth` calls `is_placeholder`, which now holds `example_password` with no `deployed` gate: the
    header "fails the basic-auth structure test" even in `.env.production`. Blocked at 696f7e7."""
    line = f"curl -H 'Authorization: Basic {_basic('admin', password)}' https://registry.corp.net/v2/"
    assert _blocking(secrets_detector, line, path) == ["secrets/basic-auth-header"], _reported(secrets_detector, line, path)


# -- 3. MEDIUM: a password inside a string literal of a dist/ script -----------------------------------------------

@pytest.mark.parametrize(("path", "text"), ids=["connection-string", "query-string", "options", "chunk"], argvalues=[
    ("dist/server/db.js", f'const conn = "Server=sql01.corp.net;Database=app;User Id=sa;Password={STRONG};";\n'),
    ("dist/index.js", f'const url = "https://api.corp.net/login?user=svc&password={STRONG}";\n'),
    ("dist/config.js", f"exports.redis = {{ url: 'redis://cache:6379', opts: 'password={STRONG}' }};\n"),
    ("build/static/js/main.4f2a.chunk.js", f'var c="host=db.corp.net user=svc password={STRONG} dbname=app";\n'),
])
def test_a_password_inside_a_string_literal_of_a_bundle_blocks(based: RepoBuilder, path: str, text: str) -> None:
    """Fails: `kind.bundle and not quoted` looks only at the character before the value (`=`), so a connection string
    or a query string inside a quoted literal — what a build inlines, and tsc's compiled server under `dist/` — is
    taken for minified code and dropped without a record. Blocked at 696f7e7."""
    found = _scan(based, {path: text})
    assert _blocking_paths(found) == {path}, found


# -- 4. MEDIUM: base64 padding read as an option's `=` --------------------------------------------------------------

def _padded_base64(nbytes: int) -> str:
    """`openssl rand -base64 N` output that starts with a letter and holds no `+` or `/` (about half of them)."""
    rng = random.Random(nbytes)
    while True:
        value = base64.b64encode(rng.randbytes(nbytes)).decode()
        if value[0].isalpha() and "+" not in value and "/" not in value and value.endswith("="):
            return value


@pytest.mark.parametrize("nbytes", [16, 20])
@pytest.mark.parametrize("template", ["openssl pkcs12 -export -in c.pem -passout=pass:{v} -out c.p12",
                                      "openssl rsa -in k.pem -passin=pass:{v} -out k.dec.pem", "PASSIN=pass:{v}"])
def test_an_openssl_pass_phrase_in_base64_blocks(secrets_detector: SecretDetector, template: str, nbytes: int) -> None:
    """Fails: `_OPTION_VALUE_KEYWORD` (`pass:[A-Za-z_]\\w{0,40}=`, for ffmpeg's `eof_action=pass:repeatlast=0`) reads a
    base64 pass phrase's padding as the next option's `=`: 43 % of `openssl rand -base64 16` phrases are dropped.
    Blocked at 696f7e7."""
    line = template.format(v=_padded_base64(nbytes))
    assert _blocking(secrets_detector, line, "scripts/sign.sh") != [], (line, _reported(secrets_detector, line, "scripts/sign.sh"))


# -- 5. MEDIUM: real hosts read as examples' in a documentation page ------------------------------------------------

@pytest.mark.parametrize("host", ["pgprod01", "cache-prod-1", "sql01.corp.local", "[2a01:4f8:c17:1a2b::1]"])
def test_a_runbook_url_password_for_a_real_host_blocks(based: RepoBuilder, host: str) -> None:
    """Fails: medium, "in documentation (most often an example …)": `_EXAMPLE_HOST` takes any one-word host (an
    internal host reached through the search domain), any `.local` name (Active Directory's domains) and any bracketed
    host (`[<\\[{$]…`: an IPv6 literal) for an example's, so the page's URL password does not block. Blocked at
    696f7e7."""
    path = "docs/runbooks/failover.md"
    found = _scan(based, {path: f"Promote the replica, then:\n\n    psql postgresql://admin:{STRONG}@{host}:5432/app\n"})
    assert _blocking_paths(found) == {path}, found


# -- 6. LOW: any README at any depth is the project's documentation -------------------------------------------------

@pytest.mark.parametrize("path", ["servers/pgprod01/README.md", "ops/README.md", "k8s/README.md"])
def test_a_random_password_in_an_ops_directorys_readme_blocks(based: RepoBuilder, path: str) -> None:
    """Fails: medium — `_DOCUMENTATION` matches `README*.md` in any directory, so a host's or an ops directory's notes
    are "documentation" and a random 20-character password there only warns. Blocked at 696f7e7."""
    found = _scan(based, {path: f"Credentials for the primary:\n\n```\nDB_PASSWORD={STRONG}\n```\n"})
    assert _blocking_paths(found) == {path}, found


# -- 7. LOW: random letters before a counting run ------------------------------------------------------------------

LOWER, UPPER = string.ascii_lowercase, string.ascii_uppercase
RANDOM_COUNTED = [
    _random(10, LOWER) + "123" + _random(4, string.ascii_letters) + "!",
    _random(10, LOWER) + "1234",
    _random(10, UPPER) + "123456",
]


@pytest.mark.parametrize("value", RANDOM_COUNTED, ids=["lower10-123-mixed4", "lower10-1234", "upper10-123456"])
def test_random_letters_before_a_counting_run_are_not_an_example(secrets_detector: SecretDetector, value: str) -> None:
    """Fails (when the letters hold a vowel: 93 % of random ones) — `_COUNTED_WORD` checks the letters' case, not that
    they are a word: 10 random lower-case letters, `123`, 4 random letters and `!` (~70 bits) is "an example password"
    (a word and a counting run). Blocked at 696f7e7."""
    if not any(c in "aeiouyAEIOUY" for c in value[:10]):
        pytest.skip("no vowel: read as random already")
    for line, path in ((f"  password: '{value}',", "src/config/database.js"), (f"password = '{value}'", "app/settings.py")):
        assert _blocking(secrets_detector, line, path) == ["secrets/generic-password"], (value, _reported(secrets_detector, line, path))


# -- 8. LOW: a made-up prefix one word away from the keyword -------------------------------------------------------

@pytest.mark.parametrize("name", ["MOCK_SERVER_PASSWORD", "SAMPLE_STORE_PASSWORD", "LAB_SAMPLE_DB_PASSWORD",
                                  "sampleDbPassword"])
def test_a_random_value_under_a_name_with_a_made_up_word_inside_blocks(secrets_detector: SecretDetector, name: str) -> None:
    """Fails: `_NOT_REAL_NAME` admits a whole word between the prefix and the keyword (`SAMPLE_` + `STORE_`), and drops
    the match without a record: a laboratory's sample database's random password is not reported. Blocked at
    696f7e7."""
    line = f"{name} = '{STRONG}'"
    assert _blocking(secrets_detector, line, "app/config/settings.py") == ["secrets/generic-password"]


# -- 9. LOW: Orbis Security AI's other spelling ---------------------------------------------------------------------

HUMAN = ("Pat Example", "pat@people.test")


_origin = partial(detect_origin, person=HUMAN)


def test_orbis_fix_line_spelt_orbisai_security_is_ai(repo: RepoBuilder) -> None:
    """Fails: ai NONE — "Automated security fix generated by OrbisAI Security" (14 commits in 8 mirrors: huginn
    60a3e970, vaultwarden df43d6b3, claude-code b1ce3354, browser-use 0e110b6fa, …) names the agent by its label
    `orbisai` followed by "Security", which is no product word, so `footer_agent` finds none; the "Orbis Security AI"
    spelling of the same line (21 commits) is AI."""
    result = _origin(repo, "fix: V-001 security vulnerability\n\nAutomated security fix generated by OrbisAI Security\n")
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
    assert result.agent is not None and result.agent.id == "orbis", result.evidence


# -- held: the gate and the audit agree on the new lines in odd spellings ------------------------------------------

WORKSPACE = "https://copilot-workspace.githubnext.com/"
OMO = "https://github.com/code-yeongyu/oh-my-openagent"
SPELLINGS = {
    "quoted footer": f"> Ultraworked with [Sisyphus]({OMO})",
    "indented footer": f"    Ultraworked with [Sisyphus]({OMO})",
    "Kelvin sign": f"Ultrawor\u212aed with [Sisyphus]({OMO})",
    "long s in the host": "For more details, open the [Copilot Workspace session](https://copilot-work\u017fpace"
                          ".githubnext.com/a/b?shareId=1).",
    "CRLF": f"For more details, open the [Copilot Workspace session]({WORKSPACE}a/b?shareId=1).\r",
    "capitals": "For more details, open the [Copilot Workspace session](HTTPS://COPILOT-WORKSPACE.GITHUBNEXT.COM/a/b).",
    "NBSP": f"For\u00a0more details, open the [Copilot Workspace session]({WORKSPACE}a/b?shareId=1).",
    "upper-case Orbis": "AUTOMATED SECURITY FIX GENERATED BY ORBIS SECURITY AI",
}


def test_held_check_and_audit_agree_on_odd_spellings(repo: RepoBuilder, capsys: pytest.CaptureFixture[str]) -> None:
    """Held: `gatekeeper audit`'s fast path (`_WORDS`, Unicode case folding included) and the gate's detectors give
    the same AI judgment for each spelling."""
    repo.commit("base\n", {"README": "r\n"}, author=HUMAN, committer=HUMAN)
    gate = {}
    for i, (shape, line) in enumerate(sorted(SPELLINGS.items())):
        sha = repo.commit(f"{shape}\n\nBody.\n\n{line}\n", {f"f{i}.txt": f"{i}\n"}, author=HUMAN, committer=HUMAN)
        (commit,) = Git(repo.path).iter_log([sha], no_walk=True)
        result, _ = origin.detect(commit, OriginContext(), (DeviceClass.MOBILE,))
        gate[shape] = result.ai.value
    by_subject = {c["subject"]: c["origin"]["ai"] for c in audit(capsys, repo.path)["commits"]}
    assert {shape: by_subject[shape] for shape in SPELLINGS} == gate
