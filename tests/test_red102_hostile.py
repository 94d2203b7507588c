"""Red team red102: attacks on a5037d2 (red101's repairs) — the generic-password/-secret/keystore value class that
now runs across the other quote character, the narrowed `_REFERENCE`/placeholder filters, the "first interpreter word"
shebang reader, the extended JavaScript rules, and where a repository's policy may put the decision log.

Each finding test fails on w/red102 for the reason its docstring names and asserts the secure (or quiet) behaviour,
so it passes once fixed. Secrets tests run the real SecretDetector with the shipped rules; JavaScript rule tests run
real semgrep on the shipped rule file; the decision-log test runs the real `gatekeeper check` in a clone.
Secret-shaped values are built by concatenation.

Findings:

1. HIGH (noise, blocking) — rules/secrets.yml generic-password/-secret value class `(?:(?!(?P=q))\\S)`: a quoted
   value now runs across the OTHER quote character, so code that closes a string, concatenates a variable and
   reopens it — `"... password='"+password+"'"` — reads `"+password+"` as the password. SQL built by concatenation
   (Java, PHP, C#, Go, Python, C++, JavaScript), log/format strings (`"token='"+authToken+"'"`) and shell quoting
   around a variable (`-e MYSQL_ROOT_PASSWORD='"$MYSQL_ROOT_PASSWORD"'`) are all reported, the password ones HIGH
   (blocking with the default policy; the secrets-only pre-receive hook refuses the push). None was reported at
   a5037d2^. Also: `"password": "L'identifiant"` (an i18n string with an apostrophe) is HIGH.
2. LOW (noise) — scan/secrets.py `_REFERENCE` path form now needs path-only characters: a path or URL path with a
   query, fragment or glob — `auth: "/oauth/token?grant_type=client_credentials"`, `token: "/api/token?refresh=1"`,
   `secret: "/run/secrets/*"` — is now a medium generic-secret finding (high in a CI definition).
3. MEDIUM (miss) — scan/secrets.py: the `!` rule still drops an UNQUOTED value starting with `!` everywhere, though
   a YAML tag exists only in YAML: `.env`/`.properties`/shell `DB_PASSWORD=!Kq9…` is not reported. And a quoted
   password starting with `/` that holds only `[\\w.@%+=,~:/\\\\-]` (`"/aB3@kL9%zQ+e"`), or starting with `<` and
   then word characters (`"<Kq9xLm2Wd7Tz"`) is still taken for a path / a `<name` placeholder and dropped.
4. MEDIUM (miss) — scan/workspace.py `interpreter_language`: "the first word that names an interpreter" reads
   option VALUES and tool lists before the program: `sudo -u node python3` (user `node`, the official Node image's
   user) is JavaScript, `mise exec python@3.12 node@22 -- node` and `nix shell nixpkgs#python3 nixpkgs#nodejs
   --command node` are Python — an executable Python/JS script reaches the wrong scanner (parse error, low) and its
   real findings are lost. And interpreters outside the list still read as None: `gjs -m` (GNOME JavaScript),
   `vite-node`, `jiti` (TypeScript runners).
5. HIGH (noise, blocking: critical) — rules/semgrep/javascript/sql-string-building.yml `where/andWhere/...`: the
   ordinary, parameterised TypeORM form `qb.where(`${qb.alias}.title LIKE :q`, {q})` /
   `.andWhere(`${alias}.createdAt > :from AND ...`, {from, to})` (alias interpolated, values bound) is reported as
   SQL injection at critical. (LanceDB `.where(`path LIKE '${dir}%'`)` in continue is a true positive.)
6. LOW (noise) — rules/semgrep/javascript/browser-open-redirect.yml `$W.location = $URL`: any object's `location`
   field is a navigation sink: `this.location = e.data.location`, `state.location = action.data.city`,
   `vm.location = vm.$route.query.city` are open-redirect findings (medium, warn).
7. MEDIUM — audit/decisionlog.py `destination`: a repository's relative `log.path` is checked by its words only;
   a committed directory symlink (`audit -> ../outside` or an absolute path) makes `gatekeeper check` in a clone
   create (or add its tables to) a SQLite file anywhere the clone names. `_create_private`'s O_NOFOLLOW covers the
   last component only.

Measured (bench/bench_secrets_history.py --min-severity medium, a5037d2^ vs a5037d2): aider (13,138 commits) 23 -> 23,
continue (21,566 commits) 48 -> 48, identical lists: the new shapes are rare in these histories, common in
ordinary SQL/log code (finding 1). Semgrep JS rules, HEAD trees of continue + gemini-cli (4,062 JS/TS files):
113 -> 115 findings, the 2 new are LanceDB `.where()` filters built from values (true positives).

Tried and held (no test): `"host=db password='"+pw+"'"` (value too short/low entropy), shell
`'{"token":"'"$TOKEN"'"}'`, `${{ secrets.X }}`, `--password="$(cat f)"`, HTML `value='"+pw+"'`, CSP-like values;
the red101 shapes (`"Kq9'vL…"`, `"/CU)0^Dr…"`, quoted `!…`) are reported; PostgreSQL URLs in a repository policy
are all refused (scheme case-insensitive, is_postgres on the stripped value).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.scan.secrets import SecretDetector
from gatekeeper.scan.workspace import interpreter_language
from tests.hook_helpers import TEST_POLICY
from tests.repo_builder import RepoBuilder

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector.load()


def _reported(detector: SecretDetector, path: str, line: str) -> list[tuple[str, str]]:
    return [(h.rule_id, h.severity.name) for h in detector.scan_text(line, path=path)]


# -- 1. the quoted value runs across the other quote: concatenation is read as a password ----------------------------

CONCATENATION = {
    # SQL built by concatenation (classic login code; bad for SQL injection, but no credential in it)
    "Login.java": "String sql = \"SELECT * FROM users WHERE username='\"+username+\"' AND pass" "word='\"+password+\"'\";",
    "login.php": "$sql = \"SELECT * FROM users WHERE user='\".$user.\"' AND pass" "word='\".$password.\"'\";",
    "login_md5.php": "$sql=\"SELECT id FROM users WHERE pass" "word='\".md5($password).\"'\";",
    "login.cs": "string q = \"SELECT * FROM Users WHERE Pass" "word='\"+txtPassword.Text+\"'\";",
    "login.go": "q := \"SELECT * FROM users WHERE pass" "word='\"+password+\"'\"",
    "login.py": "cur.execute(\"SELECT * FROM users WHERE pass" "word='\"+hashed_password+\"'\")",
    "update.py": "cursor.execute(\"UPDATE users SET pass" "word='\"+password+\"' WHERE id=1\")",
    "login.js": "const sql = \"SELECT * FROM users WHERE pass" "word='\"+req.body.password+\"'\";",
    "conf.cpp": "std::string s = \"pass" "word='\"+cfg.password+\"'\";",
    # a log line / formatted string quoting a variable
    "refresh.py": "log.info(\"tok" "en='\"+token_id+\"' refreshed\")",
    "Auth.kt": "val s = \"tok" "en='\"+authToken+\"'\"",
    # shell quoting: a variable reference passed through another shell
    "run.sh": "docker run -e MYSQL_ROOT_PASS" "WORD='\"$MYSQL_ROOT_PASSWORD\"' mysql",
    # an i18n string with an apostrophe
    "fr.json": "  \"pass" "word\": \"L'identifiant\",",
}


@pytest.mark.parametrize("path", sorted(CONCATENATION))
def test_concatenated_variable_between_quotes_is_not_a_credential(detector: SecretDetector, path: str) -> None:
    """a5037d2 lets a quoted password hold the other quote character, so `'"+password+"'` (close the string, add a
    variable, reopen it) is a password `"+password+"`. HIGH on the password lines: blocks by default; none at
    a5037d2^. Secure: a value made of a quote, a concatenation operator and an identifier is code, not a secret."""
    line = CONCATENATION[path]
    assert _reported(detector, path, line) == [], f"{path}: {line!r}"


# -- 2. a path with a query, fragment or glob is no longer a path --------------------------------------------------

PATHS = {
    "auth.yml": "  au" "th: \"/oauth/token?grant_type=client_credentials\"",
    "api.ts": "  tok" "en: \"/api/token?refresh=1\",",
    "routes.ts": "  au" "th: \"/login#/callback\",",
    "compose.yml": "  sec" "ret: \"/run/secrets/*\"",
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_path_with_query_or_glob_is_not_a_secret(detector: SecretDetector, path: str) -> None:
    """`_REFERENCE`'s path form now ends at the first character outside `[\\w.@%+=,~:/\\\\-]`; a route with a
    query string, a fragment or a glob is reported (medium; high in a CI definition). None at a5037d2^."""
    line = PATHS[path]
    assert _reported(detector, path, line) == [], f"{path}: {line!r}"


# -- 3. real passwords still dropped ---------------------------------------------------------------------------------

PASSWORD = "Kq9xLm2" + "Wd7Tz"
STILL_DROPPED = {
    ".env": "DB_PASS" "WORD=!" + PASSWORD,
    "app.properties": "db.pass" "word=!" + PASSWORD,
    "deploy.sh": "export PGPASS" "WORD=!" + PASSWORD,
    "config.yml": "pass" "word: \"/aB3@kL9" "%zQ+e\"",
    "settings.yml": "pass" "word: \"<" + PASSWORD + "\"",
}


@pytest.mark.parametrize("path", sorted(STILL_DROPPED))
def test_password_of_a_reference_or_placeholder_shape_is_reported(detector: SecretDetector, path: str) -> None:
    """Unquoted `!…` is dropped in any file (a YAML tag exists only in YAML; `.env`, properties and shell have
    none); a quoted `/` password of path characters only and a `<` + word-characters password stay dropped (red101
    #6 repaired only their punctuation-heavy forms). Severity medium: a literal credential passes the gate."""
    line = STILL_DROPPED[path]
    rules = [rule for rule, _ in _reported(detector, path, line)]
    assert "secrets/generic-password" in rules, f"{path}: {line!r} not reported"


# -- 4. the first interpreter word is not the program --------------------------------------------------------------

WRONG_INTERPRETER = {
    "#!/usr/bin/env -S sudo -u node python3": "python",
    "#!/usr/bin/env -S mise exec python@3.12 node@22 -- node": "javascript",
    "#!/usr/bin/env -S nix shell nixpkgs#python3 nixpkgs#nodejs --command node": "javascript",
    "#!/usr/bin/env -S conda run -n nodejs-tools python": "python",
}


@pytest.mark.parametrize("line", sorted(WRONG_INTERPRETER))
def test_shebang_reads_the_program_not_an_option_value(line: str) -> None:
    """a5037d2: "any other launcher runs the first interpreter its words name" — but option values (`-u node`,
    `-n nodejs-tools`), tool lists (`python@3.12 node@22`, `nixpkgs#python3`) come before the program after `--` /
    `--command`. The script goes to the other language's scanner: a parse error (low) and no finding."""
    assert interpreter_language(line.encode()) == WRONG_INTERPRETER[line]


MISSING_INTERPRETER = {
    "#!/usr/bin/env -S gjs -m": "javascript",
    "#!/usr/bin/env vite-node": "typescript",
    "#!/usr/bin/env jiti": "typescript",
}


@pytest.mark.parametrize("line", sorted(MISSING_INTERPRETER))
def test_shebang_of_other_javascript_runtimes_reaches_a_scanner(line: str) -> None:
    """GNOME's gjs runs JavaScript; vite-node and jiti run TypeScript: an executable script with such a `#!` line
    reaches no code scanner (None). Medium-low: a silent coverage gap."""
    assert interpreter_language(line.encode()) == MISSING_INTERPRETER[line]


# -- 5./6. the extended JavaScript rules on ordinary code ----------------------------------------------------------

TYPEORM = """import { Repository, SelectQueryBuilder } from "typeorm";

export function applySearch<T>(qb: SelectQueryBuilder<T>, search: string, from: Date, to: Date) {
  return qb
    .where(`${qb.alias}.title LIKE :q`, { q: `%${search}%` })
    .andWhere(`${qb.alias}.createdAt > :from AND ${qb.alias}.createdAt < :to`, { from, to });
}

export function active<T>(repo: Repository<T>, alias: string) {
  return repo.createQueryBuilder(alias).where(`${alias}.deletedAt IS NULL AND ${alias}.active = :active`, { active: true });
}
"""

LOCATION_FIELDS = """export function onMessage(this: any, e: MessageEvent) {
  this.location = e.data.location;
}

export function reducer(state: any, action: any) {
  state.location = action.data.city;
  return state;
}

export function vueCity(vm: any) {
  vm.location = vm.$route.query.city;
}
"""


def _semgrep(tmp_path: Path, rule: str, name: str, source: str) -> list[dict[str, Any]]:
    semgrep = shutil.which("semgrep") or str(Path(sys.executable).with_name("semgrep"))
    if not Path(semgrep).exists():
        pytest.skip("semgrep not installed")
    target = tmp_path / name
    target.write_text(source)
    proc = subprocess.run([semgrep, "scan", "--metrics=off", "--disable-version-check", "--json", "-q", "--config",
                           str(ROOT / "rules/semgrep/javascript" / rule), str(target)],
                          capture_output=True, text=True, timeout=300, check=False)
    return list(json.loads(proc.stdout)["results"])


def test_parameterised_typeorm_where_with_alias_is_not_sql_injection(tmp_path: Path) -> None:
    """a5037d2 adds TypeORM's where/andWhere/... to the SQL methods; the rule takes any identifier interpolated in a
    string with any SQL-ish word (LIKE, AND) for injection, so the documented, bound-parameter TypeORM form with the
    query builder's alias interpolated is critical: every push touching such a repository blocks."""
    results = _semgrep(tmp_path, "sql-string-building.yml", "posts.ts", TYPEORM)
    lines = sorted({r["start"]["line"] for r in results})
    assert lines == [], f"TypeORM parameterised where() reported at lines {lines}"


def test_a_location_field_of_any_object_is_not_a_navigation(tmp_path: Path) -> None:
    """`$W.location = $URL` matches any object's `location` field; with `$EVENT.data`/`$ROUTER.query` sources a
    widget's or a store's location (a city, a place) is an open redirect (medium, warn). Low: noise."""
    results = _semgrep(tmp_path, "browser-open-redirect.yml", "weather.ts", LOCATION_FIELDS)
    lines = sorted({r["start"]["line"] for r in results})
    assert lines == [], f"non-window .location assignments reported at lines {lines}"


# -- 7. a repository's relative log.path leaves the work tree through a committed directory symlink -----------------

def test_repository_log_path_cannot_leave_the_work_tree_through_a_symlinked_directory(tmp_path: Path) -> None:
    """A clone commits `audit -> ../outside` (a directory symlink; an absolute target works the same) and
    `.gatekeeper.yml` with `log: {path: audit/decisions.db}`. `destination` accepts the relative, `..`-free path;
    `_create_private` opens it with O_NOFOLLOW, which guards only the last component, and SQLite follows the
    directory link: `gatekeeper check` creates (or adds its tables to an existing) `decisions.db` outside the
    repository. Medium: the repository chooses where the gate writes. Secure: refuse a log path whose resolved
    parent is not inside the repository root (or open it relative to a directory fd with O_NOFOLLOW per step)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = RepoBuilder.init(tmp_path / "clone")
    (repo.path / "audit").symlink_to(outside, target_is_directory=True)
    repo.git("add", "audit")
    repo.commit("policy\n", {".gatekeeper.yml": TEST_POLICY + 'log: {path: "audit/decisions.db"}\n',
                             "README.md": "x\n"})
    repo.commit("two\n", {"README.md": "y\n"})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "GATEKEEPER_", "PG"))}
    subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--base", "HEAD~1"], cwd=repo.path,
                   capture_output=True, text=True, timeout=120, check=False, env=env)
    assert list(outside.iterdir()) == [], "the gate wrote its decision log outside the repository"
