"""Origin detection on real commits: every detector, and the tricky cases, in one table."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from gatekeeper import origin
from gatekeeper.git import Git
from gatekeeper.models import AIInvolvement, DeviceClass, Trust
from gatekeeper.origin.base import ForgeInfo, OriginContext
from tests.repo_builder import RepoBuilder

MOBILE = (DeviceClass.MOBILE, DeviceClass.TABLET)


@dataclass
class Case:
    message: str
    device: DeviceClass
    ai: AIInvolvement = AIInvolvement.NONE
    author: tuple[str, str] | None = None
    committer: tuple[str, str] | None = None
    note: str | None = None
    push_options: tuple[str, ...] = ()
    forge: ForgeInfo | None = None
    findings: tuple[str, ...] = ()
    device_id: str | None = None
    client: str | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)


CASES = {
    "untagged": Case("plain change\n", DeviceClass.UNKNOWN),
    "trailer mobile": Case("fix\n\nOrigin-Device: mobile\n", DeviceClass.MOBILE, sources=("trailer",)),
    "trailer lowercase key": Case("fix\n\norigin-device: tablet\n", DeviceClass.TABLET),
    "trailer uppercase value": Case("fix\n\nOrigin-Device: MOBILE\n", DeviceClass.MOBILE),
    "trailer with id and client": Case(
        "fix\n\nOrigin-Device: mobile\nOrigin-Device-Id: pixel8-jdoe\nOrigin-Client: working-copy/6.1\n",
        DeviceClass.MOBILE, device_id="pixel8-jdoe", client="working-copy/6.1"),
    "trailer in body, not final block": Case(
        "fix\n\nOrigin-Device: mobile\n\nand then a closing paragraph of prose.\n", DeviceClass.UNKNOWN),
    "trailer in title only": Case("Origin-Device: mobile\n", DeviceClass.UNKNOWN),
    "alias from policy": Case("fix\n\nOrigin-Device: iPhone\n", DeviceClass.MOBILE),
    "unknown class fails closed": Case("fix\n\nOrigin-Device: toaster\n", DeviceClass.MOBILE),
    "conflicting device claims": Case("fix\n\nOrigin-Device: desktop\nOrigin-Device: mobile\n", DeviceClass.MOBILE,
                                      findings=("origin/conflict",)),
    "note": Case("fix\n", DeviceClass.TABLET, note="Origin-Device: tablet\nOrigin-Client: a-shell\n",
                 client="a-shell", sources=("note",)),
    "push option": Case("fix\n", DeviceClass.MOBILE, push_options=("origin-device=mobile",),
                        sources=("push-option",)),
    "web-flow committer": Case("edit README\n", DeviceClass.WEB, committer=("GitHub", "noreply@github.com"),
                               sources=("forge/web-edit",)),
    "web-flow vs declared mobile": Case("fix\n\nOrigin-Device: mobile\n", DeviceClass.MOBILE,
                                        committer=("GitHub", "noreply@github.com"), findings=("origin/conflict",)),
    "forge web edit is verified": Case("fix\n", DeviceClass.WEB,
                                       forge=ForgeInfo("github", user="jdoe", via="blob#save", web_edit=True)),
    "declared desktop against forge web edit is spoofing": Case(
        "fix\n\nOrigin-Device: desktop\n", DeviceClass.WEB,
        forge=ForgeInfo("github", via="blob#save", web_edit=True), findings=("origin/spoofed",)),
    "assisted-by": Case("fix\n\nAssisted-by: codex-mobile/0.3\n", DeviceClass.UNKNOWN, ai=AIInvolvement.ASSISTED),
    "generated-by": Case("fix\n\nGenerated-by: claude-code\n", DeviceClass.UNKNOWN, ai=AIInvolvement.GENERATED),
    "AI co-author plus mobile": Case(
        "fix\n\nOrigin-Device: mobile\nCo-authored-by: Claude <noreply@anthropic.com>\n",
        DeviceClass.MOBILE, ai=AIInvolvement.ASSISTED),
    "copilot co-author": Case("fix\n\nCo-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>\n",
                              DeviceClass.UNKNOWN, ai=AIInvolvement.ASSISTED),
    "cursor co-author": Case("fix\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>\n",
                             DeviceClass.UNKNOWN, ai=AIInvolvement.ASSISTED),
    "devin author": Case("fix\n", DeviceClass.UNKNOWN, ai=AIInvolvement.GENERATED,
                         author=("devin-ai-integration[bot]", "158243242+devin-ai-integration[bot]@users.noreply.github.com")),
    "gemini co-author": Case("fix\n\nCo-authored-by: gemini-code-assist[bot] <bot@example.com>\n",
                             DeviceClass.UNKNOWN, ai=AIInvolvement.ASSISTED),
    "aider author suffix": Case("fix\n", DeviceClass.UNKNOWN, ai=AIInvolvement.ASSISTED,
                                author=("Jane Doe (aider)", "jane@example.com")),
    "human co-author is not AI": Case("fix\n\nCo-authored-by: Claudette Smith <claudette@example.com>\n",
                                      DeviceClass.UNKNOWN),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_origin_table(name: str, repo: RepoBuilder) -> None:
    case = CASES[name]
    sha = repo.commit(case.message, author=case.author, committer=case.committer, allow_empty=True)
    if case.note:
        repo.note(sha, case.note)
    git = Git(repo.path)
    (commit,) = git.commits([sha])
    ctx = OriginContext(aliases={"iphone": DeviceClass.MOBILE}, notes=git.notes([sha]),
                        push_options=case.push_options, forge=case.forge)
    result, findings = origin.detect(commit, ctx, MOBILE)
    assert result.device is case.device
    assert result.ai is case.ai
    assert tuple(sorted({f.rule_id for f in findings})) == tuple(sorted(case.findings))
    if case.device_id:
        assert result.device_id == case.device_id
    if case.client:
        assert result.client == case.client
    for source in case.sources:
        assert source in {e.source for e in result.evidence}


def test_registry_ids_are_unique_and_described() -> None:
    ids = [d.id for d in origin.REGISTRY]
    assert len(ids) == len(set(ids))
    assert all(d.description for d in origin.REGISTRY)
    assert {"trailer", "note", "push-option", "ai/trailer", "ai/co-author", "ai/author", "ai/marker", "ai/git-ai",
            "ai/agent-trace", "forge/commit",
            "forge", "push-record", "signing-key"} == set(ids)


def test_evidence_trust_levels(repo: RepoBuilder) -> None:
    sha = repo.commit("fix\n\nOrigin-Device: mobile\n", committer=("GitHub", "noreply@github.com"),
                      allow_empty=True)
    (commit,) = Git(repo.path).commits([sha])
    result, _ = origin.detect(commit, OriginContext(), MOBILE)
    trust = {e.source: e.trust for e in result.evidence}
    assert trust == {"trailer": Trust.DECLARED, "forge/web-edit": Trust.HEURISTIC}
