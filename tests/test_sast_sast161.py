"""sast161: the two sinks sast160 left unread, judged by the real semgrep through `gatekeeper check` on a real commit
and once through the installed pre-receive hook.

- Svelte `{@html …}` and Vue `v-html` / `:innerHTML`: no scanner read a template before — the workspace handed
  semgrep only the `<script>` code of a `.svelte`/`.vue` file. semgrep 1.182 parses neither template, so the rules
  (js-svelte-raw-html, js-vue-v-html) are regex rules over the files as written, which the scanner now hands to
  semgrep beside their script code. Medium: what a bound name holds is not visible in the template (in the measured
  repositories most were sanitised in the script), so they warn where the gate blocks at high and block where it
  blocks at medium.
- SSRF (python-ssrf-request-url, js-ssrf-request-url): a URL from the request (Flask/Django/Starlette request data,
  a FastAPI or Flask route parameter; Express/Koa `req.*`, Next.js search parameters) fetched by requests, httpx,
  urllib, aiohttp; fetch, axios, got, http(s).get. High: blocks. Not a URL whose scheme and host are written in the
  code, nor one behind an allow-list check that stops the handler.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gatekeeper.scan.semgrep import default_rules_dir, load_rules
from tests.hook_helpers import DANA, SEMGREP_HOOK_POLICY, seeded, spush
from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit

OURS = ("semgrep/js-svelte-raw-html", "semgrep/js-vue-v-html", "semgrep/python-ssrf-request-url",
        "semgrep/js-ssrf-request-url")
HIGH_POLICY = ALL_SCANNERS_POLICY.replace("block_at: medium", "block_at: high")

SVELTE = """<script>
  import { marked } from "marked";
  import DOMPurify from "dompurify";
  export let reply;
  export let note;
  eval(note);
</script>

<article class="assistant">
  {@html marked.parse(reply.content)}
</article>
<p>{@html DOMPurify.sanitize(marked.parse(reply.content))}</p>
<p>{@html "<hr />"}</p>
<!-- {@html reply.content} -->
<p>{reply.content}</p>
"""
SVELTE_LINES = {("semgrep/js-svelte-raw-html", 10)}

VUE = """<template>
  <div class="assistant" v-html="renderMarkdown(reply)"></div>
  <div v-html="DOMPurify.sanitize(renderMarkdown(reply))"></div>
  <div v-html="$t('chat.disclaimer')"></div>
  <div>{{ reply }}</div>
  <span :innerHTML="$route.query.banner"></span>
</template>

<script setup>
import { marked } from "marked";
import DOMPurify from "dompurify";
defineProps({ reply: String });
const renderMarkdown = (text) => marked.parse(text);
</script>
"""
VUE_LINES = {("semgrep/js-vue-v-html", 2), ("semgrep/js-vue-v-html", 6)}

FLASK = """from urllib.parse import urlparse

import requests
from flask import Flask, abort, request

app = Flask(__name__)
ALLOWED_HOSTS = {"api.github.com"}


@app.route("/preview")
def preview():
    url = request.args.get("url")
    return requests.get(url, timeout=5).text


@app.route("/user")
def user():
    return requests.get(f"https://api.github.com/users/{request.args['name']}").json()


@app.route("/checked")
def checked():
    url = request.args["url"]
    if urlparse(url).hostname not in ALLOWED_HOSTS:
        abort(400)
    return requests.get(url).text
"""
FLASK_LINES = {("semgrep/python-ssrf-request-url", 13)}

EXPRESS = """const express = require("express");
const axios = require("axios");
const app = express();
const ALLOWED = new Set(["hooks.slack.com"]);

app.post("/notify", async (req, res) => {
  await axios.post(req.body.webhook, { text: "done" });
  res.sendStatus(204);
});

app.get("/avatar", async (req, res) => {
  const r = await fetch(`https://www.gravatar.com/avatar/${encodeURIComponent(req.query.hash)}`);
  res.send(Buffer.from(await r.arrayBuffer()));
});

app.get("/card", async (req, res) => {
  const target = new URL(req.query.url);
  if (!ALLOWED.has(target.hostname)) {
    return res.status(403).end();
  }
  res.send(await (await fetch(target)).text());
});
module.exports = app;
"""
EXPRESS_LINES = {("semgrep/js-ssrf-request-url", 7)}


def _ours(verdict: dict[str, Any], path: str) -> set[tuple[str, int]]:
    return {(f["rule_id"], f["line"]) for f in verdict["findings"] if f["rule_id"] in OURS and f["path"] == path}


@pytest.fixture(scope="module")
def verdict(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    files = {"web/src/lib/Reply.svelte": SVELTE, "web/src/components/Reply.vue": VUE, "app/views.py": FLASK,
             "server/notify.js": EXPRESS}
    return check_commit(tmp_path_factory.mktemp("sast161"), files, HIGH_POLICY)


def test_svelte_raw_html_is_read_from_the_template_and_its_script_still_as_javascript(
        verdict: tuple[int, dict[str, Any]]) -> None:
    found = _ours(verdict[1], "web/src/lib/Reply.svelte")
    assert found == SVELTE_LINES, verdict[1]["findings"]
    # the component's script is still JavaScript to the other rules (the file is handed over twice, not instead)
    assert [f for f in verdict[1]["findings"] if f["path"] == "web/src/lib/Reply.svelte"
            and f["rule_id"] == "semgrep/js-eval-non-literal" and f["line"] == 6], verdict[1]["findings"]


def test_vue_v_html_is_read_from_the_template(verdict: tuple[int, dict[str, Any]]) -> None:
    assert _ours(verdict[1], "web/src/components/Reply.vue") == VUE_LINES, verdict[1]["findings"]


def test_template_sinks_are_medium_and_warn_where_the_gate_blocks_at_high(verdict: tuple[int, dict[str, Any]]) -> None:
    template = [f for f in verdict[1]["findings"] if f["rule_id"] in OURS[:2]]
    assert template and all(f["severity"] == "medium" and not f["blocking"] for f in template), template


def test_ssrf_from_the_request_blocks_and_fixed_hosts_and_allow_lists_pass(verdict: tuple[int, dict[str, Any]]) -> None:
    code, result = verdict
    assert _ours(result, "app/views.py") == FLASK_LINES, result["findings"]
    assert _ours(result, "server/notify.js") == EXPRESS_LINES, result["findings"]
    ssrf = [f for f in result["findings"] if f["rule_id"] in OURS[2:]]
    assert all(f["severity"] == "high" and f["blocking"] for f in ssrf), ssrf
    assert code == 1 and result["decision"] == "block", result["findings"]


def test_template_rules_read_only_the_files_they_name() -> None:
    rules = {r.id: r for r in load_rules(default_rules_dir())}
    svelte, vue = rules["semgrep/js-svelte-raw-html"], rules["semgrep/js-vue-v-html"]
    assert svelte.text_extensions() == frozenset({".svelte"}) and vue.text_extensions() == frozenset({".vue"})
    # the script code taken out of a component is a `.js` file of its own: not the template rule's
    assert svelte.reads("web/App.svelte") and not svelte.reads("_gatekeeper_renamed/000001.js")
    assert rules["semgrep/js-eval-non-literal"].text_extensions() is None


def test_the_hook_refuses_ssrf_and_lets_a_template_sink_through_with_a_warning(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SEMGREP_HOOK_POLICY)
    # (without the script's eval(), which blocks on its own)
    template_only = SVELTE.replace("  eval(note);\n", "  console.log(note);\n")
    work.commit("reply view\n", {"web/Reply.svelte": template_only}, author=DANA, committer=DANA)
    accepted = spush(server, work, "origin", "main")
    assert accepted.code == 0 and "js-svelte-raw-html" in accepted.output, accepted.output
    assert server.tip() == work.head()
    work.commit("notify\n", {"server/notify.js": EXPRESS}, author=DANA, committer=DANA)
    refused = spush(server, work, "origin", "main")
    assert refused.code != 0 and "js-ssrf-request-url" in refused.output, refused.output
    assert server.tip() != work.head()
