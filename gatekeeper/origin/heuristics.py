"""Heuristic and server-side detectors: the web-flow committer, and the forge's own push metadata.

The web-flow committer (`GitHub <noreply@github.com>`) means the commit object was made by GitHub
(web editor, merge button, API) — a heuristic, since anyone can write that committer line. Forge
metadata from the pre-receive environment is set by the server, not the pusher: trust `verified`.
"""

from __future__ import annotations

from collections.abc import Iterable

from gatekeeper.models import Commit, DeviceClass, Evidence, Trust
from gatekeeper.origin.base import OriginContext

WEB_FLOW = ("github", "noreply@github.com")


class WebFlowDetector:
    id = "heuristic/web-flow"
    description = "committer GitHub <noreply@github.com>: made by GitHub's web editor or API"

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        committer = (commit.committer.name.strip().lower(), commit.committer.email.strip().lower())
        if committer == WEB_FLOW:
            return [Evidence(self.id, "committer is GitHub <noreply@github.com> (web-flow)", Trust.HEURISTIC,
                             device=DeviceClass.WEB, client="github-web")]
        return []


class ForgeDetector:
    id = "forge"
    description = "server-side push metadata: GHES GITHUB_VIA, GitLab GL_PROTOCOL, Gitea internal pushes"

    def detect(self, commit: Commit, ctx: OriginContext) -> Iterable[Evidence]:
        forge = ctx.forge
        if forge is None or not forge.web_edit:
            return []
        # GHES's GITHUB_VIA names the web editor itself; GitLab's GL_PROTOCOL=web also covers merges and
        # rebases done in the UI, which carry commits made elsewhere: only a heuristic there.
        if forge.forge in ("github", "gitea"):
            trust, what = Trust.VERIFIED, "pushed by the web editor"
        else:
            trust, what = Trust.HEURISTIC, "pushed through the web UI (edit, merge or rebase)"
        return [Evidence(self.id, f"{forge.forge}: {what} ({forge.via or 'web'})", trust,
                         device=DeviceClass.WEB, client=f"{forge.forge}-web")]
