"""Red team red149: hostile pushes against meas148's and meas149's loosenings (aa817f2: js-sql-string-building leaves a
LIKE pattern whose only constant text is the `%` wildcards; 487d50e: js-hardcoded-secret leaves the password word in
another language; 317f0c4: a name between JSON-escaped angle brackets is a placeholder; 6562b52: `pw` is a dummy word;
9b61151: a Go template's field chain and a label naming the secret are no password; and the later 1e44465:
js-sql-string-building leaves text built inside a sql tag's interpolation). Each test commits real content to a real
repository and runs the real `gatekeeper check`, the secrets scanner on a real commit, or a push through the installed
pre-receive hook.

Found and fixed (each test below failed before its fix on branch red149):

1. HIGH (aa817f2) — the `%` pattern was dropped wherever it stood in the query's text, also where it is put into SQL
   text by hand: `util.format("… LIKE '%s'", `%${q}%`)`, sprintf, `.replace(':q', …)`, `[…].join('')`, `.concat(…)`
   — a request's value between the statement's own quotes, caught before aa817f2. Fixed: formatted, replaced, joined
   or concatenated it is SQL text again; a values array (mysql.format's `?`, a driver's params) still binds it.
2. HIGH (1e44465) — everything inside a sql tag's interpolation was dropped, also text built for the tag's raw escape
   hatch: `sql`… ORDER BY ${sql.raw(`${q.sort} ${q.order}`)}`` and `LIKE '${sql.raw(`%${q}%`)}'` — the raw call's own
   text has no SQL shape, so "matched on its own" never happened. Fixed: text built inside `X.raw(…)`/`X.unsafe(…)` is
   SQL text wherever it is (not the values array a raw call binds).
3. HIGH (317f0c4) — between `\\u003c` and `\\u003e` any letters, digits and `-_.@` were a name to fill in (the bare
   form's `<[\\w .:/@-]+>` marker): a generated password or key so wrapped — a JSON config, a shell script, a Go DSN,
   a beads issue quoting a real `--api-key` with its brackets kept — passed. Fixed: the inside must have a name's
   shape (words in one case with separators, or camelCase).
4. HIGH (9b61151) — the label after a word value took any letters: a letters-only generated password followed by
   `Secret Key` (`password: aAdyFibpBVhMah Secret Key`: a YAML plain scalar, all of it the password) passed. Fixed:
   every word, the value too, in a word's shape (capitalised or lower case, or a short acronym).

Held (no change needed): 487d50e's foreign password words are the same fixed dictionary stand-ins the English word
already is (LOW: a real secret cannot be fitted into them); 6562b52's `pw` lets only compositions of dummy words
through (`[pw2024]`, LOW: `[password2024]` already passed); 9b61151's template exemption reads only unquoted field
chains, and a literal default in its pipeline still blocks (a numeric `| default 84729163` passes: LOW, the same
number as the value blocks nowhere).

Left by red149, closed in the same session: a real default inside a Helm template's value, `password: {{
.Values.db.password | default "…" }}`, passed (older than these commits: no rule read a value inside a template
action); `template-default-password` reads it.

Every secret is made at run time."""

from __future__ import annotations

import random
import string
from pathlib import Path
from typing import Any

import pytest

from tests.hook_helpers import DANA, SECRETS_POLICY, SEMGREP_HOOK_POLICY, seeded, spush
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit
from tests.secrets_helpers import blocking_findings, scan_commit

_RNG = random.Random(149)


def _generated(n: int = 18) -> str:
    """Letters and digits, no mark: what a generator without symbols makes."""
    return "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(n - 2)) + "7Q"


def _letters(n: int = 14) -> str:
    """Letters alone, both cases, a capital inside: a generator set to letters only."""
    return "".join(_RNG.choice(string.ascii_letters) for _ in range(n - 2)) + "qR"


def _escaped(inner: str) -> str:
    return "\\u003c" + inner + "\\u003e"


# -- 1 and 2. js-sql-string-building: the `%` pattern put into SQL text, and a raw escape hatch inside a sql tag -----

HOSTILE_TS = """import util from 'util';
import { sql } from 'drizzle-orm';
const sprintf = require('sprintf-js').sprintf;

export async function search(db: any, req: any) {
  const q = req.query.q;
  const a = await db.query(util.format("SELECT * FROM users WHERE name LIKE '%s'", `%${q}%`));
  const b = await db.query(sprintf("SELECT id FROM posts WHERE title LIKE '%s'", '%' + q + '%'));
  const c = await db.query("SELECT * FROM users WHERE name LIKE ':q'".replace(':q', `%${q}%`));
  const d = await db.query(["SELECT * FROM users WHERE email LIKE '", `%${q}%`, "'"].join(''));
  const e = await db.execute(sql`SELECT * FROM users ORDER BY ${sql.raw(`${req.query.sort} ${req.query.order}`)}`);
  const f = await db.execute(sql`SELECT * FROM users WHERE name LIKE '${sql.raw(`%${q}%`)}'`);
  return [a, b, c, d, e, f];
}
"""
HOSTILE_LINES = {7, 8, 9, 10, 11, 12}

BOUND_TS = """import mysql from 'mysql2';
import { sql, like } from 'drizzle-orm';

export async function search(db: any, knex: any, qb: any, req: any, users: any) {
  const q = req.query.q;
  const a = await db.query('SELECT * FROM users WHERE name LIKE $1', [`%${q}%`]);
  const b = await db.query(mysql.format('SELECT * FROM users WHERE name LIKE ?', [`%${q}%`]));
  const c = await db.execute(sql`SELECT * FROM users WHERE name LIKE ${`%${q}%`}`);
  const d = qb.where(knex.raw('name LIKE ?', [`%${q}%`]));
  const e = await db.select().from(users).where(like(users.name, `%${q}%`));
  return [a, b, c, d, e];
}
"""


def _sql_lines(verdict: dict[str, Any]) -> set[int]:
    return {f["line"] for f in verdict["findings"] if f["rule_id"] == "semgrep/js-sql-string-building"}


@pytest.fixture(scope="module")
def hostile_verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return check_commit(tmp_path_factory.mktemp("hostile"), {"src/search.ts": HOSTILE_TS}, ALL_SCANNERS_POLICY)[1]


def test_a_like_pattern_formatted_into_sql_or_raw_in_a_tag_blocks(hostile_verdict: dict[str, Any]) -> None:
    assert hostile_verdict["decision"] == "block" and _sql_lines(hostile_verdict) == HOSTILE_LINES, hostile_verdict


def test_held_a_bound_like_pattern_passes(tmp_path: Path) -> None:
    verdict = check_commit(tmp_path, {"src/search.ts": BOUND_TS}, ALL_SCANNERS_POLICY)[1]
    assert _sql_lines(verdict) == set(), verdict


def test_the_hook_refuses_a_like_pattern_formatted_into_sql(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SEMGREP_HOOK_POLICY)
    work.commit("search\n", {"src/search.ts": HOSTILE_TS}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and "js-sql-string-building" in result.output, result.output
    assert server.tip() != work.head()


# -- 3. a generated value between JSON-escaped angle brackets ------------------------------------------------------

def _escaped_cases() -> dict[str, tuple[str, str, str]]:
    key, pw, dsn = _generated(), _generated(), _generated(14)
    return {
        "a JSON config": ("config/app.json", '{"db_password": "' + _escaped(pw) + '"}\n', "secrets/generic-password"),
        "a beads issue quoting a real key": (
            ".beads/issues.jsonl", '{"id":"bd-7","description":"run: serve --api-key=' + _escaped(key)
            + ' --port 8080"}\n', "secrets/cli-password"),
        "a shell script": ("scripts/start.sh", 'DB_PASSWORD="' + _escaped(pw[:9] + "-" + pw[9:]) + '"\n',
                           "secrets/generic-password"),
        "a Go connection string": (
            "internal/db/dsn.go", 'package db\n\nconst dsn = "postgres://app:' + _escaped(dsn)
            + '@db.acme-corp.com:5432/app"\n', "secrets/database-url-password"),
    }


@pytest.mark.parametrize("shape", list(_escaped_cases()))
def test_a_generated_value_between_json_escaped_brackets_blocks(based: RepoBuilder, shape: str) -> None:
    path, text, rule = _escaped_cases()[shape]
    assert blocking_findings(scan_commit(based, {path: text})) == [(path, rule)]


@pytest.mark.parametrize("inner", ["key", "your-api-key", "API_KEY", "apiKey", "password"])
def test_held_a_name_between_json_escaped_brackets_passes(based: RepoBuilder, inner: str) -> None:
    text = '{"id":"bd-42","description":"Flags:\\n- --api-key=' + _escaped(inner) + ' (auth key)\\n"}\n'
    assert blocking_findings(scan_commit(based, {".beads/issues.jsonl": text})) == []


def test_the_hook_refuses_a_password_between_json_escaped_brackets(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SECRETS_POLICY)
    pw = _generated()
    work.commit("config\n", {"config/app.json": '{"db_password": "' + _escaped(pw) + '"}\n'}, author=DANA,
                committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and "secrets/generic-password" in result.output, result.output
    assert pw not in result.output and server.tip() != work.head()


# -- 4. a letters-only password followed by a label's words --------------------------------------------------------

@pytest.mark.parametrize("path, line", [
    ("config/app.yml", "smtp_password: {pw} Secret Key\n"),
    ("config/app.yml", "admin_password: {pw} Mailer App Password\n"),
    ("openapi.yml", "    - password: {pw} Secret Key\n"),
])
def test_a_letters_only_password_before_a_label_blocks(based: RepoBuilder, path: str, line: str) -> None:
    assert blocking_findings(scan_commit(based, {path: line.replace("{pw}", _letters())})) == [
        (path, "secrets/generic-password")]


@pytest.mark.parametrize("line", ["    - password: Langfuse Secret Key\n", "    - pass: Acme Personal Access Token\n",
                                  "    - password: AWS Secret Access Key\n"])
def test_held_a_label_naming_the_secret_passes(based: RepoBuilder, line: str) -> None:
    assert blocking_findings(scan_commit(based, {"web/public/generated/api/openapi.yml": line})) == []


# -- held: the Go template's field chain, its literal default ------------------------------------------------------

def test_held_a_literal_default_in_the_template_variables_pipeline_blocks(based: RepoBuilder) -> None:
    path = "charts/app/templates/_helpers.tpl"
    text = '{{- $password := .Values.db.password | default (b64dec "' + _generated() + '") }}\n'
    assert blocking_findings(scan_commit(based, {path: text})) == [(path, "secrets/generic-password")]


def test_a_real_default_in_a_helm_templates_value_blocks(based: RepoBuilder) -> None:
    """Left by red149 as MEDIUM, closed in the same session by `template-default-password`: a Helm template's value
    with a real literal default, which no rule read (the generic rules stop at the `{{`)."""
    path = "charts/app/templates/secret.yaml"
    text = '  password: {{ .Values.db.password | default "' + _generated() + '" | b64enc }}\n'
    assert blocking_findings(scan_commit(based, {path: text})) == [(path, "secrets/template-default-password")]


@pytest.mark.parametrize("line", [
    '  pwd: {{ default "{v}" .Values.pwd | quote }}',  # the function form
    '  DB_PASSWORD: {{ .Values.db.password | default "{v}" | b64enc | quote }}',
    '  password: "{{ .Values.redis.password | default "{v}" }}"',  # the action quoted as YAML
    '  password: {{ .Values.redis.password | default `{v}` | b64enc }}',  # a Go raw string
    '  password: {{ "{v}" | b64enc | quote }}',  # the literal itself, encoded for a Secret (review)
])
def test_a_real_default_in_other_helm_shapes_blocks(based: RepoBuilder, line: str) -> None:
    path = "deploy/helm/templates/secret.yaml"
    found = scan_commit(based, {path: line.replace("{v}", _generated()) + "\n"})
    assert blocking_findings(found) == [(path, "secrets/template-default-password")], found


@pytest.mark.parametrize("line", [
    '  password: {{ .Values.db.password | default "changeme" | b64enc }}',  # a placeholder word
    '  password: {{ .Values.db.password | default "" }}',
    '  password: {{ .Values.db.password | default (randAlphaNum 24) | b64enc }}',  # generated at install
    '  password: {{ .Values.db.password | required "set db.password" }}',
    '  password: {{ .Values.db.password | default .Values.global.password }}',
])
def test_held_a_helm_value_without_a_real_default_does_not_block(based: RepoBuilder, line: str) -> None:
    assert blocking_findings(scan_commit(based, {"deploy/helm/templates/secret.yaml": line + "\n"})) == []
