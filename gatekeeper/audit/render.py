"""The audit's outputs: streamed JSON (gatekeeper/schema/audit.schema.json) and a readable text summary.

JSON is written as the audit runs: a header object is opened, each commit is appended to `commits` as
it is judged (plain commits from a template, a run of them written at once; the rest through orjson, byte
for byte what json.dumps writes), and `summary` closes the object — so memory does not grow with the
history and a 100,000-commit report is still one valid JSON document. Commit data is hostile: JSON
escaping covers it there; the text summary passes every value through sanitize.safe and trims lists,
saying how many it left out.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TextIO

import orjson

import gatekeeper
from gatekeeper.audit.history import Agent, AuditRange, CommitAudit, PlainRecord, Summary, iso_time
from gatekeeper.models import Person
from gatekeeper.sanitize import clip, json_text, safe, visible

SCHEMA_VERSION = 1
_enc = json.encoder.encode_basestring  # the C encoder json.dumps uses for strings


def dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept (what `json.dumps(value, ensure_ascii=False, separators=(",", ":"))`
    writes, escapes included), through orjson; json's own encoder for anything orjson refuses (an integer
    beyond 64 bits, a lone surrogate)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _counts(counter: Mapping[str, int], total: int) -> dict[str, dict[str, float | int]]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return {k: {"count": v, "share": share(v, total)} for k, v in ranked if v}


def _capped(capped: Any) -> dict[str, Any]:
    return {"total": capped.total, "truncated": capped.truncated, "items": capped.items}


def _trust(counts: Mapping[tuple[str, str], int]) -> dict[str, dict[str, int]]:
    """Review evidence by kind, then by how far it can be trusted (verified, declared, heuristic)."""
    found: dict[str, dict[str, int]] = {}
    for (kind, trust), n in sorted(counts.items()):
        if n > 0:
            found.setdefault(kind, {})[trust] = n
    return found


def _periods(table: Mapping[str, Counter[str]]) -> list[dict[str, Any]]:
    rows = []
    for key in sorted(table):
        row = table[key]
        rows.append({"period": key, "commits": row["commits"], "mobile": row["mobile"], "ai": row["ai"],
                     "reviewed": row["reviewed"],
                     "classes": {k.split(":", 1)[1]: v for k, v in sorted(row.items()) if k.startswith("class:")}})
    return rows


_LISTS = ("unreviewed_mobile_ai_on_protected", "unverified_review_mobile_ai_on_protected",
          "reviewed_via_merge_mobile_ai_on_protected", "unsigned_on_protected",
          "revoked_on_protected", "zone_violations", "ambiguous_identity", "top_devices", "top_agents")
# Plain lists of strings that can hold commit data: the protected branches' names, the notes quoting refs.
_PLAIN_LISTS = ("notes", "protected_refs")
# The list items' fields that hold commit data (the rest are ids, times and gatekeeper's own words).
_FREE_TEXT = frozenset({"subject", "author", "device_id", "signer", "path", "message", "id", "agents", "reason"})


# How much of each list item's text the report shows (history keeps more, for the redaction to read).
_SHOWN = {"subject": 200, "author": 200, "path": 300, "message": 300, "reason": 300}


def _clipped_lists(data: dict[str, Any]) -> dict[str, Any]:
    def shorten(item: Any) -> Any:
        if isinstance(item, Mapping):
            return {k: clip(v, _SHOWN[k]) if k in _SHOWN and isinstance(v, str) else shorten(v)
                    for k, v in item.items()}
        if isinstance(item, list):
            return [shorten(v) for v in item]
        return item

    return {**data, **{key: shorten(data[key]) for key in _LISTS}}


def _redacted_lists(data: dict[str, Any], sources: Sequence[str] = (), unchecked_clips: bool = False,
                    unread: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The summary's lists (what the text and HTML reports show, and the JSON summary lists) with every secret
    the built-in rules find in them redacted, a clipped copy included: a token pasted into a subject, an
    author name or an Origin-Device-Id must not come back out of a report made to be shared. The detector
    (~0.1 s to load) is loaded only when a string is a candidate for one of its rules (a keyword or a
    prefilter pattern of theirs occurs in it: secret_candidates); where it cannot load, candidates are
    withheld. `unchecked_clips`: some clipped values' sources were not kept (Summary.sources_full), so a
    candidate ending in a clip that redaction did not change is withheld too; so is one holding a clipped
    value in `unread` (whose start nothing the audit read holds: Summary.sources)."""
    strings = {t for key in _LISTS for t in _strings(data[key])} | {t for key in _PLAIN_LISTS for t in data[key]}
    if not strings:
        return data
    candidate = _candidate_filter()
    # A string is read as it is shown too (sanitize.visible): a hidden character splitting a token is removed there.
    texts = {t for t in (*strings, *sources) if _candidate(candidate, t)}
    if not texts:
        return data
    from gatekeeper.scan.secrets_scanner import Replacer, redact_shown, secret_replacements

    found = secret_replacements(texts)
    if found == {} and not unchecked_clips and not unread:
        return data
    replace = Replacer(found) if found is not None else None

    def fix(text: str) -> str:
        if replace is None:
            return "(withheld: the secrets detector could not check it)" if text in texts else text
        fixed = redact_shown(replace, text)
        if fixed == text and text in texts and (
                (unchecked_clips and text.endswith("\u2026")) or any(value in text for value in unread)):
            return "(withheld: clipped, and where it was read from was not kept)"
        return fixed

    return {**data, **{key: _map(data[key], fix) for key in (*_LISTS, *_PLAIN_LISTS)}}


_CANDIDATE: list[Callable[[str], bool]] = []


def _candidate_filter() -> Callable[[str], bool]:
    """secret_candidates.candidate_filter, built once per process (the header's strings and the summary's)."""
    if not _CANDIDATE:
        from gatekeeper.scan.secret_candidates import candidate_filter

        _CANDIDATE.append(candidate_filter())
    return _CANDIDATE[0]


def redactor(texts: Iterable[str]) -> Callable[[str], str]:
    """What the report shows of each of `texts` — the repository's path and name, the range, the policy's source,
    written before the commits are read (red26: a token in a branch name given as --rev-range was printed
    whole): every secret the built-in rules find in them redacted; where the detector cannot load, a candidate
    is withheld."""
    wanted = {t for t in texts if t}
    candidate = _candidate_filter() if wanted else None
    flagged = {t for t in wanted if candidate is not None and _candidate(candidate, t)}
    if not flagged:
        return lambda text: text
    from gatekeeper.scan.secrets_scanner import Replacer, redact_shown, secret_replacements

    found = secret_replacements(flagged)
    if found is None:
        return lambda text: "(withheld: the secrets detector could not check it)" if text in flagged else text
    replace = Replacer(found)
    return lambda text: redact_shown(replace, text) if text in flagged else text


def _candidate(candidate: Callable[[str], bool], text: str) -> bool:
    """Whether any line of a text, as stored or as shown, is a candidate (the shown form only where it differs)."""
    if any(candidate(line) for line in text.split("\n")):
        return True
    shown = visible(text)
    return shown != text and any(candidate(line) for line in shown.split("\n"))


def _strings(value: Any, free: bool = False) -> list[str]:
    """The commit-data strings of a summary list: leaves under a _FREE_TEXT key, at any depth."""
    if isinstance(value, str):
        return [value] if free else []
    if isinstance(value, Mapping):
        return [t for k, v in value.items() for t in _strings(v, free or k in _FREE_TEXT)]
    if isinstance(value, list):
        return [t for v in value for t in _strings(v, free)]
    return []


def _map(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, Mapping):
        return {k: _map(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_map(v, fn) for v in value]
    return value


def summary_dict(s: Summary, log: Mapping[str, Any] | None = None) -> dict[str, Any]:
    unread = frozenset(value for value, source in s.sources.items() if not source)
    return _clipped_lists(_redacted_lists(_summary_dict(s, log), tuple(s.sources.values()), s.sources_full, unread))


def _summary_dict(s: Summary, log: Mapping[str, Any] | None = None) -> dict[str, Any]:
    total = s.commits
    return {
        "commits": total,
        "merges": s.merges,
        "protected_commits": s.protected,
        "first": iso_time(s.first_time) if s.first_time is not None else None,
        "last": iso_time(s.last_time) if s.last_time is not None else None,
        "complete": s.complete,
        "notes": list(s.notes),
        "protected_refs": list(s.protected_refs),
        "mobile": {"count": s.mobile, "share": share(s.mobile, total)},
        "ai_involved": {"count": s.ai_involved, "share": share(s.ai_involved, total)},
        "classes": _counts(s.classes, total),
        "declared_classes": _counts(s.declared, total),
        "ai": _counts(s.ai, total),
        "signatures": _counts(s.signatures, total),
        "protected_signatures": _counts(s.protected_signatures, s.protected),
        "reviews": _counts(s.reviews, total),
        "review_trust": _trust(s.review_trust),
        "dco": _counts(s.dco, total),
        "evidence": dict(sorted(s.evidence.items())),
        "months": _periods(s.months),
        "weeks": _periods(s.weeks),
        "unreviewed_mobile_ai_on_protected": _capped(s.unreviewed),
        "unverified_review_mobile_ai_on_protected": _capped(s.unverified),
        "reviewed_via_merge_mobile_ai_on_protected": _capped(s.via_merge),
        "unsigned_on_protected": _capped(s.unsigned_protected),
        "revoked_on_protected": _capped(s.revoked_protected),
        "zone_violations": _capped(s.zone_violations),
        "ambiguous_identity": _capped(s.ambiguous_identity),
        "top_devices": [{"id": k, "registered": r, "commits": v} for (k, r), v in s.devices.most_common(20)],
        "top_agents": [{"id": k, "commits": v} for k, v in s.agents.most_common(20)],
        "decisions": None if log is None else {**log, "commits_by_decision": dict(sorted(s.decided.items()))},
        "attestations": dict(sorted(s.attested.items())),
        "list_cap": s.list_cap,
        "duration_ms": s.duration_ms,
    }


# -- per-commit JSON ----------------------------------------------------------------------------------------

def _agent(a: Agent) -> dict[str, Any]:
    return {"id": a.id, "model": a.model, "session": a.session, "source": a.source}


def commit_dict(a: CommitAudit) -> dict[str, Any]:
    # Enum members are written as they are (StrEnums: orjson and json write their value), not through
    # `.value`, a Python-level property in this interpreter: this runs for every commit with evidence.
    c, o, sig, rv = a.commit, a.origin, a.signature, a.review
    return {
        "sha": c.sha,
        "time": iso_time(c.commit_time),
        "merge": c.is_merge,
        "author": {"name": c.author.name, "email": c.author.email},
        "subject": clip(c.subject, 200),
        "protected": a.protected,
        "class": a.device_class,
        "mobile": a.mobile,
        "origin": {"device": o.device, "ai": o.ai, "device_id": o.device_id, "client": o.client,
                   "managed": o.managed,
                   "evidence": [{"source": e.source, "detail": e.detail, "trust": e.trust,
                                 **({"pr": e.pr} if e.pr is not None else {})} for e in o.evidence]},
        "ai": {"involvement": o.ai, "agents": [_agent(x) for x in a.agents]},
        "signature": {"status": sig.status, "format": sig.format, "signer": sig.signer, "key": sig.key,
                      "device_id": sig.device_id},
        "ambiguous_identity": a.ambiguous_identity,
        "review": {"evidence": rv.kind, "trust": rv.trust, "pr": rv.pr, "reviewers": list(rv.reviewers),
                   "change_id": rv.change_id, "url": rv.url, "via": rv.via},
        "dco": a.dco,
        "zones": [{"path": p, "message": m} for p, m in a.zones],
        "decisions": [{"repository": d.repository, "seq": d.seq, "decision": d.decision, "mode": d.mode,
                       "time": d.time, "ref": d.ref} for d in a.decisions],
        "attestation": None if a.attestation is None else {
            "level": a.attestation.level, "verified": a.attestation.verified, "problem": a.attestation.problem},
    }


class _Escaping:
    """A text stream whose writes pass through sanitize.json_text (a decision-log record may hold a lone surrogate)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        return self._out.write(_escaped(text))

    def write_escaped(self, text: str) -> int:
        """Text whose every piece already went through _escaped (JsonWriter.plain): not scanned again."""
        return self._out.write(text)


def _escaped(text: str) -> str:
    # Every unsafe character but DEL is outside ASCII: two C scans spare the regex on most records.
    return text if text.isascii() and "\x7f" not in text else json_text(text)


class JsonWriter:
    """Writes the audit JSON incrementally to `out`."""

    def __init__(self, out: TextIO, header: Mapping[str, Any]) -> None:
        # Commit data may hold C1 or bidi controls (U+202E): written as \u escapes, valid and lossless.
        self.out = _Escaping(out)
        self.first = True
        self._templates: dict[tuple[str, bool, bool, bool | None], str] = {}
        self._plain: dict[tuple[str, bool | None], str] = {}
        self._authors: dict[int, tuple[Person, str]] = {}  # the `"author":{…}` fragment, once per person
        head = json.dumps(dict(header), ensure_ascii=False, separators=(",", ":"))
        out.write(head[:-1] + ',"commits":[')

    def commit(self, a: CommitAudit) -> None:
        sep = "\n" if self.first else ",\n"
        self.first = False
        if not a.plain:
            self.out.write(sep + dumps(commit_dict(a)))
            return
        c = a.commit
        key = (a.device_class.value, a.mobile, c.is_merge, a.dco)
        tail = self._templates.get(key)
        if tail is None:
            # Everything after `protected` is the same for every plain commit of one class: rendered once.
            sample = commit_dict(a)
            full = json.dumps(sample, ensure_ascii=False, separators=(",", ":"))
            tail = self._templates[key] = full[full.index(',"class":'):]
        self.out.write(f'{sep}{{"sha":"{c.sha}","time":"{iso_time(c.commit_time)}","merge":'
                       f'{"true" if c.is_merge else "false"},"author":{{"name":{_enc(c.author.name)},"email":'
                       f'{_enc(c.author.email)}}},"subject":{_enc(clip(c.subject, 200))},"protected":'
                       f'{"true" if a.protected else "false"}{tail}')

    def plain(self, records: list[PlainRecord]) -> None:
        """A run of fast-path commits: the same bytes `commit(r.audit())` writes for each, without building the
        audits, written at once."""
        tails = self._plain
        authors = self._authors
        parts = []
        for r in records:
            sha, when, merge, author, subject, protected, cls, dco, _ = r
            key = (cls, dco)  # a StrEnum member: hashed as its value, no `.value` lookup per commit
            tail = tails.get(key)
            if tail is None:
                # Everything after `protected` is the same for every plain commit of one class and DCO bit.
                full = json.dumps(commit_dict(r.audit()), ensure_ascii=False, separators=(",", ":"))
                tail = tails[key] = _escaped(full[full.index(',"class":'):])
            if len(subject) > 200:
                subject = clip(subject, 200)
            # Keyed by identity (the audit shares one Person per identity), the Person kept beside its fragment
            # so that its id cannot be reused: a dataclass's hash is a Python call, this lookup is not.
            known = authors.get(id(author))
            if known is not None and known[0] is author:
                who = known[1]
            else:
                who = _escaped(f'"author":{{"name":{_enc(author.name)},"email":{_enc(author.email)}}}')
                if len(authors) < 100_000:
                    authors[id(author)] = (author, who)
            # Each piece escaped once where it is made (the author's once per person), so that the run's text is
            # not scanned again as a whole: runs of a history with non-ASCII names went through the regex whole.
            parts.append(f'{{"sha":"{sha}","time":"{iso_time(when)}","merge":{"true" if merge else "false"},{who},'
                         f'"subject":{_escaped(_enc(subject))},"protected":{"true" if protected else "false"}{tail}')
        if parts:
            self.out.write_escaped(("\n" if self.first else ",\n") + ",\n".join(parts))
            self.first = False

    def close(self, summary: Mapping[str, Any]) -> None:
        self.out.write('\n],"summary":' + json.dumps(dict(summary), ensure_ascii=False, separators=(",", ":")) + "}\n")


def header(repository: Mapping[str, Any], rng: AuditRange, policy_source: str, generated: str) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "kind": "gatekeeper-audit",
            "tool": {"name": "gatekeeper", "version": gatekeeper.__version__}, "generated": generated,
            "repository": dict(repository), "range": rng.description, "policy": policy_source}


# -- text -----------------------------------------------------------------------------------------------------

TEXT_LIST = 15


def render_text(data: Mapping[str, Any], repository: Mapping[str, Any], rng: AuditRange) -> str:
    s = data
    lines = [f"gatekeeper audit of {safe(str(repository.get('name') or repository.get('path')), limit=200)}",
             f"range: {safe(rng.description, limit=300)}"]
    total = s["commits"]
    if total:
        refs = ", ".join(s["protected_refs"]) or "none found"
        lines.append(f"{total} commit(s) from {s['first']} to {s['last']}, {s['merges']} merge(s), "
                     f"{s['protected_commits']} on a protected branch ({safe(refs, limit=200)})")
    for note in s["notes"]:
        lines.append(f"note: {safe(note, limit=400)}")
    if not total:
        return "\n".join(lines) + "\n"

    def pct(entry: Mapping[str, Any]) -> str:
        return f"{entry['count']} ({entry['share'] * 100:.1f} %)"

    lines.append("")
    lines.append(f"mobile-rule commits: {pct(s['mobile'])}   AI-involved: {pct(s['ai_involved'])}")
    for title, key in (("origin class", "classes"), ("AI involvement", "ai"), ("signatures", "signatures"),
                       ("review evidence", "reviews"), ("DCO sign-off", "dco")):
        shown = ", ".join(f"{safe(k, limit=60)} {pct(v)}" for k, v in s[key].items())
        lines.append(f"{title + ':':17}{shown or '-'}")
        if key == "reviews" and s["review_trust"]:
            lines.append("review trust:    " + "; ".join(
                f"{safe(kind, limit=60)}: " + ", ".join(f"{safe(t, limit=20)} {n}" for t, n in by.items())
                for kind, by in s["review_trust"].items()))
    if s["top_agents"]:
        lines.append("top agents:      " + ", ".join(f"{safe(a['id'], limit=60)} ({a['commits']})"
                                                    for a in s["top_agents"][:8]))
    if s["top_devices"]:
        lines.append("top devices:     " + ", ".join(f"{safe(d['id'], limit=60)} ({d['commits']}"
                                                    f"{'' if d['registered'] else ', declared'})"
                                                    for d in s["top_devices"][:8]))
    months = s["months"]
    if months:
        lines.append("")
        lines.append(f"per month (last {min(12, len(months))} of {len(months)}): commits / mobile / AI / reviewed")
        for row in months[-12:]:
            lines.append(f"  {row['period']}  {row['commits']:6} {row['mobile']:6} {row['ai']:6} {row['reviewed']:6}")
    listings: tuple[tuple[str, str, Callable[[Mapping[str, Any]], str]], ...] = (
            ("mobile or AI commits on a protected branch with no review evidence", "unreviewed_mobile_ai_on_protected",
             lambda i: f"{i['class']}/{i['ai']}" + (f" {','.join(i['agents'])}" if i.get("agents") else "")),
            ("mobile or AI commits on a protected branch reviewed only on unverified evidence",
             "unverified_review_mobile_ai_on_protected",
             lambda i: f"{i['class']}/{i['ai']}; {i['review']}"
             + (f" via merge {str(i['via'])[:12]}" if i.get("via") else "") + f", {i['trust']}"),
            ("mobile or AI commits on a protected branch reviewed through the merge that brought them",
             "reviewed_via_merge_mobile_ai_on_protected",
             lambda i: f"{i['class']}/{i['ai']}; {i['review']} via merge {str(i['via'])[:12]}, {i['trust']}"),
            ("revoked-key commits on a protected branch", "revoked_on_protected",
             lambda i: f"device {i.get('device_id') or '?'}"),
            ("compliance-zone violations", "zone_violations", lambda i: str(i.get("message", ""))),
            ("commits that store an identity or text git does not read (the gate refuses them)", "ambiguous_identity",
             lambda i: ("protected branch; " if i.get("protected") else "") + str(i.get("reason", ""))),
            ("unsigned commits on a protected branch", "unsigned_on_protected", lambda i: ""))
    for title, key, fmt in listings:
        block = s[key]
        lines.append("")
        lines.append(f"{title}: {block['total']}")
        limit = 5 if key == "unsigned_on_protected" else TEXT_LIST
        for item in block["items"][:limit]:
            extra = fmt(item)
            lines.append(f"  {item['sha'][:12]} {item['time'][:10]} {safe(str(item['author']), limit=40)}: "
                         f"{safe(str(item['subject']), limit=70)}" + (f"  [{safe(extra, limit=120)}]" if extra else ""))
        if block["total"] > limit:
            lines.append(f"  … {block['total'] - min(limit, len(block['items']))} more not shown (--format json lists "
                         f"up to {s['list_cap']}, --list-cap raises that)")
    attested = s.get("attestations")
    if attested:
        lines.append("attestations (SLSA Source VSA notes): "
                     + ", ".join(f"{k}: {v} revision(s)" for k, v in attested.items()))
    decisions = s.get("decisions")
    if decisions:
        lines.append("")
        # Decision names come from the log's records, which nothing holds to allow/warn/block (red41): shown safe.
        by = ", ".join(f"{safe(k, limit=40)} {v}" for k, v in decisions["commits_by_decision"].items()) \
            or "none of these commits"
        lines.append(f"decision log: {decisions['records']} record(s); commits of this range a logged decision "
                     f"judged, by its decision: {by}")
        rules = decisions.get("top_blocking_rules") or []
        if rules:
            lines.append("top blocking rules: " + ", ".join(f"{safe(r['rule'], limit=60)} ({r['count']})"
                                                           for r in rules[:8]))
    lines.append("")
    lines.append(f"audited in {s['duration_ms'] / 1000:.1f}s")
    return "\n".join(lines) + "\n"
