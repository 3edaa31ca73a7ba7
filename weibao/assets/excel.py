"""The installed base as an Excel sheet: one column layout for import, export and the template, so an
exported file can be edited and imported back. Headers are matched in Chinese or English.

Reading uses openpyxl's read-only mode and writing its write-only mode: both stream rows, so 50,000
items never sit in memory as cell objects (bench/bench_item_import.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException


@dataclass(frozen=True)
class Column:
    key: str  # the service's name of the value (clean_item_values) or a relation kind
    zh: str
    en: str
    required: bool = False
    relation: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("code", "资产编号", "Asset tag", required=True),
    Column("name", "名称", "Name", required=True),
    Column("kind", "类型", "Kind", required=True),
    Column("system_id", "所属系统", "System"),
    Column("model", "型号", "Model"),
    Column("version", "版本", "Version"),
    Column("serial_number", "序列号", "Serial number"),
    Column("site_id", "站点", "Site"),
    Column("location", "位置", "Location"),
    Column("supplier_id", "供应商", "Supplier"),
    Column("purchase_date", "购买日期", "Purchase date"),
    Column("warranty_end", "保修截止", "Warranty end"),
    Column("status", "状态", "Status"),
    Column("notes", "备注", "Notes"),
    Column("runs_on", "运行于", "Runs on", relation=True),
    Column("part_of", "所属设备", "Part of", relation=True),
    Column("connected_to", "连接到", "Connected to", relation=True),
)
BY_HEADER = {h.casefold(): c for c in COLUMNS for h in (c.zh, c.en, c.key)}
SHEET_TITLE = gettext_lazy("Items")
MAX_ROWS = 100_000


class SheetError(Exception):
    """The file as a whole cannot be read (not .xlsx, no header, a required column missing)."""


@dataclass(frozen=True)
class SheetRow:
    number: int  # the row number Excel shows (the header is row 1)
    values: dict[str, Any]


def header_label(column: Column, *, lang: str) -> str:
    return column.zh if lang.startswith("zh") else column.en


def open_rows(source: IO[bytes] | str) -> tuple[int, Iterator[SheetRow]]:
    """The number of data rows (as Excel records it) and an iterator over the non-empty ones."""
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise SheetError(_("This is not an Excel (.xlsx) file.")) from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        book.close()
        raise SheetError(_("The sheet is empty: the first row must name the columns."))
    columns: list[Column | None] = []
    for cell in header:
        title = str(cell).strip() if cell is not None else ""
        if title and title.casefold() not in BY_HEADER:
            book.close()
            raise SheetError(_("Unknown column “%(title)s”.") % {"title": title})
        columns.append(BY_HEADER.get(title.casefold()) if title else None)
    missing = [c for c in COLUMNS if c.required and c not in columns]
    if missing:
        book.close()
        raise SheetError(
            _("Required columns are missing: %(columns)s.") % {"columns": "、".join(c.zh for c in missing)}
        )
    total = max(0, (sheet.max_row or 1) - 1)
    if total > MAX_ROWS:
        book.close()
        raise SheetError(_("At most %(n)d rows per import.") % {"n": MAX_ROWS})

    def generate() -> Iterator[SheetRow]:
        try:
            for number, cells in enumerate(rows, start=2):
                if cells is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                    continue
                values = {
                    col.key: cells[i] for i, col in enumerate(columns) if col is not None and i < len(cells)
                }
                yield SheetRow(number=number, values=values)
        finally:
            book.close()

    return total, generate()


def write_sheet(*, rows: Iterable[dict[str, Any]], lang: str) -> bytes:
    """An .xlsx with the header row and one row per dict (keys as in :data:`COLUMNS`)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(SHEET_TITLE))
    sheet.append([header_label(c, lang=lang) for c in COLUMNS])
    for row in rows:
        sheet.append([row.get(c.key) for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
