"""Red team red104: attacks on 0f11834 (red103's repairs) — the whole-shape `_CONCATENATION`, `_ELIDED_WORD`,
YAML-only `_YAML_TAG`, `_RANDOM_SEGMENT`, the template-shaped `$(`/`%(`/`%NAME%`/`$VAR` markers, the no-follow
`_confined` open of a repository policy's decision log, nix-shell `-i`, and the TypeORM / location sink rules.

Each finding test fails on w/red104 (0f11834 + docs) for the reason its docstring names and asserts the secure
behaviour. Secrets tests run the real SecretDetector with the shipped rules; JavaScript rule tests run real semgrep.
Secret-shaped values are built by concatenation.

Findings:

1. HIGH (false positive, regression of 0f11834) — scan/secrets.py: `_YAML_TAG` now applies in .yml/.yaml only, and
   it was the only thing that took `!x`/`!!x` for a non-secret; the commonest JavaScript/TypeScript/Ruby/PHP/Go
   boolean idiom is now a credential: `const hasPassword = !!password;`, `const noPassword = !options.password;`
   (generic-password, HIGH = blocks with the default policy), `const hasToken = !!this.token;`,
   `secretKey := !cfg.Enabled` (medium). Real history: google-gemini/gemini-cli packages/cli/src/config/config.ts
   `const hasGeminiApiKey = !!geminiApiKey;` / `!!googleApiKey` — 4 new medium findings (commits 389907ce6537,
   609757f91194; 5 -> 9 findings over 6,384 commits). None at 0f11834^.
2. MEDIUM (miss, regression of 0f11834) — `_PLACEHOLDER_MARKERS` `%[a-z_][a-z0-9_]{2,}%` (was `%[a-z_]+%`) now
   admits digits, so a random run between two `%` is a Windows `%NAME%`: `I5b%U8Z7wl%X7K` (Bitwarden with specials),
   Django keys holding `%ol5%`. Measured (300 values x 6 formats x 3 keys): 0.67 % of Bitwarden-with-specials and
   1.3 % of Django `get_random_secret_key()` lines newly dropped (every one reported at 0f11834^).
3. MEDIUM (miss, pre-existing, measured) — a value holding an escaped quote before its 6th/8th character
   (`"e\\"hY…"` in YAML/JSON/.env, `'kQ^\\'x…'` in JS, YAML `'It''s…'`) is never reported: the generic rules' quoted
   value is `(?:(?!q)\\S){6,}+` then the quote, so it stops at the escape. 350 of the 520 pwgen -sy 16 lines still
   dropped (6.5 % of all) are this; KeePass "all" 20: 255 of 446.
4. LOW (miss, pre-existing) — markers still inside random passwords: `<x,>` (`<[^<>]*>`), `{M4}`/`{d}`/`{R}`
   (`\\{[a-z_][\\w.]*\\}`), `${`, and the leading `$VAR` shape taking `$I:qt3…`/`$UDgZe0xNQFfk9`: ~3 % of pwgen -sy 16.
5. HIGH (miss, regression of 0f11834) — rules/semgrep/javascript/sql-string-building.yml: `where`/`andWhere`/… left
   the `$METHOD` list, so the "SQL built in a variable, then passed" branch no longer covers them:
   `const cond = `user.name = '${req.query.name}'`; qb.where(cond)` (with or without parameters) — critical at
   0f11834^, nothing now.
6. MEDIUM (miss) — the new "a value is interpolated" regex for where-with-parameters knows only `'${`, `%${`,
   comparison operators, LIKE and IN before `${`: a whole condition (`:id AND ${req.query.filter}`), `BETWEEN ${lo}
   AND ${hi}`, PostgreSQL `ILIKE ${pattern}` (`\\blike\\b` does not match ILIKE), `IS ${state}` are missed.
7. MEDIUM (miss, incomplete repair) — browser-open-redirect.yml: a bare `x.location = next` is a sink only for a name
   list; an OAuth popup named otherwise (`authWindow`, `w`, `newWindow` = window.open(...)), `parent.window.location`,
   `window.top.window.location`, `el.ownerDocument.location`, `window.location["href"] = next`, AngularJS's
   `$window.open(next)` and `globalThis.open(next)` all navigate to the query's `next` unreported.
8. LOW (diagnostic, regression) — a log.path whose directory does not exist yet (`nodir/d.db`) now fails with "leads
   out of the repository through a link" (the walk's open fails) instead of "check that the directory exists".
9. LOW (miss, pre-existing) — scan/workspace.py: nix-shell's documented script form puts `-i` on the SECOND line
   (`#!/usr/bin/env nix-shell` / `#! nix-shell -i python3 -p …`); only the first line is read, so such a script
   reaches no code scanner.

Measured detection (300 seeded values per generator x YAML "…"/'…', JSON, .env "…", Python repr, JS '…' x keys
password/api_key/secret_key; "still dropped" = no finding at all), 0f11834^ -> 0f11834:
pwgen -sy 16: 82.5 % -> 90.4 % (9.6 % still dropped: 6.5 points escapes, #3; ~3 points markers, #4);
KeePass all-chars 20: 81.2 % -> 91.7 % (8.3 % dropped); KeePass default 20 (alnum): 100 % both;
Bitwarden 14 with !@#$%^&*: 98.8 % both (1.2 % dropped, now half by #2); Django secret key: 92.7 % -> 98.0 % (2.0 %
dropped, 1.3 points by #2, rest `$v-…`); `openssl rand -base64 32`: 99.3 % -> 100 %.
History (bench_secrets_history --min-severity medium): runc 1, aider 23, crush 7, fdroidclient identical before and
after, continue 48 and 48 (identical); gemini-cli 5 -> 9 (the 4 added are all #1).

Tried and held (no test): `_CONCATENATION` whole-shape on red102/red103 samples; `_ELIDED_WORD` on `Don'tTell…`;
`_RANDOM_SEGMENT` on `/`-leading base64 keys; `_confined` against a directory renamed away and replaced by a link after the
file is created (SQLite 3.40 canonicalises `/proc/self/fd/N` with readlink, but that names the renamed inode's new
path, so the log stays inside; only a swap between SQLite's readlink and open remains, not reproducible here);
`_confined` with a git dir reached through a symlink, a relative root,
`.` as root, a log file in the root itself, an execute-only directory (as root); nix-shell `-i` before/after `-p`,
with `--pure`/`-I`; options skipped (`sudo -E python3 -W ignore`, `mise exec node@22 -- node --inspect`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.audit import decisionlog as dlog
from gatekeeper.audit.logformat import Entry
from gatekeeper.scan.secrets import SecretDetector
from gatekeeper.scan.workspace import interpreter_language
from tests.test_red102_hostile import _semgrep


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector.load()


def _rules(detector: SecretDetector, path: str, line: str) -> list[str]:
    return [h.rule_id for h in detector.scan_text(line, path=path)]


def _entry() -> Entry:
    return Entry(repository="acme/app", mode="local", event="decision", decision="allow", exit_code=0)


# -- 1. boolean negation is code again --------------------------------------------------------------------------------

@pytest.mark.parametrize("path,line", [
    ("config.ts", "  const hasPassword = !!pass" + "word;"),
    ("login.js", "const noPassword = !options.pass" + "word;"),
    ("client.js", "const hasToken = !!this.tok" + "en;"),
    ("config.ts", "  const hasGeminiApiKey = !!geminiApi" + "Key;"),
    ("user.rb", "has_password = !!pass" + "word"),
    ("main.go", "\tsecretKey := !cfg.Enab" + "led"),
])
def test_negated_identifier_is_not_a_credential(detector: SecretDetector, path: str, line: str) -> None:
    """0f11834 made `_YAML_TAG` YAML-only; `!x`/`!!x` outside YAML was dropped only by it, so boolean coercion of a
    variable is a password (HIGH, blocks) or a secret. gemini-cli's history gains four such findings. High: a
    common idiom in any JS/TS codebase blocks pushes. Secure: `!`/`!!` before an identifier or member chain is an
    expression in source files."""
    assert _rules(detector, path, line) == [], f"{path}: {line!r} reported"


# -- 2. %NAME% with digits ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path,line", [
    ("config.yml", "password: \"I5b%U8Z7" + "wl%X7K\""),
    ("config.yml", "secret_key: \"G%GoAYPR0" + "KAH1%\""),
    ("settings.py", "SECRET_KEY = 'm1w-)gb&zr0(nk1c1u_%tbh!zi4$kz6$%-gp@7u!%ol5%" + "@_mke'"),
    ("settings.py", "SECRET_KEY = '*ur2ze^6j%oypxr8iel%y_0pd7t@*hp0t4516o9" + "rr!^!f78b1+'"),
])
def test_random_run_between_percent_signs_is_not_a_windows_variable(detector: SecretDetector, path: str,
                                                                     line: str) -> None:
    """0f11834 widened `%[a-z_]+%` to `%[a-z_][a-z0-9_]{2,}%`: a run of letters AND digits between two `%` — what a
    random key holds, what a Windows variable rarely does — is a placeholder. All four reported at 0f11834^."""
    rules = _rules(detector, path, line)
    assert rules and rules[0].startswith("secrets/generic-"), f"{path}: {line!r} not reported"


# -- 3. an escaped quote early in the value ----------------------------------------------------------------------------

@pytest.mark.parametrize("path,line", [
    ("config.yml", "password: \"e\\\"hYBW;;4J" + "j$r#Tf\""),
    ("config.json", "  \"password\": \"Jo\\\"kkQ^`/0" + ".tAPU,\","),
    ("config.js", "  password: 'kQ^\\'x/0.tA" + "PU,Zr',"),
    ("config.yml", "password: 'It''s9Kq#m" + "Z!x2LpW'"),
])
def test_password_holding_an_escaped_quote_is_reported(detector: SecretDetector, path: str, line: str) -> None:
    """Pre-existing: the quoted value stops at the first quote character, escaped or not; when that is before the
    6th (password) / 8th (secret) character nothing matches. 6.5 % of pwgen -sy 16 lines in YAML/JSON/.env/JS.
    Medium. Secure: honour `\\"`, `\\'` and YAML's `''` inside a quoted value."""
    assert "secrets/generic-password" in _rules(detector, path, line), f"{path}: {line!r} not reported"


# -- 4. markers inside random passwords (pre-existing) ----------------------------------------------------------------

@pytest.mark.parametrize("path,line", [
    ("config.yml", "password: \"U'Np(,R[7:" + "<x,>e}\""),
    ("config.yml", "password: \"W|(!{M4}M" + "Qh|}h~/\""),
    ("config.yml", "password: \"$I:qt3^gu" + "^zie/_K\""),
    ("config.yml", "password: \"$UDgZe0x" + "NQFfk9\""),
])
def test_template_marker_inside_random_password(detector: SecretDetector, path: str, line: str) -> None:
    """Pre-existing: `<…>`, `{word}` and the `$VAR`/`$VAR:` shape fire on runs inside random passwords (~3 % of
    pwgen -sy 16). Low. Secure: a marker that is the whole value or spans a name, not mixed-case/digit noise."""
    assert "secrets/generic-password" in _rules(detector, path, line), f"{path}: {line!r} not reported"


# -- 5./6. TypeORM where family ----------------------------------------------------------------------------------------

TYPEORM_VARIABLE = """import { Request } from "express";

export async function viaVariable(repo: any, req: Request) {
  const cond = `user.name = '${req.query.name}'`;
  return repo.createQueryBuilder("user").where(cond).getMany();
}

export async function viaVariableParams(repo: any, req: Request) {
  const cond = `user.name = '${req.query.name}'`;
  return repo.createQueryBuilder("user").where(cond, { a: 1 }).getMany();
}
"""


def test_where_with_sql_built_in_a_variable_is_sql_injection(tmp_path: Path) -> None:
    """0f11834 moved where/andWhere/… out of `$METHOD`, so `const q = `…'${req.query.x}'`; qb.where(q)` (the
    variable branch) is no longer matched. Both critical at 0f11834^. High."""
    results = _semgrep(tmp_path, "sql-string-building.yml", "users.ts", TYPEORM_VARIABLE)
    lines = {r["start"]["line"] for r in results}
    assert {5, 10} <= lines, f"reported lines {sorted(lines)}"


TYPEORM_SHAPES = """import { Request } from "express";

export async function clauseAnd(repo: any, req: Request) {
  return repo.createQueryBuilder("user").where(`user.id = :id AND ${req.query.filter}`, { id: 1 }).getMany();
}

export async function between(repo: any, req: Request) {
  return repo.createQueryBuilder("o").where(`o.total BETWEEN ${req.query.lo} AND ${req.query.hi}`, {}).getMany();
}

export async function ilike(repo: any, req: Request) {
  return repo.createQueryBuilder("u").andWhere(`u.name ILIKE ${req.query.pattern}`, {}).getMany();
}

export async function isNull(repo: any, req: Request) {
  return repo.createQueryBuilder("u").where(`u.deleted_at IS ${req.query.state} AND u.id = :id`, { id: 2 }).getMany();
}
"""


def test_where_with_parameters_and_interpolated_condition(tmp_path: Path) -> None:
    """The where-with-parameters branch requires `'${`, `%${`, a comparison, LIKE or IN right before `${`: a
    whole injected condition, BETWEEN, ILIKE and IS are missed. Medium."""
    results = _semgrep(tmp_path, "sql-string-building.yml", "shapes.ts", TYPEORM_SHAPES)
    lines = {r["start"]["line"] for r in results}
    assert {4, 8, 12, 16} <= lines, f"reported lines {sorted(lines)}"


# -- 7. windows by other names -------------------------------------------------------------------------------------------

REDIRECTS = """export function oauthPopup() {
  const next = new URLSearchParams(location.search).get("next");
  const authWindow = window.open("", "_blank");
  authWindow.location = next;
}

export function shortName() {
  const next = new URLSearchParams(location.search).get("next");
  const w = window.open("about:blank");
  w.location = next;
}

export function parentWindow() {
  const next = new URLSearchParams(location.search).get("next");
  parent.window.location = next;
}

export function bracket() {
  const next = new URLSearchParams(location.search).get("next");
  window.location["href"] = next;
}

export function angularOpen($window: any) {
  const next = new URLSearchParams(location.search).get("next");
  $window.open(next);
}

export function owner(el: HTMLElement) {
  const next = new URLSearchParams(location.search).get("next");
  el.ownerDocument.location = next;
}
"""


def test_navigation_of_windows_outside_the_name_list(tmp_path: Path) -> None:
    """A bare `x.location = next` counts only for listed names; popups named otherwise, `parent.window`,
    `ownerDocument`, bracket access and `$window.open` are missed (none reported). Medium (rule severity)."""
    results = _semgrep(tmp_path, "browser-open-redirect.yml", "nav.ts", REDIRECTS)
    lines = {r["start"]["line"] for r in results}
    assert {4, 10, 15, 20, 25, 30} <= lines, f"reported lines {sorted(lines)}"


# -- 8. a directory that does not exist yet ---------------------------------------------------------------------------

def test_missing_log_directory_is_not_called_a_link(tmp_path: Path) -> None:
    """0f11834: the walk's failed open of a directory that does not exist reports "leads out of the repository
    through a link"; at 0f11834^ the error said to check that the directory exists. Low (misleading diagnosis)."""
    root = tmp_path / "repo"
    root.mkdir()
    dest = dlog.destination({}, "nodir/decisions.db", True, repository_root=root, from_repository=True)
    with pytest.raises(dlog.LogError) as caught:
        dlog.record(dest, _entry(), lambda _text: None)
    assert "link" not in str(caught.value), str(caught.value)


# -- 9. nix-shell's two-line form ------------------------------------------------------------------------------------

def test_nix_shell_script_with_interpreter_on_second_line_is_scanned(tmp_path: Path) -> None:
    """nix-shell's documented form: `#!/usr/bin/env nix-shell` then `#! nix-shell -i python3 -p …`. Only the first
    line is read (workspace.py reads `data[:512].split(b"\\n", 1)[0]`), so the script's language is unknown. Low."""
    script = b"#!/usr/bin/env nix-shell\n#! nix-shell -i python3 -p python3Packages.requests\nimport os\n"
    second = interpreter_language(script.split(b"\n")[1])
    assert second == "python"  # the second line alone is read right
    # (Adapted with the fix: the reader is now given the script's head, as Workspace._language gives it.)
    assert interpreter_language(script) == "python", "the nix-shell script's interpreter (line 2) is never consulted"
