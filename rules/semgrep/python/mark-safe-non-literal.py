from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from markupsafe import Markup


def positives(comment, user):
    # ruleid: python-mark-safe-non-literal
    html = mark_safe(f"<p>{comment.body}</p>")
    # ruleid: python-mark-safe-non-literal
    badge = Markup("<b>" + user.name + "</b>")
    # ruleid: python-mark-safe-non-literal
    raw = mark_safe(comment.body)
    return html, badge, raw


def negatives(comment):
    # ok: python-mark-safe-non-literal
    icon = mark_safe("<i class='icon'></i>")
    # ok: python-mark-safe-non-literal
    html = format_html("<p>{}</p>", comment.body)
    # ok: python-mark-safe-non-literal
    safe = mark_safe(escape(comment.body))
    return icon, html, safe


def more(comment, user):
    # ok: python-mark-safe-non-literal
    a = mark_safe(f"<p>{escape(comment.body)}</p>")
    # ruleid: python-mark-safe-non-literal
    b = mark_safe(f"<p>{escape(comment.body)}</p><i>{user.bio}</i>")
    return a, b
