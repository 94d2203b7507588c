"""Red team red107: a hostile (or careless) pusher getting a credential or an injection sink onto a protected branch
past the pre-receive hook's scanners — by the SHAPE of the file the content sits in, not by disguising it.

Each finding test fails on w/red107 (HEAD of main when the branch was made) for the reason its docstring names and
asserts the secure behaviour, so it passes once fixed. Secrets cases are real `git push`es into a bare repository with
the installed hook under the built-in policy (`gatekeeper.config.DEFAULT_POLICY_YAML`: every device's commits are
scanned for secrets in the hook, high blocks), pushed by Dana from her desktop. The code-scanner case runs the real
`gatekeeper check --format json` (local mode, as CI runs the semgrep and bandit the hook defers) with real semgrep and
bandit on a mobile commit (built-in mobile rule set: secrets, semgrep, bandit). Credential values are random
20-character alphanumerics made at run time (never a literal here); every value is a plain, undisguised credential.

Measured with the shipped SecretDetector (scan_text with the real path), 50 random values per shape; "found" = any
finding. Every shape below is how the file's own ecosystem writes a credential, not an obfuscation (docs/secrets.md
disclaims only run-time assembly, language escapes and encodings):

1. HIGH (miss) — rules/secrets.yml generic-password / generic-secret, the UNQUOTED value's end fence
   `(?=[\\s;,&#]|$)`: a `key=value` credential at the END of a connection string inside a string literal is closed by
   that literal's own quote, which the fence does not allow. libpq DSNs (`psycopg2.connect("host=db user=app
   password=V")`, Go `sql.Open("postgres", "… password=V")`, node-postgres, Ruby PG), ODBC (`"…;UID=sa;PWD=V"`),
   ADO.NET (`new SqlConnection("…;Password=V")`, appsettings.json without a trailing `;`), JDBC URLs
   (`"jdbc:mysql://db/app?user=app&password=V"`) and CLI flags in a quoted command (`"serve --db-password=V"`):
   0 of 450 found (9 shapes); the same strings with a `;` or a space after the value: 450 of 450. The hook accepts
   the push. Fix: allow `"`, `'` and `` ` `` in the unquoted value's end fence (the value class already stops there).
2. HIGH (miss) — Jupyter notebooks (`.ipynb`): a code cell is a JSON array of strings, so every `"` of the Python
   source is written `\\"`. `password = "V"`, `api_key = "V"`, `connect(user="app", password="V")`,
   `os.environ["OPENAI_API_KEY"] = "V"` in a cell: 0 of 200 found (the generic rules read `\\` as the value, then
   stop); only single-quoted Python (`'V'`) and a `Bearer` header are found: 100 of 300 over 6 shapes. Notebooks are
   the best-known source of leaked keys, and black/ruff format Python with double quotes. Fix: read `.ipynb` as
   JSON and scan each cell's source lines (mapped back to the file's lines), or treat `\\"` as a quote.
3. MEDIUM (miss) — XML configuration: a credential as an element's text or as a `key`/`name` + `value` attribute
   pair: Maven `settings.xml` `<password>V</password>`, NuGet.Config `<add key="ClearTextPassword" value="V"/>`,
   ASP.NET web.config `<add key="ApiSecret" value="V"/>`, Spring `<property name="password" value="V"/>`, Hibernate
   `<property name="hibernate.connection.password">V</property>`, Maven `<db.password>V</db.password>`, Android
   `<string name="api_key">V</string>`, a plist `<key>APISecret</key><string>V</string>`: 0 of 400 found (8
   shapes); only a `password="V"` attribute is (Tomcat context.xml, 50/50). The generic rules need `=`/`:` after
   the key name.
4. MEDIUM (miss) — YAML where the key and the value are on different lines: Kubernetes/Helm container env lists
   (`- name: DB_PASSWORD` / `  value: V` — the standard way a manifest sets a container's password), block and
   folded scalars (`password: |` / `  V`), a value on the next line: 0 of 250 found (5 shapes).
5. MEDIUM (miss) — credential files with no assignment at all: `~/.netrc` (`machine h login u password V`, one line
   or three), `~/.pgpass` (`host:port:db:user:V`), WordPress `wp-config.php` `define('DB_PASSWORD', 'V')`, PHP
   `define('API_SECRET', "V")`: 0 of 250 found. (Also 0: PowerShell `ConvertTo-SecureString "V" -AsPlainText`,
   `props.setProperty("password", "V")`, `os.environ.setdefault("DB_PASSWORD", "V")`, `ENV.fetch("DB_PASSWORD",
   "V")`, positional `HTTPBasicAuth('u', 'V')` / `NetworkCredential("u", "V")` / `smtp.login(u, 'V')` — call shapes,
   listed, not tested.)
6. MEDIUM (miss, code scanners) — scan/semgrep.py LANGUAGE_EXTENSIONS / HeadScanner.wants and scan/bandit.py: the
   rules are Python, JavaScript and TypeScript, but JavaScript inside `<script>` of `.html`, `.vue` and `.svelte`
   files and Python in `.ipynb` code cells never reach semgrep or bandit, and the pusher is told nothing (no
   scan/* note). The same lines in `app.js` / `etl.py` give 3 and 5 findings (eval, innerHTML, document.write;
   os.system, shell=True, pickle, yaml.load, eval). A phone commit carrying them is judged on secrets alone. Fix:
   materialise each `<script>` block (and each notebook code cell) as a `.js`/`.ts`/`.py` target whose other lines
   are blank, so line numbers map back; or at least report `scan/language-not-scanned` for such files.

Redaction checked: every secrets finding the hook printed (controls) shows `…[sha256:…]`, never the value.

Tried and held (no test): `.pypirc`, `.npmrc` (`_auth`, `_password`, `_authToken`), `.yarnrc.yml`, docker
`config.json` / `.dockercfg` `auth`, a Kubernetes Secret's base64 `data:` (found as a random value), `stringData:`,
`.tfvars`, `.envrc`, `.env.local`, CRLF `.env`, `.properties`, `gradle.properties`, INI/TOML/`my.cnf`,
`.smbcredentials`, `.s3cfg`, rclone, WireGuard `PrivateKey`, kubeconfig `token:`/`password:`, compose,
Dockerfile `ENV`, HCL/Terraform, Go struct literals, Ruby constants, `sshpass -p`, URL userinfo (also
percent-encoded), `.git-credentials`, SQL `IDENTIFIED BY`/`WITH PASSWORD`, a `;`-terminated ADO.NET string —
all found 50/50. Not attacked (documented limits or covered by earlier red teams): base64/hex/escaped values,
`.gitattributes` binary/-diff/working-tree-encoding, NUL-early and UTF-16 files, size caps, renames and
deleted-then-re-added files, secrets added then removed within a push.
"""

from __future__ import annotations

import json
import random
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.config import DEFAULT_POLICY_YAML
from tests.hook_helpers import DANA, MO, MOBILE, spush
from tests.hook_helpers import default_policy_server as _server
from tests.repo_builder import RepoBuilder

_RNG = random.Random(107)


def _value() -> str:
    """A random 20-character credential with upper, lower and digits (made at run time, never a literal)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        text = "".join(_RNG.choice(alphabet) for _ in range(20))
        if any(c.isdigit() for c in text) and any(c.isupper() for c in text) and any(c.islower() for c in text):
            return text


def _push(tmp_path: Path, files: dict[str, str]) -> tuple[int, str, list[dict[str, Any]]]:
    """Dana commits `files` on her desktop and pushes to main; (exit code, output, the verdict's findings)."""
    server, work = _server(tmp_path)
    work.commit("config\n", files, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    return result.code, result.output, list(server.last_verdict()["findings"])


def _unfound(files: dict[str, str], findings: list[dict[str, Any]]) -> list[str]:
    named = {f.get("path") for f in findings if str(f.get("rule_id", "")).startswith("secrets/")}
    return [path for path in files if path not in named]


def _notebook(source: str) -> str:
    """A one-cell notebook as Jupyter writes it (nbformat 4, indent 1)."""
    cell = {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
            "source": source.splitlines(keepends=True)}
    document = {"cells": [cell], "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                             "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1) + "\n"


# -- controls ---------------------------------------------------------------------------------------------------------

def test_control_the_same_credentials_in_assignment_shape_are_refused_and_redacted(tmp_path: Path) -> None:
    """Control (passes): the same kinds of values written `key=value;`, `key = 'value'` and `password: value` are
    found, the push is refused, and the hook's output names each finding with the value redacted."""
    values = [_value() for _ in range(4)]
    files = {
        "app/db.py": f'conn = psycopg2.connect("host=db user=app password={values[0]} sslmode=require")\n',
        "app/Db.cs": f'var conn = new SqlConnection("Server=db;User ID=sa;Password={values[1]};");\n',
        "notebooks/etl.ipynb": _notebook(f"import psycopg2\npassword = '{values[2]}'\n"),
        "deploy/values.yaml": f"db:\n  password: {values[3]}\n",
    }
    code, output, findings = _push(tmp_path, files)
    assert _unfound(files, findings) == []
    assert code != 0, output
    assert "…[sha256:" in output
    for value in values:
        assert value not in output
        assert value not in json.dumps(findings)


# -- 1. the value at the end of a connection string -------------------------------------------------------------------

def test_password_at_the_end_of_a_connection_string_passes_the_hook(tmp_path: Path) -> None:
    """rules/secrets.yml generic-password, unquoted branch: the value must be followed by whitespace, `;`, `,`, `&`,
    `#` or the end of the line. A DSN/ODBC/ADO.NET/JDBC string or a quoted command whose LAST item is the password
    ends at the string's own closing quote, so nothing matches: 0 of 450 random values over nine such shapes (the
    same strings with `;` or a space after the value: all found). The hook accepts a push holding a database
    password in each of Python, C#, Java, Go, JavaScript, Ruby, appsettings.json and a compose file."""
    v = _value
    files = {
        "app/pg.py": f'conn = psycopg2.connect("host=db dbname=app user=app password={v()}")\n',
        "app/mssql.py": ("conn = pyodbc.connect(\"DRIVER={ODBC Driver 18 for SQL Server};SERVER=db;UID=sa;"
                         f"PWD={v()}\")\n"),
        "src/Db.cs": f'var conn = new SqlConnection("Server=db;Database=app;User ID=sa;Password={v()}");\n',
        "src/Db.java": ("Connection c = DriverManager.getConnection(\"jdbc:mysql://db:3306/app?user=app&password="
                        f"{v()}\");\n"),
        "cmd/db.go": f'\tdb, err := sql.Open("postgres", "host=db user=app password={v()}")\n',
        "web/db.js": f"const client = new Client('host=db user=app password={v()}');\n",
        "lib/db.rb": f'conn = PG.connect("host=db dbname=app password={v()}")\n',
        "appsettings.json": json.dumps({"ConnectionStrings": {
            "Default": f"Server=db;Database=app;User Id=sa;Password={v()}"}}, indent=2) + "\n",
        "docker-compose.yml": f'services:\n  api:\n    command: "serve --db-password={v()}"\n',
    }
    code, output, findings = _push(tmp_path, files)
    unfound = _unfound(files, findings)
    assert unfound == [], f"exit {code}; no secrets finding for {len(unfound)} of {len(files)} files: {unfound}"
    assert code != 0, output


# -- 2. notebooks -----------------------------------------------------------------------------------------------------

def test_credentials_in_notebook_cells_pass_the_hook(tmp_path: Path) -> None:
    """A notebook stores each code line as a JSON string: `password = "V"` is `"password = \\"V\\"\\n",` in the
    file. The generic rules take the `\\` after `=` for an unquoted value one character long and match nothing:
    0 of 200 random values over these four cell shapes (single-quoted Python, `'V'`, is found: see the control).
    The hook accepts notebooks holding a database password, an API key and an OpenAI key."""
    v = _value
    files = {
        "notebooks/load.ipynb": _notebook(f'import psycopg2\npassword = "{v()}"\n'),
        "notebooks/client.ipynb": _notebook(f'api_key = "{v()}"\nclient = Client(api_key)\n'),
        "notebooks/connect.ipynb": _notebook(f'conn = connect(user="app", password="{v()}")\n'),
        "notebooks/llm.ipynb": _notebook(f'import os\nos.environ["OPENAI_API_KEY"] = "{v()}"\n'),
    }
    code, output, findings = _push(tmp_path, files)
    unfound = _unfound(files, findings)
    assert unfound == [], f"exit {code}; no secrets finding for {len(unfound)} of {len(files)} files: {unfound}"
    assert code != 0, output


# -- 3. XML -----------------------------------------------------------------------------------------------------------

def test_credentials_in_xml_configuration_pass_the_hook(tmp_path: Path) -> None:
    """A credential as XML element text or as a key/name + value attribute pair has no `=`/`:` after its name, so
    no generic rule applies: 0 of 400 random values over eight shapes (Maven settings.xml and pom properties,
    NuGet.Config ClearTextPassword, web.config appSettings, Spring and Hibernate properties, Android strings.xml,
    an Info.plist). The hook accepts them all."""
    v = _value
    files = {
        "ci/settings.xml": (f"<settings><servers><server>\n  <id>internal</id>\n  <username>deploy</username>\n"
                            f"  <password>{v()}</password>\n</server></servers></settings>\n"),
        "NuGet.Config": ('<configuration><packageSourceCredentials><internal>\n  <add key="Username" value="deploy" />\n'
                         f'  <add key="ClearTextPassword" value="{v()}" />\n</internal></packageSourceCredentials>'
                         "</configuration>\n"),
        "web/web.config": f'<configuration><appSettings>\n  <add key="ApiSecret" value="{v()}" />\n</appSettings>'
                          "</configuration>\n",
        "src/main/resources/applicationContext.xml": (
            '<beans>\n<bean id="ds" class="org.apache.commons.dbcp2.BasicDataSource">\n'
            f'  <property name="password" value="{v()}"/>\n</bean>\n</beans>\n'),
        "src/main/resources/hibernate.cfg.xml": (
            "<hibernate-configuration><session-factory>\n"
            f'  <property name="hibernate.connection.password">{v()}</property>\n'
            "</session-factory></hibernate-configuration>\n"),
        "pom.xml": f"<project><properties>\n  <db.password>{v()}</db.password>\n</properties></project>\n",
        "app/src/main/res/values/strings.xml": f'<resources>\n  <string name="api_key">{v()}</string>\n</resources>\n',
        "ios/App/Info.plist": f"<plist><dict>\n  <key>APISecret</key>\n  <string>{v()}</string>\n</dict></plist>\n",
    }
    code, output, findings = _push(tmp_path, files)
    unfound = _unfound(files, findings)
    assert unfound == [], f"exit {code}; no secrets finding for {len(unfound)} of {len(files)} files: {unfound}"


# -- 4. YAML: name and value on different lines -----------------------------------------------------------------------

def test_credentials_in_yaml_split_over_lines_pass_the_hook(tmp_path: Path) -> None:
    """A Kubernetes/Helm container env list (`- name: DB_PASSWORD` then `value: V`), a literal or folded block scalar
    (`password: |` then the value) and a value on the line after its key: the generic rules read one line and find
    no credential name next to the value: 0 of 250. The hook accepts a deployment manifest with the database
    password in its env list."""
    v = _value
    files = {
        "k8s/deployment.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n"
                                "    spec:\n      containers:\n        - name: api\n          image: api:1\n"
                                "          env:\n            - name: DB_PASSWORD\n"
                                f"              value: \"{v()}\"\n"),
        "chart/values.yaml": f"extraEnv:\n  - name: API_SECRET\n    value: {v()}\n",
        "config/literal.yml": f"password: |\n  {v()}\n",
        "config/folded.yml": f"password: >-\n  {v()}\n",
        "config/nextline.yml": f"db:\n  password:\n    {v()}\n",
    }
    code, output, findings = _push(tmp_path, files)
    unfound = _unfound(files, findings)
    assert unfound == [], f"exit {code}; no secrets finding for {len(unfound)} of {len(files)} files: {unfound}"
    assert code != 0, output


# -- 5. credential files without an assignment ------------------------------------------------------------------------

def test_netrc_pgpass_and_php_define_pass_the_hook(tmp_path: Path) -> None:
    """`.netrc` (`password V`, whitespace-separated), `.pgpass` (colon-positional) and PHP's `define('DB_PASSWORD',
    'V')` (WordPress' wp-config.php) have no assignment after the name: 0 of 250. These are the files people commit
    by accident; the hook accepts them."""
    v = _value
    files = {
        "deploy/.netrc": f"machine api.example.com\n  login deploy\n  password {v()}\n",
        "ops/netrc": f"machine git.example.com login ci password {v()}\n",
        "ops/.pgpass": f"db.internal:5432:app:app_user:{v()}\n",
        "wp-config.php": f"<?php\ndefine( 'DB_NAME', 'wp' );\ndefine( 'DB_PASSWORD', '{v()}' );\n",
        "lib/config.php": f"<?php\ndefine('API_SECRET', \"{v()}\");\n",
    }
    code, output, findings = _push(tmp_path, files)
    unfound = _unfound(files, findings)
    assert unfound == [], f"exit {code}; no secrets finding for {len(unfound)} of {len(files)} files: {unfound}"
    assert code != 0, output


# -- 6. JavaScript in markup, Python in notebooks: no code scanner, no word ------------------------------------------

SINKS_JS = ("function show() {\n"
            "  const q = new URLSearchParams(location.search).get(\"q\");\n"
            "  document.getElementById(\"out\").innerHTML = q;\n"
            "  eval(q);\n"
            "  document.write(q);\n"
            "}\n")
SINKS_PY = ("import os, subprocess, pickle, yaml\n\n\n"
            "def run(cmd, path):\n"
            "    os.system(\"tar xf \" + cmd)\n"
            "    subprocess.call(cmd, shell=True)\n"
            "    data = pickle.load(open(path, \"rb\"))\n"
            "    conf = yaml.load(open(path))\n"
            "    return eval(cmd), data, conf\n")
CODE_FILES = {
    "web/index.html": f'<!doctype html>\n<html><body>\n<div id="out"></div>\n<script>\n{SINKS_JS}show();\n</script>\n'
                      "</body></html>\n",
    "web/App.vue": f'<template><div id="out"></div></template>\n\n<script>\n{SINKS_JS}'
                   "export default { mounted() { show(); } };\n</script>\n",
    "web/App.svelte": f'<script>\n{SINKS_JS}show();\n</script>\n\n<div id="out"></div>\n',
    "notebooks/etl.ipynb": _notebook(SINKS_PY),
}


@pytest.fixture(scope="module")
def code_verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The real `gatekeeper check` (CI's run of the deferred scanners) of one phone commit adding the four files
    above and, as the control, the same lines as `web/app.js` and `etl.py`."""
    root = tmp_path_factory.mktemp("code")
    repo = RepoBuilder.init(root / "repo")
    (root / "policy.yml").write_text(DEFAULT_POLICY_YAML)
    base = repo.commit("base\n", {"README.md": "x\n"}, author=DANA, committer=DANA)
    repo.commit("from the phone" + MOBILE, {**CODE_FILES, "web/app.js": SINKS_JS, "etl.py": SINKS_PY},
                author=MO, committer=MO)
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--policy", str(root / "policy.yml"),
                           "--format", "json", "--base", base], cwd=repo.path, capture_output=True, text=True,
                          check=False, timeout=600)
    try:
        return dict(json.loads(proc.stdout))
    except ValueError:
        raise AssertionError(proc.stdout + proc.stderr) from None


def _code_findings(verdict: dict[str, Any], path: str) -> list[str]:
    return [f["rule_id"] for f in verdict["findings"] + verdict.get("suppressed", [])
            if f.get("path") == path and str(f["rule_id"]).startswith(("semgrep/", "bandit/", "scan/"))]


def test_control_the_same_sinks_in_js_and_py_files_are_found(code_verdict: dict[str, Any]) -> None:
    """Control (passes): in `web/app.js` and `etl.py` the shipped rules flag every sink."""
    assert len(set(_code_findings(code_verdict, "web/app.js"))) >= 3
    assert len(set(_code_findings(code_verdict, "etl.py"))) >= 5


@pytest.mark.parametrize("path", sorted(CODE_FILES))
def test_script_blocks_and_notebook_cells_reach_a_code_scanner_or_are_reported(code_verdict: dict[str, Any],
                                                                               path: str) -> None:
    """semgrep's and bandit's targets are chosen by extension (.py/.pyi/.pyw, .js/.jsx/.mjs/.cjs, .ts/.tsx/.mts/.cts,
    or a `#!` line), so the `<script>` of an HTML page, a Vue or Svelte component and the code cells of a notebook
    are read by no code scanner — and no scan/* finding tells the pusher. The phone commit's eval, innerHTML,
    document.write, os.system, shell=True, pickle.load and yaml.load there are judged on secrets alone. Secure:
    each file gets the findings its code gets in a .js/.py file, or at least a scan/* note naming it."""
    assert _code_findings(code_verdict, path), f"{path}: no code scanner finding and no scan/* note"
