"""Every shipped secrets rule: its documented source, a true positive from its `sample:` template,
false positives derived from it (placeholder bodies, a token glued into a longer word), hand-written
cases for credentials in commands, queries and headers, the checksum/structure tests, and the
engine's guarantees (linear time on hostile lines, the same answer from both prefilters).

Values are generated at run time from a seeded generator: this file holds no token-shaped literal.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import random
import re
import string
import time
import zlib

import pytest

from gatekeeper.scan import secrets as secrets_module
from gatekeeper.scan.secrets import CHECKS, SecretDetector
from tests.secrets_samples import ALPHABETS, FIELD, expand, rule_entries

B62 = ALPHABETS["b62"]
_rng = random.Random(1101)
ENTRIES = rule_entries()
SAMPLED = [e for e in ENTRIES if "sample" in e]


def r(n: int, alphabet: str = B62) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector.load()


def reported(detector: SecretDetector, line: str) -> list[str]:
    return [h.rule_id.removeprefix("secrets/") for h in detector.scan_text(line)]


# --- every rule ----------------------------------------------------------------------------------------


def test_every_rule_documents_the_source_of_its_format() -> None:
    for entry in ENTRIES:
        assert str(entry.get("source", "")).startswith("https://"), entry["id"]


@pytest.mark.parametrize("entry", SAMPLED, ids=[str(e["id"]) for e in SAMPLED])
def test_sample_is_found_bare_and_inside_text(detector: SecretDetector, entry: dict[str, object]) -> None:
    # (A generator of its own per rule: a rule added to the file does not change another rule's value.)
    value = expand(str(entry["sample"]), random.Random(f"sample:{entry['id']}"))
    for line in (value, f"  {value} ", f"see {value}, then"):
        assert entry["id"] in reported(detector, line), line


@pytest.mark.parametrize("entry", [e for e in SAMPLED if FIELD.search(str(e["sample"]))],
                         ids=[str(e["id"]) for e in SAMPLED if FIELD.search(str(e["sample"]))])
def test_placeholder_body_is_not_reported(detector: SecretDetector, entry: dict[str, object]) -> None:
    for fill in ("x", "0", "X"):
        line = expand(str(entry["sample"]), _rng, fill=fill)
        assert entry["id"] not in reported(detector, line), line


_PREFIXED = [e for e in SAMPLED
             if re.match(r"[A-Za-z]", str(e["sample"])) and not re.search(r"[=:/ ]", FIELD.sub("", str(e["sample"])))]


@pytest.mark.parametrize("entry", _PREFIXED, ids=[str(e["id"]) for e in _PREFIXED])
def test_token_glued_to_a_longer_word_is_not_this_rule(detector: SecretDetector, entry: dict[str, object]) -> None:
    value = expand(str(entry["sample"]), _rng)
    assert entry["id"] not in reported(detector, "Zq9" + value)


# --- bare tokens the old rules missed (issue 11): no assignment keyword anywhere -------------------------

BARE = [
    ("huggingface-token", "hf_" + r(34, string.ascii_letters)),
    ("docker-pat", "dckr_pat_" + r(27, ALPHABETS["b64url"])),
    ("grafana-cloud-token", "glc_" + r(100, ALPHABETS["b64"]) + "=="),
    ("grafana-service-account-token", "glsa_" + r(32) + "_" + r(8, "0123456789abcdef")),
    ("newrelic-user-api-key", "NRAK-" + r(27, ALPHABETS["upper"])),
    ("atlassian-api-token", "ATATT3xFfGF0" + r(180, ALPHABETS["b64url"])),
    ("notion-token", "ntn_" + r(11, string.digits) + r(35)),
    ("supabase-token", "sbp_" + r(40, "0123456789abcdef")),
    ("doppler-token", "dp.st." + r(43)),
    ("databricks-token", "dapi" + r(32, "0123456789abcdef")),
    ("linear-api-key", "lin_api_" + r(40)),
    ("postman-api-key", "PMAK-" + r(24, "0123456789abcdef") + "-" + r(34, "0123456789abcdef")),
    ("planetscale-token", "pscale_pw_" + r(43, ALPHABETS["b64url"])),
    ("groq-api-key", "gsk_" + r(52)),
    ("perplexity-api-key", "pplx-" + r(48)),
    ("age-secret-key", "AGE-SECRET-KEY-1" + r(58, ALPHABETS["bech32"])),
    ("azure-ad-client-secret", r(3) + "8Q~" + r(34, B62 + "_~.-")),
    ("aws-bedrock-api-key", "ABSK" + r(132, ALPHABETS["b64"])),
    ("aws-mws-key", "amzn.mws." + "-".join(r(n, "0123456789abcdef") for n in (8, 4, 4, 4, 12))),
    ("sonar-token", "sqp_" + r(40, "0123456789abcdef")),
    ("slack-webhook", f"hooks.slack.com/services/T{r(8, ALPHABETS['upper'])}/B{r(10, ALPHABETS['upper'])}/{r(24)}"),
]


@pytest.mark.parametrize(("rule", "value"), BARE, ids=[b[0] for b in BARE])
def test_bare_token_in_prose(detector: SecretDetector, rule: str, value: str) -> None:
    assert reported(detector, f"we rotated {value} yesterday") == [rule]


# --- credentials in commands, queries, headers, connection strings --------------------------------------

PW = "Vq7" + r(9) + "!x"  # a password-like value: letters, digits, punctuation

COMMANDS = [
    ("sql-password", f"CREATE USER 'app'@'%' IDENTIFIED BY '{PW}';"),
    ("sql-password", f"ALTER USER app IDENTIFIED WITH mysql_native_password BY '{PW}';"),
    ("sql-password", f"CREATE ROLE app WITH LOGIN PASSWORD '{PW}';"),
    ("sql-password", f"ALTER USER postgres PASSWORD '{PW}';"),
    ("mysql-cli-password", f"mysql -u root -p{PW} -h db app < dump.sql"),
    ("mysql-cli-password", f"mysqldump -uroot -p'{PW}' app > app.sql"),
    ("cli-password", f"gpg --batch --passphrase {PW} -d secrets.gpg"),
    ("cli-password", f"gpg --batch --passphrase='{PW}' -d secrets.gpg"),
    ("cli-password", f"keytool -importkeystore -srckeystore a.p12 -srcstorepass {PW} -deststorepass {PW[::-1]}"),
    ("cli-password", f"wget --user=bob --password={PW} https://files.internal/x"),
    ("cli-short-password", f"sshpass -p '{PW}' ssh deploy@host"),
    ("cli-short-password", f"openssl pkcs12 -export -in c.pem -out c.p12 -passout pass:{PW}"),
    ("cli-short-password", f"redis-cli -h cache -a {PW} ping"),
    ("cli-short-password", f"ldapsearch -x -D cn=admin -w {PW} -b dc=corp"),
    ("cli-short-password", f"docker login -u bot -p {PW} registry.corp"),
    ("cli-short-password", f"htpasswd -bc /etc/nginx/.htpasswd admin {PW}"),
    ("cli-short-password", f"smbclient //fs/share -U alice%{PW}"),
    ("curl-basic-auth", f"curl -u admin:{PW} https://api.internal/v1"),
    ("curl-basic-auth", f"curl -s --user 'ci:{PW}' https://jenkins/job/x"),
    ("basic-auth-header", "Authorization: Basic " + base64.b64encode(f"svc:{PW}".encode()).decode()),
    ("basic-auth-header", '{"Authorization": "Basic ' + base64.b64encode(f"svc:{PW}".encode()).decode() + '"}'),
    ("bearer-token", "Authorization: Bearer " + r(40, ALPHABETS["b64url"])),
    ("bearer-token", f"curl -H 'Authorization: Bearer {r(32)}' https://api"),
    ("api-key-header", f"curl -H 'X-API-Key: {r(32)}' https://api"),
    ("api-key-header", f"curl --header 'PRIVATE-TOKEN: {r(24)}' https://gitlab.corp/api/v4/projects"),
    ("keystore-password", f"signing.storepass={PW}"),
    ("database-url-password", f'jdbc_url = "mysql://app:{PW}@db:3306/app"'),
    ("url-credentials", f"proxy = http://user:{PW}@proxy.corp:3128"),
    ("generic-password", f"Server=db;Database=app;User Id=sa;Password={PW};"),
    ("putty-private-key", "PuTTY-User-Key-File-" + "3: ssh-ed25519"),  # split: our own gate scans this file
    ("ssh2-private-key", "---- BEGIN SSH2 ENCRYPTED " + "PRIVATE KEY ----"),
    ("private-key", "-----BEGIN RSA PRIVATE KEY-----" + r(64, ALPHABETS["b64"])),
    ("gcp-service-account-key", f'  "private_key_id": "{r(40, "0123456789abcdef")}",'),
    ("cloudflare-api-key", f"CLOUDFLARE_API_TOKEN={r(40, ALPHABETS['b64url'])}"),
    ("cloudflare-api-key", f"-H 'X-Auth-Key: {r(37, '0123456789abcdef')}'"),
    ("snyk-token", "SNYK_TOKEN=" + "-".join(r(n, "0123456789abcdef") for n in (8, 4, 4, 4, 12))),
    ("sidekiq-credentials", f"source 'https://{r(8, '0123456789abcdef')}:{r(8, '0123456789abcdef')}@gems.contribsys.com/'"),
    ("azure-sas-token", f"https://acct.blob.core.windows.net/c?sv=2022-11-02&ss=b&sig={r(43, ALPHABETS['b64'])}%3D"),
    ("aws-secret-key-pair", f"AKIA{r(16, ALPHABETS['upper'])},{r(40, ALPHABETS['b64'])}"),
]


@pytest.mark.parametrize(("rule", "line"), COMMANDS, ids=[f"{c[0]}-{i}" for i, c in enumerate(COMMANDS)])
def test_credentials_in_commands_and_headers(detector: SecretDetector, rule: str, line: str) -> None:
    assert rule in reported(detector, line), line


COMMAND_NEGATIVES = [
    "mysql -u root -p app < dump.sql",  # prompts for the password
    "mysql -h db -P 3306 -u app -p",  # -P is the port
    'mysql -u root -p"$MYSQL_ROOT_PASSWORD"',
    "gpg --batch --passphrase-file /run/secrets/gpg -d x.gpg",
    "parser.add_argument('--password', help='the password')",
    'parser.add_argument("--token", "-t", default=None)',
    "gh auth login --with-token < token.txt",
    "curl -u \"$USER:$PASS\" https://api",
    "curl -u admin:${ADMIN_PASSWORD} https://api",
    "docker login -u bot --password-stdin registry.corp",
    "ldapsearch -x -W -b dc=corp",
    "Authorization: Basic " + base64.b64encode(b"user:password").decode(),
    "Authorization: Basic dXNlcm5hbWU=",  # no colon inside
    'headers["Authorization"] = "Bearer " + token',
    "Authorization: Bearer <token>",
    "Authorization: Bearer ${GITHUB_TOKEN}",
    "Authorization: Bearer YOUR_ACCESS_TOKEN_HERE",
    "-- the user is IDENTIFIED BY a password the admin sets",
    "ALTER USER app IDENTIFIED BY '${APP_PASSWORD}';",
    "PuTTY-User-Key-File-3: <key type>",
    "if password == old_password:",
    "  --token TOKEN        the API token",
]


@pytest.mark.parametrize("line", COMMAND_NEGATIVES)
def test_command_lookalikes_are_not_reported(detector: SecretDetector, line: str) -> None:
    assert reported(detector, line) == [], line


# --- checksums and structure -----------------------------------------------------------------------------


def _github_token(prefix: str) -> str:
    body = r(30)
    return prefix + body + secrets_module._base62(zlib.crc32(body.encode()), 6)


def test_github_and_npm_checksums_verify() -> None:
    for prefix in ("ghp_", "gho_", "ghs_", "npm_"):
        token = _github_token(prefix)
        assert CHECKS["github-crc32"](token) is True
        broken = token[:-1] + ("A" if token[-1] != "A" else "B")
        assert CHECKS["github-crc32"](broken) is None  # unknown, not rejected


def test_verified_checksum_beats_the_placeholder_filter(detector: SecretDetector) -> None:
    # A body that happens to contain "xxxx" is still a real token when its CRC32 checks out.
    body = r(10) + "xxxx" + r(16)
    token = "ghp_" + body + secrets_module._base62(zlib.crc32(body.encode()), 6)
    [hit] = detector.scan_text(f"token: {token}")
    assert hit.rule_id == "secrets/github-pat" and hit.verified
    unverified = "ghp_" + body + "AAAAAA"
    [hit] = detector.scan_text(f"token: {unverified}", with_suppressed=True)
    assert hit.suppressed.startswith("placeholder value")


def _b64url(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_jwt_header_and_payload_must_decode(detector: SecretDetector) -> None:
    good = f"{_b64url({'alg': 'RS256', 'typ': 'JWT'})}.{_b64url({'sub': r(10)})}.{r(43, ALPHABETS['b64url'])}"
    assert reported(detector, f"token = {good}") == ["jwt"]
    unsigned = f"{_b64url({'alg': 'none'})}.{_b64url({'sub': r(10)})}.{r(43, ALPHABETS['b64url'])}"
    assert "jwt" not in reported(detector, f"token = {unsigned}")
    garbage = "eyJ" + r(30, ALPHABETS["b64url"]) + ".eyJ" + r(30, ALPHABETS["b64url"]) + "." + r(30)
    hits = detector.scan_text(f"x {garbage}", with_suppressed=True)
    assert [h.suppressed for h in hits if h.rule_id == "secrets/jwt"] == ["fails the jwt structure test"]


# --- suppressed, with a reason -----------------------------------------------------------------------------


def test_placeholders_are_returned_as_suppressed_with_the_reason(detector: SecretDetector) -> None:
    hits = detector.scan_text("HF_TOKEN=hf_" + "x" * 34 + "\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
                              with_suppressed=True)
    assert [(h.rule_id, h.suppressed) for h in hits] == [
        ("secrets/huggingface-token", "placeholder value (xxxxxxxxxxxx)"),
        ("secrets/aws-access-key", "placeholder value (EXAMPLE)"),
    ]
    assert detector.scan_text("HF_TOKEN=hf_" + "x" * 34) == []


# --- the engine ---------------------------------------------------------------------------------------------


def _near_misses(entry: dict[str, object]) -> str:
    """Text that keeps almost matching the rule: its sample cut short, its keywords with bodies that
    break at the end, quote and assignment characters that open and never close."""
    parts = []
    if "sample" in entry:
        value = expand(str(entry["sample"]), _rng)
        parts += [value[: len(value) * 2 // 3], value[:-1] + "\x01"]
    for keyword in entry.get("keywords", []) or []:  # type: ignore[union-attr]
        k = str(keyword)
        parts += [f"{k}={'a1' * 40}", f'{k}: "{"b" * 60}', f"{k}{k}{k}", f"{k}://u:{'p' * 50}"]
    parts += ["password = '" + "x1" * 30, "-----BEGIN " * 3, "eyJ" + "a" * 40 + ".", "://" * 10]
    return " ".join(parts) + " "


def _cost(regex: object, line: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _match in regex.finditer(line):  # type: ignore[attr-defined]
            pass
        best = min(best, time.perf_counter() - start)
    return best


def test_no_rule_backtracks_super_linearly(detector: SecretDetector) -> None:
    """Each rule's regex over 100 KB of near-matches costs about ten times 10 KB of them, not a
    hundred times (what one level of backtracking over the line would cost).

    A time bound relative to a linear baseline measured in the same run, not an absolute one; the
    threshold sits between linear (~10) and quadratic (~100) with room for a loaded machine.
    """
    units = {str(e["id"]): _near_misses(e) for e in ENTRIES}
    everything = "".join(units.values())  # every rule also meets every other rule's near-misses
    slow = []
    for rule in detector.rules:
        unit = units[rule.id] + everything[:2000]
        small = (unit * (10_000 // len(unit) + 1))[:10_000]
        large = (unit * (100_000 // len(unit) + 1))[:100_000]
        # A busy machine inflates single timings: a rule is slow only if three measurements agree.
        ratios = [_cost(rule.regex, large) / max(_cost(rule.regex, small), 2e-5) for _ in range(3)]
        if min(ratios) > 40:
            slow.append((rule.id, round(min(ratios), 1)))
    assert slow == []


def test_a_megabyte_hostile_line_costs_ten_times_a_hundred_kilobytes(detector: SecretDetector) -> None:
    """The whole detector on one line of every rule's near-matches: linear in the line's length
    (long lines run each rule only around its own prefilter hits), measured against itself."""
    hostile = "".join(_near_misses(e) for e in ENTRIES)

    def cost(size: int) -> float:
        line = (hostile * (size // len(hostile) + 1))[:size]
        start = time.perf_counter()
        detector.scan_lines([(1, line)])
        return time.perf_counter() - start

    ratio = cost(1_000_000) / cost(100_000)
    assert ratio < 30 or cost(1_000_000) / cost(100_000) < 30  # linear: ~10; quadratic: ~100


def _best_of_three(detector: SecretDetector, line: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        detector.scan_lines([(1, line)])
        best = min(best, time.perf_counter() - start)
    return best


def test_a_dotted_capital_i_does_not_make_a_long_line_cost_more(detector: SecretDetector) -> None:
    """One U+0130 (İ, which `str.lower` turns into two characters) in a long line used to send every generic
    rule through a per-character Python loop to lowercase the line: a minified bundle with a Turkish locale
    cost 0.6 s a commit (firefly-iii's history: ~800 of its 1,100 s), a hostile line more. Measured against the
    same line with an I in its place: the same work, linear."""
    keywords = " ".join(sorted({k for rule in detector.rules if rule.generic for k in rule.keywords}))
    line = keywords + " " + "var a = b.c(d); " * 12_500  # 200 KB, every generic rule a candidate

    def ratio() -> float:
        return _best_of_three(detector, line + "\u0130") / _best_of_three(detector, line + "I")

    assert ratio() < 4 or ratio() < 4  # the same: ~1; once per generic rule in Python: ~20


def test_a_long_non_ascii_line_full_of_keywords_is_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hyperscan reports where keywords end in bytes; on a non-ASCII line each became a character offset by
    decoding the line up to it, O(hits x line). Measured against the same line in ASCII (é -> e)."""
    monkeypatch.setenv(secrets_module.ENGINE_ENV, "hyperscan")
    d = SecretDetector.load()
    if d.engine != "hyperscan":
        pytest.skip("no Hyperscan on this platform")
    unit = "\u00e9 token " + "a" * 15 + " "
    line = (unit * (500_000 // len(unit) + 1))[:500_000]

    def ratio() -> float:
        return _best_of_three(d, line) / _best_of_three(d, line.replace("\u00e9", "e"))

    assert ratio() < 4 or ratio() < 4  # the same: ~1; a decode per hit: ~11


def test_a_generic_rule_on_a_long_line_does_not_search_for_the_keywords_the_prefilter_did_not_find(
        monkeypatch: pytest.MonkeyPatch, detector: SecretDetector) -> None:
    """A generic rule searches a long line for its own keywords (where its windows go); each `str.find` of a
    keyword the line does not hold read the whole line, so a rule's cost grew with the keywords it knows:
    named-provider-token has 51, and firefly-iii's 1.5 MB vendor bundle cost 0.35 s a commit. Measured against
    the same rule knowing only the keyword the line holds."""
    monkeypatch.setenv(secrets_module.ENGINE_ENV, "hyperscan")
    rule = next(r for r in detector.rules if r.id == "named-provider-token")
    assert len(rule.keywords) > 40 and "together" in rule.keywords
    many, one = SecretDetector([rule]), SecretDetector([dataclasses.replace(rule, keywords=("together",))])
    if many.engine != "hyperscan":
        pytest.skip("no Hyperscan on this platform")
    line = "var a = b.c(d); " * 65_000 + "together"  # 1 MB

    def ratio() -> float:
        return _best_of_three(many, line) / _best_of_three(one, line)

    assert ratio() < 4 or ratio() < 4  # the same: ~1; a search per keyword: ~10


def test_the_fast_case_folding_and_offsets_equal_their_definitions() -> None:
    rng = random.Random(135)
    letters = ["a", "B", "\u03a3", "\u03c3", "\u03c2", "\u0130", "I", "i", " ", "\u212a", "\u00e9", "\u4e2d",
               "\U0001f600", "\ud800"]
    for _ in range(3000):
        text = "".join(rng.choice(letters) for _ in range(rng.randint(0, 16)))
        lowered = text.lower()
        by_character = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        assert secrets_module._fold_case(text) == (lowered if len(lowered) == len(text) else by_character)
        raw = text.encode("utf-8", "surrogatepass")
        ends = [rng.randint(0, len(raw)) for _ in range(rng.randint(0, 8))]
        assert secrets_module._char_offsets(raw, ends) == {e: len(raw[:e].decode("utf-8", "ignore")) for e in ends}


def test_both_prefilters_give_the_same_hits(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [expand(str(e["sample"]), _rng) for e in SAMPLED] + [line for _, line in COMMANDS] + COMMAND_NEGATIVES
    text = "\n".join(lines)
    long_line = " ".join(lines)  # one line over MAX_GENERIC_LINE: the offset-driven windows
    found = {}
    for engine in ("re", "hyperscan"):
        monkeypatch.setenv(secrets_module.ENGINE_ENV, engine)
        d = SecretDetector.load()
        assert d.engine == engine
        found[engine] = [(h.rule_id, h.line, h.column) for h in d.scan_text(text + "\n" + long_line)]
    assert found["re"] == found["hyperscan"]
    assert len(found["re"]) > len(lines) // 2


def test_small_input_does_not_pay_for_the_hyperscan_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(secrets_module.ENGINE_ENV, raising=False)
    d = SecretDetector.load()
    d.scan_text("x = 1\n" * 100)
    assert d._prefilter._db is None  # a push of a few files: the portable prefilter
    d.scan_text("y = 2\n" * (secrets_module.HYPERSCAN_AFTER_BYTES // 6 + 1))
    assert d._prefilter._db is not None or d.engine == "re"


# --- noise found on real histories (bench/bench_secrets_history.py), one test each --------------------------

REAL_HISTORY_NOISE = [
    # opencontainers/runc user/user.go: passwd(5) and group(5) record layouts in comments
    "\t\t//  name:password:UID:GID:GECOS:directory:shell",
    "\t\t// Name:Pass:Uid:Gid:Gecos:Home:Shell",
    "\t\t//  group_name:password:GID:user_list",
    # opencontainers/runc libcontainer/integration/seccomp_test.go: an error message, not an assignment
    '\texpected := "pwd: getcwd: No such process"',
    # github/github-mcp-server e2e/README.md: go test output
    "    --- PASS: TestE2E/Initialize (0.09s)",
    # Aider-AI/aider aider/website/index.html: an HTML-escaped <key> placeholder
    "aider --model sonnet --api-key anthropic=&lt;key&gt;",
    # Aider-AI/aider aider/main.py: an error message naming the flag
    '                io.tool_error(f"Invalid --api-key format: {api_setting}")',
    # Aider-AI/aider aider/coders/search_replace.py: an ANSI colour string
    '        "pass": "\\033[102;30mpass\\033[0m",  # Green background, black text',
]


@pytest.mark.parametrize("line", REAL_HISTORY_NOISE)
def test_real_history_noise_is_not_reported(detector: SecretDetector, line: str) -> None:
    assert detector.scan_text(line, with_suppressed=True) == []


# red99 (continuedev/continue, 21,566 commits): the names of values to fill in, in its docs (224 findings), a
# reference to an environment variable, and minified bundles whose code between two strings read as a value (123).
FILL_IN_NOISE = [
    ("docs/model-providers/anthropic.md", '      apiKey: "[ANTHROPIC_API_KEY]"'),
    ("docs/model-providers/watsonx.md", '      "apiKey": "API_KEY/ZENAPI_KEY/USERNAME:PASSWORD",'),
    ("core/llm/llms/stubs/ContinueProxy.vitest.ts", '      apiKey: "env:AZURE_API_KEY",'),
    ("extensions/vscode/gui/assets/index.js",
     'r=e.api_host+"/api/surveys/?token=".concat(this.instance.get_config("token"),"&distinct_id=")'),
    ("extensions/vscode/gui/assets/index.js",
     'fetch(n+"/decide/?v=3&token=").concat(t.get_config("token"),"&ip=1")'),
]


@pytest.mark.parametrize(("path", "line"), FILL_IN_NOISE)
def test_names_to_fill_in_references_and_code_between_strings_are_not_secrets(detector: SecretDetector, path: str,
                                                                               line: str) -> None:
    assert detector.scan_lines([(1, line)], path=path, with_suppressed=True) == [], line


def test_what_the_fill_in_markers_leave_reported(detector: SecretDetector) -> None:
    """Lower case in brackets is a value (the marker reads names), a value may start with punctuation in script
    source too (red100), and a bundle's real key in a string of its own is still a key."""
    assert reported(detector, 'token: "[k8Qz2vLmW0pXr7]"') == ["generic-secret"]
    for path in ("deploy.py", "src/app.ts", "src/App.svelte"):
        for first in ")+};,]":
            assert [h.rule_id for h in detector.scan_lines([(1, f'password = "{first}{PW}"')], path=path)] == [
                "secrets/generic-password"], (path, first)
    bundle = f'var a="/x?token=".concat(b);var c={{password:"{PW}"}};'
    assert [h.rule_id for h in detector.scan_lines([(1, bundle)], path="dist/index.js")] == ["secrets/generic-password"]


def test_colon_separated_credentials_are_still_found(detector: SecretDetector) -> None:
    # The field-list rule only drops values glued to a colon that hold more colons.
    assert reported(detector, f"password:{PW}") == ["generic-password"]
    assert reported(detector, f"  password: {PW}") == ["generic-password"]


# --- noise from this repository's own history (CI gates it with the default rules) --------------------------

OWN_HISTORY_NOISE = [
    # f-string and format fields are templates, not values
    """        lambda: f"CREATE USER 'svc'@'%' IDENTIFIED BY '{pw()}';",""",
    """        lambda: f"openssl pkcs12 -in cert.p12 -passin pass:{g.s(12)} -nodes",""",
    """        lambda: f"curl -u deploy:{g.s(16)} https://nexus.internal/repository/",""",
    "    url = 'mysql://app:{0:>12}@db/app'",
    # a PEM assembled from variables in a test generator: the literal ends right after the header
    '        return ("-----BEGIN RSA PRIVATE KEY-----\\n" + first + "\\n" + "\\n".join(lines))',
]


@pytest.mark.parametrize("line", OWN_HISTORY_NOISE)
def test_templates_and_assembled_keys_are_not_reported(detector: SecretDetector, line: str) -> None:
    assert reported(detector, line) == [], line


def test_a_key_body_in_a_json_string_is_still_found(detector: SecretDetector) -> None:
    header = "-----BEGIN RSA PRIVATE KEY-----"
    body = r(64, ALPHABETS["b64"])
    assert reported(detector, f'"key": "{header}\\n{body}\\n"') == ["private-key"]
    assert reported(detector, f'"key": "{header}\\n" + "{body}"') == ["private-key"]
