#!/usr/bin/env python3
"""Check the gettext catalogues under locale/: every entry translated, nothing fuzzy, placeholders kept.

Usage: ``uv run python scripts/check_translations.py [PO_FILE ...]``
(default: every ``locale/*/LC_MESSAGES/*.po``).
Exits 1 and lists each problem (untranslated or fuzzy msgid, placeholder or HTML-tag mismatch between msgid
and msgstr, ``msgfmt --check`` failure). Standard library only, so it runs before ``uv sync`` too; the
parser is imported by tests/test_i18n.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# %(name)s, %(n)d, %s, %d, %r ... ("%%" is a literal percent sign, not a placeholder).
PYTHON_FORMAT = re.compile(r"%(?:\([^)]+\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]")
# {name}, {0}, {name!r:>10} ("{{" and "}}" are literal braces).
BRACE_FORMAT = re.compile(r"(?<!\{)\{([A-Za-z_][\w.\[\]]*|\d*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")
HTML_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^<>]*>")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


@dataclass
class Entry:
    """One message of a .po file (``msgstr`` maps plural index -> text; index 0 for singular messages)."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    lineno: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        wanted = 1 if self.msgid_plural is None else max(len(self.msgstr), 1)
        return len(self.msgstr) >= wanted and all(self.msgstr.get(i, "") for i in range(wanted))

    @property
    def label(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def _unquote(text: str, path: Path, lineno: int) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"{path}:{lineno}: expected a quoted string, got {text!r}")
    out, body, i = [], text[1:-1], 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            out.append(ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def parse_po(path: Path | str) -> list[Entry]:
    """Parse a .po file into entries (header included, obsolete ``#~`` entries skipped)."""
    path = Path(path)
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None  # which field continuation lines append to
    seen_keyword = False

    def finish() -> None:
        nonlocal entry, target, seen_keyword
        if seen_keyword:
            entries.append(entry)
        entry, target, seen_keyword = Entry(), None, False

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if seen_keyword:  # a comment after msgstr starts the next entry
                finish()
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{lineno}: string continuation outside an entry")
            value = _unquote(line, path, lineno)
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, (getattr(entry, name) or "") + value)
            continue
        keyword, _, rest = line.partition(" ")
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if keyword in {"msgctxt", "msgid"} and seen_keyword and (keyword == "msgctxt" or entry.msgstr):
            finish()
        if keyword == "msgctxt":
            entry.msgctxt, target = _unquote(rest, path, lineno), ("msgctxt", 0)
        elif keyword == "msgid":
            entry.msgid, target, entry.lineno = _unquote(rest, path, lineno), ("msgid", 0), lineno
        elif keyword == "msgid_plural":
            entry.msgid_plural, target = _unquote(rest, path, lineno), ("msgid_plural", 0)
        elif keyword == "msgstr" or match:
            index = int(match.group(1)) if match else 0
            entry.msgstr[index], target = _unquote(rest, path, lineno), ("msgstr", index)
        else:
            raise ValueError(f"{path}:{lineno}: unexpected line {raw!r}")
        seen_keyword = True
    finish()
    return entries


def placeholders(text: str, flags: set[str] | frozenset[str] = frozenset()) -> Counter[str]:
    """The placeholders in ``text``: %-style unless flagged ``no-python-format``, and {}-style ones."""
    found: Counter[str] = Counter()
    if "no-python-format" not in flags and ("python-format" in flags or PYTHON_FORMAT.search(text)):
        found.update(m.group(0) for m in PYTHON_FORMAT.finditer(text) if m.group(0) != "%%")
    if "no-python-brace-format" not in flags:
        found.update("{" + m.group(1) + "}" for m in BRACE_FORMAT.finditer(text))
    return found


def html_tags(text: str) -> Counter[str]:
    return Counter(m.group(0).split()[0].rstrip(">").lower() + ">" for m in HTML_TAG.finditer(text))


def entry_problems(entry: Entry) -> list[str]:
    """Problems of one entry, as human-readable strings (empty when it is fine)."""
    if entry.is_header:
        return ["the header is marked fuzzy"] if entry.fuzzy else []
    problems = []
    if entry.fuzzy:
        problems.append("fuzzy")
    if not entry.translated:
        problems.append("untranslated")
        return problems
    sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
    # A language with one plural form (zh) uses the plural msgid's placeholders; allow either source.
    wanted_sets = [placeholders(s, entry.flags) for s in sources]
    wanted_tags = html_tags(entry.msgid)
    for index, text in sorted(entry.msgstr.items()):
        got = placeholders(text, entry.flags)
        if not any(set(got) == set(wanted) for wanted in wanted_sets):
            where = f"msgstr[{index}]" if entry.msgid_plural is not None else "msgstr"
            problems.append(
                f"placeholders differ: msgid has {sorted(set().union(*wanted_sets))}, "
                f"{where} has {sorted(got)}"
            )
        if html_tags(text) != wanted_tags:
            problems.append(
                f"HTML tags differ: msgid has {sorted(wanted_tags)}, msgstr has {sorted(html_tags(text))}"
            )
    return problems


def catalogue_problems(path: Path | str) -> list[str]:
    """Every problem of one .po file, each prefixed with ``file:line`` and the msgid."""
    path = Path(path)
    out = []
    for entry in parse_po(path):
        for problem in entry_problems(entry):
            out.append(f"{path}:{entry.lineno}: {problem}: {entry.label!r}")
    return out


def msgfmt_problems(path: Path | str) -> list[str]:
    """What ``msgfmt --check`` says about the file (nothing when msgfmt is not installed)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return []
    result = subprocess.run(
        [msgfmt, "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode == 0:
        return []
    return [f"{path}: msgfmt --check: {line}" for line in result.stderr.splitlines() if line.strip()]


def default_catalogues() -> list[Path]:
    return sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a) for a in args] or default_catalogues()
    if not paths:
        print("no .po catalogue found under locale/", file=sys.stderr)
        return 1
    problems: list[str] = []
    for path in paths:
        problems += msgfmt_problems(path) + catalogue_problems(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {len(paths)} catalogue(s)", file=sys.stderr)
        return 1
    for path in paths:
        count = sum(1 for e in parse_po(path) if not e.is_header)
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"{shown}: {count} messages, all translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
