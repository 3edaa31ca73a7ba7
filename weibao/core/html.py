"""HTML sanitising for user-written rich text (descriptions, comments, later email bodies).

nh3 (ammonia) keeps a safe subset of tags; scripts, event handlers, ``javascript:`` URLs and styles
are dropped, so stored HTML can be rendered with ``|safe`` in templates.
"""

from __future__ import annotations

import html as _html

import nh3

ALLOWED_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def sanitize_html(*, value: str) -> str:
    """Return ``value`` with everything outside the safe subset removed."""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def text_to_html(*, value: str) -> str:
    """Plain text (a phone note, a form textarea) to safe HTML paragraphs, keeping line breaks."""
    paragraphs = [p for p in value.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join("<p>" + _html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)


def html_to_text(*, value: str) -> str:
    """Strip all tags: for search documents, notifications and titles."""
    return _html.unescape(nh3.clean(value, tags=set())).strip()
