"""Red team red165: sec161's loosenings of the secrets scanner attacked as a hostile pusher, under the built-in policy
(`gatekeeper.config.DEFAULT_POLICY_YAML`: secrets block at high). Values are generated at run time.

Found and fixed (each test below failed before its fix on branch red165, for the reason its docstring names):
1. HIGH (miss) — secrets.py `_PLACEHOLDER_MARKERS`' `[_-]here` with a counter (`SET_A_PASSWORD_HERE_123`) read any
   value ending `_here_12`, `-HERE-2024`, `_here7` as an instruction to fill in, whatever came before it: a generated
   password with that tail in `.env` or a settings module was not even recorded (and `<generated>_here` had passed
   so since before sec161). Fixed: `here` ends an instruction only after words (capitals, lower case or camel humps
   between separators), not after a generated run (`_generated_before_here`).
2. MEDIUM (miss of a weak real password) — `api-docs/`, `apidocs/`, `api_docs/` joined _EXAMPLE_CONTEXT as well as
   DOCUMENTATION_PAGE: a deployed service's Python package `server/apidocs/` (drf-yasg's or flasgger's views) became
   a place of examples, so `DB_PASSWORD = 'Admin@123'` there was an example password, and a value holding `fake`
   a made-up one. Fixed: such a directory is documentation for its prose pages only (koel's Markdown, sec161's case).
3. MEDIUM (miss) — secrets.py: the xml rules' skip for PHP's arrow in a Blade bound attribute (`=>`/`->` just before
   the value) held in any file: `<db.password x=>VALUE</db.password>` in `conf/server.xml` (git and every reader
   see the value) was no finding. Fixed: only in markup whose attributes hold code (SourceKind.bound_markup).
4. LOW (miss) — PHP's `Name::class` read as code in any file: `DB_PASSWORD=<Generated>::class` in `.env` was no
   finding. Fixed: PHP sources only (SourceKind.php).
5. HIGH (miss, pre-existing, not sec161) — the `your` marker anywhere in a value: `<generated>_your_<generated>` in
   `.env` was a placeholder. Fixed: `your` after the value's start is an instruction's only when no generated run
   (ten or more letters and digits with a digit and both cases) stands between separators.
Known gaps left as strict xfails: the literal-join fold reads `+`/`.`/adjacency only — not a Python line continued
by a backslash, a literal in parentheses, a template literal's `${"..."}`, `%` formatting, C#'s `@"..."`, nor a
join over three lines.
"""
from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from gatekeeper.scan.secrets import SecretDetector
from tests.hook_helpers import DANA, spush
from tests.hook_helpers import default_policy_server as _server
from tests.repo_builder import RepoBuilder
from tests.secrets_helpers import blocking, blocking_findings, scan_commit

_RNG = random.Random(165)


def _generated(n: int = 18) -> str:
    """A generated password: letters and digits, a digit and both cases sure."""
    body = "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(n - 3))
    return body + _RNG.choice(string.digits) + _RNG.choice(string.ascii_uppercase) + _RNG.choice(string.ascii_lowercase)


def _hex(n: int = 32) -> str:
    return "".join(_RNG.choice("0123456789abcdef") for _ in range(n))


_TAILS = ("_here_12", "-HERE-2024", "_here7", "_HERE_1", "-here", "_here_9999")


# -- 1. a generated password ending in the instruction's `here` and a counter ------------------------------------

def test_a_generated_password_ending_in_here_and_a_counter_is_pushed_and_refused(tmp_path: Path) -> None:
    """Attack: Dana's service reads its database password from settings; the generated value she commits ends in
    `_here_12` (sec161's counter after `here`). The placeholder marker took the whole value for an instruction to
    fill in — no finding at all — and the push landed. Secure behaviour: refused, the value's line named."""
    server, work = _server(tmp_path)
    before = server.tip()
    value = _generated() + "_here_12"
    work.commit("db settings\n", {"app/settings.py": f"DB_PASSWORD = '{value}'\n"}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    findings = server.last_verdict()["findings"]
    assert any(f.get("path") == "app/settings.py" and f["blocking"] and f["rule_id"] == "secrets/generic-password"
               for f in findings), findings
    assert result.code != 0, result.output
    assert value not in result.output
    assert server.tip() == before


@pytest.mark.parametrize("path", [".env", "app/settings.py", "src/Api/appsettings.json", "config/app.yml"])
def test_generated_values_with_the_here_tail_block(secrets_detector: SecretDetector, path: str) -> None:
    lines = []
    for _ in range(60):
        value = _RNG.choice((_generated(), _hex(), _generated(12))) + _RNG.choice(_TAILS)
        lines.append({".env": f"DB_PASSWORD={value}", "app/settings.py": f"DB_PASSWORD = '{value}'",
                      "src/Api/appsettings.json": f'  "Password": "{value}",',
                      "config/app.yml": f"password: {value}"}[path])
    assert [line for line in lines if "secrets/generic-password" not in blocking(secrets_detector, line, path)] == []


@pytest.mark.parametrize("value", ["SET_A_PASSWORD_HERE_123", "your_password_here", "PUT-TOKEN-HERE-2",
                                   "yourPasswordGoes_here_1", "SET-YOUR-PASSWORD-HERE-1", "password_here"])
def test_an_instruction_ending_in_here_stays_a_placeholder(secrets_detector: SecretDetector, value: str) -> None:
    assert blocking(secrets_detector, f"DB_PASSWORD={value}", ".env.example") == []
    assert blocking(secrets_detector, f"DB_PASSWORD={value}", "config/.env") == []


# -- 2. an API's docs directory that is a service's code -------------------------------------------------------

def test_a_weak_password_in_an_api_docs_code_package_blocks(tmp_path: Path) -> None:
    """Attack: the service's Swagger views live in a Python package `server/apidocs/`; its settings module holds
    the real admin login `Admin@123` (the weak password red136 blocks outside examples). sec161 made every
    `apidocs/` directory a place of examples, so it passed as an example password. Secure behaviour: blocked there;
    the same line in the directory's Markdown pages stays a documentation page's (medium, not blocking)."""
    repo = RepoBuilder.init(tmp_path / "r")
    repo.commit("init\n", {"README.md": "x\n"})
    weak = "Admin" + "@" + "123"
    line = f"DB_PASSWORD = '{weak}'\n"
    found = scan_commit(repo, {"server/apidocs/settings.py": line, "server/api_docs/config.py": line,
                               "api-docs/source/index.md": f"DB_PASSWORD={weak}\n"})
    assert sorted(blocking_findings(found)) == [("server/api_docs/config.py", "secrets/generic-password"),
                                                ("server/apidocs/settings.py", "secrets/generic-password")], found


def test_a_value_saying_fake_in_an_api_docs_code_package_blocks(secrets_detector: SecretDetector) -> None:
    line = f"DB_PASSWORD = '{_generated(8)}_fake_{_generated()}'"
    assert blocking(secrets_detector, line, "myapp/api_docs/settings.py") == ["secrets/generic-password"]


# -- known gaps of the literal-join fold ---------------------------------------------------------------------------

@pytest.mark.xfail(strict=True, reason="the literal-join fold reads +, ., .concat and adjacency only (red165): not a "
                                       "Python line continued by a backslash, a literal in parentheses, a template "
                                       "literal's ${'...'}, % formatting, C#'s @\"...\" or a join over three lines")
@pytest.mark.parametrize("path, template", [
    ("app/db.py", 'dsn = "password=" \\\n    "{v}"'),
    ("src/db.js", 'const s = ("password=") + ("{v}");'),
    ("src/db.js", 'const u = `password=${{"{v}"}}`;'),
    ("app/db.py", 'dsn = "password=%s" % "{v}"'),
    ("src/Db.cs", 'var s = @"password=" + @"{v}";'),
    ("src/db.js", 'const s = "password="\n  +\n  "{v}";'),
])
def test_a_join_the_fold_does_not_read(secrets_detector: SecretDetector, path: str, template: str) -> None:
    text = template.replace("{v}", _generated()).replace("{{", "{").replace("}}", "}")
    assert "secrets/generic-password" in blocking(secrets_detector, text, path)


# -- 3. and 4. PHP's shapes outside PHP ------------------------------------------------------------------------------

@pytest.mark.parametrize("tag", ["db.password x=", "jdbc-password encrypted=", "db-password -"])
def test_an_arrow_before_an_xml_configs_value_is_no_tags_end(secrets_detector: SecretDetector, tag: str) -> None:
    """Attack: the value sits after `=>` or `->` ending the tag; outside PHP markup that is no bound attribute."""
    name = tag.split()[0]
    line = f"<{tag}>{_generated()}</{name}>"
    assert blocking(secrets_detector, line, "conf/server.xml") == ["secrets/xml-password"], line
    assert blocking(secrets_detector, "<x-input :options=\"['1' => trans('a.b')]\" password=\"x\" />",
                    "resources/views/settings.blade.php") == []


def test_a_class_constant_shape_outside_php_blocks(secrets_detector: SecretDetector) -> None:
    value = _generated()
    value = value[0].upper() + value[1:] + "::class"
    assert blocking(secrets_detector, f"DB_PASSWORD={value}", ".env") == ["secrets/generic-password"]
    assert blocking(secrets_detector, "        'Password' => Password::class,", "config/app.php") == []


def test_a_generated_password_holding_your_blocks(secrets_detector: SecretDetector) -> None:
    """Pre-existing (not sec161): the `your` marker anywhere in a value made a generated password holding `_your_`
    a placeholder; the instructions themselves stay placeholders."""
    line = f"DB_PASSWORD={_generated()}_your_{_generated()}"
    assert blocking(secrets_detector, line, ".env") == ["secrets/generic-password"]
    for value in ("change_your_password", "insert-your-key-here", "sk_test_your_key", "set-your-own-2024"):
        assert blocking(secrets_detector, f"DB_PASSWORD={value}", ".env") == [], value
