"""sast160: the SAST half of the gate measured blind on six AI/LLM application histories, and the false-block classes
it found taken out of our rules. Each loosening is attacked here with code of the same shape that is truly dangerous,
judged by the real semgrep and bandit through `gatekeeper check` on a real commit (and once through the installed
pre-receive hook):

- js-react-dangerously-set-inner-html: react-i18next's `t("literal.key")` (the app's own catalogue text, no values
  interpolated) and highlight.js's `hljs.highlight(…).value` (escaped code) are constant markup — only where `t`
  comes from useTranslation() in the same function and `hljs` is highlight.js's default import; a `t` given values or
  a key built at run time, a `t` of the pusher's own, text added beside either, and an LLM reply rendered by
  markdown-it with `html: true` still block, as does a `t` or `hljs` shadowed by a parameter of a function around the
  markup (found attacking the change before it was committed).
- js-express-reflected-xss: a write to something other than the handler's own response (an agent's RPC channel
  given JSON lines) and a response declared first as an event stream or JSON (an LLM reply streamed as server-sent
  events) are no page; a response declared so and then as HTML (`setHeader`, `type`, `writeHead`), written before it
  is declared, or the handler's response under another name (`const out = res`), still blocks.
- python-hardcoded-credential-assignment: an environment variable's name as the value (`{"password":
  "SNOWFLAKE_PASSWORD"}`, `"api_key": "OPENAI_API_KEY"`) is no value; capitals of another shape still block.
- js-hardcoded-secret: a form's label for the field (`apiKey: "API Key"`, `clientSecret: "Client Secret"`, Lao's
  word for password); a signing secret's words (`"JWT Secret"`, `"Secret Key"`) still block.
- new: python-trust-remote-code-variable — a model loaded with trust_remote_code=True under a name chosen at run time
  (medium: reported, and blocking where a rule set blocks at medium, as the policy here does).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.hook_helpers import DANA, SEMGREP_HOOK_POLICY, seeded, spush
from tests.scan_helpers import ALL_SCANNERS_POLICY, check_commit

OURS = ("semgrep/js-react-dangerously-set-inner-html", "semgrep/js-express-reflected-xss",
        "semgrep/python-hardcoded-credential-assignment", "semgrep/js-hardcoded-secret",
        "semgrep/python-trust-remote-code-variable")

# -- what the six histories held, each shape of a false block (must pass) --------------------------------------------

FALSE_JSX = """import { useTranslation } from "react-i18next";
import hljs from "highlight.js";

export function PinAlert() {
  const { t } = useTranslation();
  return (
    <p>
      <span dangerouslySetInnerHTML={{ __html: t("connectors.pinning.pin_explained_block1") }} />
    </p>
  );
}

export function CodeSnippet({ snippet }) {
  return (
    <div
      className="whitespace-pre-line"
      dangerouslySetInnerHTML={{ __html: hljs.highlight(snippet, { language: "html", ignoreIllegals: true }).value }}
    />
  );
}
"""

FALSE_JS = """const express = require("express");
const app = express();

app.post("/llm-proxy/v1/chat/completions", async (req, res) => {
  const synthetic = { model: req.body.model || "local", choices: [{ message: { content: req.body.prompt } }] };
  if (req.body.stream) {
    res.setHeader("Content-Type", "text/event-stream");
    res.setHeader("Cache-Control", "no-cache");
    res.write(`data: ${JSON.stringify(synthetic)}\\n\\n`);
    res.write("data: [DONE]\\n\\n");
    return res.end();
  }
  return res.json(synthetic);
});

app.post("/api/prompt", (req, res) => {
  const prompt = req.body.prompt;
  const responseRpc = workspace.piRpc;
  responseRpc.write(JSON.stringify({ type: "extension_ui_response", value: prompt }) + "\\n");
  return res.json({ status: "prompt_sent" });
});

const TRANSLATIONS = {
  connectors: {
    apiKey: "API Key",
    clientSecret: "Client Secret",
    "placeholder-password": "ລະຫັດຜ່ານ",
  },
};
module.exports = { app, TRANSLATIONS };
"""

FALSE_PY = """class SnowFlakeConnector:
    def __init__(self, config):
        if isinstance(config, dict):
            snowflake_env_vars = {
                "account": "SNOWFLAKE_HOST",
                "username": "SNOWFLAKE_USERNAME",
                "password": "SNOWFLAKE_PASSWORD",
            }
            config = self._populate_config_from_env(config, snowflake_env_vars)


PROVIDERS = {"openai": {"api_key": "OPENAI_API_KEY"}, "anthropic": {"api_key": "ANTHROPIC_API_KEY"}}
"""


def _ours(verdict: dict[str, Any]) -> set[tuple[str, str, int]]:
    return {(f["rule_id"], f["path"], f["line"]) for f in verdict["findings"] if f["rule_id"] in OURS}


@pytest.fixture(scope="module")
def false_verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    files = {"frontend/src/Alerts.jsx": FALSE_JSX, "server/proxy.js": FALSE_JS,
             "pandasai/connectors/snowflake.py": FALSE_PY}
    return check_commit(tmp_path_factory.mktemp("sast160-false"), files, ALL_SCANNERS_POLICY)[1]


def test_the_six_histories_false_block_shapes_pass(false_verdict: dict[str, Any]) -> None:
    assert _ours(false_verdict) == set(), false_verdict["findings"]


# -- the same shapes made dangerous (must block) ---------------------------------------------------------------------

HOSTILE_JSX = """import { useTranslation } from "react-i18next";
import hljs from "highlight.js";
import markdownIt from "markdown-it";

const markdown = markdownIt({ html: true });

export function Greeting({ name, messageKey }) {
  const { t } = useTranslation();
  return (
    <div>
      <span dangerouslySetInnerHTML={{ __html: t("greeting", { name }) }} />
      <span dangerouslySetInnerHTML={{ __html: t(messageKey) }} />
    </div>
  );
}

export function OwnT({ reply }) {
  const t = () => reply.html;
  return <span dangerouslySetInnerHTML={{ __html: t("reply") }} />;
}

export function PrefixPlusReply({ reply }) {
  const { t } = useTranslation();
  return <span dangerouslySetInnerHTML={{ __html: t("prefix") + reply }} />;
}

export function HighlightedPlusNote({ code, note }) {
  return <pre dangerouslySetInnerHTML={{ __html: hljs.highlight(code, { language: "js" }).value + note }} />;
}

export function PromptReply({ reply }) {
  return <span dangerouslySetInnerHTML={{ __html: markdown.render(reply) }} />;
}

export function ShadowedT({ reply }) {
  const { t } = useTranslation();
  const render = (t) => <span dangerouslySetInnerHTML={{ __html: t("x") }} />;
  return render(() => reply);
}

export function ShadowedHljs({ reply }) {
  const f = (hljs) => <pre dangerouslySetInnerHTML={{ __html: hljs.highlight(reply).value }} />;
  return f({ highlight: () => ({ value: reply }) });
}
"""
HOSTILE_JSX_LINES = {11, 12, 19, 24, 28, 32, 37, 42}

HOSTILE_JS = """const express = require("express");
const app = express();

app.post("/stream-then-page", (req, res) => {
  res.setHeader("Content-Type", "text/event-stream");
  res.setHeader("Content-Type", "text/html");
  res.write(`<p>${req.body.prompt}</p>`);
  res.end();
});

app.post("/page-then-stream", (req, res) => {
  res.write(`<p>${req.body.prompt}</p>`);
  res.setHeader("Content-Type", "text/event-stream");
  res.end();
});

app.post("/json-then-html", (req, res) => {
  res.set("Content-Type", "application/json");
  res.type("html");
  res.send(`<p>${req.body.prompt}</p>`);
});

class Pages {
  show(req, response) {
    response.send(`<h1>${req.params.title}</h1>`);
  }
}

const sessionConfig = {
  jwtSecret: "JWT Secret",
  signingSecret: "Secret Key",
};

app.get("/alias", (req, res) => {
  const out = res;
  out.send(`<p>${req.query.x}</p>`);
});

app.post("/stream-then-writehead-html", (req, res) => {
  res.setHeader("Content-Type", "text/event-stream");
  res.writeHead(200, { "Content-Type": "text/html" });
  res.write(`<p>${req.body.prompt}</p>`);
});
module.exports = { app, Pages, sessionConfig };
"""
HOSTILE_JS_LINES = {("semgrep/js-express-reflected-xss", n) for n in (7, 12, 20, 25, 36, 42)} | {
    ("semgrep/js-hardcoded-secret", n) for n in (30, 31)}

HOSTILE_PY = """from flask import request
from transformers import AutoModelForCausalLM

password = "HUNTER_PASSWORD_2"
db_password = "CORRECT_HORSE_BATTERY_STAPLE"
api_key = "PRODKEY"


def load_model():
    return AutoModelForCausalLM.from_pretrained(request.json["model"], trust_remote_code=True)
"""
HOSTILE_PY_LINES = {("semgrep/python-hardcoded-credential-assignment", n) for n in (4, 5, 6)} | {
    ("semgrep/python-trust-remote-code-variable", 10)}


@pytest.fixture(scope="module")
def hostile_verdict(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    files = {"frontend/src/Hostile.jsx": HOSTILE_JSX, "server/hostile.js": HOSTILE_JS, "app/hostile.py": HOSTILE_PY}
    return check_commit(tmp_path_factory.mktemp("sast160-hostile"), files, ALL_SCANNERS_POLICY)[1]


def test_dangerous_markup_of_the_same_shapes_blocks(hostile_verdict: dict[str, Any]) -> None:
    found = {line for rule, path, line in _ours(hostile_verdict)
             if path == "frontend/src/Hostile.jsx" and rule == "semgrep/js-react-dangerously-set-inner-html"}
    assert hostile_verdict["decision"] == "block" and found == HOSTILE_JSX_LINES, hostile_verdict["findings"]


def test_a_page_and_a_signing_secret_of_the_same_shapes_block(hostile_verdict: dict[str, Any]) -> None:
    found = {(rule, line) for rule, path, line in _ours(hostile_verdict) if path == "server/hostile.js"}
    assert found == HOSTILE_JS_LINES, hostile_verdict["findings"]


def test_capital_values_of_another_shape_and_a_chosen_remote_model_block(hostile_verdict: dict[str, Any]) -> None:
    found = {(rule, line) for rule, path, line in _ours(hostile_verdict) if path == "app/hostile.py"}
    assert found == HOSTILE_PY_LINES, hostile_verdict["findings"]


def test_the_hook_refuses_an_sse_header_then_a_page(tmp_path: Path) -> None:
    server, work = seeded(tmp_path, SEMGREP_HOOK_POLICY)
    work.commit("stream\n", {"server/hostile.js": HOSTILE_JS}, author=DANA, committer=DANA)
    result = spush(server, work, "origin", "main")
    assert result.code != 0 and "js-express-reflected-xss" in result.output, result.output
    assert server.tip() != work.head()
