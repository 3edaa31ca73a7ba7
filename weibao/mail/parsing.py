"""Turn the bytes of a received mail into what a ticket needs; no database access here.

Real-world Chinese mail is messy: GB2312 labels on GBK text, RFC 2047 words split mid-character,
RFC 2231 file names, HTML-only bodies, Outlook and QQ Mail quoting. The standard library parses the
MIME structure (``compat32`` keeps raw headers so every decoding decision is ours); this module
decodes, detects machine-generated mail, picks the body and trims quoted history.
"""

from __future__ import annotations

import contextlib
import email
import hashlib
import html as _html
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header, decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from weibao.core.html import sanitize_html, text_to_html

# Labels that lie: mail clients write "gb2312" for GBK text (and GBK for GB18030); GB18030 is a
# superset of both and decodes them all. Big5 mail from Hong Kong uses HKSCS characters.
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "unknown-8bit": "utf-8",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
}
# Subject markers of a ticket: 【工单 #1234】, [#1234], [工单#1234], (Ticket #1234).
TICKET_NUMBER_RE = re.compile(r"[【\[(（]\s*(?:工单|Ticket)?\s*#\s*(\d{1,12})\s*[】\])）]", re.IGNORECASE)
# Our own outbound Message-IDs: <ticket-1234.<random>@host> (weibao.mail outbound).
OWN_MESSAGE_ID_RE = re.compile(r"<ticket-(\d{1,12})\.[^@>]+@[^>]+>")
AUTO_SUBJECT_RE = re.compile(
    r"^\s*(自动回复|自動回覆|Auto(matic)?[ -]?Reply|Out of (the )?Office|Undeliverable|Undelivered Mail"
    r"|Delivery Status Notification|Mail Delivery (Failed|Failure)|退信|系统退信)\b",
    re.IGNORECASE,
)
SYSTEM_SENDERS = ("mailer-daemon", "postmaster", "mail-daemon", "noreply-dmarc")
# Where quoted history starts in a reply (the first match cuts the rest).
QUOTE_MARKERS = [
    re.compile(r"^-{2,}\s*(Original Message|原始邮件|原始郵件|Forwarded message|转发邮件)\s*-{2,}", re.I),
    re.compile(r"^_{10,}\s*$"),  # Outlook's rule above its header block
    re.compile(r"^On .{4,200}wrote:\s*$", re.I),
    re.compile(r"^在\s?.{4,200}(写道|寫道)\s*[:：]\s*$"),
    re.compile(r"^.{0,80}\d{4}[-/年].{0,80}(写道|寫道)\s*[:：]\s*$"),
    re.compile(r"^(发件人|寄件者|From)\s*[:：].{1,200}$", re.I),
]
SIGNATURE_MARKERS = [
    re.compile(r"^--\s?$"),
    re.compile(r"^(发自我的|Sent from my)\s?\S{1,30}\s*$", re.I),
]
BLOCK_END_RE = re.compile(r"(?i)<\s*(br\s*/?|/p|/div|/tr|/li|/h[1-6]|/blockquote|/table)\s*>")
TAG_RE = re.compile(r"(?s)<[^>]*>")
HEAD_RE = re.compile(r"(?is)<\s*(head|style|script|title)\b.*?<\s*/\s*\1\s*>")


class UnparseableMail(ValueError):
    """The bytes are not a mail we can read; the intake quarantines it with this message."""


@dataclass
class MailFile:
    """An attachment or inline image, decoded."""

    filename: str
    content_type: str
    data: bytes
    inline: bool = False


@dataclass
class ParsedMail:
    """What the intake needs from one mail."""

    message_id: str
    message_key: str
    subject: str
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    date: datetime | None
    in_reply_to: list[str]
    references: list[str]
    text: str  # the plain text (from text/plain, or derived from the HTML)
    html: str  # sanitised HTML, empty for a text-only mail
    files: list[MailFile] = field(default_factory=list)
    auto_reason: str = ""  # non-empty: an auto-reply or bounce, never a ticket or a reply

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this mail answers, nearest first."""
        return [*self.in_reply_to, *reversed(self.references)]


def _codec(charset: str | None) -> str:
    name = (charset or "utf-8").strip().strip('"').lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        "".encode(name)
    except LookupError:
        return "utf-8"
    return name


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset, tolerating wrong labels: declared, then UTF-8, then GB18030."""
    declared = _codec(charset)
    for codec in dict.fromkeys([declared, "utf-8", "gb18030"]):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode(declared, errors="replace")


def header_text(value: object) -> str:
    """A header's text with RFC 2047 words decoded and folding undone."""
    if value is None:
        return ""
    if isinstance(value, Header):
        # compat32 wraps a raw 8-bit header (UTF-8 or GBK without encoded words) in a Header with
        # charset unknown-8bit; its chunks hold the original bytes.
        chunks = decode_header(value)
        return " ".join(
            "".join(
                decode_bytes(c if isinstance(c, bytes) else c.encode("utf-8", "surrogateescape"), cs)
                for c, cs in chunks
            ).split()
        )
    raw = str(value)
    parts = []
    try:
        chunks = decode_header(raw)
    except Exception:  # a broken encoded word: show the header as it came
        return " ".join(raw.split())
    # Adjacent encoded words in one charset are joined before decoding: senders split multi-byte
    # characters across words (RFC 2047 forbids it, Outlook and Foxmail do it).
    merged: list[tuple[bytes, str | None]] = []
    for chunk, charset in chunks:
        data = chunk if isinstance(chunk, bytes) else chunk.encode("utf-8", "surrogateescape")
        if merged and charset and merged[-1][1] == charset:
            merged[-1] = (merged[-1][0] + data, charset)
        else:
            merged.append((data, charset))
    for data, charset in merged:
        parts.append(decode_bytes(data, charset) if charset else data.decode("utf-8", errors="replace"))
    return " ".join("".join(parts).split())


def _ids(value: object) -> list[str]:
    return re.findall(r"<[^<>\s]+>", header_text(value))


def _filename(part: Message) -> str:
    # get_filename decodes RFC 2231 (filename*=UTF-8''...) and returns RFC 2047 words undecoded.
    name = part.get_filename()
    if name is None:
        return ""
    if isinstance(name, tuple):  # pragma: no cover - collapse_rfc2231_value already handles this
        name = decode_bytes(name[2].encode("latin-1"), name[0])
    if "=?" in name:
        name = header_text(name)
    elif any(ord(ch) > 127 for ch in name):
        # Raw 8-bit names (some Chinese clients): undo the latin-1 the parser applied.
        with contextlib.suppress(UnicodeEncodeError):
            name = decode_bytes(name.encode("latin-1"), part.get_content_charset())
    return name.replace("/", "_").replace("\\", "_").strip()[:255]


def html_to_plain(html: str) -> str:
    """HTML as plain text keeping line breaks, for quote trimming and the text version."""
    text = HEAD_RE.sub("", html)
    text = BLOCK_END_RE.sub("\n", text)
    text = TAG_RE.sub("", text)
    text = _html.unescape(text).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def auto_reason(msg: Message, *, subject: str, from_address: str) -> str:
    """Why this mail was written by a machine (auto-reply, bounce, list), or '' for a person's mail."""
    auto_submitted = (msg.get("Auto-Submitted") or "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = (msg.get("Precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply", "auto-reply"):
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autogenerated"):
        if msg.get(name) is not None:
            return name
    if (msg.get("X-Auto-Response-Suppress") or "").strip().lower() in ("all", "oof"):
        return "X-Auto-Response-Suppress"
    content_type = msg.get_content_type()
    if content_type == "multipart/report" or msg.get_param("report-type") == "delivery-status":
        return "delivery status notification"
    if (msg.get("Return-Path") or "").strip() == "<>":
        return "empty return path"
    local = from_address.split("@", 1)[0].lower()
    if local in SYSTEM_SENDERS:
        return f"system sender {from_address}"
    if AUTO_SUBJECT_RE.search(subject):
        return "auto-reply subject"
    return ""


def trim_reply(text: str) -> str:
    """The new part of a reply: cut at the first quote marker, drop '>' lines and the signature."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for line in lines:
        stripped = line.strip()
        if any(marker.match(stripped) for marker in QUOTE_MARKERS):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line)
    return trim_signature("\n".join(kept))


def trim_signature(text: str) -> str:
    lines = text.rstrip().split("\n")
    for index, line in enumerate(lines):
        if index > 0 and any(marker.match(line.strip()) for marker in SIGNATURE_MARKERS):
            lines = lines[:index]
            break
    return "\n".join(lines).strip()


def _leaves(msg: Message) -> list[Message]:
    """The non-multipart parts, not descending into attached messages (they are kept whole)."""
    if msg.get_content_type() == "message/rfc822" or not msg.is_multipart():
        return [msg]
    found: list[Message] = []
    for part in msg.get_payload():
        if isinstance(part, Message):
            found.extend(_leaves(part))
    return found


def _walk(msg: Message) -> tuple[list[Message], list[Message], list[MailFile], list[Message]]:
    """Body parts (plain, html), files, and forwarded messages of a mail."""
    plain: list[Message] = []
    html: list[Message] = []
    files: list[MailFile] = []
    forwarded: list[Message] = []
    for part in _leaves(msg):
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()
            inner_msg = inner[0] if isinstance(inner, list) and inner else None
            if isinstance(inner_msg, Message):
                forwarded.append(inner_msg)
                subject = header_text(inner_msg.get("Subject")) or "forwarded"
                safe = re.sub(r"[\\/:*?\"<>|]+", "_", subject)[:80]
                files.append(
                    MailFile(filename=f"{safe}.eml", content_type="message/rfc822", data=inner_msg.as_bytes())
                )
            continue
        if part.get_content_maintype() == "message" or (part is msg and part.is_multipart()):
            continue  # delivery-status and the like: no body, no file
        disposition = (part.get_content_disposition() or "").lower()
        name = _filename(part)
        if disposition != "attachment" and not name and content_type == "text/plain":
            plain.append(part)
        elif disposition != "attachment" and not name and content_type == "text/html":
            html.append(part)
        else:
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            if not name:
                extension = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}.get(
                    content_type, ""
                )
                name = f"attachment-{len(files) + 1}{extension or '.bin'}"
            inline = disposition == "inline" or bool(part.get("Content-ID"))
            files.append(MailFile(filename=name, content_type=content_type, data=data, inline=inline))
    return plain, html, files, forwarded


def _forwarded_text(inner: Message) -> str:
    """A forwarded mail's header lines and text, appended to the body so the desk reads it at once."""
    plain, html, _files, _fwd = _walk(inner)
    text = "\n\n".join(_part_text(p).strip() for p in plain).strip()
    if not text and html:
        text = html_to_plain("".join(_part_text(p) for p in html))
    head = [
        "---------- Forwarded message ----------",
        f"From: {header_text(inner.get('From'))}",
        f"Date: {header_text(inner.get('Date'))}",
        f"Subject: {header_text(inner.get('Subject'))}",
    ]
    return "\n".join(head) + "\n\n" + text


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse one RFC 5322 message; ``UnparseableMail`` when it is not one."""
    if not raw or not raw.strip():
        raise UnparseableMail("empty message")
    try:
        msg = email.message_from_bytes(raw)
    except Exception as exc:  # the parser is lenient; this is a last resort
        raise UnparseableMail(f"cannot parse: {exc}") from exc
    from_header = header_text(msg.get("From"))
    from_name, from_address = parseaddr(from_header)
    if not from_address or "@" not in from_address:
        raise UnparseableMail(f"no sender address in From: {from_header[:200]!r}")
    if not msg.keys() or (msg.defects and not msg.get_payload()):
        raise UnparseableMail("no headers or body")
    subject = header_text(msg.get("Subject"))[:500]
    message_id = (_ids(msg.get("Message-ID")) or [""])[0][:255]
    digest = hashlib.sha256(raw).hexdigest()
    try:
        date = parsedate_to_datetime(str(msg.get("Date"))) if msg.get("Date") else None
        if date is not None and date.tzinfo is None:
            date = None
    except (TypeError, ValueError, IndexError):
        date = None
    plain_parts, html_parts, files, forwarded = _walk(msg)
    html = "".join(_part_text(p) for p in html_parts)
    text = "\n\n".join(_part_text(p).strip() for p in plain_parts).strip()
    if not text and html:
        text = html_to_plain(html)
    for inner in forwarded:
        text = (text + "\n\n" + _forwarded_text(inner)).strip()
    return ParsedMail(
        message_id=message_id,
        message_key=message_id or f"sha256:{digest}",
        subject=subject,
        from_address=from_address.strip().lower()[:255],
        from_name=from_name.strip()[:255],
        to=[addr.lower() for _name, addr in getaddresses([header_text(v) for v in msg.get_all("To", [])])],
        cc=[addr.lower() for _name, addr in getaddresses([header_text(v) for v in msg.get_all("Cc", [])])],
        date=date,
        in_reply_to=_ids(msg.get("In-Reply-To")),
        references=_ids(msg.get("References")),
        text=text,
        html=sanitize_html(value=html) if html else "",
        files=files,
        auto_reason=auto_reason(msg, subject=subject, from_address=from_address.lower()),
    )


def ticket_number_in(subject: str) -> int | None:
    """The ticket number a subject names (【工单 #123】, [#123]), or None."""
    match = TICKET_NUMBER_RE.search(subject)
    return int(match.group(1)) if match else None


def ticket_numbers_in_ids(message_ids: list[str]) -> list[int]:
    """Ticket numbers encoded in our own outbound Message-IDs among ``message_ids``."""
    found = []
    for value in message_ids:
        match = OWN_MESSAGE_ID_RE.fullmatch(value)
        if match:
            found.append(int(match.group(1)))
    return found


def clean_subject(subject: str) -> str:
    """A ticket title from a subject: reply/forward prefixes and our ticket marker removed."""
    title = TICKET_NUMBER_RE.sub("", subject)
    title = re.sub(r"^\s*((re|fw|fwd|回复|答复|回覆|转发|轉寄)\s*[:：]\s*)+", "", title, flags=re.I)
    return " ".join(title.split())


def body_for_ticket(parsed: ParsedMail) -> tuple[str, bool]:
    """(description, is_html) of a new ticket: the sanitised HTML when there is one, else the text."""
    if parsed.html.strip():
        return parsed.html, True
    return trim_signature(parsed.text), False


def body_for_reply(parsed: ParsedMail) -> str:
    """The new part of a reply as safe HTML (quoted history trimmed; the original stays with the mail)."""
    return text_to_html(value=trim_reply(parsed.text))
