"""The table of AI coding agents, and exact identity matching against it.

An identity is an agent only by evidence nobody else carries: an exact e-mail address the agent's tool
writes (`noreply@anthropic.com`), a GitHub no-reply address whose numeric account id *and* login are the
agent's bot (`198982749+Copilot@users.noreply.github.com`), a GitHub App login (`…[bot]`, a name no
person can register) in the legacy no-reply form or as the name itself, or aider's `(aider)` author-name
suffix. Display
names alone never count ("Claude", "Devin", "Claude Monet", `jo@openai.com`, `sam@cursor.com`): the
same tool writes "Claude", "Claude Opus 4.8" and "Claude Opus 4.8 (1M context)", and a person can type
any of them. Names are used only to *label* a declaration that already says AI was involved
(`Assisted-by: Cursor:gpt-5`, `Made-with: Cursor`, "Generated with [Claude Code](…)").

Maintaining the table: add an entry only for an address or bot id seen in real commits (the comment on
each entry says where it was checked), keep e-mails lower-case, and add a test row to
tests/test_agents.py. Projects add their own identities with the policy key `origins.ai_identities`.
Every match says which rule matched (`email`, `github-bot-id`, `github-app-login`, `github-app-name`,
`aider-suffix`, `policy`), so a reviewer can see why a commit was labelled.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from gatekeeper.lazy_regex import lazy
from gatekeeper.sanitize import clip


@dataclass(frozen=True, slots=True)
class Agent:
    id: str  # stable, lower-case: what the JSON and the policy name
    name: str  # display name
    emails: tuple[str, ...] = ()  # exact addresses the tool writes, lower-case
    github_bots: tuple[tuple[int, str], ...] = ()  # (numeric account id, login) of its GitHub bot accounts
    labels: tuple[str, ...] = ()  # how declarations name it (Assisted-by, Made-with, footers), lower-case
    # Titles with which the platform commits a person's own edits under the agent's identity (Lovable's code editor):
    # such a commit is no evidence of the agent, as aider's committer-only suffix is none.
    own_edits: tuple[str, ...] = ()


AGENTS: tuple[Agent, ...] = (
    # Claude Code writes `Co-Authored-By: Claude <noreply@anthropic.com>` (also "Claude Opus 5 <…>": runc,
    # github-mcp-server histories); the Claude GitHub App commits as claude[bot] (id 209825114).
    # `claude@anthropic.com` is the address agents' sandboxes and Claude's own setup instructions write into git's
    # config ("Claude Assistant", "Claude Code", "Claude Agent"; fix135o: documenso's and ipython's histories, and
    # setup scripts in public repositories) — the product's name, which no person at Anthropic carries as an address.
    Agent("claude-code", "Claude Code", emails=("noreply@anthropic.com", "claude@anthropic.com"),
          github_bots=((209825114, "claude[bot]"),), labels=("claude", "claude code", "claude-code", "claudecode")),
    # Copilot coding agent: author copilot-swe-agent[bot] <198982749+Copilot@…>, co-authors "Copilot" /
    # "Copilot App" <175728472+Copilot@…> and <223556219+Copilot@…> (github-mcp-server history);
    # copilot@github.com from IDE co-author trailers (measured across 355 top repositories).
    Agent("copilot", "GitHub Copilot", emails=("copilot@github.com",),
          github_bots=((198982749, "copilot"), (175728472, "copilot"), (223556219, "copilot"),
                       (198982749, "copilot-swe-agent[bot]"),
                       # Copilot Autofix (code scanning): `Co-authored-by: Copilot Autofix powered by AI
                       # <62310815+github-advanced-security[bot]@…>` when its fix is committed (OpenHands history).
                       (62310815, "github-advanced-security[bot]"),
                       # The same for GitHub Code Quality's findings ("Potential fix for pull request finding 'Unused
                       # import'"): `Copilot Autofix powered by AI <223894421+github-code-quality[bot]@…>` (origin150:
                       # crewAIInc/crewAI 6; and in public repositories' histories).
                       (223894421, "github-code-quality[bot]")),
          labels=("copilot", "github copilot", "github-copilot", "copilot-swe-agent", "copilot app")),
    # Cursor's agent: `Co-authored-by: Cursor <cursoragent@cursor.com>` (and as the git author in its cloud agent).
    Agent("cursor", "Cursor", emails=("cursoragent@cursor.com",), labels=("cursor", "cursor agent", "cursoragent")),
    # Devin: `Co-Authored-By: Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>`.
    Agent("devin", "Devin", github_bots=((158243242, "devin-ai-integration[bot]"),), labels=("devin", "devin ai")),
    # Jules: author or co-author google-labs-jules[bot] <161369871+google-labs-jules[bot]@…>.
    Agent("jules", "Jules", github_bots=((161369871, "google-labs-jules[bot]"),), labels=("jules", "google jules")),
    # Codex: `Co-authored-by: Codex <codex@openai.com>` (Codex CLI) or `<noreply@openai.com>` (its "official
    # trailer" in several projects' agent guides and commits), chatgpt-codex-connector[bot] (id 199175422).
    # origin161: `Co-authored-by: OpenAI Codex <215057067+openai-codex[bot]@…>`, the trailer projects' agent guides have
    # Codex write (steipete/CodexBar: 6 commits; the App's id and login as agents' guides and attribution tables list
    # them).
    Agent("codex", "OpenAI Codex", emails=("codex@openai.com", "noreply@openai.com"),
          github_bots=((199175422, "chatgpt-codex-connector[bot]"), (215057067, "openai-codex[bot]")),
          labels=("codex", "openai codex", "codex cli", "codex-cli", "chatgpt codex")),
    # Gemini Code Assist / Gemini CLI co-author as gemini-code-assist[bot] (id 176961590); Gemini CLI run as an
    # agent from GitHub Actions commits as gemini-cli[bot] (id 218312386: author of 83 commits of
    # google-gemini/gemini-cli, "🤖 Gemini Bot Maintenance Update", also in the legacy no-reply form).
    Agent("gemini", "Gemini", github_bots=((176961590, "gemini-code-assist[bot]"), (218312386, "gemini-cli[bot]")),
          labels=("gemini", "gemini cli", "gemini-cli", "gemini code assist")),
    # OpenHands: `Co-authored-by: openhands <openhands@all-hands.dev>` and its default git identity; before that
    # `opendevin@all-hands.dev` (its issue resolver's commits, "Fix issue #5478: …": 68 authored in
    # All-Hands-AI/OpenHands) and, as OpenDevin, `opendevin@opendevin.ai` (co-author).
    # OpenDevinBot <bot@opendevin.com>: the early agent's sandbox identity ("Fix linting", its merges; co-author).
    Agent("openhands", "OpenHands", emails=("openhands@all-hands.dev", "opendevin@all-hands.dev",
                                            "opendevin@opendevin.ai", "bot@opendevin.com"),
          labels=("openhands", "opendevin")),
    # Amp: `Co-authored-by: Amp <amp@ampcode.com>` plus an `Amp-Thread-ID:` trailer.
    Agent("amp", "Amp", emails=("amp@ampcode.com",), labels=("amp",)),
    # Cline: "🤖 Generated with [Cline](https://docs.cline.bot)" + `Co-Authored-By: Cline <noreply@cline.bot>`;
    # its cloud agent as the GitHub App cline-cloud[bot] (id 276134852: author of squash-merged PRs on cline/cline's
    # main) and `Co-authored-by: Cline Bot <bot@cline.bot>` on its commits. Not `cline@example.com`: the identity its
    # evaluation harness writes into a workspace's git config, which a developer's clone kept for months (red105:
    # 109 of cline's commits by people) — a reserved example domain is anyone's placeholder (_reserved below).
    Agent("cline", "Cline", emails=("noreply@cline.bot", "bot@cline.bot"),
          github_bots=((276134852, "cline-cloud[bot]"),), labels=("cline",)),
    # Roo Code's cloud agent Roomote: author roomote[bot] / roomote-v0[bot] (id 219738659, 320 commits of
    # RooCodeInc/Roo-Code) and `Co-authored-by: Roo Code <roomote@roocode.com>` (445 there).
    Agent("roo-code", "Roo Code", emails=("roomote@roocode.com",),
          github_bots=((219738659, "roomote[bot]"), (219738659, "roomote-v0[bot]")),
          labels=("roo code", "roo-code", "roomote")),
    # AI review bots whose suggested change was committed from the pull request: `Co-authored-by:
    # ellipsis-dev[bot] <65095814+…>` (cline, Roo-Code: 260 commits), `greptile-apps[bot] <165735046+…>` (cline: 36).
    Agent("ellipsis", "Ellipsis", github_bots=((65095814, "ellipsis-dev[bot]"),), labels=("ellipsis",)),
    Agent("greptile", "Greptile", github_bots=((165735046, "greptile-apps[bot]"),), labels=("greptile",)),
    # CodeRabbit's and Sourcery's review suggestions, committed ("Apply suggestions from code review"):
    # coderabbitai[bot] (id 136622811), sourcery-ai[bot] (id 58596630).
    # CodeRabbit's auto-fixes co-author as `CodeRabbit <noreply@coderabbit.ai>` ("fix: apply CodeRabbit auto-fixes";
    # origin160's held-out coleam00/Archon: 3 commits, each with Claude Code's co-author too; the vendor's no-reply
    # mailbox, no person's).
    Agent("coderabbit", "CodeRabbit", emails=("noreply@coderabbit.ai",),
          github_bots=((136622811, "coderabbitai[bot]"),), labels=("coderabbit",)),
    Agent("sourcery", "Sourcery", github_bots=((58596630, "sourcery-ai[bot]"),), labels=("sourcery",)),
    # cubic's review suggestions, committed: `Co-authored-by: cubic-dev-ai[bot] <191113872+…>` (browser-use: 77).
    Agent("cubic", "cubic", github_bots=((191113872, "cubic-dev-ai[bot]"),), labels=("cubic",)),
    # CodeBeaver writes unit tests as codebeaver-ai[bot] (id 192081515: "test: Add coverage improvement test for
    # tests/test_browser.py", browser-use).
    Agent("codebeaver", "CodeBeaver", github_bots=((192081515, "codebeaver-ai[bot]"),), labels=("codebeaver",)),
    # OpenCode: "Generated with [opencode]" + `Co-Authored-By: opencode <noreply@opencode.ai>`.
    Agent("opencode", "OpenCode", emails=("noreply@opencode.ai",), labels=("opencode",)),
    # JetBrains Junie: `Co-authored-by: Junie <junie@jetbrains.com>` (its documented trailer, seen in commits).
    Agent("junie", "Junie", emails=("junie@jetbrains.com",), labels=("junie", "jetbrains junie")),
    # Replit Agent: `Replit-Commit-Author: Agent` / `Replit-Commit-Session-Id:` trailers, and the platform's commits
    # authored as `Replit Agent <agent@replit.com>` (git logs quoted in public repositories; a user's own commits
    # there are <name>@users.noreply.replit.com, people).
    Agent("replit", "Replit Agent", emails=("agent@replit.com",), labels=("replit", "replit agent")),
    # Warp's agent mode: `Co-Authored-By: Warp <agent@warp.dev>`.
    Agent("warp", "Warp", emails=("agent@warp.dev",), labels=("warp", "warp ai", "warp agent")),
    # Z.ai's GLM models and ZCode: `Co-Authored-By: GLM 5.1 <noreply@z.ai>` (the model in the name).
    Agent("glm", "Z.ai GLM", emails=("noreply@z.ai",), labels=("glm", "z.ai", "zcode")),
    # Vercel v0: `Co-authored-by: v0[bot] <v0[bot]@users.noreply.github.com>` (the app's legacy no-reply form).
    Agent("v0", "v0", emails=("v0[bot]@users.noreply.github.com",), labels=("v0", "vercel v0")),
    # Windsurf (Codeium): `windsurf-bot[bot] <189301087+windsurf-bot[bot]@…>` as co-author.
    Agent("windsurf", "Windsurf", github_bots=((189301087, "windsurf-bot[bot]"),),
          labels=("windsurf", "codeium")),
    # Amazon Q Developer's agent: amazon-q-developer[bot] (id 208079219).
    Agent("amazon-q", "Amazon Q Developer", github_bots=((208079219, "amazon-q-developer[bot]"),),
          labels=("amazon q", "amazon q developer", "amazon-q")),
    # Codeflash's optimisations ("⚡️ Speed up function `…` by 634%"): `Co-authored-by: codeflash-ai[bot] <148906541+…>`
    # (pydantic/pydantic-ai: 4); Hyperlint's committed documentation suggestions: hyperlint-ai[bot] (id 154288675, 6
    # there).
    Agent("codeflash", "Codeflash", github_bots=((148906541, "codeflash-ai[bot]"),), labels=("codeflash",)),
    Agent("hyperlint", "Hyperlint", github_bots=((154288675, "hyperlint-ai[bot]"),), labels=("hyperlint",)),
    # LangChain's Open SWE coding agent: author open-swe[bot] (id 215916821) of the pull requests it opens, co-author
    # `open-swe[bot] <open-swe@users.noreply.github.com>` of the fixes it pushes onto others' (langchain-ai/langgraph:
    # 8 authored, about 30 co-authored), and "Made by [Open SWE](https://openswe.vercel.app)" in their bodies.
    Agent("open-swe", "Open SWE", github_bots=((215916821, "open-swe[bot]"),), labels=("open swe", "open-swe")),
    # LangChain's Deep Agents CLI (a coding agent): "Created with [Deep Agents CLI](…) using gpt-5.4" (langgraph: 4).
    Agent("deepagents", "Deep Agents CLI",
          labels=("deep agents", "deep agents cli", "deepagents", "deepagents cli", "deepagents-cli")),
    # Factory's Droids: `Co-authored-by: factory-droid[bot] <138933559+…>`, and as author.
    Agent("factory", "Factory Droid", github_bots=((138933559, "factory-droid[bot]"),),
          labels=("factory droid", "factory.ai")),
    # aider: the `(aider)` suffix on the author name (aider's own history: "Paul Gauthier (aider)"), and
    # co-authors "aider (<model>) <aider@aider.chat>" / <noreply@aider.chat> / <noreply@aider.dev>.
    Agent("aider", "aider", emails=("aider@aider.chat", "noreply@aider.chat", "noreply@aider.dev"), labels=("aider",)),
    # Qwen Code: its shell tool appends `Co-authored-by: Qwen-Coder <qwen-coder@alibabacloud.com>` to every
    # `git commit` it runs (`getGitCoAuthor`, on by default; seen in its source and in real commits).
    Agent("qwen-code", "Qwen Code", emails=("qwen-coder@alibabacloud.com",),
          labels=("qwen", "qwen code", "qwen-code", "qwen-coder")),
    # Crush (Charm): its prompt has commits end "💘 Generated with Crush" and `Co-Authored-By: Crush
    # <crush@charm.land>` (seen in its source; `Assisted-by: Crush <crush@charm.land>` in projects using it), also
    # "Charm Crush <crush@charm.land>" and, earlier, `<noreply@crush.charm.land>` (13 commits of charmbracelet/crush);
    # before that it was termai: "🤖 Generated with termai" + `Co-Authored-By: termai <noreply@termai.io>` (10 there).
    Agent("crush", "Crush", emails=("crush@charm.land", "noreply@crush.charm.land", "noreply@termai.io"),
          labels=("crush", "charm crush", "termai")),
    # Continue: "Generated with [Continue](https://continue.dev)" + `Co-authored-by: Continue <noreply@continue.dev>`
    # (544 commits of continuedev/continue), its agent authoring as `Continue Agent <agent@continue.dev>` (108), and
    # its GitHub Apps continue[bot] (id 230936708, 305) and continue-staging[bot] (id 230944351, 13).
    Agent("continue", "Continue", emails=("noreply@continue.dev", "agent@continue.dev"),
          github_bots=((230936708, "continue[bot]"), (230944351, "continue-staging[bot]")),
          labels=("continue", "continue agent", "continue cli", "continue.dev")),
    # Mistral Vibe (Mistral's coding CLI): "Generated by Mistral Vibe." + `Co-Authored-By: Mistral Vibe
    # <vibe@mistral.ai>` (7 commits of modelcontextprotocol/python-sdk). Not "vibe" alone: a word in prose.
    Agent("mistral-vibe", "Mistral Vibe", emails=("vibe@mistral.ai",), labels=("mistral vibe", "mistral-vibe")),
    # Codebuff: "🤖 Generated with Codebuff" + `Co-Authored-By: Codebuff <noreply@codebuff.com>` (ipython's history).
    Agent("codebuff", "Codebuff", emails=("noreply@codebuff.com",), labels=("codebuff",)),
    # oh-my-opencode (now oh-my-openagent)'s orchestrator agent Sisyphus ends every commit it makes "Ultraworked with
    # [Sisyphus](https://github.com/code-yeongyu/oh-my-openagent)" + `Co-authored-by: Sisyphus
    # <clio-agent@sisyphuslabs.ai>` (its git-master code, `buildCommitFooterInjection`; fix135o: jellyfin's history,
    # and claude-code's, gemini-cli's). Not "sisyphus" as a word of prose: a label only names an agent in a declaration.
    Agent("sisyphus", "Sisyphus (oh-my-opencode)", emails=("clio-agent@sisyphuslabs.ai",),
          labels=("sisyphus", "oh-my-opencode", "oh-my-openagent")),
    # Orbis Security AI opens pull requests with its automated fixes, from a person's account, each ending "Automated
    # security fix generated by Orbis Security AI" (fix135o: pocketbase's, vaultwarden's and jellyfin's histories).
    Agent("orbis", "Orbis Security AI", labels=("orbis security ai", "orbisai security", "orbis security", "orbisai")),
    # origin148 (six AI-era histories, blind): agents' own identities the table lacked.
    # Augment Code's agents (Auggie CLI, its remote agent) co-author as `Augment Agent <noreply@augmentcode.com>` (4
    # commits of github/spec-kit), also "Auggie (GPT-5)" and "Augment Code" in public repositories' commit guides.
    Agent("augment", "Augment Code", emails=("noreply@augmentcode.com",),
          labels=("augment code", "augment agent", "augmentcode", "auggie")),
    # BLACKBOX AI's agent commits and co-authors as `BLACKBOX Agent <code@blackbox.ai>` (langfuse/langfuse: 1; its
    # commits quoted in a public repository). Not "blackbox" alone: a word of testing prose.
    Agent("blackbox", "BLACKBOX AI", emails=("code@blackbox.ai",), labels=("blackbox ai", "blackbox agent")),
    # Nori (Tilework's Claude Code profiles) replaces Claude's attribution with "🤖 Generated with
    # [Nori](https://nori.ai)" + `Co-Authored-By: Nori <contact@tilework.tech>` (its commit hook's source and tests;
    # steveyegge/beads: 2).
    Agent("nori", "Nori", emails=("contact@tilework.tech",), labels=("nori", "nori agent")),
    # oh-my-codex (OMX), an orchestration layer over Codex CLI: its Lore commit protocol ends every commit
    # `Co-authored-by: OmX <omx@oh-my-codex.dev>` (github/spec-kit: 3; the protocol's text in public repositories).
    Agent("omx", "oh-my-codex (OMX)", emails=("omx@oh-my-codex.dev",), labels=("omx", "oh-my-codex")),
    # SageOx primes coding agents with a team's context and has their commits carry `Co-Authored-By: SageOx
    # <ox@sageox.ai>` (its source's `SageOxGitEmail`, written "when SageOx guidance shapes" the agent's work;
    # steveyegge/beads: 7).
    Agent("sageox", "SageOx", emails=("ox@sageox.ai",), labels=("sageox",)),
    # depthfirst's AI security review, its suggested fix committed from the pull request: `Co-authored-by:
    # depthfirst-app[bot] <184448029+…>` (langfuse/langfuse: 1; vllm's history quoted in public repositories).
    Agent("depthfirst", "depthfirst", github_bots=((184448029, "depthfirst-app[bot]"),), labels=("depthfirst",)),
    # origin150 (six more AI-era histories, blind): agents' own identities the table lacked.
    # Letta Code (Letta's coding agent) ends its commits "👾 Generated with [Letta Code](https://letta.com)" (also 🐾,
    # 🤖, 🐙, 🐛: the emoji changes) + `Co-Authored-By: Letta Code <noreply@letta.com>` ("Letta" before its rename,
    # letta-code's tool descriptions); its GitHub Action (letta-code-action) commits as the `letta-code` account, id
    # 248085862 (its constants.ts: LETTA_APP_BOT_ID, LETTA_BOT_LOGIN). letta-ai/letta: 357 commits co-authored by the
    # address, 6 more by the account alone. Not "letta" alone: the company's and its agent framework's name.
    Agent("letta-code", "Letta Code", emails=("noreply@letta.com",), github_bots=((248085862, "letta-code"),),
          labels=("letta code", "letta-code")),
    # Mastra Code (Mastra's coding agent) has commits carry `Co-Authored-By: Mastra Code (<model id>)
    # <noreply@mastra.ai>` (its base prompt's coAuthorName/coAuthorEmail; browserbase/stagehand: 1).
    Agent("mastra-code", "Mastra Code", emails=("noreply@mastra.ai",), labels=("mastra code", "mastra-code")),
    # origin160 (six more AI-era histories, blind): agents' own identities the table lacked.
    # Codegen's agent (codegen.com) opens pull requests as the GitHub App codegen-sh[bot] (id 131295404; branches
    # "codegen-bot/…") and co-authors the squashes (steipete/Peekaboo: 9 authored, 2 co-authored). The id is
    # "codegen-sh", not "codegen": a label names an agent in a footer, and "Generated by codegen" is a code generator's.
    Agent("codegen-sh", "Codegen", github_bots=((131295404, "codegen-sh[bot]"),), labels=("codegen-sh",)),
    # Pullfrog runs a coding agent (Claude Code, Codex, Gemini, …) from GitHub Actions and pushes as its App
    # pullfrog[bot] (id 226033991: "Tell @pullfrog to implement something and it'll spin up a PR"; ryoppippi/ccusage:
    # 10 authored, 12 co-authored).
    Agent("pullfrog", "Pullfrog", github_bots=((226033991, "pullfrog[bot]"),), labels=("pullfrog",)),
    # Vibe Kanban runs coding agents in worktrees of its own and commits their work; where the repository has no git
    # identity it writes `Vibe Kanban <noreply@vibekanban.com>` (its crates/git: ensure_cli_commit_identity and
    # signature_with_fallback; BloopAI/vibe-kanban: 4 co-authored squashes). Its pull requests' titles end "(Vibe
    # Kanban)" (its DEFAULT_PR_DESCRIPTION_PROMPT; origin.ai reads that title, see _TOOL_TITLE).
    Agent("vibe-kanban", "Vibe Kanban", emails=("noreply@vibekanban.com",), labels=("vibe kanban", "vibe-kanban")),
    # origin161 (six more AI-era histories, blind): Coder's coding-agent multiplexer Mux (first cmux, renamed Xum in
    # August 2026) ends the pull requests and squashes its agents write "_Generated with `mux` • Model:
    # `anthropic:claude-opus-4-5` • Thinking: `high` • Cost: `$0.38`_" ("`cmux`" and "`xum`" in its other names; the
    # footer's Model field is read, ai._BODY): coder/mux, 2,958 commits judged human before. A label only: the footer
    # names it; no address of its own (its people commit as themselves).
    Agent("mux", "Mux (Coder; now Xum)", labels=("mux", "cmux", "xum", "coder mux")),
    # Lovable (GPT Engineer before its rename) commits its agent's edits to a project's repository as the GitHub App
    # gpt-engineer-app[bot] (id 159125892; gptme/gptme: 139 commits of its web UI, "Fix TypeScript errors in
    # markdownUtils" and the agent's summary). The same App commits what a person typed into Lovable's code editor,
    # titled "Code edited in Lovable Code Editor" (public repositories' histories): those are the person's.
    Agent("lovable", "Lovable", github_bots=((159125892, "gpt-engineer-app[bot]"),),
          labels=("lovable", "gpt engineer", "gpt-engineer"), own_edits=("Code edited in Lovable Code Editor",)),
    # Craft Agents (craft.do's agent app) has its agents write `Co-Authored-By: Craft Agent <agents-noreply@craft.do>`
    # (its system prompt's git conventions; steipete/CodexBar: 1).
    Agent("craft-agents", "Craft Agents", emails=("agents-noreply@craft.do",),
          labels=("craft agent", "craft agents")),
    # Entire records agent sessions as `Entire-Checkpoint:` trailers; the agent itself is not named there.
    Agent("entire", "Entire (agent session recorder)", labels=("entire",)),
)

BY_ID: dict[str, Agent] = {agent.id: agent for agent in AGENTS}
# Domains reserved for examples and tests (RFC 2606, RFC 6761) and the link-local `.local`: an address there is a
# placeholder any script or sandbox writes, never evidence nobody else carries. The table holds none (checked
# here, at import); the policy's own origins.ai_identities may (a project's choice for its own sandboxes).
_RESERVED = lazy(r"@(?:(?:[^@]+\.)?example(?:\.(?:com|net|org))?|[^@]+\.(?:invalid|test|localhost|local))\Z")


def _reserved(email: str) -> bool:
    return _RESERVED.search(email) is not None


_BY_EMAIL: dict[str, Agent] = {email: agent for agent in AGENTS for email in agent.emails}
if any(_reserved(email) for email in _BY_EMAIL):
    raise AssertionError("an agent's address in the table is on a reserved example domain: " +
                         ", ".join(e for e in _BY_EMAIL if _reserved(e)))
_BY_BOT_ID: dict[tuple[int, str], Agent] = {bot: agent for agent in AGENTS for bot in agent.github_bots}
_BY_APP_LOGIN: dict[str, Agent] = {login: agent for agent in AGENTS for _, login in agent.github_bots
                                   if login.endswith("[bot]")}
_BY_LABEL: dict[str, Agent] = {label: agent for agent in AGENTS for label in (agent.id, *agent.labels)}
_NOREPLY = lazy(r"\A(?:(\d+)\+)?([^@+\s]+)@users\.noreply\.github\.com\Z")
_AIDER_SUFFIX = lazy(r"\(aider\)\s*\Z")


@dataclass(frozen=True, slots=True)
class AgentMatch:
    agent: str  # agent id (or, for a policy identity, the identity itself)
    rule: str  # email | github-bot-id | github-app-login | github-app-name | aider-suffix | policy
    model: str | None = None  # when the identity's display name carries it ("Claude Opus 5", "aider (gpt-5)")


def agent_by_label(label: str) -> Agent | None:
    """The agent a declaration names ("Claude", "cursor", "GitHub Copilot"); only for AI declarations."""
    return _BY_LABEL.get(" ".join(label.split()).casefold())


# What a model's name holds: a version number or a model family's word. A display name without either ("OpenHands
# Bot", "OpenDevinBot", "Copilot Autofix powered by AI", "Cline Evaluation") names the tool, not a model (red105).
_MODEL_WORDS = lazy(r"\d|gpt|claude|opus|sonnet|haiku|gemini|gemma|llama|qwen|glm|deepseek|mistral|codestral|"
                          r"devstral|mixtral|grok|kimi|minimax|\bo[1-9]|\bphi|nemotron|granite|command-r",
                          re.IGNORECASE)


# The words a tool's or a role's name carries after the agent's ("Claude Assistant", "Claude Agent", "Claude Code
# Bot"): no model. origin160: 25 commits of oraios/serena authored as `Claude Assistant <claude@anthropic.com>` reported
# the model "Claude Assistant" (the agent's name is a model family's word, so _MODEL_WORDS matched it).
_TOOL_WORDS = frozenset(("assistant", "agent", "bot", "code", "cli", "ai", "app", "coder", "dev", "developer"))


def _tool_name(agent: Agent, name: str) -> bool:
    """Whether a lower-case display name is one of the agent's names followed only by tool or role words."""
    words = name.split()
    for cut in range(len(words) - 1, 0, -1):
        if " ".join(words[:cut]) in (agent.id, agent.name.casefold(), *agent.labels):
            return all(word in _TOOL_WORDS for word in words[cut:])
    return False


def _model_from_name(agent: Agent, name: str) -> str | None:
    clean = " ".join(name.split())
    if not clean:
        return None
    if agent.id == "aider":
        inner = re.search(r"\(([^()]+)\)\s*\Z", clean)  # "aider (gpt-5)"
        return inner.group(1).strip() if inner and inner.group(1).strip().casefold() != "aider" else None
    if clean.casefold() in (agent.id, agent.name.casefold(), *agent.labels) or clean.casefold().endswith("[bot]"):
        return None
    if _tool_name(agent, clean.casefold()):
        return None  # the agent's name and a product's or role's word: "Claude Assistant", "Claude Agent" (origin160)
    if _MODEL_WORDS.search(clean) is None:
        return None
    # The agent's own name before the model ("OpenHands-GPT-5", "Roo Code: claude-sonnet-4") is not part of it —
    # unless that name is a model's own ("Claude Opus 5", "GLM 5.1").
    for prefix in sorted({agent.id, agent.name.casefold(), *agent.labels}, key=len, reverse=True):
        rest = clean[len(prefix):] if clean.casefold().startswith(prefix) else ""
        if _MODEL_WORDS.search(prefix) is None and rest[:1] in ("-", " ", ":", "/") and _MODEL_WORDS.search(rest):
            clean = rest.strip(" -:/")
            within = clean[1:-1].strip()
            if clean[:1] == "(" and clean[-1:] == ")" and "(" not in within and ")" not in within:
                clean = within  # in parentheses after the name: "Mastra Code (anthropic/claude-opus-4-6)"
            break
    if not clean:
        return None
    return clip(clean, 100)  # a `…` where cut: the redaction recognises a cut copy of a secret by it (red18)


@functools.lru_cache(maxsize=16384)
def match_identity(name: str, email: str, extra: tuple[str, ...] = ()) -> AgentMatch | None:
    """The agent an author, committer or co-author identity is, by exact evidence only (see the module doc).

    `extra` are the policy's `origins.ai_identities`: exact e-mails, `*@domain` for a whole domain, or an
    exact full name (the project's own choice, so a name is allowed there)."""
    address = email.strip().strip("<>").casefold()
    agent = _BY_EMAIL.get(address)
    if agent is not None:
        return AgentMatch(agent.id, "email", _model_from_name(agent, name))
    noreply = _NOREPLY.match(address)
    if noreply is not None:
        account, login = noreply.groups()
        if account is not None:
            agent = _BY_BOT_ID.get((int(account), login))
            if agent is not None:
                return AgentMatch(agent.id, "github-bot-id", _model_from_name(agent, name))
        elif login.endswith("[bot]"):
            agent = _BY_APP_LOGIN.get(login)
            if agent is not None:
                return AgentMatch(agent.id, "github-app-login", _model_from_name(agent, name))
    clean_name = " ".join(name.split()).casefold()
    if clean_name.endswith("[bot]"):
        agent = _BY_APP_LOGIN.get(clean_name)
        if agent is not None:  # a GitHub App login as the name: no person carries one
            return AgentMatch(agent.id, "github-app-name")
    if _AIDER_SUFFIX.search(name):
        return AgentMatch("aider", "aider-suffix")
    return policy_identity(name, email, extra)


def policy_identity(name: str, email: str, extra: tuple[str, ...]) -> AgentMatch | None:
    """The policy's own `origins.ai_identities` entry an identity is, if any (match_identity's last step)."""
    address = email.strip().strip("<>").casefold()
    clean_name = " ".join(name.split()).casefold()
    for identity in extra:
        if (identity == address or (identity.startswith("*@") and address.endswith(identity[1:]))
                or ("@" not in identity and identity == clean_name)):
            return AgentMatch(identity, "policy")
    return None


def match_value(value: str, extra: tuple[str, ...] = ()) -> AgentMatch | None:
    """match_identity for a trailer value `Name <email>` (or a bare address)."""
    text = value.strip()
    start, end = text.find("<"), text.rfind(">")
    if 0 <= start < end:
        return match_identity(text[:start].strip(), text[start + 1:end], extra)
    if "@" in text and " " not in text:
        return match_identity("", text, extra)
    return match_identity(text, "", extra) if extra else None


def known_emails() -> Iterable[str]:
    return _BY_EMAIL.keys()
