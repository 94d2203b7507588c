"""The audit as one self-contained HTML page: inline CSS and SVG, no script, no network.

For the people this project exists for, who read it on a phone: one column that reflows, charts that
scale to the screen, and a table behind every chart (the same numbers, for screen readers and for
copying). Every value from commit data is hostile and goes through `html.escape` — subjects, names,
paths, agent ids, even numbers are formatted by us. Links point only at a known forge (github.com,
gitlab.com) derived from `remote.origin.url` (see mode.forge_of), built from commit ids and PR numbers
we validated, never from text in a commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from gatekeeper.models import is_sha
from gatekeeper.sanitize import safe

if TYPE_CHECKING:
    from gatekeeper.audit.mode import Forge

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f")
# `other`: a record whose decision is none the gate writes (an edited or foreign log), counted, not hidden.
DECISION_COLOURS = {"allow": "#2ca02c", "warn": "#ff7f0e", "block": "#d62728", "error": "#7f7f7f", "other": "#9467bd"}

_CSS = """
:root{--fg:#1b1b1b;--muted:#5f6368;--line:#d0d7de;--bg:#fff;--card:#f6f8fa;--accent:#0b57d0}
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:980px;margin:0 auto;padding:16px}
h1{font-size:1.5rem;margin:.2rem 0;overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:1.6rem 0 .5rem;overflow-wrap:anywhere}
p.meta{color:var(--muted);margin:.2rem 0;overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:10px;margin:12px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px}
.card b{display:block;font-size:1.4rem}
figure{margin:0 0 8px}
svg{width:100%;height:auto;display:block}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;font-size:.9rem;margin:6px 0}
.legend span::before{content:"";display:inline-block;width:.8em;height:.8em;margin-right:4px;background:var(--c)}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
details{margin:6px 0}summary{cursor:pointer;color:var(--accent)}
code{font-size:.85em;overflow-wrap:anywhere}
.note{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:6px 10px;margin:6px 0}
a{color:var(--accent)}
@media (max-width:600px){body{font-size:15px}main{padding:10px}td.subject{min-width:12em}}
@media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--muted:#a0a0a0;--line:#3a3f44;--bg:#111;--card:#1c1f23;
--accent:#8ab4f8}.note{background:#3b2f00;border-color:#8a6d00}}
"""


def _e(value: object) -> str:
    """Text for the page: terminal escapes, bidirectional overrides and invisible characters removed (as the
    text report does: a subject or author name must not reorder or hide what a reader sees, Trojan Source),
    control characters shown as spaces, then HTML-escaped."""
    return escape(safe(str(value)), quote=True)


def _pct(share: float) -> str:
    return f"{share * 100:.1f} %"


# -- charts --------------------------------------------------------------------------------------------------

def stacked_bars(chart_id: str, title: str, periods: Sequence[str], series: Sequence[tuple[str, Sequence[int]]],
                 colours: Mapping[str, str] | None = None) -> str:
    """A stacked bar chart as inline SVG (scales with the page), with a legend and the table behind it."""
    width, height, pad_left, pad_bottom = 640, 220, 40, 28
    n = max(1, len(periods))
    totals = [sum(values[i] for _, values in series) for i in range(len(periods))]
    top = max(totals, default=0) or 1
    bar = (width - pad_left - 4) / n
    parts = [f'<svg id="{_e(chart_id)}" class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="{_e(chart_id)}-t" preserveAspectRatio="xMidYMid meet">',
             f'<title id="{_e(chart_id)}-t">{_e(title)}</title>',
             f'<line x1="{pad_left}" y1="{height - pad_bottom}" x2="{width}" y2="{height - pad_bottom}" '
             'stroke="currentColor" stroke-opacity=".4"/>',
             f'<text x="{pad_left - 4}" y="12" font-size="11" text-anchor="end" fill="currentColor">{top}</text>',
             f'<text x="{pad_left - 4}" y="{height - pad_bottom}" font-size="11" text-anchor="end" '
             'fill="currentColor">0</text>']
    colour_of = {name: (colours or {}).get(name, PALETTE[i % len(PALETTE)]) for i, (name, _) in enumerate(series)}
    plot = height - pad_bottom - 16
    for i, period in enumerate(periods):
        y: float = height - pad_bottom
        x = pad_left + i * bar
        for name, values in series:
            value = values[i]
            if not value:
                continue
            h = plot * value / top
            y -= h
            parts.append(f'<rect class="bar" data-series="{_e(name)}" data-period="{_e(period)}" data-value="{value}" '
                         f'x="{x + bar * 0.1:.2f}" y="{y:.2f}" width="{max(bar * 0.8, 0.5):.2f}" height="{h:.2f}" '
                         f'fill="{colour_of[name]}"><title>{_e(period)}: {_e(name)} {value}</title></rect>')
    step = max(1, n // 8)
    for i in range(0, len(periods), step):
        parts.append(f'<text x="{pad_left + i * bar + bar / 2:.2f}" y="{height - 10}" font-size="11" '
                     f'text-anchor="middle" fill="currentColor">{_e(periods[i])}</text>')
    parts.append("</svg>")
    legend = "".join(f'<span style="--c:{colour_of[name]}">{_e(name)}</span>' for name, _ in series)
    head = "".join(f'<th class="n" scope="col">{_e(name)}</th>' for name, _ in series)
    rows = "".join(
        f'<tr><th scope="row">{_e(period)}</th>'
        + "".join(f'<td class="n">{values[i]}</td>' for _, values in series)
        + f'<td class="n">{totals[i]}</td></tr>' for i, period in enumerate(periods))
    table = (f'<details><summary>Table: {_e(title)}</summary><div class="scroll"><table id="{_e(chart_id)}-table">'
             f'<caption>{_e(title)}</caption><thead><tr><th scope="col">period</th>{head}'
             f'<th class="n" scope="col">total</th></tr></thead><tbody>{rows}</tbody></table></div></details>')
    return f'<figure>{"".join(parts)}<figcaption class="legend">{legend}</figcaption></figure>{table}'


def hbars(chart_id: str, title: str, items: Sequence[tuple[str, int]]) -> str:
    """Horizontal bars for a ranking (top rules, agents), with its table."""
    if not items:
        return f'<p id="{_e(chart_id)}">None.</p>'
    width, row = 640, 24
    height = row * len(items) + 4
    top = max(v for _, v in items) or 1
    parts = [f'<svg id="{_e(chart_id)}" class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="{_e(chart_id)}-t"><title id="{_e(chart_id)}-t">{_e(title)}</title>']
    for i, (name, value) in enumerate(items):
        w = (width - 310) * value / top  # room for the value after the longest bar
        y = i * row + 2
        parts.append(f'<text x="250" y="{y + 16}" font-size="12" text-anchor="end" fill="currentColor">'
                     f'{_e(name[:40])}</text><rect class="bar" data-series="{_e(name)}" data-value="{value}" x="256" '
                     f'y="{y + 3}" width="{max(w, 1):.2f}" height="{row - 8}" fill="{PALETTE[0]}"><title>{_e(name)}: '
                     f'{value}</title></rect><text x="{260 + w:.2f}" y="{y + 16}" font-size="12" '
                     f'fill="currentColor">{value}</text>')
    parts.append("</svg>")
    rows = "".join(f'<tr><td>{_e(n)}</td><td class="n">{v}</td></tr>' for n, v in items)
    return (f'<figure>{"".join(parts)}</figure><details><summary>Table: {_e(title)}</summary><div class="scroll">'
            f'<table id="{_e(chart_id)}-table"><caption>{_e(title)}</caption><thead><tr><th scope="col">name</th>'
            f'<th class="n" scope="col">count</th></tr></thead><tbody>{rows}</tbody></table></div></details>')


# -- the page --------------------------------------------------------------------------------------------------

def _commit_link(sha: str, forge: Forge | None) -> str:
    if not is_sha(sha):
        return _e(sha[:12])
    if forge is None:
        return f"<code>{sha[:12]}</code>"
    return f'<a href="{_e(forge.commit_url(sha))}" rel="noreferrer"><code>{sha[:12]}</code></a>'


def _pr_link(pr: object, forge: Forge | None) -> str:
    """A PR number, linked to the forge's page only when given a forge: the caller gives one for a verified number
    alone (red137: a heuristic one is whatever the commit's subject says, and a link to that PR — reviewed, approved —
    reads as proof on a phone)."""
    if not isinstance(pr, int) or isinstance(pr, bool) or pr <= 0:
        return ""
    if forge is None:
        return f"#{pr}"
    return f'<a href="{_e(forge.pr_url(pr))}" rel="noreferrer">#{pr}</a>'


def _commit_table(table_id: str, block: Mapping[str, Any], forge: Forge | None, extra: str) -> str:
    items = block["items"]
    if not items:
        return f'<p id="{_e(table_id)}">None.</p>'
    head = ('<th scope="col">commit</th><th scope="col">date</th><th scope="col">author</th>'
            '<th scope="col">subject</th><th scope="col">PR</th>'
            + (f'<th scope="col">{_e(extra)}</th>' if extra else ""))
    rows = []
    for item in items:
        detail = ""
        if extra == "origin":
            agents = ", ".join(str(a) for a in item.get("agents") or [])
            named = f" — {_e(agents)}" if agents else ""
            detail = f"<td>{_e(item.get('class'))} / AI {_e(item.get('ai'))}{named}</td>"
        elif extra == "zone":
            detail = f"<td>{_e(item.get('message', ''))}</td>"
        elif extra == "review evidence":
            via = item.get("via")
            merge = f" via merge {_commit_link(str(via), forge)}" if via else ""
            detail = (f"<td>{_e(item.get('class'))} / AI {_e(item.get('ai'))}: {_e(item.get('review'))}{merge}, "
                      f"{_e(item.get('trust'))}</td>")
        elif extra == "device":
            detail = f"<td>{_e(item.get('device_id') or '?')}</td>"
        elif extra == "why":
            where = "protected branch: " if item.get("protected") else ""
            detail = f"<td>{_e(where)}{_e(item.get('reason', ''))}</td>"
        rows.append(f'<tr><td>{_commit_link(str(item["sha"]), forge)}</td><td>{_e(str(item["time"])[:10])}</td>'
                    f'<td>{_e(item["author"])}</td><td class="subject">{_e(item["subject"])}</td>'
                    f'<td>{_pr_link(item.get("pr"), forge if item.get("trust") == "verified" else None)}</td>'
                    f"{detail}</tr>")
    more = ""
    if block["truncated"]:
        more = (f'<p class="note">Showing {len(items)} of {block["total"]}; the list was cut at the report\'s '
                "--list-cap.</p>")
    return (f'<div class="scroll"><table id="{_e(table_id)}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}'
            f"</tbody></table></div>{more}")


def render_html(data: Mapping[str, Any], repository: Mapping[str, Any], range_description: str, generated: str,
                forge: Forge | None) -> str:
    s = data
    name = str(repository.get("name") or repository.get("path") or "repository")
    total = s["commits"]
    body: list[str] = [f"<h1>Audit of {_e(name)}</h1>",
                       f'<p class="meta">Range: {_e(range_description)}</p>',
                       f'<p class="meta">Generated {_e(generated)} by gatekeeper; {total} commit(s)'
                       + (f" from {_e(s['first'])} to {_e(s['last'])}" if total else "") + "</p>"]
    for note in s["notes"]:
        body.append(f'<p class="note">{_e(note)}</p>')
    unreviewed = s["unreviewed_mobile_ai_on_protected"]
    cards = [("commits", str(total)), ("on protected branches", str(s["protected_commits"])),
             ("mobile rules", f'{s["mobile"]["count"]} ({_pct(s["mobile"]["share"])})'),
             ("AI-involved", f'{s["ai_involved"]["count"]} ({_pct(s["ai_involved"]["share"])})'),
             ("unreviewed mobile/AI on protected", str(unreviewed["total"])),
             ("mobile/AI on unverified review", str(s["unverified_review_mobile_ai_on_protected"]["total"])),
             ("zone violations", str(s["zone_violations"]["total"]))]
    body.append('<div class="cards" id="cards">' + "".join(
        f'<div class="card" data-card="{_e(label)}"><b>{_e(value)}</b>{_e(label)}</div>' for label, value in cards)
        + "</div>")

    months = s["months"]
    periods = [row["period"] for row in months]
    class_names = [k for k in s["classes"]]
    body.append("<h2>Where the code came from, per month</h2>")
    body.append(stacked_bars("chart-classes", "Commits per month by origin class", periods,
                             [(c, [row["classes"].get(c, 0) for row in months]) for c in class_names]))
    body.append("<h2>Mobile and AI share, per month</h2>")
    body.append(stacked_bars("chart-mobile-ai", "Mobile-rule and AI-involved commits per month", periods,
                             [("mobile", [row["mobile"] for row in months]), ("AI", [row["ai"] for row in months])],
                             {"mobile": PALETTE[1], "AI": PALETTE[3]}))
    shares = [("origin class", s["classes"]), ("AI involvement", s["ai"]), ("signatures", s["signatures"]),
              ("review evidence", s["reviews"]), ("DCO sign-off", s["dco"])]
    body.append("<h2>Shares over the whole range</h2>")
    rows = "".join(f'<tr><th scope="row">{_e(title)}</th><td>{_e(key)}</td><td class="n">{v["count"]}</td>'
                   f'<td class="n">{_pct(v["share"])}</td></tr>'
                   for title, table in shares for key, v in table.items())
    rows += "".join(f'<tr><th scope="row">review trust</th><td>{_e(kind)}: {_e(trust)}</td><td class="n">{n}</td>'
                    f'<td class="n">{_pct(n / total if total else 0.0)}</td></tr>'
                    for kind, by in s["review_trust"].items() for trust, n in by.items())
    body.append('<div class="scroll"><table id="shares-table"><caption>Counts and shares</caption><thead><tr>'
                '<th scope="col">what</th><th scope="col">value</th><th class="n" scope="col">commits</th>'
                f'<th class="n" scope="col">share</th></tr></thead><tbody>{rows}</tbody></table></div>')

    decisions = s.get("decisions")
    body.append("<h2>Gate decisions over time</h2>")
    if decisions:
        dmonths = decisions["months"]
        kinds = [k for k in DECISION_COLOURS if any(row.get(k) for row in dmonths)]
        body.append(stacked_bars("chart-decisions", "Gate decisions per month (decision log)",
                                 [row["period"] for row in dmonths],
                                 [(k, [int(row.get(k, 0)) for row in dmonths]) for k in kinds], DECISION_COLOURS))
        body.append("<h2>Rules that blocked most often</h2>")
        body.append(hbars("chart-rules", "Top blocking rules (decision log)",
                          [(str(r["rule"]), int(r["count"])) for r in decisions["top_blocking_rules"][:12]]))
    else:
        body.append('<p id="chart-decisions">No decision log was joined (pass --log or set '
                    "GATEKEEPER_DECISION_LOG).</p>")

    body.append("<h2>Mobile and AI commits on a protected branch without review evidence</h2>")
    body.append(_commit_table("unreviewed-table", unreviewed, forge, "origin"))
    body.append("<h2>Mobile and AI commits on a protected branch reviewed only on unverified evidence</h2>")
    body.append('<p class="note">A pull-request merge recognised from its committer and subject (which whoever makes '
                "the commit writes), or Gerrit trailers: review evidence, not proof. One the forge signed with its "
                "own key is verified and not listed: the forge made it, in some repository, which is still not "
                "proof that anyone reviewed it.</p>")
    body.append(_commit_table("unverified-table", s["unverified_review_mobile_ai_on_protected"], forge,
                              "review evidence"))
    body.append("<h2>Mobile and AI commits on a protected branch reviewed through the merge that brought them</h2>")
    body.append(_commit_table("via-merge-table", s["reviewed_via_merge_mobile_ai_on_protected"], forge,
                              "review evidence"))
    body.append("<h2>Top agents</h2>")
    body.append(hbars("chart-agents", "AI agents by commits", [(str(a["id"]), int(a["commits"]))
                                                               for a in s["top_agents"][:12]]))
    body.append("<h2>Top devices</h2>")
    body.append('<p class="note">A registered device is one whose key made the commit\'s good signature; a '
                "declared one is only named by the commit (an <code>Origin-Device-Id</code> trailer or a note), "
                "which anyone can write.</p>")
    body.append(hbars("chart-devices", "Devices by commits", [
        (f"{'registered' if d['registered'] else 'declared'}: {d['id']}", int(d["commits"]))
        for d in s["top_devices"][:12]]))
    body.append("<h2>Compliance-zone violations</h2>")
    body.append(_commit_table("zones-table", s["zone_violations"], forge, "zone"))
    body.append("<h2>Commits that store an identity or text git does not read</h2>")
    body.append('<p class="note">Another author or committer header, a declared encoding that rewrites them or the '
                "message, or a NUL byte where git stops reading the message: git (and so the gate) reads one identity "
                "or text, forges and <code>git cat-file</code> show another. "
                "git never writes such a commit; the gate refuses it (provenance/ambiguous-identity).</p>")
    body.append(_commit_table("identity-table", s["ambiguous_identity"], forge, "why"))
    body.append("<h2>Revoked-key commits on a protected branch</h2>")
    body.append(_commit_table("revoked-table", s["revoked_on_protected"], forge, "device"))
    unsigned = s["unsigned_on_protected"]
    body.append(f"<h2>Unsigned commits on a protected branch: {unsigned['total']}</h2>")
    body.append(f"<details><summary>List ({len(unsigned['items'])} shown)</summary>"
                + _commit_table("unsigned-table", unsigned, forge, "") + "</details>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">"
            f"<title>gatekeeper audit — {_e(name)}</title><style>{_CSS}</style></head>"
            f"<body><main>{''.join(body)}</main></body></html>\n")
