"""red164: this session's loosenings attacked as a hostile pusher would, through the real gate.

sast161's SSRF sanitizers (python-ssrf-request-url, js-ssrf-request-url) held a URL as safe when:
- its text began with a literal `"https://host/"` — `"https://%s/api" % host` names no host, and
  `"https://a/" if not url else url` / `'https://a/' && url` fetch the caller's URL (HIGH: a request-controlled
  fetch accepted);
- a name was checked against the allow-list and then given a new, unchecked request value before the fetch (HIGH);
- (JavaScript) a deny-list's negated `includes` guarded the request: `<... $ALLOWED.includes($ARG) ...>` matched
  `!BLOCKED_HOSTS.includes(host)` (HIGH).
Each is judged by the real semgrep through `gatekeeper check` on a real commit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit

HIGH_POLICY = ALL_SCANNERS_POLICY.replace("block_at: medium", "block_at: high")
SSRF = ("semgrep/python-ssrf-request-url", "semgrep/js-ssrf-request-url")

FLASK = """import requests
from flask import Flask, abort, request

from app.hosts import is_allowed_url

app = Flask(__name__)


@app.route("/a")
def host_by_format():
    return requests.get("https://%s/api" % request.args["host"]).text


@app.route("/b")
def literal_first():
    target = request.args["url"]
    return requests.get("https://api.example.com/" if not target else target).text


@app.route("/c")
def rechecked_name():
    url = request.args["next"]
    if not is_allowed_url(url):
        abort(400)
    url = request.args["other"]
    return requests.get(url).text


@app.route("/d")
def fixed_host():
    return requests.get("https://api.github.com/users/%s" % request.args["name"]).json()


@app.route("/e")
def checked():
    url = request.args["url"]
    if not is_allowed_url(url):
        abort(400)
    return requests.get(url).text
"""
FLASK_LINES = {11, 17}
FLASK_RECHECKED_NAME = 26  # the checked name given a new request value after its guard (left: see the xfail below)

EXPRESS = """const express = require("express");
const app = express();

app.get("/a", async (req, res) => {
  const url = req.query.url;
  if (!BLOCKED_HOSTS.includes(new URL(url).hostname)) {
    res.send(await (await fetch(url)).text());
  }
});

app.get("/b", async (req, res) => {
  let url = req.query.next;
  if (!ALLOWED_HOSTS.includes(new URL(url).hostname)) {
    return res.sendStatus(400);
  }
  url = req.query.other;
  res.send(await (await fetch(url)).text());
});

app.get("/c", async (req, res) => {
  res.send(await (await fetch("https://api.example.com/" && req.query.u)).text());
});

app.get("/d", async (req, res) => {
  const url = req.query.url;
  if (!ALLOWED_HOSTS.includes(new URL(url).hostname)) {
    return res.sendStatus(400);
  }
  res.send(await (await fetch(url)).text());
});
module.exports = app;
"""
EXPRESS_LINES = {7, 17, 21}


@pytest.fixture(scope="module")
def ssrf_verdict(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    return check_commit(tmp_path_factory.mktemp("red164-ssrf"), {"app/views.py": FLASK, "server/fetch.js": EXPRESS},
                        HIGH_POLICY)


def _lines(verdict: dict[str, Any], path: str) -> set[int]:
    return {f["line"] for f in verdict["findings"] if f["rule_id"] in SSRF and f["path"] == path}


def test_python_ssrf_sanitizers_that_did_not_hold_now_block(ssrf_verdict: tuple[int, dict[str, Any]]) -> None:
    code, result = ssrf_verdict
    # (the fixed host with a `%s` path and the real allow-list guard stay sanitised: lines 32 and 39 are not found)
    assert _lines(result, "app/views.py") == FLASK_LINES, result["findings"]
    assert code == 1 and result["decision"] == "block", result["findings"]


@pytest.mark.xfail(strict=True, reason="red164 left: python-ssrf-request-url's guard sanitises the checked name for "
                   "the rest of the handler, also after a new request value is given to it; the pattern-not-inside that "
                   "fixed it (as js-ssrf-request-url's does) timed semgrep out on changedetection.io's forms.py")
def test_python_guard_stops_at_a_new_value_given_to_the_checked_name(ssrf_verdict: tuple[int, dict[str, Any]]) -> None:
    assert FLASK_RECHECKED_NAME in _lines(ssrf_verdict[1], "app/views.py"), ssrf_verdict[1]["findings"]


def test_javascript_ssrf_sanitizers_that_did_not_hold_now_block(ssrf_verdict: tuple[int, dict[str, Any]]) -> None:
    _, result = ssrf_verdict
    assert _lines(result, "server/fetch.js") == EXPRESS_LINES, result["findings"]
    blocking = [f for f in result["findings"] if f["rule_id"] in SSRF]
    assert blocking and all(f["severity"] == "high" and f["blocking"] for f in blocking), blocking


# -- sig161: an x509 armor is an info note where no signature is required; what it carries is still read ----------

def _x509_armor(*lines: str) -> bytes:
    return ("-----BEGIN SIGNED MESSAGE-----\n" + "".join(f"{line}\n" for line in lines)
            + "-----END SIGNED MESSAGE-----\n").encode()


def test_a_key_inside_an_x509_looking_signature_header_is_still_refused(tmp_path: Path) -> None:
    """Attack (held): before sig161 any x509 armor blocked at high on its own; now it is an info note under the
    built-in policy, so only the header's own scan stands between a key written into the armor and the server."""
    from gatekeeper.config import DEFAULT_POLICY_YAML
    from tests.hook_helpers import AWS_KEY, DANA, make_server, seed, spush
    from tests.provenance_helpers import replace_head, with_signature

    server = make_server(tmp_path / "srv", policy=DEFAULT_POLICY_YAML)
    work = server.clone()
    work.commit("Initial commit\n", {"README.md": "hello\n"}, author=DANA, committer=DANA)
    seed(server, work)
    plain = work.commit("Fix typo\n", {"README.md": "hello!\n"}, author=DANA, committer=DANA)
    armor = _x509_armor("MIIB" + "x" * 60, f"aws_access_key_id={AWS_KEY}")
    forged = replace_head(work, with_signature(work.git("cat-file", "commit", plain).encode(), armor))

    result = spush(server, work, "origin", "main")

    findings = server.last_verdict()["findings"]
    assert any(f["rule_id"] == "provenance/unsupported-signature" and f["severity"] == "info" for f in findings)
    assert any(f["rule_id"] == "secrets/aws-access-key" and f["blocking"] for f in findings), findings
    assert result.code != 0 and server.tip() != forged, result.output


# -- sast161's template rules: a `<!--` that opens no comment hid the sink (MEDIUM: the rules are medium) -----------

SVELTE_HIDDEN = """<script>
  export let reply;
  const marker = "<!--";
</script>

<article class="assistant">{@html reply}</article>
<!-- the reply is rendered above -->
"""
VUE_HIDDEN = """<template>
  <p title="<!--">x</p>
  <div class="assistant" v-html="reply"></div>
  <p title="-->">y</p>
  <!-- {{ reply }} as text was the old way: <div v-html="old"></div> -->
</template>

<script setup>
defineProps({ reply: String });
</script>
"""


def test_a_comment_marker_in_a_string_or_attribute_no_longer_hides_a_raw_html_sink(tmp_path: Path) -> None:
    code, result = check_commit(tmp_path, {"web/Reply.svelte": SVELTE_HIDDEN, "web/Reply.vue": VUE_HIDDEN},
                                ALL_SCANNERS_POLICY)
    found = {(f["rule_id"], f["path"], f["line"]) for f in result["findings"]
             if f["rule_id"] in ("semgrep/js-svelte-raw-html", "semgrep/js-vue-v-html")}
    # (the v-html inside the real comment on line 5 stays unreported)
    assert found == {("semgrep/js-svelte-raw-html", "web/Reply.svelte", 6),
                     ("semgrep/js-vue-v-html", "web/Reply.vue", 3)}, result["findings"]
    assert code == 1 and result["decision"] == "block", result["findings"]


HOST_BY_FORMAT = """import requests
from flask import Flask, request

app = Flask(__name__)


@app.route("/status")
def status():
    return requests.get("https://%s/healthz" % request.args["host"], timeout=5).text
"""


def test_the_hook_refuses_a_host_formatted_into_a_literal_url(tmp_path: Path) -> None:
    """The attack as a pusher makes it: a Flask route that fetches `https://<caller's host>/…` (the cloud metadata
    address included), pushed into a bare repository whose hook runs semgrep. Accepted before (the literal's
    `https://%s/` read as a fixed scheme and host)."""
    from tests.hook_helpers import DANA, SEMGREP_HOOK_POLICY, seeded, spush

    server, work = seeded(tmp_path, SEMGREP_HOOK_POLICY)
    work.commit("health probe\n", {"app/status.py": HOST_BY_FORMAT}, author=DANA, committer=DANA)

    refused = spush(server, work, "origin", "main")

    assert refused.code != 0 and "python-ssrf-request-url" in refused.output, refused.output
    assert server.tip() != work.head()


# -- origin161: Lovable's code-editor title and a policy that names Lovable's App as an agent ------------------------

LOVABLE = ("gpt-engineer-app[bot]", "159125892+gpt-engineer-app[bot]@users.noreply.github.com")
OWN_EDIT = "Code edited in Lovable Code Editor"


def _ai_zone_policy(identities: str) -> str:
    from tests.hook_helpers import TEST_POLICY

    return TEST_POLICY.replace(
        "origins: {mobile_classes: [mobile, tablet], undeclared: desktop}",
        f"origins: {{mobile_classes: [mobile, tablet], undeclared: desktop, ai_identities: [{identities}]}}").replace(
        "  - {name: payments, paths: [\"src/payments/**\"], mobile: block}",
        "  - {name: payments, paths: [\"src/payments/**\"], mobile: block, ai: block}")


@pytest.mark.parametrize(("identities", "accepted"), [
    # the project's word: every commit Lovable's App makes is an agent's, whatever its title (refused before)
    (f"'{LOVABLE[1]}'", False),
    ("'*@agents.corp.example'", True),  # control: a policy naming other agents leaves the code editor's title a person's
])
def test_a_policy_naming_lovables_app_outranks_the_code_editor_title(tmp_path: Path, identities: str,
                                                                     accepted: bool) -> None:
    from tests.hook_helpers import seeded, spush

    server, work = seeded(tmp_path, _ai_zone_policy(identities))
    work.commit(f"{OWN_EDIT}\n", {"src/payments/charge.py": "AMOUNT = 1\n"}, author=LOVABLE, committer=LOVABLE)

    result = spush(server, work, "origin", "main")

    if accepted:
        assert result.code == 0 and server.tip() == work.head(), result.output
    else:
        assert result.code != 0 and "policy/zone-violation" in result.output, result.output
        assert server.tip() != work.head()
