"""Credentials written the way a file format writes them (red107): XML elements and attribute pairs, a plist's key
and string, a YAML env list's name and value, a YAML block scalar or a value on the line after its key, a value
passed by name (`define('DB_PASSWORD', …)`, `os.environ.setdefault`), .netrc, .pgpass and PowerShell's
`ConvertTo-SecureString -AsPlainText`; and the value at the end of a connection string or inside a JSON string
(`\\"`). Each rule with the shapes it must leave alone: a reference, a template, a nested mapping, a form field.

The real SecretDetector with the shipped rules; values made at run time."""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest

from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.scan.secrets import SecretDetector
from gatekeeper.scan.secrets_scanner import SecretsScanner
from tests.repo_builder import RepoBuilder

_RNG = random.Random(10701)


def _v(n: int = 20) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        text = "".join(_RNG.choice(alphabet) for _ in range(n))
        if any(c.isdigit() for c in text) and any(c.isupper() for c in text) and any(c.islower() for c in text):
            return text


# (rule, path, text with {v} where the value goes): the value is reported by that rule on the line holding it.
FORMAT_CASES: list[tuple[str, str, str]] = [
    ("xml-password", "settings.xml", "<servers><server>\n  <password>{v}</password>\n</server></servers>\n"),
    ("xml-password", "NuGet.Config", '  <add key="ClearTextPassword" value="{v}" />\n'),
    ("xml-password", "src/main/resources/ctx.xml", '  <property name="password" value="{v}"/>\n'),
    ("xml-password", "hibernate.cfg.xml", '  <property name="hibernate.connection.password">{v}</property>\n'),
    ("xml-password", "pom.xml", "  <db.password>{v}</db.password>\n"),
    ("xml-password", "Info.plist", "<key>Password</key><string>{v}</string>\n"),
    ("xml-secret", "web.config", '  <add key="ApiSecret" value="{v}" />\n'),
    ("xml-secret", "res/values/strings.xml", '  <string name="api_key">{v}</string>\n'),
    # A localized resource holds translations, but a value with a digit in one is no word (red113).
    ("xml-password", "app/src/main/res/values-de/strings.xml", '  <string name="db_password">{v}</string>\n'),
    ("generic-password", "src/locales/de/translation.json", '  "dbPassword": "{v}",\n'),
    ("plist-password", "Info.plist", "<dict>\n  <key>ServerPassword</key>\n  <string>{v}</string>\n</dict>\n"),
    ("plist-secret", "GoogleService-Info.plist", "<dict>\n\t<key>APISecret</key>\n\t<string>{v}</string>\n"),
    ("yaml-env-password", "k8s/deployment.yaml",
     "          env:\n            - name: DB_PASSWORD\n              value: \"{v}\"\n"),
    ("yaml-env-password", "compose.yml", "    - name: POSTGRES_PASSWORD\n      value: {v}\n"),
    ("yaml-env-secret", "chart/values.yaml", "extraEnv:\n  - name: API_SECRET\n    value: {v}\n"),
    ("yaml-block-password", "config/literal.yml", "password: |\n  {v}\n"),
    ("yaml-block-password", "config/folded.yml", "password: >-\n  {v}\n"),
    ("yaml-block-password", "config/next.yml", "db:\n  password:\n    {v}\n"),
    ("yaml-block-secret", "config/token.yaml", "api_token:\n  {v}\n"),
    ("yaml-block-password", "config/quoted.yml", "db:\n  password:\n    \"{v}\"\n"),
    ("yaml-env-flow-password", "k8s/deploy.yaml", "env:\n  - {{name: DB_PASSWORD, value: \"{v}\"}}\n"),
    ("dotnet-setting-password", "App.config",
     '      <setting name="Password" serializeAs="String">\n        <value>{v}</value>\n      </setting>\n'),
    ("json-env-password", "taskdef.json", '  "environment": [{{"name": "DB_PASSWORD", "value": "{v}"}}],\n'),
    ("json-env-secret", "k8s/pod.json", '        {{"name": "API_TOKEN", "value": "{v}"}}\n'),
    ("json-env-password-split", "ecs/taskdef.json",
     '    "environment": [\n      {{\n        "name": "DB_PASSWORD",\n        "value": "{v}"\n      }}\n    ]\n'),
    ("json-env-secret-split", "ecs/taskdef.json", '        "name": "STRIPE_API_KEY",\n        "value": "{v}"\n'),
    ("generic-password-argument", "wp-config.php", "<?php\ndefine( 'DB_PASSWORD', '{v}' );\n"),
    ("generic-password-argument", "settings.py", 'os.environ.setdefault("DB_PASSWORD", "{v}")\n'),
    ("generic-password-argument", "config.rb", 'ENV.fetch("DB_PASSWORD", "{v}")\n'),
    ("generic-password-argument", "Db.java", 'props.setProperty("password", "{v}");\n'),
    ("generic-secret-argument", "lib/config.php", "<?php\ndefine('API_SECRET', \"{v}\");\n"),
    ("generic-secret-argument", "app.py", 'token = os.getenv("GITHUB_TOKEN", "{v}")\n'),
    ("netrc-password", "deploy/.netrc", "machine api.example.com\n  login deploy\n  password {v}\n"),
    ("netrc-password", "ops/netrc", "machine git.example.com login ci password {v}\n"),
    ("netrc-password", "home/.authinfo", "machine smtp.example.com login me password {v} port 587\n"),
    ("pgpass-password", "ops/.pgpass", "db.internal:5432:app:app_user:{v}\n"),
    ("pgpass-password", "ops/pgpass", "*:*:*:postgres:{v}\n"),
    ("powershell-plaintext-password", "deploy.ps1", '$p = ConvertTo-SecureString "{v}" -AsPlainText -Force\n'),
    ("powershell-plaintext-password", "deploy.ps1", "$p = ConvertTo-SecureString -String '{v}' -AsPlainText -Force\n"),
    ("powershell-plaintext-password", "deploy.ps1", "$p = ConvertTo-SecureString -String {v} -AsPlainText -Force\n"),
    # A credential read from the environment with a hard-coded fallback: what runs wherever it is unset.
    ("generic-password-fallback", "settings.py", 'pw = os.getenv("DB_PASSWORD", default="{v}")\n'),
    ("generic-password-fallback", "settings.py", 'DB_PASSWORD = config("DB_PASSWORD", default="{v}")\n'),
    ("generic-password-fallback", "db.py", 'pw = os.environ.get("DB_PASSWORD") or "{v}"\n'),
    ("generic-password-fallback", "db.js", 'const pw = process.env.DB_PASSWORD || "{v}";\n'),
    ("generic-password-fallback", "db.ts", "const pw = process.env['DB_PASSWORD'] ?? '{v}';\n"),
    ("generic-password-fallback", "db.php", "$pw = getenv('DB_PASSWORD') ?: '{v}';\n"),
    ("generic-password-fallback", "config.rb", 'pw = ENV.fetch("DB_PASSWORD") {{ "{v}" }}\n'),
    ("generic-secret-fallback", "app.py", 'key = os.environ.get("STRIPE_API_KEY") or "{v}"\n'),
    ("generic-secret-fallback", "app.js", 'const token = process.env.GITHUB_TOKEN || "{v}";\n'),
    ("shell-default-password", "docker-compose.yml",
     "    environment:\n      - POSTGRES_PASSWORD=${{POSTGRES_PASSWORD:-{v}}}\n"),
    ("shell-default-password", "entrypoint.sh", 'export PGPASSWORD="${{DB_PASSWORD:={v}}}"\n'),
    # .pgpass escapes a colon in a field (an IPv6 host) with a backslash.
    ("pgpass-password", "ops/.pgpass", "fe80\\:\\:1:5432:app:app_user:{v}\n"),
    # The value at the end of a connection string or a command in a string literal (closed by its quote).
    ("generic-password", "app/pg.py", 'conn = psycopg2.connect("host=db dbname=app user=app password={v}")\n'),
    ("generic-password", "src/Db.cs", 'var c = new SqlConnection("Server=db;Database=app;User ID=sa;Password={v}");\n'),
    ("generic-password", "docker-compose.yml", 'services:\n  api:\n    command: "serve --db-password={v}"\n'),
    # A password that ends in a colon is no key label (only letters and separators before the colon are).
    ("generic-password", "app.py", 'password = "{v}:"\n'),
    # Code in a JSON string: a notebook cell, a package.json script.
    ("generic-password", "nb.ipynb", '   "source": [\n    "password = \\"{v}\\"\\n"\n   ]\n'),
    ("generic-secret", "nb.ipynb", '    "os.environ[\\"OPENAI_API_KEY\\"] = \\"{v}\\"\\n",\n'),
    # Text inside code, begun on an earlier line: a template literal, a docstring, a text block, a raw string, a Vue
    # template, a block comment, a PowerShell here-string (red113).
    ("generic-password", "app/compose.py",
     'COMPOSE = """\nservices:\n  db:\n    environment:\n      POSTGRES_PASSWORD: {v}\n"""\n'),
    ("generic-password", "app/seed.py", 'def seed():\n    """Demo login.\n\n    password: {v}\n    """\n'),
    ("generic-password", "src/Seed.kt", 'val yaml = """\n    password: {v}\n""".trimIndent()\n'),
    ("generic-password", "cmd/seed.go", "const env = `\nDB_PASSWORD: {v}\n`\n"),
    ("generic-password", "src/Login.svelte", "<script>\n  let user = '';\n</script>\n<p>\n  password: {v}\n</p>\n"),
    ("generic-password", "src/db.c", "/*\n  test account\n  password: {v}\n*/\n"),
    ("generic-password", "deploy/setup.ps1", "$env = @'\nDB_PASSWORD={v}\n'@\n"),
    # The rest of the JSON name/value family (red113), value on the line after its name, or two lines after it.
    ("json-env-password-split", "infra/ecs.tf", '        {{\n          name  = "DB_PASSWORD"\n          value = "{v}"\n        }},\n'),
    ("json-env-secret-split", "postman/dev.postman_environment.json", '\t\t\t"key": "api_token",\n\t\t\t"value": "{v}",\n'),
    ("json-env-secret-split", "infra/params.json", '    "ParameterKey": "GithubToken",\n    "ParameterValue": "{v}"\n'),
    ("json-env-secret-split", "infra/appsettings.json",
     '  {{\n    "name": "STRIPE_API_KEY",\n    "slotSetting": true,\n    "value": "{v}"\n  }}\n'),
    ("json-env-password", "infra/azuredeploy.parameters.json", '    "adminPassword": {{"value": "{v}"}},\n'),
    # The same items written value first (lexgaps).
    ("yaml-env-password-reversed", "k8s/deploy.yaml", "        env:\n          - value: {v}\n            name: DB_PASSWORD\n"),
    ("yaml-env-secret-reversed", "chart/values.yaml", "extraEnv:\n  - value: \"{v}\"\n    name: API_SECRET\n"),
    ("json-env-password-reversed", "infra/appsettings.json", '  {{\n    "value": "{v}",\n    "name": "DB_PASSWORD"\n  }}\n'),
    ("json-env-secret-reversed", "ecs/taskdef.json", '        "value": "{v}",\n        "name": "STRIPE_API_KEY"\n'),
]

# (path, text): no finding at all.
NOT_SECRETS: list[tuple[str, str]] = [
    ("db.js", "const pw = process.env.DB_PASSWORD || process.env.PGPASSWORD;\n"),
    ("db.js", 'const pw = process.env.DB_PASSWORD || "";\n'),
    ("db.js", 'const pw = process.env.DB_PASSWORD || "${DEFAULT_PASSWORD}";\n'),
    ("settings.py", 'pw = os.getenv("DB_PASSWORD", default=None)\n'),
    ("settings.py", 'pw = os.environ.get("DB_PASSWORD") or settings.DEFAULT_PASSWORD\n'),
    ("entrypoint.sh", ': "${DB_PASSWORD:?set DB_PASSWORD}"\n'),
    ("entrypoint.sh", 'PW="${DB_PASSWORD:-$(cat /run/secrets/db_password)}"\n'),
    ("docker-compose.yml", "      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-}\n"),
    ("docker-compose.yml", "      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-${DEFAULT_PASSWORD}}\n"),
    ("rules/secrets.yml", "    sample: '      - DB_PASSWORD=${DB_PASSWORD:-{16:b62}}'\n"),  # a template
    ("form.html", '<input type="password" name="password">Password</input>\n'),
    ("settings.xml", "<password>${env.DEPLOY_PASSWORD}</password>\n"),
    ("settings.xml", "<password>{{ deploy_password }}</password>\n"),
    ("Info.plist", "<key>Password</key>\n<string>$(SERVER_PASSWORD)</string>\n"),
    ("k8s.yaml", "  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef: {name: db, key: password}\n"),
    ("k8s.yaml", "  - name: DB_PASSWORD\n    value: ${DB_PASSWORD}\n"),
    ("taskdef.json", '{"name": "DB_PASSWORD", "value": "${DB_PASSWORD}"}\n'),
    ("taskdef.json", '"name": "DB_PASSWORD",\n"valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/db"\n'),
    ("infra/appsettings.json", '    "name": "DB_PASSWORD",\n    "slotSetting": false,\n'
                               '    "value": "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/db/)"\n'),
    ("infra/params.json", '"ParameterKey": "DBPassword",\n"ParameterValue": "{{resolve:secretsmanager:prod/db}}"\n'),
    ("postman/dev.postman_environment.json", '{"key": "password", "value": "{{password}}", "enabled": true},\n'),
    ("infra/ecs.tf", '{ name = "DB_PASSWORD", value = var.db_password },\n'),
    ("deploy.ps1", "$p = ConvertTo-SecureString -String $env:DB_PASSWORD -AsPlainText -Force\n"),
    # A SQL bind parameter named after its column; a nullable type (red113).
    ("src/Repo.cs", 'conn.Execute("UPDATE users SET password = @password WHERE id = @id", user);\n'),
    ("Sources/Auth.swift", "    init(user: String, password: String?, otp: String?) {\n"),
    # Code in languages where an unquoted value is never a string (red113).
    ("app/db.py", "    conn = connect(host=host, password=dbPass2, user=user)\n"),
    ("app/db.py", "conn = connect(\n    password=db_pass2\n)\n"),
    ("app/db.py", "creds = {'user': user, 'password': db_pass2}\n"),
    ("pkg/db/db.go", "\tcfg := Config{User: user, Password: dbPass2}\n"),
    ("pkg/db/db.go", "\tpassword := os.Getenv(name)\n\ttoken := mintToken2(password)\n"),
    ("src/Login.kt", "    login(user, password = password2!!)\n"),
    ("src/Login.vue", "<script setup lang=\"ts\">\nconst form = { password: userPassword2! };\n</script>\n"),
    ("src/hooks/search.tsx", "  const myToken = ++latestSearchTokenRef.current\n"),
    ("requirements/poetry.lock", 'google-auth = ">=2.14.1, <3.0.0"\n'),
    ("Makefile", '\t@echo "DB_PASSWORD=$$DB_PASSWORD" > .env\n'),
    ("lib/db.php", '$cmd = "mysqldump --password=".$password." ".$db;\n'),
    ("plugins/inventory/cloud.py", "  --api-key API_KEY, -a API_KEY\n"),  # argparse's usage text
    # Translations of "password" in localized resources (red113).
    ("de.lproj/Localizable.strings", '"password" = "Passwort";\n'),
    ("lib/l10n/app_fr.arb", '  "passwordLabel": "Mot de passe",\n  "password": "Mot-de-passe",\n'),
    ("resources/lang/uk/auth.php", "    'password' => '\u041f\u0430\u0440\u043e\u043b\u044c',\n"),
    ("deploy.ps1", "$p = ConvertTo-SecureString (Get-Content pw.txt) -AsPlainText -Force\n"),
    ("docs/powershell.md", "ConvertTo-SecureString [-String] <SecureString> [-AsPlainText] [-Force]\n"),  # syntax
    ("k8s.yaml", "  - name: DB_PASSWORD\n    value: \"{{ .Values.db.password }}\"\n"),
    ("config.yml", "password:\n  secretKeyRef:\n    name: db\n"),
    ("config.yml", "password:\n  - first\n"),
    ("config.yml", "password: |\n  {{ vault_db_password }}\n"),
    ("config.yml", "password:\n  value_from_env\n"),
    ("settings.py", 'password = config.get("password", "")\n'),
    ("settings.py", 'user = os.getenv("DB_PASSWORD", "changeme")\n'),
    ("deploy/.netrc", "machine api.example.com login deploy password ${NETRC_PASSWORD}\n"),
    ("notes.txt", "machine api.example.com login deploy password hunter2isnotrandom\n"),  # not a netrc file
    ("arn.py", 'SECRET_REF = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf"\n'),
    ("app.py", 'url = "postgres://app@db/app?sslmode=require&password="\n'),
    # Prose and comments that name code (the gate's own history check, 2026-12-06).
    ("gatekeeper/x.py", "# where `!x` negates: `has_password = !!password`, `noToken := !cfg.Enabled` (red104)\n"),
    ("gatekeeper/x.py", "    return None  # `db_password: !vault |` in any file: a tag before a block scalar\n"),
    ("docs/secrets.md", "a key line it kept (a rotated password: `value:` changed, `- name: DB_PASSWORD` not)\n"),
]


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector.load()


@pytest.mark.parametrize(("rule", "path", "template"), FORMAT_CASES,
                         ids=[f"{rule}-{i}" for i, (rule, _, _) in enumerate(FORMAT_CASES)])
def test_a_credential_in_its_file_format_is_found(detector: SecretDetector, rule: str, path: str,
                                                   template: str) -> None:
    value = _v()
    text = template.format(v=value)
    line = next(n for n, body in enumerate(text.splitlines(), 1) if value in body)
    hits = detector.scan_text(text, path=path)
    assert [(h.rule_id, h.line) for h in hits] == [(f"secrets/{rule}", line)], text
    (hit,) = hits
    assert text.splitlines()[line - 1][hit.column - 1:].startswith(value)
    assert value not in hit.redacted


@pytest.mark.parametrize(("path", "text"), NOT_SECRETS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(NOT_SECRETS)])
def test_references_templates_and_structure_are_not_credentials(detector: SecretDetector, path: str,
                                                                  text: str) -> None:
    assert detector.scan_text(text, path=path) == []


def test_a_next_line_value_is_found_when_only_the_value_line_and_its_key_are_added(detector: SecretDetector) -> None:
    """The pre-receive scan reads a commit's added lines: the key and its value both added are one finding, on the
    value's line; a value whose key line is not among the added ones is not read as this shape."""
    value = _v()
    hits = detector.scan_lines([(12, "  - name: DB_PASSWORD"), (13, f"    value: {value}")], path="k8s/app.yaml")
    assert [(h.rule_id, h.line) for h in hits] == [("secrets/yaml-env-password", 13)]
    assert detector.scan_lines([(12, "  - name: DB_PASSWORD"), (14, f"    value: {value}")], path="k8s/app.yaml") == []


def test_a_rotated_value_two_lines_under_its_kept_name_is_found(tmp_path: Path) -> None:
    """App Service settings as the Azure CLI prints them put `"slotSetting"` between name and value: a commit that
    rotates only the value line is read with the two kept lines above it (red113)."""
    def settings(value: str) -> str:
        return f'[\n  {{\n    "name": "DB_PASSWORD",\n    "slotSetting": false,\n    "value": "{value}"\n  }}\n]\n'

    repo = RepoBuilder.init(tmp_path / "repo")
    repo.commit("settings\n", {"infra/appsettings.json": settings("changeme")})
    sha = repo.commit("rotate\n", {"infra/appsettings.json": settings(_v())})
    git = Git(repo.path)
    result = SecretsScanner().scan(ScanJob(git=git, commits=list(git.iter_log([sha], no_walk=True)), changes={},
                                           head=None))
    assert [(f.rule_id, f.line) for f in result.findings if f.category == "secrets"] == [
        ("secrets/json-env-password-split", 5)]


def _second_commit(where: Path, path: str, before: str, after: str) -> list[tuple[str, int | None]]:
    repo = RepoBuilder.init(where / "repo")
    repo.commit("first\n", {path: before})
    sha = repo.commit("second\n", {path: after})
    git = Git(repo.path)
    result = SecretsScanner().scan(ScanJob(git=git, commits=list(git.iter_log([sha], no_walk=True)), changes={},
                                           head=None))
    return [(f.rule_id, f.line) for f in result.findings if f.category == "secrets"]


def _module(value: str, call: str) -> str:
    return ('"""Deploy a database."""\n\nEXAMPLES = r\'\'\'\n- db_user:\n    name: app\n'
            f'    password: {value}\n\'\'\'\n\n\ndef main(conn):\n    conn.login(\n        {call}\n    )\n')


def test_a_hunk_inside_a_docstring_is_read_with_its_file(tmp_path: Path) -> None:
    """A commit that changes a line inside a module's EXAMPLES string: the hunk alone does not show the string's
    start, so an identifier-shaped value there could be code; the file it belongs to says it is text (red113)."""
    value = "k" + _v(15)
    found = _second_commit(tmp_path, "plugins/modules/db_user.py", _module("<password>", "user=user,"),
                           _module(value, "user=user,"))
    assert found == [("secrets/generic-password", 6)]


def test_a_hunk_of_code_stays_code_with_its_file(tmp_path: Path) -> None:
    """Control: a keyword argument naming a variable, added in a hunk of the same module, is code."""
    found = _second_commit(tmp_path, "plugins/modules/db_user.py", _module("<password>", "user=user,"),
                           _module("<password>", "password=db_pass2,"))
    assert found == []


def test_yaml_shapes_are_read_in_yaml_files_only(detector: SecretDetector) -> None:
    value = _v()
    text = f"- name: DB_PASSWORD\n  value: {value}\n"
    assert detector.scan_text(text, path="README.md") == []
    assert [h.rule_id for h in detector.scan_text(text, path="values.yml")] == ["secrets/yaml-env-password"]


def test_a_notebook_as_jupyter_writes_it(detector: SecretDetector) -> None:
    value = _v()
    cell = {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
            "source": ["import psycopg2\n", f'conn = psycopg2.connect(user="app", password="{value}")\n']}
    text = json.dumps({"cells": [cell], "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"
    hits = detector.scan_text(text, path="etl.ipynb")
    assert [h.rule_id for h in hits] == ["secrets/generic-password"]
    assert value not in hits[0].redacted


def test_a_password_in_a_code_span_of_prose_is_still_found(detector: SecretDetector) -> None:
    """Control for the prose shapes above: a real value in a README's code span is reported."""
    value = _v()
    hits = detector.scan_text(f"Run `DB_PASSWORD={value} make db` once.\n", path="README.md")
    assert [h.rule_id for h in hits] == ["secrets/generic-password"]


@pytest.mark.parametrize(("path", "unit"), [("a.ps1", "$x password=Get-Item "), ("a.ts", "'a' password=Uint8Array "),
                                            ("a.ts", "// apiKey: Base64Url "), ("a.py", "'db_password': db_pass2, "),
                                            ("a.py", "password=db_pass2, ")])
def test_thousands_of_code_values_on_one_line_cost_linear_time(detector: SecretDetector, path: str,
                                                               unit: str) -> None:
    """Each unquoted value read as code once looked back over the whole line before it (quadratic: 3.2 s for 200
    KB, review); it reads a bounded window now. 10x the line, about 10x the time."""
    import time

    def cost(size: int) -> float:
        line = (unit * (size // len(unit) + 1))[:size]
        start = time.perf_counter()
        detector.scan_lines([(1, line)], path=path)
        return time.perf_counter() - start

    # (Quadratic, 40 KB cost about 0.13 s more and 400 KB 13 s more: a ratio near 50 where linear reading gives 10.)
    assert cost(400_000) / cost(40_000) < 30 or cost(400_000) / cost(40_000) < 30
