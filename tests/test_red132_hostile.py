"""Red team red132: adversarial review of what changed on main in the sixteenth session (a532895..a21ae55) — the
markup encoding re-reading and `data:` script sources (embedded.py), secrets.vendored, the Compose/CI local-database
exemption, the acronym-led name shape, and `Assisted-by` naming a person.

Each finding test asserts the secure behaviour and fails on w/red132 (= main at a21ae55) for the reason its
docstring names. Every attacking page was loaded byte for byte in headless Chromium (`chromium --headless
--no-sandbox --dump-dom file:///...#<payload>`, the payload setting an attribute on the top document; not part of
the tests): each ran its eval. Secret-shaped values are built at run time; none is written here as one literal.

Findings, by severity:

1. MEDIUM (miss) — scan/embedded.py `embedded_code` / `_declared`: red125 #10's fix re-reads a page whose encoding
   scan.text guessed (BOM-less UTF-16) only when its `<meta charset>` names a codec Python knows. A browser never
   reads BOM-less UTF-16 HTML (the encoding sniffing algorithm cannot yield it; a meta naming UTF-16 is UTF-8), so
   (a) the same page with NO meta at all, (b) a meta naming `x-user-defined` (windows-1252 to the HTML prescan) and
   (c) a meta naming the WHATWG UTF-8 label `unicode-1-1-utf-8` are read only as UTF-16: `<html><body>` + 4,000 x
   `a\\0` + `<script>eval(...)</script>` runs in Chromium and `gatekeeper check` allows it, no finding, no note.
   Fix idea: when the guess was UTF-16 without a BOM, always read the page once more ASCII-compatibly (the meta's
   WHATWG encoding, else windows-1252), and map labels by the Encoding Standard's table, not `codecs.lookup`.
2. MEDIUM (crash) — same place: `codecs.lookup` accepts Python's non-text codecs and ones that refuse "replace";
   `data.decode(declared, "replace")` then raises. `<meta charset="rot13">` (also base64, hex, zlib, uu) before
   NUL bytes makes `gatekeeper check` exit 4, "internal error: LookupError" — the whole evaluation is lost, not one
   `tool/*` finding (DESIGN §7: a crashing scanner is a tool finding); `idna` / `undefined` raise UnicodeError, which
   fails the whole semgrep run (`tool/semgrep-failed`: every other file's semgrep result in the run is lost with it).
   Measured: 7 of the 12 codec names tried crash (base64, rot13, hex, zlib, uu, idna, undefined). Fail-closed at the
   hook, but a pusher-chosen page turns a PR's verdict into an error. Fix: accept only WHATWG labels.
3. LOW (miss) — embedded.py `_url_script`: a `data:` script source's `charset=` is decoded with any codec Python
   knows. `charset=punycode` (no WHATWG label: the browser falls back to UTF-8 and runs the script) turns
   `eval(...)` into garbage for the gate: allowed, no note. (`charset=utf-7`, no browser encoding either, garbles
   every `+`: there semgrep's partial parse is said by a low `scan/parse-error`, so not counted here.)
   `charset=idna` raises UnicodeError (caught only as `tool/semgrep-failed`: fail-closed, but every other file's
   semgrep result in the run is lost with it). Fix: decode only WHATWG labels, else UTF-8.
4. MEDIUM (miss) — scan/secrets_scanner.py `_context` / `_keystore`, `secrets.vendored`: the red129 lesson (`_DEPLOYED`:
   what deploys an environment holds real keys whatever its directory is called) is applied to test keys but not to
   vendored paths. Any `.env`, `.tfvars` or Ansible `group_vars/` file under a directory named `vendor/`,
   `third_party/` or `third-party/` (a common name for the project's OWN configuration of third-party services:
   `infra/third_party/prod.tfvars`) has its private key block and its password recorded "vendored third-party code"
   and not blocking — at a real pre-receive push too. Fix: `_DEPLOYED` wins over `vendored` as it does over tests.
5. MEDIUM (miss, regression of 42ef214) — scan/secrets.py `_CAMEL_WORD`'s new acronym-led branch
   `[A-Z]{2,}[a-z]+(?:[A-Z][a-z]+)*` applies to every value in every file kind, so a human password of capitals then
   lower case (`ADMINpassword`, `MYsecretpass`, `NASAlaunchcodes`) is now dropped (not even recorded suppressed) in a
   `.env`, a YAML config and code — each blocked at a532895. Fix: only quoted, and only in code or markup (a class
   name in IPython's magic table), not in data files; or require a known class suffix.
6. LOW (miss) — scan/secrets.py `_local_database`, Compose branch: any one-word host in a Compose file is taken for
   "a service the file runs", though the docstring says a service "the file itself starts"; nothing checks that the
   file defines it. `postgresql://app:<11 random chars>@proddb:5432` beside a file whose only service is `web` is
   suppressed — a container resolves `proddb` through the host's DNS search domains exactly as ac59fd1 says a
   self-hosted runner does (the reason the CI branch was narrowed). And "weak" is any password under 12 characters,
   random or not. Fix: the host must be a key under the file's `services:`.
7. LOW (miss, regression of 29ce147) — origin/ai.py `assisted_by_person`: any `Name <address>` whose name is not in
   the agent/model tables is a person, so an in-house or unlisted agent is human: `Assisted-by: Acme AI
   <ai@acme.example>`, `Agent <agent@corp.example>`, `LLM <…>`, `Internal Assistant <…>`, `Zed Agent <…>` — AI at
   a532895, none now (also listed names of real products: Kiro, Goose, Tabnine, Sourcegraph Cody, Augment Code, Kimi,
   Llama read as people). Fix: a name holding an agent word (agent, AI, LLM, assistant, bot, copilot) is no person.

Tried and held (no test): the new regexes on 1 MB hostile lines — the flattened-message `_BODY` branch (spaces,
`\\n` runs, unterminated co-author/footer repeats: ≤ 0.06 s), heuristics `_title` (1 MB first paragraph), secrets on
1 MB runs of base64 with `\\n` escapes, validation-rule repeats, `Ab\\` qualified-name repeats, acronym runs, a 1 MB
URL rest after `@localhost` (all ≤ 0.06 s); `_LOCAL_HOST` against `localhost@db.prod` (WHATWG/pg's last-`@` host:
the lookahead refuses `@`); the cache key (`blob;read=digest` plus the seen-as path: a file named
`x.html;part=attributes` cannot collide with a page's attribute part, the blob ids differ); the wrapped-base64
suppression needs the whole JSON line to be one run with `+`/`/` and a glued match (a token printed as a value after
`"`, `=` or a space is not glued); `_VS_TEMPORARY_KEY` needs the `_TemporaryKey.pfx` name; the Assisted-by person
rule for every listed agent name and address (Claude, Copilot, Codex, Cursor, Devin, Jules, Junie, Amp, Cline…).
"""

from __future__ import annotations

import json
import os
import random
import string
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gatekeeper import origin
from gatekeeper.git import Git
from gatekeeper.models import AIInvolvement, DeviceClass
from gatekeeper.origin.base import OriginContext
from gatekeeper.scan.secrets import SecretDetector
from tests.hook_helpers import DANA, assert_blocked, push_files
from tests.repo_builder import RepoBuilder
from tests.scan_helpers import ALL_SCANNERS_POLICY
from tests.test_secrets_third_party_and_local import _reported, _scan


@pytest.fixture(scope="module")
def detector() -> SecretDetector:
    return SecretDetector.load()


_rng = random.Random(132)


def _random(n: int) -> str:
    return "".join(_rng.choice(string.ascii_letters + string.digits) for _ in range(n))


# -- markup (findings 1-3): the real `gatekeeper check` with real semgrep ---------------------------------------------

EVAL = "semgrep/js-eval-non-literal"
E = "eval(top.location.hash.slice(1))"
UTF16_LOOKING = b"a\x00" * 4000  # (scan.text guesses BOM-less UTF-16 for it; no browser does)


def _script_after(head: bytes) -> bytes:
    return head + UTF16_LOOKING + f"\n<script>{E}</script>\n".encode()


def _data_script(charset: str, code: str = E) -> str:
    return f'<html><body>\n<script src="data:text/javascript;charset={charset},{code}"></script>\n</body></html>\n'


PAGES: dict[str, str | bytes] = {
    "w/control.html": _script_after(b'<meta charset="utf-8">'),  # red125 #10's page: read since 1a3dd87
    "w/no_meta.html": _script_after(b"<html><body>"),
    "w/x_user_defined.html": _script_after(b'<meta charset="x-user-defined">'),
    "w/unicode11.html": _script_after(b'<meta charset="unicode-1-1-utf-8">'),
    "w/data_punycode.html": _data_script("punycode"),
}


def _check(files: dict[str, str | bytes], where: Path) -> tuple[int, dict[str, Any], str]:
    """Dana's one commit of `files` on top of a README, judged by the real `gatekeeper check --format json` under
    every scanner blocking at medium: exit code, verdict (empty when it printed none) and stderr."""
    (where / "policy.yml").write_text(ALL_SCANNERS_POLICY)
    repo = RepoBuilder.init(where / "repo")
    base = repo.commit("base\n", {"README.md": "x\n"}, author=DANA, committer=DANA)
    repo.commit("Add pages\n", dict(files), author=DANA, committer=DANA)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "GATEKEEPER_"))}
    env["XDG_CACHE_HOME"] = str(where / "cache")
    proc = subprocess.run([sys.executable, "-m", "gatekeeper", "check", "--policy", str(where / "policy.yml"),
                           "--format", "json", "--base", base], cwd=repo.path, capture_output=True, text=True,
                          check=False, timeout=600, env=env)
    try:
        verdict = dict(json.loads(proc.stdout))
    except ValueError:
        verdict = {}
    return proc.returncode, verdict, proc.stderr[-600:]


@pytest.fixture(scope="module")
def verdict(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], str]:
    return _check(PAGES, tmp_path_factory.mktemp("red132"))


def _blocking(result: dict[str, Any], path: str) -> list[tuple[str, int | None]]:
    return sorted((f["rule_id"], f["line"]) for f in result["findings"] if f["path"] == path and f["blocking"])


def _said(result: dict[str, Any], path: str) -> str:
    notes = " ".join(str(s.get("detail") or "") for s in result["stats"]["scanners"].values())
    return " ".join(part for part in notes.split("; ") if path in part)


def test_held_control_blocks(verdict: tuple[int, dict[str, Any], str]) -> None:
    """(Guard, holds.) red125 #10's page — a utf-8 meta before the UTF-16-looking bytes — is read and blocks."""
    code, result, err = verdict
    assert code == 1 and result["decision"] == "block", err
    assert _blocking(result, "w/control.html") == [(EVAL, 2)]


@pytest.mark.parametrize("path", ["w/no_meta.html", "w/x_user_defined.html", "w/unicode11.html"])
def test_a_page_guessed_utf16_is_read_as_the_browser_reads_it(verdict: tuple[int, dict[str, Any], str],
                                                              path: str) -> None:
    """Finding 1 (MEDIUM): FAILS — the page is read once more only when its meta names a Python codec; with no meta
    (a browser never decodes BOM-less UTF-16 HTML), `x-user-defined` (windows-1252 to the HTML prescan) or the WHATWG
    label `unicode-1-1-utf-8` it is read as UTF-16 only, and Chromium's eval is unseen: no finding, no note."""
    _, result, _ = verdict
    assert _blocking(result, path) == [(EVAL, 2)] or "not read" in _said(result, path), result["findings"]


def test_a_data_script_in_a_charset_no_browser_knows_is_read_as_utf8(verdict: tuple[int, dict[str, Any], str]) -> None:
    """Finding 3 (LOW): FAILS — `charset=punycode` is no WHATWG label, so the browser falls back to UTF-8 and runs
    the eval; the gate decodes with Python's punycode codec and reads garbage: no finding, no note."""
    _, result, _ = verdict
    path = "w/data_punycode.html"
    assert _blocking(result, path) == [(EVAL, 2)] or "not read" in _said(result, path), result["findings"]


@pytest.mark.parametrize("charset", ["rot13", "base64", "idna"])
def test_a_meta_naming_a_non_text_codec_does_not_crash_the_gate(tmp_path: Path, charset: str) -> None:
    """Finding 2 (MEDIUM): FAILS — `_declared` returns any codec `codecs.lookup` knows and `bytes.decode` refuses
    the non-text ones (LookupError: `gatekeeper check` exits 4, "internal error", no verdict) and idna's "replace"
    (UnicodeError: the semgrep run fails, the other page's finding is lost), where the page should be read as the
    browser reads it (its meta names no encoding a browser knows) and the rest of the run judged."""
    page = _script_after(f'<meta charset="{charset}">'.encode())
    code, result, err = _check({"w/page.html": page, "w/other.html": _data_script("utf-8")}, tmp_path)
    assert code in (0, 1) and result, f"exit {code}: {err}"
    assert _blocking(result, "w/other.html") == [(EVAL, 2)]  # the rest of the run is judged


def test_a_data_script_in_idna_does_not_fail_the_semgrep_run(tmp_path: Path) -> None:
    """Finding 3 (LOW): FAILS — `charset=idna` raises UnicodeError in `_url_script` (only LookupError is caught), so
    the whole semgrep run fails: a `tool/semgrep-failed` blocks, and the other page's own finding is lost."""
    code, result, err = _check({"w/idna.html": _data_script("idna"), "w/other.html": _data_script("utf-8")}, tmp_path)
    assert result, err
    assert "tool/semgrep-failed" not in {f["rule_id"] for f in result["findings"]}, result["findings"]
    assert _blocking(result, "w/other.html") == [(EVAL, 2)]


# -- secrets (findings 4-6) --------------------------------------------------------------------------------------------

PEM = ("-----BEGIN OPENSSH " + "PRIVATE KEY-----\n" + "b3BlbnNzaC1rZXktdjEAAAAA" + _random(40) + "\n"
       + "\n".join(_random(70) for _ in range(5)) + "\n-----END OPENSSH " + "PRIVATE KEY-----\n")
ESCAPED = PEM.replace("\n", "\\n")



VENDORED_DEPLOY = {
    "infra/third_party/prod.tfvars": lambda pw: f'db_password = "{pw}"\nssh_private_key = <<EOF\n{PEM}EOF\n',
    "third_party/.env": lambda pw: f'DB_PASSWORD={pw}\nJWT_PRIVATE_KEY="{ESCAPED}"\n',
    "vendor/ansible/group_vars/all.yml": lambda pw: (
        f"deploy_password: {pw}\ndeploy_key: |\n  " + PEM.rstrip("\n").replace("\n", "\n  ") + "\n"),
}


@pytest.mark.parametrize("path", sorted(VENDORED_DEPLOY))
def test_what_deploys_an_environment_is_not_vendored_code(repo: RepoBuilder, path: str) -> None:
    """Finding 4 (MEDIUM): FAILS — the password and the private key are both recorded "vendored third-party code
    (secrets.vendored)": `_DEPLOYED` (.env, .tfvars, inventories) is checked for test keys, not for vendored paths."""
    found = _scan(repo, {path: VENDORED_DEPLOY[path](_random(16))})
    assert {rule: reason for _, rule, reason in found} == {"secrets/generic-password": "",
                                                           "secrets/private-key": ""}, found


def test_a_third_party_tfvars_key_is_refused_at_push(tmp_path: Path) -> None:
    """Finding 4 at the pre-receive front door: FAILS — the push of a Terraform file's SSH private key under
    `infra/third_party/` is accepted."""
    result = push_files(tmp_path, {"infra/third_party/prod.tfvars":
                                   'region = "eu-west-1"\nssh_private_key = <<EOF\n' + PEM + "EOF\n"})
    assert_blocked(result, "secrets/private-key")


ACRONYM_LED = ["ADMIN" + "password", "MY" + "secretpass", "NASA" + "launchcodes"]


@pytest.mark.parametrize("value", ACRONYM_LED)
@pytest.mark.parametrize(("path", "template"), [("deploy/prod.env", "DB_PASSWORD={}"),
                                                ("config/prod.yml", 'db_password: "{}"'),
                                                ("app/settings.py", 'password = "{}"')])
def test_an_acronym_led_password_is_still_a_password(detector: SecretDetector, path: str, template: str,
                                                     value: str) -> None:
    """Finding 5 (MEDIUM, regression of 42ef214): FAILS — `_CAMEL_WORD`'s acronym-led branch (for IPython's
    "OSMagics") takes these for names in every file kind: nothing reported, not even suppressed. Each was a blocking
    generic-password at a532895.

    (The example-password reading of tests/test_secrets_examples_bundles_docs.py applies only in files of examples —
    tests, examples, seeds, templates, docs — so none of these three files is one.)"""
    assert _reported(detector, template.format(value), path) == [("secrets/generic-password", "")]


def _compose(url: str, services: str = "  web:\n    image: example/web\n") -> str:
    return f"services:\n{services}    environment:\n      DATABASE_URL: {url}\n"


def test_held_a_compose_service_s_own_database_is_local(detector: SecretDetector) -> None:
    """(Guard, holds.) The host is a service the file defines: recorded as suppressed, as designed."""
    text = "services:\n  db:\n    image: postgres:16\n" + _compose("postgresql://app:" + "devpass1" + "@db:5432/app")
    assert [r for r, s in _reported(detector, text, "docker-compose.yml") if s] == ["secrets/database-url-password"]


def test_a_compose_host_the_file_does_not_run_is_not_its_service(detector: SecretDetector) -> None:
    """Finding 6 (LOW): FAILS — `proddb` is no service of this file (its only one is `web`), and the password is 11
    random characters; it is recorded "a weak password of a database in a service the file runs"."""
    text = _compose("postgresql://app:" + _random(11) + "@proddb:5432/app")
    assert _reported(detector, text, "docker-compose.yml") == [("secrets/database-url-password", "")]


# -- origin (finding 7) ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["Acme AI <ai@acme.example>", "Agent <agent@corp.example>",
                                   "LLM <llm@corp.example>", "Internal Assistant <assistant@corp.example>",
                                   "Zed Agent <agent@zed.example>"])
def test_assisted_by_an_unlisted_agent_stays_ai(repo: RepoBuilder, value: str) -> None:
    """Finding 7 (LOW, regression of 29ce147): FAILS — a `Name <address>` whose name is in no agent or model table
    is taken for a person, though the name says it is an agent: the commit is human. AI at a532895."""
    sha = repo.commit(f"Fix the parser\n\nAssisted-by: {value}\n", allow_empty=True)
    (commit,) = Git(repo.path).iter_log([sha], no_walk=True)
    result, _ = origin.detect(commit, OriginContext(), (DeviceClass.MOBILE, DeviceClass.TABLET, DeviceClass.WEB))
    assert result.ai is AIInvolvement.ASSISTED, result.evidence
