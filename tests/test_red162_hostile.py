"""red162: sec160's and sast160's loosenings attacked as a hostile (or careless) pusher would, through the real scanner on
real commits, the real semgrep rules and a real push through the hook. Values are built at run time from one
random.Random.

Findings (severity: HIGH a realistic real secret or vulnerability passes; MEDIUM it needs an unusual shape; LOW
contrived):
- MEDIUM, fixed: a Rust file's in-file `#[cfg(test)] mod tests {` closed early on an indented line (`    }` alone, or
  `    fn t() {} }`), or after a `"{"` in a string, with the crate's production code after it still indented and a `}`
  at the module's indentation further down balancing a later `fn`: rust_test_lines read only indentation, so the
  production function's real password (or private key) was read as test code and suppressed. It compiles; only
  rustfmt would lay it out otherwise. Now the body's braces are counted in code (not strings, raw strings, character
  literals or comments) and a module whose brace closes before its closing line is not read at all. kanidm's and
  AppFlowy's trees read exactly the same lines as before (36,676 and 2,063).
- HIGH, fixed: a Java or Scala builder appending a literal password after its label,
  `sb.append("password=").append("<password>")` (a JDBC URL or a query string built by hand): sec160 read the code
  between the two strings (`).append(`) as a builder's chain and nothing after it, so the password itself was never
  read; it blocked before sec160. The chain is code now only when one of its calls appends the credential's own field
  (gatling's `.append("password=").append(password).append(", ")`, which stays quiet).
- MEDIUM, fixed: js-express-reflected-xss — a response declared JSON, then HTML through Express's other setters
  (`res.contentType('text/html')`, the object form `res.set({'Content-Type': 'text/html'})`, `res.header({...})`):
  sast160 re-read only `setHeader`/`set`/`header` with a string, `type` and `writeHead` as the second declaration, so
  the page written after it passed.
- LOW, fixed: js-react-dangerously-set-inner-html — `t` or `hljs` shadowed by a declaration in a block around the
  markup (`{ const t = () => reply.html; … t("x") }`, `const hljs = {highlight: …}`): sast160 caught parameters only.
- MEDIUM, fixed: python-hardcoded-credential-assignment — the environment variable's name exemption took any digits
  in a part (`ACME2024_DB_PASS`, `WINTER2025_PASSWORD`: a word and a year, how people make passwords, in capitals);
  its comment said a digit or two, and now the regex does (`S3_SECRET_KEY`, `OAUTH2_TOKEN` stay quiet). The secrets
  scanner reads neither as a password, so the whole gate passed them.
- Held (semgrep): a `t` given a template-literal key, `t("x" + reply)`, `t(reply.key || "x")`, `t` from another
  module, highlight.js output `.replace`d back to markup; a JSON header set only on one branch (`if (…)
  res.setHeader(…json)`), in a `try`, in a nested function, then `removeHeader`/`append`/`writeHead(200, headers)`, or
  `'application/json, text/html'` — all still block. A random capitals run ending in `_KEY` (`QZ…_KEY`) passes: LOW,
  left (no person or generator makes a secret end in its own kind's name).
- Held (secrets): a dotted or `::` value inside a Rust string spanning lines (an embedded TOML default, a hunk deep in
  it in a later commit) is read from the whole file and blocks; `http-client.env.json` with a remote host anywhere in
  the file blocks `admin123`, and realistic passwords (`Summer2024!`-shaped, generated) block there regardless;
  human leet with an 8 (`4dm1n8`, `P4ssw0rd8`) blocks as before — only `P@88w0rd` itself changed.
- HIGH, NOT a loosening's, fixed after the round by the lead: the generic password rule read no Rust typed constant
  (`pub const DB_PASSWORD: &str = "<generated>";`, `static API_TOKEN: &'static str`) and no Go typed var
  (`var password string = "<generated>"`): its typed-name part wanted a type starting with a letter after `:`. The
  whole gate (`gatekeeper check`, all scanners) allowed both. generic-password and generic-secret now read a Rust
  reference type (`&str`, `&'static str`, `&[u8]`) and Go's `string`, `*string`, `[]byte` after a space; on every
  commit of the mirrored histories that adds such a Rust or Go declaration, no blocking finding changed.
- MEDIUM, NOT a loosening's, fixed in sec161: in JavaScript and TypeScript the code between two strings is
  never a value, and the string after it was never read: `"user=admin&password=" + "<generated>"` and
  `"…password=".concat("<generated>")` passed (red100/red102/red143's readings, before sec160). Two literals joined by
  the language's operator are now read as one string as well, in every language that joins them so
  (tests/test_secrets_sec161.py).
- LOW, left: a private key under any `t/` (`ops/t/server.key`, an Ansible role's `files/t/tls.key`) is a test's key,
  and any file named `ltmain.sh` outside what deploys (`scripts/ltmain.sh`) is vendored: each needs a pusher to name
  a directory `t` or a script `ltmain.sh`; `k8s/prod/t/`, `deploy/t/`, `group_vars/t/` and `deploy/ltmain.sh` still
  block. An Inno Setup `.isl` holding a generated password (`AdminPassword=<generated>`) still blocks.
- Held: `#[cfg(any(test, feature = "x"))]`, `#[cfg(not(test))]` (not read); `#[cfg(test)]` and `#[cfg(not(test))]`
  together is never compiled (read as test code, harmless).
"""

from __future__ import annotations

import random
import string
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.config import parse_policy
from gatekeeper.git import Git
from gatekeeper.interfaces import ScanJob
from gatekeeper.scan.code_text import rust_test_lines
from gatekeeper.scan.secrets import SecretDetector
from gatekeeper.scan.secrets_scanner import SecretsScanner
from tests.hook_helpers import assert_blocked, push_files
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit
from tests.secrets_helpers import blocking

_RNG = random.Random(162)


def _generated(n: int = 14) -> str:
    """A generated password: letters and digits, a digit and both cases sure."""
    body = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(n - 3))
    return body + _RNG.choice(string.digits) + _RNG.choice(string.ascii_uppercase) + _RNG.choice(string.ascii_lowercase)


def _scan(repo: RepoBuilder, files: dict[str, str]) -> list[tuple[str, str]]:
    base = repo.head()
    sha = repo.commit("add\n", files)
    git = Git(repo.path)
    result = SecretsScanner(settings=parse_policy("version: 1\n").secrets).scan(
        ScanJob(git=git, commits=git.commits([sha], [base]), changes=git.changed_files([sha]), head=sha))
    return sorted((f.path or "", f.rule_id) for f in result.findings if not f.suppressed_by
                  and f.rule_id.startswith("secrets/") and f.severity >= 3)


# --- a Rust test module closed early, production code after it still indented ----------------------------------------

_LOGIN = "    pub fn login() -> bool {\n        let password = \"{p}\";\n        password.is_empty()\n    }\n"
_EARLY_CLOSED = {
    "alone": "#[cfg(test)]\nmod tests {\n    }\n" + _LOGIN + "    pub fn f() {\n}\n",
    "after_code": "#[cfg(test)]\nmod tests {\n    fn t() {} }\n" + _LOGIN + "    pub fn f() {\n}\n",
    "brace_in_string": "#[cfg(test)]\nmod tests {\n    const A: &str = \"{\";\n    }\n" + _LOGIN
                       + "    const B: &str = \"}\";\n    pub fn f() {\n}\n",
    "brace_in_char": "#[cfg(test)]\npub mod tests {\n    const A: char = '{';\n    }\n" + _LOGIN + "    pub fn f() {\n}\n",
    "brace_in_comment": "#[cfg(test)]\nmod tests {\n    /* { */ }\n" + _LOGIN + "    pub fn f() {\n}\n",
    "brace_in_raw_string": "#[cfg(test)]\nmod tests {\n    const A: &str = r#\"\n    {\"#;\n    }\n" + _LOGIN
                           + "    pub fn f() {\n}\n",
}


@pytest.mark.parametrize("name", sorted(_EARLY_CLOSED))
def test_a_test_module_closed_early_reads_none_of_it(name: str) -> None:
    lines = _EARLY_CLOSED[name].replace("{p}", _generated()).split("\n")
    password_line = next(i + 1 for i, text in enumerate(lines) if "let password" in text)
    assert password_line not in rust_test_lines(lines)


def test_a_real_test_modules_braces_strings_and_lifetimes_still_read() -> None:
    source = ("#[cfg(test)]\nmod tests {\n    use super::*;\n\n    fn pick<'a>(x: &'a str) -> &'a str {\n"
              "        let _c = '}';\n        let _e = '\\u{7d}';\n        let _s = format!(\"{}}}\", x);\n"
              "        let _r = r#\"}\n        }\"#;\n        /* } /* } */ } */\n        x // }\n    }\n\n    #[test]\n"
              "    fn checks() {\n        let password = \"{p}\";\n        assert!(pick(password).len() > 0);\n    }\n}\n")
    lines = source.replace("{p}", _generated()).split("\n")
    password_line = next(i + 1 for i, text in enumerate(lines) if "let password" in text)
    assert password_line in rust_test_lines(lines)


def test_production_code_after_an_early_closed_test_module_blocks(tmp_path: Path) -> None:
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"README.md": "x\n"})
    files = {f"src/{name}.rs": source.replace("{p}", _generated()) for name, source in _EARLY_CLOSED.items()}
    assert _scan(repo, files) == [(path, "secrets/generic-password") for path in sorted(files)]


def test_a_push_of_an_early_closed_test_module_is_refused(tmp_path: Path) -> None:
    result = push_files(tmp_path / "push", {"src/auth.rs": _EARLY_CLOSED["alone"].replace("{p}", _generated())})
    assert_blocked(result, "secrets/generic-password")


# --- a literal password appended after its label in a builder's chain -------------------------------------------------

@pytest.mark.parametrize("path", ["src/main/java/Db.java", "src/main/scala/Db.scala"])
@pytest.mark.parametrize("line", [
    'sb.append("user=admin&password=").append("{p}").append("&ssl=true");',
    'String url = new StringBuilder().append("password=").append("{p}").toString();',
    'String url = new StringBuilder().append("password=").append(SEP).append("{p}").toString();',
])
def test_a_password_appended_after_its_label_blocks(secrets_detector: SecretDetector, path: str, line: str) -> None:
    text = line.replace("{p}", _generated())
    assert blocking(secrets_detector, text, path) == ["secrets/generic-password"], text


@pytest.mark.parametrize("line", [
    '\t\t\t.append("password=").append(password).append(", ")',
    '\t\t\t.append("password=").append(this.password).append(", ")',
    '\t\t\t.append("passwd=").append(cfg.dbPasswd).append(", ")',
])
def test_a_builder_appending_the_password_field_stays_quiet(secrets_detector: SecretDetector, line: str) -> None:
    assert blocking(secrets_detector, line, "src/main/java/ProxyConfig.java") == []


def test_a_push_appending_a_literal_password_is_refused(tmp_path: Path) -> None:
    line = f'        sb.append("password=").append("{_generated()}");\n'
    assert_blocked(push_files(tmp_path / "push", {"src/main/java/Db.java": line}), "secrets/generic-password")


# --- sast160's loosenings through the real `gatekeeper check` -----------------------------------------------------

HOSTILE_JS = """const express = require("express");
const app = express();
app.get("/a", (req, res) => {
  res.set("Content-Type", "application/json");
  res.contentType("text/html");
  res.send(`<p>${req.query.q}</p>`);
});
app.get("/b", (req, res) => {
  res.setHeader("Content-Type", "application/json");
  res.set({ "Content-Type": "text/html", "Cache-Control": "no-store" });
  res.send(`<p>${req.query.q}</p>`);
});
app.get("/c", (req, res) => {
  res.header("Content-Type", "application/json");
  res.header({ "Content-Type": "text/html" });
  res.send(`<p>${req.query.q}</p>`);
});
app.get("/json", (req, res) => {
  res.setHeader("Content-Type", "application/json");
  res.send(`{"q": ${JSON.stringify(req.query.q)}}`);
});
module.exports = { app };
"""

HOSTILE_JSX = """import { useTranslation } from "react-i18next";
import hljs from "highlight.js";

export function BlockShadowedT({ reply }) {
  const { t } = useTranslation();
  {
    const t = () => reply.html;
    return <span dangerouslySetInnerHTML={{ __html: t("x") }} />;
  }
}

export function DeclaredHljs({ reply }) {
  const hljs = { highlight: () => ({ value: reply.html }) };
  return <pre dangerouslySetInnerHTML={{ __html: hljs.highlight(reply.code).value }} />;
}

export function Fine() {
  const { t } = useTranslation();
  return <span dangerouslySetInnerHTML={{ __html: t("help.block1") }} />;
}
"""


def _hostile_py() -> str:
    word = "".join(_RNG.choice(string.ascii_uppercase) for _ in range(5))
    return (f'password = "{word}{_RNG.randint(2019, 2029)}_DB_PASS"\n'
            f'db_password = "{word[::-1]}{_RNG.randint(2019, 2029)}_PASSWORD"\n'
            'snowflake = {"password": "SNOWFLAKE_PASSWORD", "key": "S3_SECRET_KEY", "token": "OAUTH2_TOKEN"}\n')


@pytest.fixture(scope="module")
def sast_verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    files = {"server/hostile.js": HOSTILE_JS, "frontend/src/Hostile.jsx": HOSTILE_JSX, "app/settings.py": _hostile_py()}
    return check_commit(tmp_path_factory.mktemp("red162-sast"), files, ALL_SCANNERS_POLICY)[1]


def _lines(verdict: dict[str, Any], rule: str, path: str) -> set[int]:
    return {f["line"] for f in verdict["findings"] if f["rule_id"] == rule and f["path"] == path
            and not f.get("suppressed_by")}


def test_json_then_html_by_another_setter_blocks(sast_verdict: dict[str, Any]) -> None:
    assert sast_verdict["decision"] == "block"
    assert _lines(sast_verdict, "semgrep/js-express-reflected-xss", "server/hostile.js") == {6, 11, 16}, sast_verdict


def test_t_or_hljs_shadowed_by_a_declaration_blocks(sast_verdict: dict[str, Any]) -> None:
    found = _lines(sast_verdict, "semgrep/js-react-dangerously-set-inner-html", "frontend/src/Hostile.jsx")
    assert found == {8, 14}, sast_verdict


def test_a_word_and_a_year_in_capitals_is_a_password(sast_verdict: dict[str, Any]) -> None:
    found = _lines(sast_verdict, "semgrep/python-hardcoded-credential-assignment", "app/settings.py")
    assert found == {1, 2}, sast_verdict


# --- what is not a loosening's, left for the lead (strict xfail: it passes the day the gap is closed) -----------------

@pytest.mark.parametrize("path, line", [
    ("src/db.rs", 'pub const DB_PASSWORD: &str = "{p}";'),
    ("src/db.rs", "static DB_PASSWORD: &'static str = \"{p}\";"),
    ("pkg/db/db.go", 'var password string = "{p}"'),
    ("pkg/db/db.go", 'const dbPassword string = "{p}"'),
    ("pkg/db/db.go", 'var password []byte = "{p}"'),
])
def test_a_typed_rust_or_go_constant_blocks(secrets_detector: SecretDetector, path: str, line: str) -> None:
    assert blocking(secrets_detector, line.replace("{p}", _generated()), path) == ["secrets/generic-password"]


def test_a_typed_rust_constant_is_refused_at_the_hook(tmp_path: Path) -> None:
    """The same through a real push: a Rust module's typed constant holding a generated password, refused."""
    line = 'pub const DB_PASSWORD: &str = "{p}";\n'.replace("{p}", _generated())
    assert_blocked(push_files(tmp_path / "push", {"src/db.rs": "//! database\n" + line}), "secrets/generic-password")


@pytest.mark.parametrize("line", [
    'const body = "user=admin&password=" + "{p}";',
    'const body = "user=admin&password=".concat("{p}");',
])
def test_a_js_password_concatenated_after_its_label_blocks(secrets_detector: SecretDetector, line: str) -> None:
    assert blocking(secrets_detector, line.replace("{p}", _generated()), "src/api.js") == ["secrets/generic-password"]
