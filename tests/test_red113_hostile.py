"""Red team red113: the secrets scanner's newest judgments (9317ae6) — the file-format rules of red107-red112 (XML,
plist, YAML env lists and block scalars, JSON env lists on one line or two, .NET settings, netrc, pgpass,
ConvertTo-SecureString, values passed by name), the kept-key pass (scan/secrets_scanner.py `_kept_keys`,
`_VALUE_LINE`), and the filters that read a value as code (scan/secrets.py `_code_value`, `_CMDLET`,
`_SCRIPT_IDENTIFIER`, `_UNQUOTED_NAME`, `_WORD_COUNTER`, `_PASSWORD_HASH`, `_BLOCK_AFTER_TAG`, `_KEY_LABEL`).

Each finding test fails on w/red113 (= main 9317ae6) for the reason its docstring names and asserts the secure
behaviour. Secrets tests run the real SecretDetector with the shipped rules; the kept-key tests run the real
SecretsScanner over real two-commit git histories; the HIGH false positive and the HIGH miss also run the real
`gatekeeper check` on a real commit (SECRETS_ONLY_POLICY). Secret-shaped values are built by concatenation at run
time; the docstrings describe them with placeholders (<random12>, <Word-Word2024>).

Measured on real histories (every commit, `--min-severity medium`, findings judged by hand from the added line):
f-droid/fdroidclient 11,038 commits: 128 findings (127 high), 0 real — 81 xml-password on Android translations of
"password" (`<string name="login_password">` + the word in Spanish, Russian, Swedish, Portuguese …), 46
generic-password on Kotlin `password: String?` types and Room `password = :password` SQL parameters, 1 javadoc.
Roo-Code 7,048: 26 findings, 13 of them i18n strings (`"apiKey": "API-Schlüssel"`, whole CJK sentences), 2 real
(an OpenRouter key, Google's public gemini-cli OAuth client secret), the rest examples and test JWTs.
OpenHands 5,598: 75 findings, ~3 real-looking (a Slack token in a comment, a benchmark's reset token); 18 are
`google-auth = ">=2.14.1,<3.0.0"` in poetry.lock, 20 `test-user:test-token@` URLs in tests, 20 `sk_test_12345` in docs,
3 Makefile `$$ssh_password` / `$$llm_api_key`, 3 `api_key=e2b_api_key`, 1 `ghToken: gitHubToken!`.
kubernetes/examples 2,098 (fetched): 49 findings, ~8 real-shaped (a demo cluster's service-account tokens and password
shown in READMEs, an apiserver key); 12 high `--token=foo/system:masters`, 20 high base64 of demo words in Secret
manifests (`password`, `demo`, product names). docker/awesome-compose 269 (fetched): 7 high, all demo passwords
in compose URLs (`root:<demo word>@db`). ansible 54,660: 1,552 findings; a random sample of 40 judged: 0 live
credentials, 38 documentation/test example values (`hunter2`, `Passw0rd!`, `abc12345`, UUIDs in module EXAMPLES),
2 test-fixture private keys; plus, among the new-rule findings, 20 high cli-password / mysql-cli-password on
`" --password="+password+" "` (finding 3) and `--api-key API_KEY,` (argparse help). cline 7,082: 43 findings, ~28 real
(Firebase and PostHog keys, an OAuth client secret, signed image JWTs), 4 i18n, 4 `++latestSearchTokenRef.current`,
4 alg-none test JWTs. vercel/ai 8,073: 3 (1 real-looking docs key). Without ansible (too many to judge): 372
findings, ~44 real (≈ 12 % precision); fdroidclient alone 0 of 128.

Findings:

1. HIGH (false positive, new in bd5634d's xml-password) — rules/secrets.yml `xml-password`: Android localized
   resources (`res/values-es/strings.xml`: `<string name="login_password">Contraseña</string>`) are passwords. The
   value reads as unquoted, so ASCII words (`Passwort`) die in `_UNQUOTED_NAME`, but any translation with a non-ASCII
   letter or a hyphen (Contraseña, Пароль, Lösenord, Jelszó, Palavra-passe, Facal-faire) is HIGH: 81 blocking
   findings in fdroidclient's history, every Weblate translation commit that touches the login screen blocks.
   JSON i18n catalogues (`locales/de/translation.json` `"password": "Passwort"`, pre-existing) likewise.
   Fix: a value made only of letters of any script (with `-`, `'`, spaces) and no digit is a word, not a password,
   in localized resources (`values-<lang>/`, `i18n/`, `locales/`, `lang/`, `*.po`, `*.arb`, `*.resx`).
2. HIGH (false positive, pre-existing, measured) — generic-password: a Kotlin/Swift nullable type (`val password:
   String? = null`, `password: String?,`, `var password: String?`) is a password `String?` (the typed-name branch
   stops at `?`); a SQL named parameter (`SET password = :password` in Room @Query, SQLAlchemy `text()`, Rails) is a
   password `:password`. 46 high in fdroidclient. The same shape hides a real literal: `val password: String? =
   "<random12>"` reports `String?` and never the literal (a miss). Fix: `?`/`!` after a type word in the typed-name
   branch; a value that is `:` + the key's own name is a bind parameter (`_own_name` after a colon).
3. MEDIUM (false positive, pre-existing) — unquoted code in languages other than JS/TS: a Python keyword argument
   naming a variable with a digit (`password=db_pass2`: high; `api_key=e2b_api_key` in OpenHands), a TypeScript
   non-null assertion on a bare identifier (`password: userPassword!`: high; `ghToken: gitHubToken!` in OpenHands), a
   Makefile's escaped shell variable (`"ssh_password=\\"$$ssh_password\\""`: high, OpenHands), a compound version
   range in a lock file (`google-auth = ">=2.14.1,<3.0.0"` in poetry.lock: 18 in OpenHands), and — HIGH, 20 in
   ansible's history (cli-password, mysql-cli-password) — a command built by concatenation whose flag value is the
   variable between two strings (`"… --password="+password+" "`, `" -p"+password+" "`: the value `+password+` has
   no quotes, so `_CONCATENATION` does not see it). Fix: `_SCRIPT_IDENTIFIER`
   for every language where an unquoted value is never a string (Python, Go, Java, …); `\\w+!` in script sources;
   `$$NAME` beside `$NAME`; `_VERSION_SPEC` joined by `,`/space/`||`; a quoted value `+name+` (operator, identifier,
   operator) is concatenation.
4. HIGH (miss, pre-existing) — a string literal with a prefix is never read as quoted: Python `b'…'`, `r'…'`, `u'…'`,
   `f'…'` (Flask's documented `app.secret_key = b'…'`), C# `@"…"`/`$"…"`, C++ `L"…"`/`u8"…"`, Rust `b"…"`/`r#"…"#`,
   Scala `s"…"`: `SECRET_KEY = b'<random26>'`, `DB_PASSWORD = r'<random12>'` are not found by any rule (the
   unquoted branch stops at the quote). Fix: an optional `(?:[bBrRuUfF]{1,2}|@|\\$|L|u8|s)?` before the quote in the
   generic rules' value (and `r#*"` for Rust).
5. HIGH (miss, incomplete 9317ae6) — scan/secrets_scanner.py `_VALUE_LINE` does not know a JSON value line written
   the way every formatter writes it (`"value": "<random12>"`, a space after the colon): when a commit rotates an ECS
   task definition's password and keeps the `"name": "DB_PASSWORD",` line, `_kept_keys` never reads it and the new
   password passes (found when the value is written `"value":"…"` with no space, or in UTF-16). Fix: accept
   `[ \\t]*"value"[ \\t]*:` in `_VALUE_LINE`.
6. MEDIUM (miss) — YAML written as people write it: an env list's value with a trailing comment (`value: <random12>
   # rotated`: yaml-env-* end at `[ \\t]*\\Z`), the last entry of a flow map (`db: {user: app, password: <random12>}`:
   the unquoted value must be followed by whitespace `;,&#`, not `}`), an anchored value (`password: &db <random12>`),
   an explicit tag (`password: !!str <random12>`). Fix: allow `[ \\t]+#.*` before `\\Z`, `}` in the look-ahead, and
   skip `&anchor` / `!!str` before the value.
7. MEDIUM (miss) — the JSON name/value family stops at `"name"`: Postman environments (`{"key": "password",
   "value": …}`), Azure ARM parameter files (`"adminPassword": {"value": …}`), CloudFormation parameter files
   (`"ParameterKey": "DBPassword", "ParameterValue": …`), Azure App Service settings as `az webapp config
   appsettings list` prints them (`"name"`, `"slotSetting"`, `"value"`), and ECS env lists in Terraform (HCL `{ name =
   "DB_PASSWORD", value = … }`, or the JSON in a `.tf` heredoc / `.json.tpl`) are not found.
8. MEDIUM (miss, pre-existing) — `_UNQUOTED_NAME` reads a letters-only unquoted value as a variable in every file,
   but .env, YAML, INI and .properties files have no variables: `DB_PASSWORD=<random16 letters>` (what `tr -dc
   A-Za-z </dev/urandom | head -c 16` gives) is dropped. Fix: only in source where an unquoted value is code.
9. MEDIUM (miss, red108/red110's `_SCRIPT_IDENTIFIER`) — in a JavaScript/TypeScript/Vue file every unquoted
   identifier-shaped value after `:` is code, also where the line is text: a Vue `<template>`, a YAML document in a
   multi-line template literal (a scaffolder writing docker-compose.yml), a block comment whose lines have no
   `*`. `POSTGRES_PASSWORD: <random12>` there is dropped (52 of 62 random alphanumerics start with a letter).
10. LOW (miss) — PowerShell: in a .ps1 every Verb-Noun-shaped value is a cmdlet call, also in a here-string holding an
   .env (`DB_PASSWORD=<Word-Word2024>` between `@"` and `"@`); a bareword argument of ConvertTo-SecureString
   (`ConvertTo-SecureString -String <random12> -AsPlainText -Force`, valid PowerShell) matches no rule.

Tried and held (no test): BOM, CRLF and tab-separated .env lines; `export`, `set` (batch), `$env:` and compose
list/map forms; quoted YAML scalars with a trailing comment; ECS env lists on one line (compact or spaced) or split,
a capitalised `"Name"`/`"Value"`; CloudFormation YAML `- Name:`/`Value:`; the kept-key pass for YAML env lists,
block scalars, quoted next-line scalars, plists (tab or no indent), .NET settings, CRLF files, tab indents, and UTF-16
files (YAML and JSON, new and rotated); plist in UTF-16; Go raw strings; TOML and Kotlin triple quotes (reported,
with two quotes in the value). Observation (not a secrets judgment): `git diff-tree -p --cc` over one 200-commit
batch of continuedev/continue's history grew to 18 GB RSS before it was stopped (the bench was run under ulimit -v
after that).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.models import Severity
from gatekeeper.scan.secrets import SecretDetector, SecretHit
from gatekeeper.scan.secrets_scanner import SecretsScanner
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import SECRETS_ONLY_POLICY, check_commit

# Secret-shaped values, built at run time (never one literal).
PW = "kT9" + "mQ2vX" + "8pLz"  # <random12>: a random alphanumeric password
KEY = "9fKq2LmZx7" + "Wv4RtYp8" + "Nc3HbJd6"  # <random26>
LETTERS = "kTm" + "QvXpLz" + "RwNbHcJ"  # <random16 letters>
WORD_WORD = "Blue-" + "Horse2024"  # <Word-Word2024>


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector.load()


def _hits(detector: SecretDetector, path: str, text: str) -> list[SecretHit]:
    return detector.scan_text(text, path=path)


def _blocking(detector: SecretDetector, path: str, text: str) -> list[tuple[str, str]]:
    return [(h.rule_id, h.redacted) for h in _hits(detector, path, text) if h.severity >= Severity.HIGH]


def _found(detector: SecretDetector, path: str, text: str, value: str) -> bool:
    return any(h.value == value for h in _hits(detector, path, text))


# -- 1. translations of "password" -------------------------------------------------------------------------------------

TRANSLATIONS = {  # what fdroidclient's history holds, one per script or shape
    "values-es": "Contrase\u00f1a",
    "values-ru": "\u041f\u0430\u0440\u043e\u043b\u044c",
    "values-sv": "L\u00f6senord",
    "values-hu": "Jelsz\u00f3",
    "values-pt-rPT": "Palavra-passe",
    "values-gd": "Facal-faire",
}


@pytest.mark.parametrize("lang", sorted(TRANSLATIONS))
def test_android_translation_of_password_is_not_a_password(detector: SecretDetector, lang: str) -> None:
    """Finding 1 (new in bd5634d): xml-password reads the translated label of a login field in an Android localized
    resource as a HIGH password (81 blocking findings in fdroidclient's history). Secure: no blocking finding."""
    text = f'<resources>\n    <string name="login_password">{TRANSLATIONS[lang]}</string>\n</resources>\n'
    assert _blocking(detector, f"app/src/main/res/{lang}/strings.xml", text) == []


@pytest.mark.parametrize("path,text", [
    ("src/locales/de/translation.json", '{\n  "login": {\n    "password": "Passwort"\n  }\n}\n'),
    ("src/i18n/locales/nl/common.json", '{\n  "password": "Wachtwoord",\n  "repeatPassword": "Wachtwoord"\n}\n'),
    ("webview-ui/src/i18n/locales/ja/settings.json",
     '{\n  "invalidPassword": "\u7121\u52b9\u306a\u30d1\u30b9\u30ef\u30fc\u30c9\u3067\u3059\u3002'
     'API\u30ad\u30fc\u3092\u78ba\u8a8d\u3057\u3066\u304f\u3060\u3055\u3044\u3002"\n}\n'),
])
def test_json_i18n_catalogue_word_is_not_a_password(detector: SecretDetector, path: str, text: str) -> None:
    """Finding 1 (pre-existing, same class): a translation catalogue's word for "password" (and a CJK sentence, which
    has no spaces and so reads as one value) is a HIGH generic-password. Secure: no blocking finding."""
    assert _blocking(detector, path, text) == []


def test_control_a_random_password_in_android_strings_is_still_found(detector: SecretDetector) -> None:
    """Control for 1: a real value in strings.xml (Android developers do put credentials there) stays HIGH."""
    text = f'<resources>\n    <string name="db_password">{PW}</string>\n</resources>\n'
    assert _found(detector, "app/src/main/res/values/strings.xml", text, PW)


@pytest.fixture(scope="module")
def translation_verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    files = {f"app/src/main/res/{lang}/strings.xml":
             f'<resources>\n    <string name="login_password">{word}</string>\n</resources>\n'
             for lang, word in TRANSLATIONS.items()}
    _code, verdict = check_commit(tmp_path_factory.mktemp("i18n"), files, SECRETS_ONLY_POLICY)
    return verdict


def test_gatekeeper_check_does_not_block_a_translation_commit(translation_verdict: dict[str, Any]) -> None:
    """Finding 1 through the front door: a Weblate-style commit of six translations is blocked by six HIGH
    xml-password findings. Secure: no secrets finding on them."""
    found = [f["path"] for f in translation_verdict["findings"]
             if str(f["rule_id"]).startswith("secrets/") and not f.get("suppressed_by")]
    assert found == [], f"translations reported as passwords: {found}"


# -- 2. Kotlin/Swift nullable types and SQL bind parameters ----------------------------------------------------------

@pytest.mark.parametrize("path,text", [
    ("database/src/main/java/org/app/Repository.kt", "data class Repo(\n    val password: String? = null,\n)\n"),
    ("libs/repo/RepoAdder.kt", "internal fun fetch(\n    url: String,\n    password: String?,\n) {}\n"),
    ("Sources/Login/LoginModel.swift", "final class LoginModel {\n    var password: String?\n}\n"),
    ("Sources/Login/Api.swift", "    func login(password: String?, token: String?) async throws {\n"),
])
def test_nullable_type_is_not_a_password(detector: SecretDetector, path: str, text: str) -> None:
    """Finding 2: `password: String?` (Kotlin, Swift) is a HIGH generic-password with the value `String?`.
    Secure: no finding."""
    assert _blocking(detector, path, text) == []


@pytest.mark.parametrize("path,text", [
    ("database/src/main/java/org/app/RepositoryDao.kt",
     '    @Query("UPDATE Repo SET username = :username, password = :password WHERE id = :id")\n'),
    ("app/db.py", 'conn.execute(text("UPDATE users SET password = :password WHERE id = :id"), params)\n'),
    ("app/models/user.rb", 'User.where("password = :password", password: digest)\n'),
])
def test_sql_bind_parameter_is_not_a_password(detector: SecretDetector, path: str, text: str) -> None:
    """Finding 2: a SQL named bind parameter (`password = :password`) is a HIGH generic-password `:password`.
    Secure: no finding."""
    assert _blocking(detector, path, text) == []


def test_kotlin_nullable_literal_password_is_found(detector: SecretDetector) -> None:
    """Finding 2, the other side: `val password: String? = "<random12>"` reports `String?` and the match claims the
    line, so the real literal after it is never reported. Secure: the literal is found."""
    assert _found(detector, "app/Config.kt", f'    val password: String? = "{PW}",\n', PW)


# -- 3. code values in other languages -------------------------------------------------------------------------------

@pytest.mark.parametrize("path,text", [
    ("app/db.py", "    conn = connect(host=host, password=db_pass2, user=user)\n"),
    ("openhands/runtime/e2b/sandbox.py", "        self.sandbox = Sandbox(\n            api_key=e2b_api_key,\n"),
    ("src/login.ts", "  await login({ user, password: userPassword! });\n"),
    ("src/hooks/repos.ts", "  userRepositoriesQueryFn({ pageParam, ghToken: gitHubToken! }),\n"),
    ("Makefile", '\t@echo "ssh_password=\\"$$ssh_password\\"" >> $(CONFIG_FILE).tmp; \\\n'),
    ("poetry.lock", '[package.dependencies]\ngoogle-auth = ">=2.14.1,<3.0.0"\n'),
    ("library/mysql_db", 'res = os.system("/usr/bin/mysql -h "+host+" -u "+user+" --password="+password+" "+db)\n'),
    ("library/mysql_db", 'res = os.system("/usr/bin/mysqldump -u "+user+ " -p"+password+" "+db)\n'),
])
def test_code_value_in_other_languages_is_not_a_secret(detector: SecretDetector, path: str, text: str) -> None:
    """Finding 3: variables and version ranges read as secrets — a Python keyword argument naming a variable with a
    digit, a TypeScript non-null assertion on a bare identifier, a Makefile's `$$VAR`, a compound version range in a
    lock file (all in OpenHands' history), a command line built by concatenation whose flag value is the variable
    between two strings (`" --password="+password+" "`: 20 high in ansible's history). Secure: no finding."""
    assert [(h.rule_id, h.redacted) for h in _hits(detector, path, text)] == []


# -- 4. prefixed string literals --------------------------------------------------------------------------------------

PREFIXED = [
    ("app/__init__.py", "app.secret_key = b'{k}'\n", KEY),
    ("settings.py", "SECRET_KEY = b\"{k}\"\n", KEY),
    ("settings.py", "DB_PASSWORD = r'{p}'\n", PW),
    ("legacy/config.py", "DB_PASSWORD = u'{p}'\n", PW),
    ("app/client.py", "API_TOKEN = f\"{k}\"\n", KEY),
    ("src/Db.cs", "var dbPassword = @\"{p}\";\n", PW),
    ("src/main.cpp", "const wchar_t* password = L\"{p}\";\n", PW),
    ("src/main.rs", "let api_key = b\"{k}\";\n", KEY),
]


@pytest.mark.parametrize("path,template,value", PREFIXED)
def test_prefixed_string_literal_is_read(detector: SecretDetector, path: str, template: str, value: str) -> None:
    """Finding 4: a credential in a string literal with a prefix (bytes, raw, unicode, f-string, verbatim, wide) is
    found by no rule; the same line without the prefix is. Secure: the value is found."""
    text = template.replace("{k}", value).replace("{p}", value)
    assert _found(detector, path, text, value), f"{path}: {template.strip()} not found"


def test_control_the_same_literals_without_prefix_are_found(detector: SecretDetector) -> None:
    """Control for 4: `SECRET_KEY = "<random26>"` and `DB_PASSWORD = '<random12>'` are found."""
    assert _found(detector, "settings.py", f'SECRET_KEY = "{KEY}"\n', KEY)
    assert _found(detector, "settings.py", f"DB_PASSWORD = '{PW}'\n", PW)


@pytest.fixture(scope="module")
def prefixed_verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    files = {"app/__init__.py": f"from flask import Flask\n\napp = Flask(__name__)\napp.secret_key = b'{KEY}'\n",
             "app/db.py": f"DB_PASSWORD = r'{PW}'\n"}
    _code, verdict = check_commit(tmp_path_factory.mktemp("prefixed"), files, SECRETS_ONLY_POLICY)
    return verdict


def test_gatekeeper_check_reports_prefixed_literals(prefixed_verdict: dict[str, Any]) -> None:
    """Finding 4 through the front door: a commit of a Flask `app.secret_key = b'<random26>'` and a raw-string
    password is allowed with no secrets finding. Secure: both files reported."""
    found = {f["path"] for f in prefixed_verdict["findings"] if str(f["rule_id"]).startswith("secrets/")}
    assert found >= {"app/__init__.py", "app/db.py"}, f"not reported: {sorted({'app/__init__.py', 'app/db.py'} - found)}"


# -- 5. a rotated value under a kept JSON name line ---------------------------------------------------------------

def _second_commit_findings(where: Path, path: str, before: str, after: str) -> list[tuple[str, int | None]]:
    """The secrets findings of a real second commit that rewrote `path` from `before` to `after`."""
    repo = RepoBuilder.init(where / "repo")
    repo.commit("task definition\n", {path: before})
    sha = repo.commit("rotate the database password\n", {path: after})
    git = Git(repo.path)
    result = SecretsScanner().scan(ScanJob(git=git, commits=list(git.iter_log([sha], no_walk=True)), changes={},
                                           head=None))
    return [(f.rule_id, f.line) for f in result.findings if f.category == "secrets" and not f.suppressed_by]


def _task(value: str, colon: str = ": ") -> str:
    return ('{\n  "containerDefinitions": [{\n    "environment": [\n      {\n        "name": "DB_PASSWORD",\n'
            f'        "value"{colon}"{value}"\n      }}\n    ]\n  }}]\n}}\n')


def test_rotated_password_under_a_kept_json_name_line_is_found(tmp_path: Path) -> None:
    """Finding 5: an ECS task definition formatted as every JSON formatter writes it; the second commit changes only
    the `"value": "…"` line (placeholder -> <random12>). `_VALUE_LINE` does not match a JSON value line with a space
    after its colon, so `_kept_keys` never reads the `"name"` line above and nothing is found. Secure: the new value's
    line is reported."""
    found = _second_commit_findings(tmp_path, "ecs/task-definition.json", _task("changeme"), _task(PW))
    assert ("secrets/json-env-password-split", 6) in found, found


def test_control_rotated_compact_json_value_is_found(tmp_path: Path) -> None:
    """Control for 5: the same rotation written `"value":"…"` (no space) is found by the kept-key pass."""
    found = _second_commit_findings(tmp_path, "ecs/task-definition.json", _task("changeme", ":"), _task(PW, ":"))
    assert ("secrets/json-env-password-split", 6) in found, found


# -- 6. YAML as people write it -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path,template", [
    ("k8s/deployment.yaml", "        env:\n          - name: DB_PASSWORD\n            value: {} # rotated 2026-01\n"),
    ("k8s/deployment.yaml", "        env:\n          - name: DB_PASSWORD\n            value: \"{}\"  # from vault\n"),
    ("group_vars/all.yml", "db: {{user: app, password: {}}}\n"),
    ("docker-compose.yml", "x-db: &db\n  password: &dbpw {}\n"),
    ("config/app.yml", "database:\n  password: !!str {}\n"),
])
def test_yaml_value_with_comment_flow_anchor_or_tag_is_found(detector: SecretDetector, path: str, template: str) -> None:
    """Finding 6: a YAML password with a trailing comment (env list), as the last entry of a flow map, with an anchor
    or an explicit `!!str` tag is found by no rule. Secure: the value is found."""
    assert _found(detector, path, template.format(PW), PW), template


# -- 7. the rest of the JSON name/value family --------------------------------------------------------------------

@pytest.mark.parametrize("path,template", [
    ("postman/dev.postman_environment.json",
     '{{\n\t"values": [\n\t\t{{\n\t\t\t"key": "password",\n\t\t\t"value": "{}",\n\t\t\t"type": "secret",\n'
     '\t\t\t"enabled": true\n\t\t}}\n\t]\n}}\n'),
    ("postman/dev.postman_environment.json", '\t\t{{"key": "db_password", "value": "{}", "enabled": true}},\n'),
    ("infra/azuredeploy.parameters.json", '{{\n  "parameters": {{\n    "adminPassword": {{\n      "value": "{}"\n'
                                         '    }}\n  }}\n}}\n'),
    ("infra/params.json", '[\n  {{\n    "ParameterKey": "DBPassword",\n    "ParameterValue": "{}"\n  }}\n]\n'),
    ("infra/appsettings.json", '[\n  {{\n    "name": "DB_PASSWORD",\n    "slotSetting": false,\n    "value": "{}"\n'
                               '  }}\n]\n'),
    ("infra/ecs.tf", '      environment = [\n        {{ name = "DB_PASSWORD", value = "{}" }},\n      ]\n'),
    ("infra/task.json.tpl", '  "environment": [\n    {{"name": "DB_PASSWORD", "value": "{}"}}\n  ],\n'),
])
def test_json_name_value_family_is_found(detector: SecretDetector, path: str, template: str) -> None:
    """Finding 7: Postman environments, ARM and CloudFormation parameter files, App Service settings as the Azure
    CLI prints them, and ECS env lists written in Terraform are not found. Secure: the value is found."""
    assert _found(detector, path, template.format(PW), PW), path


# -- 8. letters-only values in data files -------------------------------------------------------------------------

@pytest.mark.parametrize("path,template", [
    (".env", "DB_PASSWORD={}\n"),
    ("config/database.yml", "production:\n  password: {}\n"),
    ("conf/app.ini", "[db]\npassword = {}\n"),
    ("src/main/resources/application.properties", "spring.datasource.password={}\n"),
])
def test_letters_only_password_in_data_file_is_found(detector: SecretDetector, path: str, template: str) -> None:
    """Finding 8: `_UNQUOTED_NAME` takes an unquoted <random16 letters> for a variable name in files that have no
    variables; quoted, the same value is found. Secure: the value is found."""
    assert _found(detector, path, template.format(LETTERS), LETTERS), path


# -- 9. text in JavaScript/TypeScript/Vue files -------------------------------------------------------------------

@pytest.mark.parametrize("path,text", [
    ("src/components/Login.vue", "<template>\n  <p class=\"hint\">\n    password: {}\n  </p>\n</template>\n"),
    ("src/scaffold.ts", "const compose = `\nservices:\n  db:\n    environment:\n      POSTGRES_PASSWORD: {}\n`;\n"),
    ("src/seed.ts", "/*\n  demo account\n  password: {}\n*/\n"),
])
def test_text_in_script_files_is_not_code(detector: SecretDetector, path: str, text: str) -> None:
    """Finding 9: `_SCRIPT_IDENTIFIER` reads an identifier-shaped <random12> after `:` as code on every line of a
    JavaScript/TypeScript/Vue file, also in a template's HTML, a template literal's YAML and a comment without a
    leading `*`. Secure: the value is found."""
    assert _found(detector, path, text.format(PW), PW), path


# -- 10. PowerShell --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,value", [
    ('$envFile = @"\nDB_HOST=db.internal\nDB_PASSWORD={}\n"@\nSet-Content .env $envFile\n', WORD_WORD),
    ("$secure = ConvertTo-SecureString -String {} -AsPlainText -Force\n", PW),
])
def test_powershell_here_string_and_bareword_password_are_found(detector: SecretDetector, text: str,
                                                                 value: str) -> None:
    """Finding 10: in a .ps1 an .env written through a here-string loses its <Word-Word2024> password to `_CMDLET`,
    and a bareword ConvertTo-SecureString argument matches no rule. Secure: the value is found."""
    assert _found(detector, "deploy/setup.ps1", text.format(value), value)
