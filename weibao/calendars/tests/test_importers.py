"""Holiday files (CSV, iCalendar): every good day parsed, every bad line reported (no database)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import translation

from weibao.calendars.choices import DayKind
from weibao.calendars.importers import MAX_DAYS, ParsedDay, parse_csv, parse_holiday_file, parse_ics

D = dt.date


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The messages are checked in English (the site's default language is Chinese)."""
    with translation.override("en"):
        yield


class TestCsv:
    def test_header_words_and_names(self) -> None:
        text = (
            "date,kind,name\n"
            "2027-01-01,holiday,元旦\n"
            "2027-02-06,休,春节\n"
            "2027-02-07, 假 ,春节\n"
            "2027-02-20,班,春节（调休上班）\n"
            "2027-02-21,补班\n"
            "2027-05-08,Workday,劳动节调休\n"
            "\n"
            "# comments and blank lines are skipped\n"
        )
        result = parse_csv(text)
        assert result.errors == []
        assert result.days == [
            ParsedDay(D(2027, 1, 1), DayKind.HOLIDAY, "元旦"),
            ParsedDay(D(2027, 2, 6), DayKind.HOLIDAY, "春节"),
            ParsedDay(D(2027, 2, 7), DayKind.HOLIDAY, "春节"),
            ParsedDay(D(2027, 2, 20), DayKind.WORKDAY, "春节（调休上班）"),
            ParsedDay(D(2027, 2, 21), DayKind.WORKDAY, "Make-up workday"),  # default name
            ParsedDay(D(2027, 5, 8), DayKind.WORKDAY, "劳动节调休"),
        ]

    def test_chinese_header_and_no_header(self) -> None:
        assert parse_csv("日期,类型,名称\n2027-01-01,休,元旦\n").days == [
            ParsedDay(D(2027, 1, 1), DayKind.HOLIDAY, "元旦")
        ]
        assert len(parse_csv("2027-01-01,休,元旦\n").days) == 1

    def test_every_bad_line_is_reported(self) -> None:
        text = (
            "date,kind,name\n"
            "2027-01-01,休,元旦\n"  # good
            "2027/01/02,休,元旦\n"  # 3: bad date
            "2027-02-30,休,春节\n"  # 4: no such day
            "2027-02-06,放假,春节\n"  # 5: bad kind
            "2027-01-01,班,again\n"  # 6: duplicate date
            "2027-03-01\n"  # 7: no kind
            "2027-03-02,班,ok\n"  # good
        )
        result = parse_csv(text)
        assert [d.date for d in result.days] == [D(2027, 1, 1), D(2027, 3, 2)]
        assert len(result.errors) == 5
        for number, error in zip([3, 4, 5, 6, 7], result.errors, strict=True):
            assert error.startswith(f"Line {number}:"), error
        assert "2027/01/02" in result.errors[0]
        assert "放假" in result.errors[2]
        assert "appears twice" in result.errors[3]

    def test_gb18030_file(self) -> None:
        content = "日期,类型,名称\n2027-01-01,休,元旦\n2027-02-20,班,春节调休\n".encode("gb18030")
        with pytest.raises(UnicodeDecodeError):
            content.decode("utf-8")
        result = parse_holiday_file(content=content, filename="假日.csv")
        assert result.errors == []
        assert result.days == [
            ParsedDay(D(2027, 1, 1), DayKind.HOLIDAY, "元旦"),
            ParsedDay(D(2027, 2, 20), DayKind.WORKDAY, "春节调休"),
        ]

    def test_utf8_bom(self) -> None:
        content = "\ufeffdate,kind,name\n2027-01-01,holiday,元旦\n".encode()
        assert parse_holiday_file(content=content, filename="h.csv").days == [
            ParsedDay(D(2027, 1, 1), DayKind.HOLIDAY, "元旦")
        ]

    def test_too_many_days(self) -> None:
        start = D(2030, 1, 1)
        text = "".join(f"{start + dt.timedelta(days=i)},休,x\n" for i in range(MAX_DAYS + 1))
        assert parse_csv(text).errors == [f"The file has more than {MAX_DAYS} days."]


ICS_HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
ICS_TAIL = "END:VCALENDAR\r\n"


def ics(*events: str) -> str:
    return ICS_HEAD + "".join(f"BEGIN:VEVENT\r\n{e}END:VEVENT\r\n" for e in events) + ICS_TAIL


class TestIcs:
    def test_multi_day_event_dtend_is_exclusive(self) -> None:
        text = ics("DTSTART;VALUE=DATE:20270206\r\nDTEND;VALUE=DATE:20270209\r\nSUMMARY:春节\r\n")
        result = parse_ics(text)
        assert result.errors == []
        assert [(d.date, d.kind, d.name) for d in result.days] == [
            (D(2027, 2, 6), DayKind.HOLIDAY, "春节"),
            (D(2027, 2, 7), DayKind.HOLIDAY, "春节"),
            (D(2027, 2, 8), DayKind.HOLIDAY, "春节"),
        ]

    def test_no_dtend_is_one_day(self) -> None:
        result = parse_ics(ics("DTSTART;VALUE=DATE:20270101\r\nSUMMARY:元旦\r\n"))
        assert result.days == [ParsedDay(D(2027, 1, 1), DayKind.HOLIDAY, "元旦")]

    def test_makeup_workday_by_summary_or_category(self) -> None:
        result = parse_ics(
            ics(
                "DTSTART;VALUE=DATE:20270220\r\nSUMMARY:春节补班\r\n",
                "DTSTART;VALUE=DATE:20270508\r\nSUMMARY:Labour Day\r\nCATEGORIES:Workday\r\n",
                "DTSTART;VALUE=DATE:20270501\r\nSUMMARY:劳动节\r\nCATEGORIES:Holiday\r\n",
            )
        )
        assert result.errors == []
        assert [(d.date, d.kind) for d in result.days] == [
            (D(2027, 2, 20), DayKind.WORKDAY),
            (D(2027, 5, 8), DayKind.WORKDAY),
            (D(2027, 5, 1), DayKind.HOLIDAY),
        ]

    def test_folded_lines_and_escapes(self) -> None:
        text = ics(
            "DTSTART;VALUE=DATE:2027\r\n 0101\r\nSUMMARY:New Year\\, 元\r\n\t旦\r\n",
        )
        result = parse_ics(text)
        assert result.errors == []
        assert result.days == [ParsedDay(D(2027, 1, 1), DayKind.HOLIDAY, "New Year, 元旦")]

    def test_every_bad_event_is_reported(self) -> None:
        text = ics(
            "SUMMARY:no start\r\n",  # missing DTSTART
            "DTSTART;VALUE=DATE:20270101\r\nSUMMARY:元旦\r\n",  # good
            "DTSTART;VALUE=DATE:2027XX01\r\nSUMMARY:garbled\r\n",
            "DTSTART;VALUE=DATE:20270210\r\nDTEND;VALUE=DATE:20270205\r\nSUMMARY:backwards\r\n",
            "DTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270103\r\nSUMMARY:overlap\r\n",
            "DTSTART;VALUE=DATE:20270301\r\nDTEND;VALUE=DATE:20270501\r\nSUMMARY:too long\r\n",
        )
        result = parse_ics(text)
        assert [d.date for d in result.days] == [D(2027, 1, 1), D(2027, 1, 2)]
        assert len(result.errors) == 5
        assert "no valid all-day DTSTART" in result.errors[0]
        assert "no valid all-day DTSTART" in result.errors[1]
        assert "out of order" in result.errors[2]
        assert "2027-01-01 appears twice" in result.errors[3]
        assert "out of order or span more than 31 days" in result.errors[4]
        # each error names the line its event starts on
        lines = text.split("\r\n")
        numbers = [i + 1 for i, line in enumerate(lines) if line == "BEGIN:VEVENT"]
        assert result.errors[0].startswith(f"Event at line {numbers[0]}:")
        assert result.errors[4].startswith(f"Event at line {numbers[5]}:")

    def test_detected_by_name_or_content(self) -> None:
        content = ics("DTSTART;VALUE=DATE:20270101\r\nSUMMARY:元旦\r\n").encode()
        for filename in ("holidays.ics", "HOLIDAYS.ICAL", "holidays.txt"):
            result = parse_holiday_file(content=content, filename=filename)
            assert result.days == [ParsedDay(D(2027, 1, 1), DayKind.HOLIDAY, "元旦")], filename
