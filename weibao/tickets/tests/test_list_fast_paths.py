"""The list's performance paths (bench/, docs/benchmarks.md) give the same answers as the plain ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from weibao.core.search import build_match_query, search_document
from weibao.tickets.selectors import TicketFilters, ticket_list
from weibao.tickets.tests.factories import Cast, make_ticket

pytestmark = pytest.mark.django_db


def test_text_search_pages_have_no_gaps_or_repeats() -> None:
    cast = Cast()
    base = timezone.now() - timedelta(days=1)
    created = [
        make_ticket(cast=cast, title=f"打印机卡纸 {i}", reported_at=base + timedelta(minutes=i // 2))
        for i in range(7)
    ]
    make_ticket(cast=cast, title="住院部网络中断")
    seen: list[int] = []
    cursor = None
    while True:
        page = ticket_list(actor=cast.agent, filters=TicketFilters(text="打印机"), cursor=cursor, limit=3)
        seen += [t.pk for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [t.pk for t in sorted(created, key=lambda t: (t.reported_at, t.pk), reverse=True)]


def test_sub_words_another_query_word_implies_are_not_required_twice() -> None:
    # 苏州市 brings 苏州 and 州市 with it in every document (jieba's search mode), so they are dropped.
    assert (
        build_match_query(text="苏州市第三人民医院", vendor="postgresql")
        == "'苏州市' & '第三' & '人民' & '医院'"
    )
    assert build_match_query(text="苏州", vendor="postgresql") == "'苏州'"
    assert build_match_query(text="printer print", vendor="postgresql") == "'printer' & 'print':*"
    document = set(search_document(parts=["苏州市第三人民医院"]).split())
    assert {"苏州", "州市", "苏州市"} <= document


def test_long_name_still_finds_its_tickets() -> None:
    cast = Cast()
    ticket = make_ticket(cast=cast, title="苏州市第三人民医院收费处打印机卡纸")
    make_ticket(cast=cast, title="苏州的打印机")
    found = ticket_list(actor=cast.agent, filters=TicketFilters(text="苏州市第三人民医院")).items
    assert [t.pk for t in found] == [ticket.pk]
