"""Red team red130: the project's own semgrep rules (rules/semgrep/) attacked as a careless or hostile phone / AI
author writes code — the dangerous call each rule exists for, in the shapes assistants really produce, that no rule
matches — and checked for false alarms on ordinary code.

Harness: ONE real phone commit (`Origin-Device: mobile` trailer, tests/hook_helpers.MOBILE) adding every sample
below to a real repository (tests/repo_builder.py), judged by the real `gatekeeper check --format json` under the
built-in policy (`gatekeeper.config.DEFAULT_POLICY_YAML`: the mobile rule set runs secrets, semgrep and bandit and
blocks at high) — one run for the module, real semgrep with the shipped rules, real bandit. Every sample was also
run through `semgrep scan --experimental --metrics=off --disable-version-check --config rules/semgrep FILE` and
bandit (gate thresholds: medium confidence and severity) by hand with the same result.

Each finding test asserts the SECURE behaviour (a miss: the sample gets a blocking >= high finding from semgrep or
bandit; a false positive: the ordinary sample gets none from the named rule), so it FAILS now for the reason its
docstring names and passes once fixed. Note scan/themes.py SUPERSEDED_BANDIT: for every commit our rules scanned,
bandit's B602/B605/B102/B307/B608 are dropped, so a miss of ours in those themes is a miss of the gate; B608 is in
any case low-confidence (below the gate) for all the SQL samples here except `%`-formatting.

Rules covered (rules/semgrep/python, 36; rules/semgrep/javascript, 37): command execution (subprocess shell=True,
os.system/popen, asyncio shell, child_process exec/shell option/caller input/request input), eval/exec/new Function,
deserialisation (pickle family, yaml, jsonpickle, marshal, shelve, JS serialize), SQL strings (Python, JS/TS), path
traversal (Flask/Django/FastAPI, Express), TLS verification off (requests/httpx/aiohttp/urllib3/ssl, Node
rejectUnauthorized + NODE_TLS_REJECT_UNAUTHORIZED), XSS sinks (innerHTML family, document.write, React
dangerouslySetInnerHTML, Angular bypassSecurityTrust, mark_safe, jinja2 autoescape), weak hashes/ciphers, JWT,
secrets in code, CORS, open redirect, XXE, template injection, prototype pollution, NoSQL operators, others.

Measured recall (realistic variants, gate-level = semgrep or bandit at >= medium/medium):
| theme (Python unless said)       | variants | caught by our rules | caught by the gate | missed by the gate |
| command execution                | 26       | 11                  | 12 (+ paramiko B601) | 14               |
| SQL built from strings           | 20       | 8                   | 10 (+ B610, B611)    | 10               |
| eval/exec                        | 11       | 3                   | 3                    | 8: 4 aliasing, 4 other APIs (runpy, code, sympify, DataFrame.eval) |
| deserialisation                  | 13       | 8                   | 8                    | 5                |
| TLS verification off             | 15       | 8                   | 8                    | 7                |
| path traversal (Flask/FastAPI)   | 10       | 5                   | 5                    | 5                |
| JS/TS: command / eval / SQL / TLS / XSS | 12 / 6 / 8 / 7 / 11 | 6 / 5 / 8 / 6 / 6 | same | 6 / 1 / 0 / 1 / 5 |
JavaScript SQL (knex.raw, prisma $queryRawUnsafe, pg, sequelize, mysql2, sqlite, drizzle sql.raw, better-sqlite3),
eval reach (window/globalThis.eval, setTimeout string, vm), TLS and innerHTML family held: earlier red teams
hardened those. Aliasing by import (`import subprocess as sp`, `from subprocess import run as r`, `from os import
system`, `import pickle as pkl`, `from pandas import read_pickle`, `from yaml import load, Loader`) held: semgrep
resolves imports.

False positives: all 73 rules over the HEAD trees of three mirrors (django/djangoproject.com 68a439a, 272 files;
docker/awesome-compose 18f59bd, 84; Aider-AI/aider 5dc9490, 87 code files), 39 findings, all read: the clear false
ones are js-sql-string-building (critical) on a jQuery `$(...).each(function(){...})` callback (djangoproject
dashboard/index.js:2) and on require.js, python-open-redirect on `redirect(model_instance)` and on `reverse(...) +
"?q=..."` (docs/views.py:132,172), python-mark-safe-non-literal on `mark_safe(_("literal"))`
(members/models.py:50); the rest are the rules' stated design (shell=True with a variable, DEBUG=True in dev
settings, credentials in tests, 0.0.0.0 binds, tempfile.mktemp). js-sql-string-building alone over cline/cline
21cb8d2 (2,969 JS/TS files) and hoppscotch afc2cf1 (1,089): 14 findings, 3 plainly false (two `axios.get(versionUrl)`
— "replace" in `${host.replace(...)}` is an SQL keyword to the rule — and an agent's `synthesizer.run(\\`...prompt
...\\`)`), 11 dynamic WHERE clauses built from constant fragments with placeholders for values (the rule's design).

Findings, by severity:

1. HIGH (false positive, blocks) — rules/semgrep/javascript/sql-string-building.yml (critical): the method list
   `^(query|execute|exec|run|all|get|each|...)$` is any receiver's method, and the "looks like SQL" regex accepts
   any English word among select/from/set/and/or/show/limit/order/replace/...; so an HTTP GET whose URL template has
   `?limit=`, `?from=`, `order=`, `select=` (axios.get, Angular `this.http.get`, a fetch wrapper `api.get`,
   `https.get`), a jQuery `.each(function(){...})` callback with one string concatenation, and an AI agent's
   `agent.run(\\`...prompt about ${topic} and ...\\`)` are each a CRITICAL SQL-injection finding and block a phone
   commit. 6 of 6 ordinary samples fire. Fix: require the receiver to look like a database handle or the string to
   START with an SQL verb (`^\\s*(select|insert|update|delete|with)\\b`), and exclude `.get`/`.each`/`.run` unless the
   string starts so.
2. HIGH (false positive, blocks) — rules/semgrep/python/sql-string-formatting.yml (critical): `query` is in the
   method list and the SQL regex accepts `and`/`or`/`from`/`where` anywhere, so LlamaIndex's canonical
   `query_engine.query(f"Summarise what the docs say about {topic} and list ...")` (and any RAG `index.query`,
   `rag.query`) is a critical SQL injection. Same fix as 1.
3. HIGH (miss) — command execution through an explicit shell argv: `subprocess.run(["bash", "-c", f"... {x}"])`,
   `check_output(["/bin/sh", "-c", "grep " + p])`, `os.spawnlp(..., "sh", "-c", cmd)`, `os.execl("/bin/sh", "sh",
   "-c", cmd)`, Node `spawn('sh', ['-c', \\`... ${name}\\`])`: the commonest way an assistant "avoids shell=True"
   still runs the line through /bin/sh; no rule looks at argv[0] being a shell with `-c` (bandit: B603/B606 low).
   Where: python/subprocess-shell-true.yml, os-system-non-literal.yml, javascript/child-process-*.yml.
4. HIGH (miss) — shell=True / shell:true reached indirectly: `subprocess.run(cmd, **opts)` with opts =
   {"shell": True}, `functools.partial(subprocess.run, shell=True)`, `sp = subprocess` then `sp.run(..., shell=True)`,
   a method stored on self (`self.exec = subprocess.check_output`), Node `spawn(cmd, opts)` with `const opts =
   { shell: true }`. The rules match only a literal `shell=` keyword at the call on a spelled module path; bandit
   sees the partial/alias forms as B604 (low confidence) and B602 is superseded.
5. HIGH (miss) — SQL strings executed through methods not in the list: asyncpg `conn.fetch/fetchrow/fetchval(f"...")`,
   PySpark `spark.sql(f"...")`, `duckdb.sql(f"...")`, `databases` `fetch_all(query=f"...")`, and the keyword form
   `cur.execute(query=f"...")` (the rule binds only the first positional argument). Where: python/
   sql-string-formatting.yml `$METHOD` regex and `$DB.$METHOD($SQL, ...)`.
6. HIGH (miss) — SQL built away from the execute: in both branches of an if/else then executed after it, returned by
   a helper (`cur.execute(build_query(...))`), or a template from a dict (`QUERIES["x"].format(name=name)`). The
   `$Q = $SQL ... execute($Q)` pattern needs the assignment in the same block, before the call.
7. HIGH (miss) — path traversal into sinks the taint rule lacks: Flask's upload idiom
   `request.files["file"].save(os.path.join(UPLOADS, f.filename))` (no secure_filename), pathlib `(BASE /
   name).open()`, `aiofiles.open(f"/srv/files/{name}")` in FastAPI, `shutil.move(request.form["path"], ...)`.
   Where: python/path-traversal-user-input.yml pattern-sinks.
8. MEDIUM (miss) — path traversal behind an unrelated or incomplete check: any `if <... x.startswith(...) ...>:`
   earlier in the function silences the sink (pattern-not-inside with `$CHECKED` unbound to the path), so
   `if name.startswith("/"): abort(400)` — which lets `../../etc/passwd` through — and an unrelated
   `if request.path.startswith("/api")` both hide `open(os.path.join(BASE, name))`.
9. MEDIUM (miss) — TLS verification off in shapes the rules lack: `os.environ["CURL_CA_BUNDLE"] = ""` /
   `REQUESTS_CA_BUNDLE` (the well-known "fix" assistants give for Hugging Face / requests SSL errors; the JS rule
   covers NODE_TLS_REJECT_UNAUTHORIZED but Python has no counterpart), `requests.get(url, **{"verify": False})`,
   `def fetch(url, verify=False): requests.get(url, verify=verify)`, `ssl.SSLContext(ssl.PROTOCOL_TLS)` (CERT_NONE
   and no host check by default), `ctx.verify_mode = 0`, httplib2 `disable_ssl_certificate_validation=True`.
10. MEDIUM (miss) — React dangerouslySetInnerHTML with the `{__html}` object not written inline: the React docs'
   own `createMarkup()` helper, `const markup = { __html: body }`, props spread `{...props}`. Where:
   javascript/react-dangerously-set-inner-html.yml (matches only `{{__html: $HTML}}` literally).
11. MEDIUM (miss) — deserialisation: `np.load(path, allow_pickle=True)` (ML code; pickle underneath) and
   `yaml.full_load(f)` — the rule's own message lists FullLoader as unsafe and flags `Loader=yaml.FullLoader`, but
   not `full_load`/`full_load_all`.
12. LOW (miss, deliberate obfuscation) — the sink reached by a run-time lookup: `getattr(os, "system")(cmd)`,
   `__import__("os").system(cmd)`, `importlib.import_module("os").system(cmd)`, `evaluate = eval`,
   `getattr(builtins, "eval")(expr)`, `list(map(exec, snippets))`, JS `(0, eval)(expr)`. Not what an assistant
   writes by accident; a hostile author's one-liner. A rule for `getattr($M, "...")(...)`/`__import__` on a
   dangerous name and for eval/exec passed as a value would close it.

Tried and held (no test): import aliasing (above); `subprocess.run(args=..., shell=True)`, `shell=USE_SHELL`
constant / parameter default True; `" ".join([...])` commands; `os.popen(...).read()`; `getstatusoutput`;
`compile()` then `exec`; eval in a lambda; SQL via `+`/`%`/`.format`/f-string/implicit string concatenation in
parentheses, `self.sql` attribute, two-step f-string, `text(...)`, `psycopg2.sql.SQL(f"...")`, `pd.read_sql`;
`torch.load(weights_only=False)`, Redis-cached pickle, joblib; `verify=` via a module constant, Session.verify,
httpx transport, aiohttp connector, urllib3 CERT_NONE, websocket sslopt, `from ssl import CERT_NONE`; Django
FileResponse, FastAPI UploadFile name, os.remove, send_file with `+`; JS: exec inside a function-local require,
default import, promisify, `[...].join(' ')`, execFile shell option, knex/prisma/pg/sequelize/mysql2/sqlite/
drizzle/better-sqlite3, outerHTML/insertAdjacentHTML/jQuery .html/`innerHTML +=`, marked() in
dangerouslySetInnerHTML, React.createElement, process.env['NODE_TLS_REJECT_UNAUTHORIZED'], Object.assign on
process.env, agent options objects.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from gatekeeper.config import DEFAULT_POLICY_YAML
from tests.hook_helpers import DANA, MO, MOBILE
from tests.repo_builder import RepoBuilder

# -- samples: path -> source. Each is code an assistant plausibly writes. -------------------------------------------

SHELL_ARGV = {
    "shell_argv/bash_c.py": (
        "import subprocess\n\n\n"
        "def convert(filename):\n"
        "    subprocess.run([\"bash\", \"-c\", f\"ffmpeg -i {filename} out.mp3\"], check=True)\n"),
    "shell_argv/sh_c_concat.py": (
        "import subprocess\n\n\n"
        "def grep(pattern, path):\n"
        "    return subprocess.check_output([\"/bin/sh\", \"-c\", \"grep \" + pattern + \" \" + path])\n"),
    "shell_argv/spawnlp.py": (
        "import os\n\n\n"
        "def disk(path):\n"
        "    os.spawnlp(os.P_WAIT, \"sh\", \"sh\", \"-c\", \"du -sh \" + path)\n"),
    "shell_argv/execl.py": (
        "import os\n\n\n"
        "def run(cmd):\n"
        "    os.execl(\"/bin/sh\", \"sh\", \"-c\", cmd)\n"),
    "shell_argv/spawn_sh_c.js": (
        "const { spawn } = require('child_process');\n"
        "function run(name) {\n"
        "  return spawn('sh', ['-c', `ls -la /home/${name}`]);\n"
        "}\n"
        "module.exports = run;\n"),
}

SHELL_INDIRECT = {
    "shell_indirect/kwargs.py": (
        "import subprocess\n\n\n"
        "def run_tool(cmd: str):\n"
        "    opts = {\"shell\": True, \"check\": True, \"capture_output\": True}\n"
        "    return subprocess.run(cmd, **opts)\n"),
    "shell_indirect/partial.py": (
        "import functools\nimport subprocess\n\n"
        "sh = functools.partial(subprocess.run, shell=True, check=True)\n\n\n"
        "def convert(filename):\n"
        "    sh(f\"ffmpeg -i {filename} out.mp3\")\n"),
    "shell_indirect/module_alias.py": (
        "import subprocess\n\nsp = subprocess\n\n\n"
        "def ping(host):\n"
        "    sp.run(f\"ping -c 1 {host}\", shell=True)\n"),
    "shell_indirect/method_on_self.py": (
        "import subprocess\n\n\n"
        "class Runner:\n"
        "    def __init__(self):\n"
        "        self.exec = subprocess.check_output\n\n"
        "    def lookup(self, host):\n"
        "        return self.exec(f\"nslookup {host}\", shell=True)\n"),
    "shell_indirect/spawn_opts.js": (
        "const { spawn } = require('child_process');\n"
        "const opts = { shell: true, stdio: 'inherit' };\n"
        "function convert(req, res) {\n"
        "  spawn(`ffmpeg -i ${req.query.file} out.mp3`, opts);\n"
        "}\n"
        "module.exports = convert;\n"),
}

SQL_METHODS = {
    "sql_methods/asyncpg_fetchrow.py": (
        "async def get_user(conn, user_id):\n"
        "    return await conn.fetchrow(f\"SELECT * FROM users WHERE id = {user_id}\")\n"),
    "sql_methods/asyncpg_fetch.py": (
        "async def search(pool, name):\n"
        "    async with pool.acquire() as conn:\n"
        "        return await conn.fetch(\"SELECT id, name FROM users WHERE name LIKE '%\" + name + \"%'\")\n"),
    "sql_methods/asyncpg_fetchval.py": (
        "async def count(conn, table):\n"
        "    return await conn.fetchval(f\"SELECT count(*) FROM {table}\")\n"),
    "sql_methods/spark_sql.py": (
        "def sales_for(spark, region):\n"
        "    return spark.sql(f\"SELECT * FROM sales WHERE region = '{region}'\")\n"),
    "sql_methods/duckdb_sql.py": (
        "import duckdb\n\n\n"
        "def by_city(city):\n"
        "    return duckdb.sql(f\"SELECT * FROM 'data.parquet' WHERE city = '{city}'\").df()\n"),
    "sql_methods/fetch_all_kw.py": (
        "async def list_orders(database, status):\n"
        "    return await database.fetch_all(query=f\"SELECT * FROM orders WHERE status = '{status}'\")\n"),
    "sql_methods/execute_kw.py": (
        "def find(cur, name):\n"
        "    cur.execute(query=f\"SELECT * FROM users WHERE name = '{name}'\")\n"),
}

SQL_ELSEWHERE = {
    "sql_elsewhere/if_else.py": (
        "def find(cur, name, admin):\n"
        "    if admin:\n"
        "        q = f\"SELECT * FROM users WHERE name = '{name}'\"\n"
        "    else:\n"
        "        q = f\"SELECT id FROM users WHERE name = '{name}'\"\n"
        "    cur.execute(q)\n"
        "    return cur.fetchall()\n"),
    "sql_elsewhere/helper.py": (
        "def build_query(table, name):\n"
        "    return f\"SELECT * FROM {table} WHERE name = '{name}'\"\n\n\n"
        "def find(cur, name):\n"
        "    cur.execute(build_query(\"users\", name))\n"
        "    return cur.fetchall()\n"),
    "sql_elsewhere/template_dict.py": (
        "QUERIES = {\"by_name\": \"SELECT * FROM users WHERE name = '{name}'\"}\n\n\n"
        "def find(cur, name):\n"
        "    cur.execute(QUERIES[\"by_name\"].format(name=name))\n"),
}

_FLASK = "from flask import Flask, abort, request\n\napp = Flask(__name__)\n"
PATH_SINKS = {
    "path_sinks/upload_save.py": (
        "import os\n" + _FLASK + "\n\n"
        "@app.route(\"/upload\", methods=[\"POST\"])\n"
        "def upload():\n"
        "    f = request.files[\"file\"]\n"
        "    f.save(os.path.join(\"/srv/uploads\", f.filename))\n"
        "    return \"ok\"\n"),
    "path_sinks/pathlib_open.py": (
        "from pathlib import Path\n" + _FLASK + "UPLOADS = Path(\"/srv/uploads\")\n\n\n"
        "@app.route(\"/download\")\n"
        "def download():\n"
        "    name = request.args.get(\"file\")\n"
        "    with (UPLOADS / name).open(\"rb\") as f:\n"
        "        return f.read()\n"),
    "path_sinks/aiofiles_fastapi.py": (
        "import aiofiles\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        "@app.get(\"/files/{name}\")\n"
        "async def read_file(name: str):\n"
        "    async with aiofiles.open(f\"/srv/files/{name}\", \"rb\") as f:\n"
        "        return await f.read()\n"),
    "path_sinks/shutil_move.py": (
        "import shutil\n" + _FLASK + "\n\n"
        "@app.route(\"/archive\", methods=[\"POST\"])\n"
        "def archive():\n"
        "    shutil.move(request.form[\"path\"], \"/srv/archive/\")\n"
        "    return \"ok\"\n"),
}

PATH_GUARD = {
    "path_guard/leading_slash.py": (
        "import os\n" + _FLASK + "BASE = \"/srv/reports\"\n\n\n"
        "@app.route(\"/report\")\n"
        "def report():\n"
        "    name = request.args[\"name\"]\n"
        "    if name.startswith(\"/\"):\n"
        "        abort(400)\n"
        "    with open(os.path.join(BASE, name)) as f:\n"
        "        return f.read()\n"),
    "path_guard/unrelated.py": (
        "import os\n" + _FLASK + "BASE = \"/srv/reports\"\n\n\n"
        "@app.route(\"/report\")\n"
        "def report():\n"
        "    name = request.args[\"name\"]\n"
        "    if request.path.startswith(\"/api\"):\n"
        "        app.logger.info(\"api call\")\n"
        "    with open(os.path.join(BASE, name)) as f:\n"
        "        return f.read()\n"),
}

TLS_OFF = {
    "tls_off/env_ca_bundle.py": (
        "import os\n\n"
        "os.environ[\"CURL_CA_BUNDLE\"] = \"\"\n"
        "os.environ[\"REQUESTS_CA_BUNDLE\"] = \"\"\n"),
    "tls_off/kwargs.py": (
        "import requests\n\n\n"
        "def fetch(url):\n"
        "    opts = {\"timeout\": 10, \"verify\": False}\n"
        "    return requests.get(url, **opts)\n"),
    "tls_off/param_default.py": (
        "import requests\n\n\n"
        "def fetch(url, verify=False):\n"
        "    return requests.get(url, timeout=10, verify=verify)\n"),
    "tls_off/protocol_tls.py": (
        "import ssl\nimport urllib.request\n\n\n"
        "def fetch(url):\n"
        "    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS)\n"
        "    return urllib.request.urlopen(url, context=ctx).read()\n"),
    "tls_off/verify_mode_zero.py": (
        "import ssl\n\n\n"
        "def context():\n"
        "    ctx = ssl.create_default_context()\n"
        "    ctx.verify_mode = 0\n"
        "    return ctx\n"),
    "tls_off/httplib2.py": (
        "import httplib2\n\n"
        "http = httplib2.Http(disable_ssl_certificate_validation=True)\n"),
}

REACT_HTML = {
    "react_html/create_markup.jsx": (
        "export function Comment({ comment }) {\n"
        "  function createMarkup() {\n"
        "    return { __html: comment.html };\n"
        "  }\n"
        "  return <div dangerouslySetInnerHTML={createMarkup()} />;\n"
        "}\n"),
    "react_html/markup_var.jsx": (
        "export function Comment({ body }) {\n"
        "  const markup = { __html: body };\n"
        "  return <div dangerouslySetInnerHTML={markup} />;\n"
        "}\n"),
    "react_html/spread.jsx": (
        "export function Html({ html }) {\n"
        "  const props = { dangerouslySetInnerHTML: { __html: html } };\n"
        "  return <div {...props} />;\n"
        "}\n"),
}

DESERIALISE = {
    "deserialise/numpy_allow_pickle.py": (
        "import numpy as np\n\n\n"
        "def load_features(path):\n"
        "    return np.load(path, allow_pickle=True)\n"),
    "deserialise/yaml_full_load.py": (
        "import yaml\n\n\n"
        "def load(path):\n"
        "    with open(path) as f:\n"
        "        return yaml.full_load(f)\n"),
}

DYNAMIC_SINK = {
    "dynamic_sink/getattr_os.py": "import os\n\n\ndef run(cmd):\n    getattr(os, \"system\")(cmd)\n",
    "dynamic_sink/dunder_import.py": "def run(cmd):\n    __import__(\"os\").system(cmd)\n",
    "dynamic_sink/importlib.py": ("import importlib\n\n\n"
                                 "def run(cmd):\n    importlib.import_module(\"os\").system(cmd)\n"),
    "dynamic_sink/eval_alias.py": "evaluate = eval\n\n\ndef calc(expr):\n    return evaluate(expr)\n",
    "dynamic_sink/getattr_builtins.py": ("import builtins\n\n\n"
                                         "def calc(expr):\n    return getattr(builtins, \"eval\")(expr)\n"),
    "dynamic_sink/map_exec.py": "def run_all(snippets):\n    list(map(exec, snippets))\n",
    "dynamic_sink/indirect_eval.js": "function calc(expr) { return (0, eval)(expr); }\nmodule.exports = calc;\n",
}

# Ordinary code that must not be a critical SQL injection.
JS_NOT_SQL = {
    "not_sql/axios_limit.ts": (
        "import axios from 'axios';\n"
        "const API_URL = process.env.API_URL;\n"
        "export async function listItems(page: number, limit = 20) {\n"
        "  const res = await axios.get(`${API_URL}/items?page=${page}&limit=${limit}`);\n"
        "  return res.data;\n"
        "}\n"),
    "not_sql/angular_http.ts": (
        "export class ItemService {\n"
        "  constructor(private http: any, private baseUrl: string) {}\n"
        "  search(term: string) {\n"
        "    return this.http.get(`${this.baseUrl}/items/search?from=${term}`);\n"
        "  }\n"
        "}\n"),
    "not_sql/api_wrapper.ts": (
        "export const api = { get: (u: string) => fetch(u).then((r) => r.json()) };\n"
        "export function orders(userId: string) {\n"
        "  return api.get(`/api/users/${userId}/orders?order=desc&limit=50`);\n"
        "}\n"),
    "not_sql/https_get.js": (
        "const https = require('https');\n"
        "function getUser(id, cb) {\n"
        "  https.get('https://api.example.com/users/' + id + '?select=name,email', cb);\n"
        "}\n"
        "module.exports = getUser;\n"),
    "not_sql/jquery_each.js": (
        "$('.card').each(function (i, el) {\n"
        "  var title = $(el).data('title');\n"
        "  $(el).attr('aria-label', 'Show details for ' + title);\n"
        "});\n"),
    "not_sql/agent_run.ts": (
        "export async function summarise(agent: any, topic: string) {\n"
        "  return agent.run(`Summarise the latest news about ${topic} and list the three most important points.`);\n"
        "}\n"),
}

PY_NOT_SQL = {
    "not_sql/llamaindex.py": (
        "from llama_index.core import SimpleDirectoryReader, VectorStoreIndex\n\n"
        "index = VectorStoreIndex.from_documents(SimpleDirectoryReader(\"docs\").load_data())\n"
        "query_engine = index.as_query_engine()\n\n\n"
        "def ask(topic):\n"
        "    return query_engine.query(f\"Summarise what the documents say about {topic} and list the key dates.\")\n"),
    "not_sql/rag_query.py": (
        "def explain(rag, feature):\n"
        "    answer = rag.query(f\"Explain how {feature} works and give one example from the code base.\")\n"
        "    return answer.response\n"),
}

# Controls: the same sinks in the spelled-out shape the rules know (must be found now).
CONTROLS = {
    "control/shell.py": ("import subprocess\n\n\ndef ping(host):\n"
                         "    subprocess.run(f\"ping -c 1 {host}\", shell=True)\n"),
    "control/sql.py": "def find(cur, name):\n    cur.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n",
    "control/tls.py": "import requests\n\n\ndef fetch(url):\n    return requests.get(url, verify=False)\n",
    "control/react.jsx": ("export function Comment({ body }) {\n"
                          "  return <div dangerouslySetInnerHTML={{ __html: body }} />;\n}\n"),
    "control/path.py": ("import os\n" + _FLASK + "\n\n@app.route(\"/r\")\ndef r():\n"
                        "    with open(os.path.join(\"/srv\", request.args[\"n\"])) as f:\n        return f.read()\n"),
    "control/pg.ts": ("export async function find(pool: any, name: string) {\n"
                      "  return pool.query(`SELECT * FROM users WHERE name = '${name}'`);\n}\n"),
}

# Left by fix130 (still missed; each test below is a strict xfail, so fixing one makes it fail until unmarked).
# fix130b closed the startswith binding, the method on self and the run-time lookups. Its flow rule for SQL built away
# from the call (a semgrep taint rule) cost ten times the time over a real project, so it was not taken; the rule now
# reads the three shapes without taint (the text assigned in a branch or loop, returned by a helper, or kept as a
# template constant; red134 widened them): the rule alone takes 1.7x its old CPU time over 4,390 real Python files
# (about 3 ms a file; the whole Python rule set about 1.2x), with the same findings there.
# SSLContext(PROTOCOL_TLS) stays: it is also every server's context.
LEFT = {
    "tls_off/protocol_tls.py": "SSLContext(PROTOCOL_TLS) is also every server's context; not flagged without a client use",
}


def _cases(samples: dict[str, str]) -> list[Any]:
    return [pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=LEFT[p])) if p in LEFT else p
            for p in sorted(samples)]


ALL = {**SHELL_ARGV, **SHELL_INDIRECT, **SQL_METHODS, **SQL_ELSEWHERE, **PATH_SINKS, **PATH_GUARD, **TLS_OFF,
       **REACT_HTML, **DESERIALISE, **DYNAMIC_SINK, **JS_NOT_SQL, **PY_NOT_SQL, **CONTROLS}
_ORDER = ["info", "low", "medium", "high", "critical"]


@pytest.fixture(scope="module")
def verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The real `gatekeeper check` (as CI runs the scanners the hook defers) of one phone commit adding every sample,
    under the built-in policy: mobile commits get secrets, semgrep and bandit, block at high."""
    root = tmp_path_factory.mktemp("red130")
    repo = RepoBuilder.init(root / "repo")
    (root / "policy.yml").write_text(DEFAULT_POLICY_YAML)
    base = repo.commit("base\n", {"README.md": "x\n"}, author=DANA, committer=DANA)
    repo.commit("Add the service code" + MOBILE, ALL, author=MO, committer=MO)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(root), "XDG_CACHE_HOME": str(root / "cache")}
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--policy", str(root / "policy.yml"),
                           "--format", "json", "--base", base], cwd=repo.path, capture_output=True, text=True,
                          check=False, timeout=900, env=env)
    try:
        return dict(json.loads(proc.stdout))
    except ValueError:
        raise AssertionError(proc.stdout + proc.stderr) from None


def _findings(verdict: dict[str, Any], path: str) -> list[dict[str, Any]]:
    return [f for f in verdict["findings"] + verdict.get("suppressed", [])
            if f.get("path") == path and str(f["rule_id"]).startswith(("semgrep/", "bandit/"))]


def _blocking(verdict: dict[str, Any], path: str) -> list[str]:
    """The code findings on `path` at or above the mobile rule set's block_at (high)."""
    return [f"{f['rule_id']}:{f['severity']}" for f in _findings(verdict, path)
            if _ORDER.index(str(f["severity"]).lower()) >= _ORDER.index("high")]


def test_control_the_spelled_out_sinks_block(verdict: dict[str, Any]) -> None:
    """Control (passes): the same sinks in the shape the rules know each get a blocking finding, and the commit
    is judged as a phone commit and blocked."""
    assert verdict["decision"] == "block", verdict["decision"]
    tool = [f["rule_id"] for f in verdict["findings"] if str(f["rule_id"]).startswith(("tool/", "scan/"))]
    assert not tool, tool
    missing = [p for p in CONTROLS if not _blocking(verdict, p)]
    assert not missing, missing


@pytest.mark.parametrize("path", sorted(JS_NOT_SQL))
def test_ordinary_http_calls_and_prompts_are_not_critical_js_sql_injection(verdict: dict[str, Any],
                                                                           path: str) -> None:
    """HIGH false positive (blocks): js-sql-string-building (critical) takes any `.get/.each/.run/...` call on any
    receiver as a database call and any English word (limit, from, order, select, show, and, replace...) as SQL, so
    an HTTP GET URL template, a jQuery `.each` callback or an AI agent's prompt is a critical SQL injection."""
    fired = [f"{f['rule_id']}:{f['severity']}" for f in _findings(verdict, path)
             if f["rule_id"] == "semgrep/js-sql-string-building"]
    assert not fired, f"{path}: {fired}"


@pytest.mark.parametrize("path", sorted(PY_NOT_SQL))
def test_llm_query_engines_are_not_critical_python_sql_injection(verdict: dict[str, Any], path: str) -> None:
    """HIGH false positive (blocks): python-sql-string-formatting (critical) flags LlamaIndex-style
    `query_engine.query(f"... about {topic} and ...")` — `query` is in its method list and `and`/`about`-prose
    passes its "looks like SQL" regex."""
    fired = [f"{f['rule_id']}:{f['severity']}" for f in _findings(verdict, path)
             if f["rule_id"] == "semgrep/python-sql-string-formatting"]
    assert not fired, f"{path}: {fired}"


@pytest.mark.parametrize("path", sorted(SHELL_ARGV))
def test_shell_reached_through_an_explicit_sh_c_argv_blocks(verdict: dict[str, Any], path: str) -> None:
    """HIGH miss: `["bash", "-c", f"... {x}"]`, `["/bin/sh", "-c", ...]`, `os.spawnlp(..., "sh", "-c", ...)`,
    `os.execl("/bin/sh", "sh", "-c", cmd)`, Node `spawn('sh', ['-c', ...])` run a run-time line through a shell;
    no rule looks at a shell with `-c` as argv[0] (bandit: B603/B606, low), so a phone commit passes."""
    assert _blocking(verdict, path), f"{path}: {[f['rule_id'] for f in _findings(verdict, path)]}"


@pytest.mark.parametrize("path", _cases(SHELL_INDIRECT))
def test_shell_true_reached_indirectly_blocks(verdict: dict[str, Any], path: str) -> None:
    """HIGH miss: shell=True through `**opts`, functools.partial, `sp = subprocess`, a method stored on self, or
    Node `spawn(cmd, opts)` with `opts = { shell: true }`; the rules need a literal `shell=` at a spelled call."""
    assert _blocking(verdict, path), f"{path}: {[f['rule_id'] for f in _findings(verdict, path)]}"


@pytest.mark.parametrize("path", sorted(SQL_METHODS))
def test_sql_strings_sent_through_unlisted_methods_block(verdict: dict[str, Any], path: str) -> None:
    """HIGH miss: asyncpg fetch/fetchrow/fetchval, spark.sql, duckdb.sql, fetch_all(query=...), execute(query=...)
    with an f-string/+ query; not in python-sql-string-formatting's method list (or not the first positional)."""
    assert _blocking(verdict, path), f"{path}: {[f['rule_id'] for f in _findings(verdict, path)]}"


@pytest.mark.parametrize("path", _cases(SQL_ELSEWHERE))
def test_sql_built_in_a_branch_helper_or_template_blocks(verdict: dict[str, Any], path: str) -> None:
    """HIGH miss: the query built in if/else branches, returned by a helper, or `.format` on a template from a
    dict, then executed: `$Q = $SQL ... execute($Q)` needs the assignment in the same block as the call."""
    assert _blocking(verdict, path), f"{path}: {[f['rule_id'] for f in _findings(verdict, path)]}"


@pytest.mark.parametrize("path", sorted(PATH_SINKS))
def test_request_paths_into_unlisted_file_sinks_block(verdict: dict[str, Any], path: str) -> None:
    """HIGH miss: Flask's `file.save(os.path.join(dir, file.filename))`, pathlib `(BASE / name).open()`,
    `aiofiles.open(...)`, `shutil.move(request.form[...], ...)` are not sinks of python-path-traversal-user-input."""
    assert _blocking(verdict, path), f"{path}: {[f['rule_id'] for f in _findings(verdict, path)]}"


@pytest.mark.parametrize("path", _cases(PATH_GUARD))
def test_an_unrelated_or_incomplete_startswith_does_not_hide_path_traversal(verdict: dict[str, Any],
                                                                            path: str) -> None:
    """MEDIUM miss: any `if <... x.startswith(...) ...>:` before the sink silences the rule — `name.startswith("/")`
    (which `../` passes) or a check of another value (`request.path.startswith("/api")`)."""
    assert _blocking(verdict, path), f"{path}: {[f['rule_id'] for f in _findings(verdict, path)]}"


@pytest.mark.parametrize("path", _cases(TLS_OFF))
def test_tls_verification_off_in_other_shapes_blocks(verdict: dict[str, Any], path: str) -> None:
    """MEDIUM miss: CURL_CA_BUNDLE/REQUESTS_CA_BUNDLE emptied, `**{"verify": False}`, a `verify=False` parameter
    default, `ssl.SSLContext(ssl.PROTOCOL_TLS)`, `verify_mode = 0`, httplib2's disable flag."""
    assert _blocking(verdict, path), f"{path}: {[f['rule_id'] for f in _findings(verdict, path)]}"


@pytest.mark.parametrize("path", sorted(REACT_HTML))
def test_dangerously_set_inner_html_not_written_inline_blocks(verdict: dict[str, Any], path: str) -> None:
    """MEDIUM miss: the `{__html: x}` object from the React docs' createMarkup(), a variable, or a props spread;
    js-react-dangerously-set-inner-html matches only the inline `{{__html: $HTML}}`."""
    assert _blocking(verdict, path), f"{path}: {[f['rule_id'] for f in _findings(verdict, path)]}"


@pytest.mark.parametrize("path", sorted(DESERIALISE))
def test_pickle_underneath_and_yaml_full_load_block(verdict: dict[str, Any], path: str) -> None:
    """MEDIUM miss: `np.load(..., allow_pickle=True)` and `yaml.full_load` (the yaml rule flags
    Loader=FullLoader and names it unsafe, but not full_load)."""
    assert _blocking(verdict, path), f"{path}: {[f['rule_id'] for f in _findings(verdict, path)]}"


@pytest.mark.parametrize("path", _cases(DYNAMIC_SINK))
def test_sink_reached_by_run_time_lookup_blocks(verdict: dict[str, Any], path: str) -> None:
    """LOW miss (deliberate obfuscation): getattr(os, "system"), __import__("os"), importlib.import_module("os"),
    `evaluate = eval`, getattr(builtins, "eval"), map(exec, ...), JS `(0, eval)(expr)`."""
    assert _blocking(verdict, path), f"{path}: {[f['rule_id'] for f in _findings(verdict, path)]}"
