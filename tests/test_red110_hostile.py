"""Red team red110: attacks on 89c9e32..2d65d29 — red108's secrets filters (af0eb97), the file-format secrets rules and
the `next_line` engine (bd5634d), notebooks and `<script>` blocks reaching semgrep/bandit (c32096f), and the Action's
merge-claim confirmation (f13480f).

Each finding test fails on w/red110 (2d65d29) for the reason its docstring names and asserts the secure behaviour.
Secrets tests run the real SecretDetector with the shipped rules, or the real `gatekeeper check` (SECRETS_ONLY_POLICY);
embedded-code tests run the real `gatekeeper check` with real semgrep and bandit (ALL_SCANNERS_POLICY). Secret-shaped
values are built by concatenation at run time. "Before" = 89c9e32 (a detached worktree), "now" = 2d65d29.

Findings:

1. HIGH (miss, regression of af0eb97) — scan/secrets.py `_SCRIPT_IDENTIFIER`: in a .js/.ts/.vue/.svelte file an
   *unquoted* value that is an identifier is dropped as code — but "unquoted" only means the rule saw no quote right
   before the value, and the commonest place for a credential in script source is INSIDE a string: a connection
   string (`"Server=db;User Id=sa;Password=<pw>;"`), a URL's query (`` `https://api/x?api_key=<key>&q=1` ``), a shell
   command (`execSync("mysql -u root --password=<pw> app")`). Any alphanumeric value starting with a letter is an
   "identifier". Measured (300 seeded values per generator, each line shape; no finding at all):
   KeePass default 20 (alnum) 81.7 % missed now, 2.3 % before; pwgen -s 16 83.7 % (5.3 %); `openssl rand -hex 32`
   30.7 % (0 %); Python `secrets.token_urlsafe(32)` 43.7 % (0 %). The same line in a .py file: 2.3 / 5.3 / 0 / 0 %.
   Fix: take an unquoted identifier for code only when the key itself is code (not inside a string literal: an odd
   number of quotes before the key on the line means it is), or only after ` = `/`: ` with the spacing of code.
2. MEDIUM (miss, regression of af0eb97) — `_CMDLET` applies to every file, not PowerShell: a human-chosen
   Word-Word password written unquoted — `.env` `DB_PASSWORD=<Word-Word2024>`, YAML `password: <Word-WordWord9>`,
   `.properties` `db.password=<Word-Word2024>` — is "a cmdlet call" and dropped (generic-password HIGH before). The
   red108 note warned the same of `<word-2024>` for the counter filter; Verb-Noun is the same human shape with a
   capital. Generators almost never hit it (0.10 % of token_urlsafe(32), 0 % of the others measured). Fix: only in
   .ps1/.psm1/.psd1 (and docs), or only when a `-Parameter`, `$var` or `(` follows.
3. MEDIUM (miss, regression of af0eb97) — `_WORD_COUNTER` is skipped for rules whose id holds "password", but two
   rules whose value IS a password do not: url-credentials (`https://ci:<word_2023>@git.corp…`, also behind
   `git+https://`) and curl-basic-auth (`curl -u admin:<word_2024> …`): dropped as "a made-up name". Both reported
   before. Fix: a rule flag (the value is a password) rather than the rule's name.
4. HIGH (miss, bd5634d) — the `next_line` rules (yaml-env-*, yaml-block-*, plist-*) read a key line and its value
   line only when BOTH are lines the commit added (`_scan`: `following` needs consecutive numbers among the added
   lines; the secrets scanner passes added lines only). A commit that changes only the value line under an unchanged
   `- name: DB_PASSWORD` / `password: |` / `<key>ServicePassword</key>` is never read: a password rotation, or in ONE
   push a first commit with a placeholder (suppressed) and a second that puts the real value in its place, reports
   nothing. Fix: give next_line rules the line before each added line from the commit's version of the file.
5. MEDIUM (miss, bd5634d) — xml-password/xml-secret take one layout of each shape: a CDATA value
   (`<password><![CDATA[…]]></password>`, what Maven/Tomcat docs recommend for special characters), a value padded
   with spaces (`<password> … </password>`), and `value=` written before `key=`/`name=` (`<add value="…"
   key="DbPassword"/>`, `<property value="…" name="password"/>`) are not reported.
6. MEDIUM (miss, bd5634d) — powershell-plaintext-password takes `ConvertTo-SecureString [-String] "…" … -AsPlainText`
   only: the pipeline form (`"…" | ConvertTo-SecureString -AsPlainText -Force`, the commonest in scripts) and
   `-AsPlainText` before the string are not reported by any rule.
7. HIGH (miss, c32096f) — scan/embedded.py `_notebook`: a code cell whose first line starts with `%%` is "all another
   language" and left out — but `%%time`, `%%timeit`, `%%capture`, `%%prun`, `%%debug` run the cell's body as
   Python; and a line magic becomes `pass`, though `%time os.system(cmd)` runs its argument. One prefix line hides any
   cell from semgrep and bandit, without a note. Fix: drop only cells whose magic names another language (`%%bash`,
   `%%sh`, `%%script`, `%%html`, `%%javascript`, `%%writefile`, ...); read `%time`/`%timeit`/`%prun`'s argument.
8. MEDIUM (miss, c32096f) — `_markup` misses script blocks browsers run: a duplicated `type` (browsers keep the FIRST
   attribute, the dict keeps the last: `<script type="text/javascript" type="text/plain">`), an end tag with a `/` or
   an attribute (`</script/>`, `</script x>` end the element in the HTML tokenizer; `</script\\s*>` does not match, so
   the page holds "no code" at all), and the legacy JavaScript MIME types of the HTML standard's list
   (`text/x-javascript`, `application/x-javascript`, `text/javascript1.5`, `text/jscript`, ...). Fix: first attribute
   wins; `</script(?=[\\s/>])[^>]*>`; the standard's whole list.
9. MEDIUM (miss, c32096f) — `_python` decides by `kernelspec.language`, but Jupyter starts the kernel named by
   `kernelspec.name`: `{"name": "python3", "language": "R"}` runs Python and is read as no code, no note. Fix: read
   as Python when the name, the language or language_info names Python.

LOW, no test: `os.getenv("DB_PASSWORD", default="…")` and Ruby `ENV.fetch('DB_PASSWORD') { '…' }` (keyword / block
defaults) escape generic-password-argument; pgpass's escaped IPv6 host (`fe80\\:\\:1:5432:…`) fails the prefilter;
`<script>` in .php/.jsp/.erb/.ejs/.hbs/.astro/.mdx and inline handlers (`onclick="…"`, `javascript:` URLs) reach no
code scanner (README names .html/.vue/.svelte only); a PostgreSQL `md5…` hash is suppressed as "a password hash", though
md5 authentication accepts the hash itself (pass-the-hash) — worth a low finding rather than silence. Merge claims:
`unconfirmed_merges` asks nothing in a merge_group run, also for the PR's own commits that GitHub does know (a browser
edit titled `… (#4)` pushed to the queued PR after its approval is read as a PR merge there); the pull_request run of
the same head asks and blocks, so this matters only where the gate is required in the queue alone.

Tried and held: Windows line endings (scan_text/scan_lines strip `\\r`, the next_line rules match); hostile 100 KB and
1 MB lines for every new rule and both next_line lines (no rule above a 30x cost ratio 10 KB -> 100 KB); a notebook
code line placed on an older identical markdown line (the finding lands on a line the commit did not add, but
head._earlier finds no twin in the version before and reports it); a `>` inside a quoted `<script>` attribute
(semgrep's partial parse still finds the sinks and a scan/parse-error note is added); upper-case `.HTML`; the filters
on generator output (`_PASSWORD_HASH`, `_SPECIAL_TOKEN`, `_WORD_COUNTER`: 0 of 20,000 values of each of pwgen -s/-sy,
KeePass, Bitwarden, openssl hex/base64, token_urlsafe, Django keys; `_CMDLET` 0.10 % of token_urlsafe only); a
markdown table `| password: !<random> |` (still reported: `_YAML_TAG` needs letters only); the merge-claim check
(a claim naming a merged PR that does not list the commit, an open PR that does, GitHub erroring: unconfirmed).
History (bench_secrets_history --min-severity medium --limit 5000; bd5634d^ -> 89c9e32 -> 2d65d29): RooCode 21 -> 21
-> 21 (identical); cline 32 -> 36 -> 29 (bd5634d's 4 new: 3 `?roomSecret=invite-123` inside a string, now read by the
quote fence after `=`, and an unsigned test JWT behind `\"` in a JSON-encoded test config — false, the first 3 gone
again through `_WORD_COUNTER`; af0eb97's 7 dropped: those 3 + `const apiKey = usesApiKeyAuth …` and placeholders, none
a credential); ansible 54 -> 54 -> 35 (af0eb97 dropped password hashes, `!vault` tags and cmdlet calls, added the 2
real-format `git+https://` deploy-token lines: as designed). No real credential among the findings af0eb97 dropped in
these three histories; the misses above are shapes these histories do not hold.
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

from gatekeeper.scan.secrets import SecretDetector
from tests.hook_helpers import DANA
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import ALL_SCANNERS_POLICY, SECRETS_ONLY_POLICY, check_commit
from tests.test_red108_hostile import _hits, _rules

R = "Xk9" + "mQ2vLp7Rt4" + "Wz8NbJc5Hd3"  # 24 random-looking characters
R2 = "Pq4" + "nV8sKd2Lw6" + "Yh3ZtFm7Gb9"


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector.load()


# -- 1. credentials inside strings of script source --------------------------------------------------------------------

IN_STRINGS = [
    ("db.js", 'const conn = "Server=db;User Id=sa;Password={};";'),
    ("api.ts", "const url = `https://api.example.com/v1/items?api_key={}&q=1`;"),
    ("deploy.js", 'execSync("mysql -u root --password={} app < dump.sql");'),
    ("Settings.vue", "  const dsn = 'Server=db;Password={};'"),
]


@pytest.mark.parametrize("path,line", IN_STRINGS)
def test_a_credential_inside_a_string_of_script_source_is_reported(detector: SecretDetector, path: str,
                                                                   line: str) -> None:
    """Finding 1: `_SCRIPT_IDENTIFIER` takes the random value after `Password=` / `api_key=` inside a JS/TS string for
    an identifier (unquoted, letters and digits) and drops it. Reported before af0eb97. Secure: reported."""
    assert _rules(detector, path, line.replace("{}", R)), f"{path}: {line!r} not reported"


def test_control_the_same_connection_string_in_python_is_reported(detector: SecretDetector) -> None:
    """Control for 1: the same connection string in a .py file is reported (generic-password, HIGH)."""
    assert _rules(detector, "db.py", 'conn = "Server=db;User Id=sa;Password=' + R + ';"') == [
        "secrets/generic-password"]


def test_measured_generator_passwords_in_script_strings_are_reported(detector: SecretDetector) -> None:
    """Finding 1, measured: 200 KeePass-default (20 alphanumerics) passwords in a .js connection string. Now 81.7 %
    have no finding (2.3 % before af0eb97, 2.3 % in .py). Secure: at most 5 % missed, as in Python."""
    rng = random.Random(1101)
    chars = string.ascii_letters + string.digits
    values = ["".join(rng.choice(chars) for _ in range(20)) for _ in range(200)]
    missed = [v for v in values
              if not _hits(detector, "db.js", 'const conn = "Server=db;User Id=sa;Password=' + v + ';";')]
    assert len(missed) <= 10, f"{len(missed)} of 200 random passwords not reported in a .js connection string"


# -- 2. human Word-Word passwords read as PowerShell cmdlets -----------------------------------------------------------

@pytest.mark.parametrize("path,line", [
    (".env", "DB_PASSWORD=Summer-" + "Time2024"),
    ("config/app.yml", "  password: Correct-" + "HorseBattery9"),
    ("app.properties", "db.password=Summer-" + "Time2024"),
    ("docker-compose.yml", "      POSTGRES_PASSWORD: Winter-" + "Is2023Coming"),
])
def test_a_word_word_password_outside_powershell_is_reported(detector: SecretDetector, path: str, line: str) -> None:
    """Finding 2: `_CMDLET` (Verb-Noun) is applied to every file, so a capitalised Word-Word password written
    unquoted is "a cmdlet call". generic-password HIGH before af0eb97. Secure: reported."""
    assert "secrets/generic-password" in _rules(detector, path, line), f"{path}: {line!r} not reported"


def test_control_a_cmdlet_call_in_powershell_is_still_code(detector: SecretDetector) -> None:
    """Control for 2 (red108's case, which a fix must keep): the cmdlet call in a .ps1 is not a password."""
    assert _rules(detector, "win_service.ps1", "$password = Get-AnsibleParam -obj $params -name 'pass" + "word'") == []


# -- 3. word-and-counter passwords of password rules not named so -------------------------------------------------------

@pytest.mark.parametrize("path,line", [
    ("ci.sh", "git clone https://ci:summer_" + "2023@git.corp.example.com/app.git"),
    ("requirements.txt", "git+https://deploy:hunter_" + "2024@gitlab.example.com/org/lib.git"),
    ("deploy.sh", "curl -u admin:winter_" + "2024 https://example.com/api/deploy"),
    ("deploy.sh", "curl --user deploy:hunter-" + "2024 https://example.com/api/deploy"),
])
def test_a_word_and_counter_password_in_a_url_or_curl_is_reported(detector: SecretDetector, path: str,
                                                                  line: str) -> None:
    """Finding 3: `_WORD_COUNTER` spares rules whose id holds "password", not url-credentials or curl-basic-auth,
    whose value is a password too: `<word_2023>` there is dropped as "a made-up name". Reported before af0eb97."""
    assert _rules(detector, path, line), f"{path}: {line!r} not reported"


# -- 4. next_line rules: only the value line changed -------------------------------------------------------------------

NEXT_LINE_FILES = {
    "k8s/deploy.yaml": "env:\n  - name: DB_PASSWORD\n    value: \"{}\"\n  - name: MODE\n    value: prod\n",
    "config/app.yml": "db:\n  password: |\n    {}\n  host: db\n",
    "ios/Info.plist": "<dict>\n\t<key>ServicePassword</key>\n\t<string>{}</string>\n</dict>\n",
}


def _check(repo: RepoBuilder, policy: Path, base: str) -> list[tuple[str, str]]:
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--policy", str(policy), "--format", "json",
                           "--base", base], cwd=repo.path, capture_output=True, text=True, check=False, timeout=600)
    verdict = json.loads(proc.stdout)
    return [(f["rule_id"], f["path"]) for f in verdict["findings"] if str(f["rule_id"]).startswith("secrets/")]


@pytest.fixture(scope="module")
def rotated(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """One push of three commits: the files with a placeholder value, then the real value in its place, then (a
    second push) the value rotated. Returns the secrets findings of the one push and of the rotation push."""
    where = tmp_path_factory.mktemp("rotated")
    repo = RepoBuilder.init(where / "repo")
    policy = where / "policy.yml"
    policy.write_text(SECRETS_ONLY_POLICY)
    base = repo.commit("base\n", {"README.md": "x\n"}, author=DANA, committer=DANA)
    repo.commit("config\n", {p: t.replace("{}", "changeme") for p, t in NEXT_LINE_FILES.items()}, author=DANA,
                committer=DANA)
    repo.commit("set it\n", {p: t.replace("{}", R) for p, t in NEXT_LINE_FILES.items()}, author=DANA,
                committer=DANA)
    one_push = _check(repo, policy, base)
    before_rotation = repo.head()
    repo.commit("rotate\n", {p: t.replace("{}", R2) for p, t in NEXT_LINE_FILES.items()}, author=DANA,
                committer=DANA)
    return one_push, _check(repo, policy, before_rotation)


@pytest.mark.parametrize("path", sorted(NEXT_LINE_FILES))
def test_a_value_put_under_an_unchanged_key_line_in_one_push_is_reported(
        rotated: tuple[list[tuple[str, str]], list[tuple[str, str]]], path: str) -> None:
    """Finding 4: commit 1 writes the key with a placeholder (suppressed), commit 2 of the same push changes only the
    value line to a random password. Each commit's added lines are scanned; commit 2's holds no key line, so no
    next_line rule runs. Secure: the password is reported."""
    one_push, _ = rotated
    assert [r for r, p in one_push if p == path], f"{path}: the real value under an unchanged key is not reported"


@pytest.mark.parametrize("path", sorted(NEXT_LINE_FILES))
def test_a_rotated_password_under_an_unchanged_key_line_is_reported(
        rotated: tuple[list[tuple[str, str]], list[tuple[str, str]]], path: str) -> None:
    """Finding 4: a push that rotates the password (only the value line changes) reports nothing. Secure: reported."""
    _, rotation = rotated
    assert [r for r, p in rotation if p == path], f"{path}: the rotated password is not reported"


def test_control_key_and_value_added_together_are_reported(tmp_path: Path) -> None:
    """Control for 4: the same files added whole are reported (plist-password, yaml-block-password,
    yaml-env-password)."""
    _code, verdict = check_commit(tmp_path, {p: t.replace("{}", R) for p, t in NEXT_LINE_FILES.items()},
                                  SECRETS_ONLY_POLICY)
    found = {f["path"] for f in verdict["findings"] if str(f["rule_id"]).startswith("secrets/")}
    assert found == set(NEXT_LINE_FILES)


# -- 5./6. file-format rules: layouts they do not take -----------------------------------------------------------------

@pytest.mark.parametrize("path,line", [
    ("settings.xml", "<password><![CDATA[" + R + "]]></password>"),
    ("settings.xml", "<password> " + R + " </password>"),
    ("web.config", '<add value="' + R + '" key="DbPassword" />'),
    ("beans.xml", '<property value="' + R + '" name="password"/>'),
])
def test_xml_password_layouts_are_reported(detector: SecretDetector, path: str, line: str) -> None:
    """Finding 5: CDATA, padded element text and value-before-key attributes escape xml-password (and every other
    rule). Secure: reported."""
    assert _rules(detector, path, line), f"{path}: {line!r} not reported"


def test_control_xml_password_layout_the_rule_knows(detector: SecretDetector) -> None:
    """Control for 5: key before value is reported."""
    assert _rules(detector, "web.config", '<add key="DbPassword" value="' + R + '" />') == ["secrets/xml-password"]


@pytest.mark.parametrize("line", [
    '$pw = "' + R + '" | ConvertTo-SecureString -AsPlainText -Force',
    "$pw = '" + R + "' | ConvertTo-SecureString -AsPlainText -Force",
    '$pw = ConvertTo-SecureString -AsPlainText -Force -String "' + R + '"',
    '$pw = ConvertTo-SecureString -AsPlainText "' + R + '" -Force',
])
def test_powershell_plaintext_in_other_forms_is_reported(detector: SecretDetector, line: str) -> None:
    """Finding 6: the pipeline form and `-AsPlainText` before the string are reported by no rule. Secure: a finding
    whose value is the literal."""
    starts = {h.column - 1 for h in _hits(detector, "deploy.ps1", line)}
    assert line.index(R) in starts, f"{line!r}: reported at columns {sorted(s + 1 for s in starts)}"


# -- 7./8./9. code hidden from semgrep and bandit in notebooks and markup ------------------------------------------

JS = "function show() {\n  const q = location.hash.slice(1);\n  document.body.innerHTML = q;\n  eval(q);\n}\nshow();\n"


def _page(opening: str, closing: str = "</script>") -> str:
    return "<!doctype html>\n<html><body>\n" + opening + "\n" + JS + closing + "\n</body></html>\n"


def _notebook(cells: list[list[str]], metadata: dict[str, Any] | None = None) -> str:
    document = {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": s}
                          for s in cells],
                "metadata": metadata or {"kernelspec": {"language": "python", "name": "python3"}},
                "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1) + "\n"


SINK = ["import os\n", "\n", "def run(cmd):\n", "    os.system(\"tar xf \" + cmd)\n"]
EMBEDDED = {
    "web/control.html": _page("<script>"),
    "web/duplicate-type.html": _page('<script type="text/javascript" type="text/plain">'),
    "web/end-tag-slash.html": _page("<script>", "</script/>"),
    "web/end-tag-attribute.html": _page("<script>", "</script x>"),
    "web/x-javascript.html": _page('<script type="text/x-javascript">'),
    "web/application-x-javascript.html": _page('<script type="application/x-javascript">'),
    "nb/control.ipynb": _notebook([SINK]),
    "nb/cell-time.ipynb": _notebook([["%%time\n", *SINK]]),
    "nb/cell-capture.ipynb": _notebook([["%%capture\n", *SINK]]),
    "nb/line-time.ipynb": _notebook([["import os\n", "cmd = input()\n", "%time os.system(\"tar xf \" + cmd)\n"]]),
    "nb/kernel-name.ipynb": _notebook([SINK], {"kernelspec": {"name": "python3", "language": "R",
                                                              "display_name": "Python 3"}}),
}


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    _code, verdict = check_commit(tmp_path_factory.mktemp("embedded"), EMBEDDED, ALL_SCANNERS_POLICY)
    return verdict


def _code_findings(verdict: dict[str, Any], path: str) -> list[str]:
    return sorted(f["rule_id"] for f in verdict["findings"]
                  if f.get("path") == path and str(f["rule_id"]).startswith(("semgrep/", "bandit/")))


@pytest.mark.parametrize("path", ["web/control.html", "nb/control.ipynb"])
def test_control_plain_script_and_cell_sinks_are_reported(embedded: dict[str, Any], path: str) -> None:
    """Control for 7-9: the plain `<script>` and the plain cell are read and their sinks reported."""
    assert _code_findings(embedded, path), path


@pytest.mark.parametrize("path", ["web/duplicate-type.html", "web/end-tag-slash.html", "web/end-tag-attribute.html",
                                  "web/x-javascript.html", "web/application-x-javascript.html"])
def test_a_script_block_the_browser_runs_is_read(embedded: dict[str, Any], path: str) -> None:
    """Finding 8: a duplicated `type` (the first wins in browsers, the last in `_markup`), `</script/>` or
    `</script x>` (end tags to the HTML tokenizer, not to `_SCRIPT`) and legacy JavaScript MIME types: the block
    reaches no code scanner and the gate says nothing. Secure: eval/innerHTML reported as in the control."""
    assert _code_findings(embedded, path), f"{path}: the script's sinks are not reported"


@pytest.mark.parametrize("path", ["nb/cell-time.ipynb", "nb/cell-capture.ipynb", "nb/line-time.ipynb"])
def test_python_run_under_a_timing_or_capture_magic_is_read(embedded: dict[str, Any], path: str) -> None:
    """Finding 7: `%%time`/`%%capture` run the cell as Python but the cell is left out as "another language";
    `%time <stmt>` runs <stmt> but becomes `pass`. Secure: os.system reported as in the control."""
    assert _code_findings(embedded, path), f"{path}: the cell's os.system is not reported"


def test_a_notebook_whose_kernel_name_is_python_is_read(embedded: dict[str, Any]) -> None:
    """Finding 9: Jupyter starts the kernel `kernelspec.name` names (python3); `_python` reads only
    `kernelspec.language` ("R") and skips the notebook. Secure: os.system reported."""
    assert _code_findings(embedded, "nb/kernel-name.ipynb"), "a python3-kernel notebook is not read"
