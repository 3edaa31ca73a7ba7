"""Ticket search: the document, the filter, and the database index following the column."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from weibao.customers.tests.factories import CustomerFactory, DeliveredSystemFactory
from weibao.tickets.choices import Channel, Visibility
from weibao.tickets.models import Ticket, TicketComment
from weibao.tickets.search import (
    TICKET_FTS_TABLE,
    filter_tickets_by_text,
    ticket_search_document,
    ticket_search_refresh,
    ticket_search_reindex,
)

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)


def make_ticket(*, number: int, title: str, description: str = "", days: int = 0, **kwargs: Any) -> Ticket:
    customer: Any = kwargs.pop("customer", None) or CustomerFactory()
    ticket = Ticket.objects.create(
        number=number,
        customer=customer,
        channel=Channel.PHONE,
        title=title,
        description=description,
        reported_at=T0 + dt.timedelta(days=days),
        **kwargs,
    )
    ticket.search_document = ticket_search_document(ticket=ticket)
    ticket.save()
    return ticket


def found(text: str) -> list[int]:
    tickets = filter_tickets_by_text(queryset=Ticket.objects.all(), text=text)
    return sorted(tickets.values_list("number", flat=True))


@pytest.fixture
def tickets() -> dict[str, Ticket]:
    customer = CustomerFactory(name="瑞金医院")
    system = DeliveredSystemFactory(customer=customer, name="LIS 检验系统")
    return {
        "invoice": make_ticket(
            number=1001,
            title="门诊挂号系统无法打印发票",
            description="<p>收费窗口点击<b>打印</b>后无反应</p>",
            customer=customer,
            days=1,
        ),
        "printer": make_ticket(
            number=1002,
            title="Printer offline after upgrade",
            description="<p>The label <em>printer</em> on ward 3 shows error&nbsp;500</p>",
            days=2,
        ),
        "lis": make_ticket(number=2001, title="检验报告无法回传", system=system, customer=customer, days=3),
    }


def test_document_holds_number_title_description_customer_and_system(tickets: dict[str, Ticket]) -> None:
    words = tickets["lis"].search_document.split(" ")
    assert {"2001", "检验", "报告", "回传", "瑞金", "医院", "lis"} <= set(words)
    words = tickets["printer"].search_document.split(" ")
    assert {"1002", "printer", "label", "ward", "500"} <= set(words)
    assert not {"p", "em", "nbsp"} & set(words)  # tags and entities are gone


def test_document_holds_public_and_internal_comments(tickets: dict[str, Ticket]) -> None:
    ticket = tickets["printer"]
    TicketComment.objects.create(ticket=ticket, visibility=Visibility.PUBLIC, body="<p>已更换硒鼓</p>")
    TicketComment.objects.create(ticket=ticket, visibility=Visibility.INTERNAL, body="<p>驱动 bug 待修复</p>")
    words = set(ticket_search_document(ticket=ticket).split(" "))
    assert {"硒鼓", "驱动", "bug", "修复"} <= words
    public = set(ticket_search_document(ticket=ticket, include_internal=False).split(" "))
    assert "硒鼓" in public
    assert not {"驱动", "bug"} & public


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("挂号", [1001]),
        ("发票", [1001]),
        ("打印 发票", [1001]),
        ("printer", [1002]),
        ("PRINTER Offline", [1002]),
        ("prin", [1002]),  # the last word is a prefix: search as you type
        ("upgr", [1002]),
        ("瑞金", [1001, 2001]),  # customer name
        ("lis 回传", [2001]),  # system name
        ("无法", [1001, 2001]),
        ("1002", [1002]),
        ("#2001", [2001]),
        ("100", []),  # numbers are whole words, not prefixes
        ("error 500", [1002]),
        ("挂号 printer", []),
        ("扫描仪", []),
    ],
)
def test_filter_finds_by_words_prefix_and_number(
    tickets: dict[str, Ticket], text: str, numbers: list[int]
) -> None:
    assert found(text) == numbers


@pytest.mark.parametrize("text", ["", "   ", "，。！", "的", '"', "*", "&|!()"])
def test_text_without_words_leaves_the_queryset_unchanged(tickets: dict[str, Ticket], text: str) -> None:
    queryset = Ticket.objects.filter(number__gte=1002)
    assert filter_tickets_by_text(queryset=queryset, text=text) is queryset


def test_number_matches_exactly_even_without_a_document(tickets: dict[str, Ticket]) -> None:
    bare = Ticket.objects.create(
        number=4242, customer=tickets["lis"].customer, channel=Channel.EMAIL, title="x", reported_at=T0
    )
    assert bare.search_document == ""
    assert found("#4242") == [4242]
    assert found("# 4242") == [4242]
    assert found("99999999999999999999999") == []  # beyond bigint: no error


@pytest.mark.parametrize(
    "text",
    [
        '发票" OR "*',
        "发票 OR printer",
        "发票 NOT 挂号",
        "NEAR(发票 printer)",
        "search_document:发票",
        "发票*",
        "'发票' | 'printer'",
        "发票:* | !挂号",
        "(发票 & printer)",
        "1001 OR 1=1",
        "1001' OR '1'='1",
        "x); DROP TABLE tickets_ticket; --",
    ],
)
def test_injection_attempts_never_raise_nor_widen(tickets: dict[str, Ticket], text: str) -> None:
    assert set(found(text)) <= {1001}
    assert Ticket.objects.count() == 3


def test_filter_composes_with_other_filters_ordering_and_slicing(tickets: dict[str, Ticket]) -> None:
    queryset = filter_tickets_by_text(
        queryset=Ticket.objects.filter(customer=tickets["lis"].customer), text="无法"
    )
    assert [t.number for t in queryset.order_by("-reported_at")[:50]] == [2001, 1001]
    assert queryset.count() == 2
    assert list(Ticket.objects.exclude(pk__in=queryset.values("pk")).values_list("number", flat=True)) == [
        1002
    ]


def test_updating_the_document_updates_the_index(tickets: dict[str, Ticket]) -> None:
    ticket = tickets["printer"]
    ticket.title = "扫描仪卡纸"
    ticket.description = ""
    ticket.search_document = ticket_search_document(ticket=ticket)
    ticket.save()
    assert found("扫描仪") == [1002]
    assert found("printer") == []


def test_refresh_after_a_comment(tickets: dict[str, Ticket]) -> None:
    ticket = tickets["lis"]
    before = Ticket.objects.values_list("updated_at", "version").get(pk=ticket.pk)
    TicketComment.objects.create(
        ticket=ticket, visibility=Visibility.INTERNAL, body="<p>重启 middleware 服务</p>"
    )
    assert found("middleware") == []
    ticket_search_refresh(ticket=ticket)
    assert found("middleware") == [2001]
    assert Ticket.objects.values_list("updated_at", "version").get(pk=ticket.pk) == before


def test_reindex_rebuilds_stale_documents(tickets: dict[str, Ticket]) -> None:
    Ticket.objects.update(search_document="")
    assert found("挂号") == []
    assert ticket_search_reindex(batch_size=2) == 3
    assert found("挂号") == [1001]
    assert ticket_search_reindex() == 0


def test_deleting_a_ticket_removes_it_from_the_index(tickets: dict[str, Ticket]) -> None:
    tickets["invoice"].delete()
    assert found("挂号") == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tickets_ticket_fts WHERE tickets_ticket_fts MATCH 'printer'")
            assert cursor.fetchone()[0] == 1
            # An external-content table answers from its own index: the 'delete' trigger removed the row.
            cursor.execute("SELECT count(*) FROM tickets_ticket_fts WHERE tickets_ticket_fts MATCH '挂号'")
            assert cursor.fetchone()[0] == 0
            cursor.execute("INSERT INTO tickets_ticket_fts(tickets_ticket_fts) VALUES ('integrity-check')")


def test_the_index_exists() -> None:
    assert TICKET_FTS_TABLE == "tickets_ticket_fts"
    """Fails if a later migration rebuilt tickets_ticket on SQLite and lost the triggers (see 0003)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tickets_ticket'"
            )
            names = {row[0] for row in cursor.fetchall()}
            assert {"tickets_ticket_fts_ai", "tickets_ticket_fts_ad", "tickets_ticket_fts_au"} <= names
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_search_gin'")
            assert "gin (search_vector)" in cursor.fetchone()[0]
            cursor.execute(
                "SELECT generation_expression FROM information_schema.columns"
                " WHERE table_name = 'tickets_ticket' AND column_name = 'search_vector'"
            )
            assert "to_tsvector('simple'::regconfig, search_document)" in cursor.fetchone()[0]
            cursor.execute(
                "SELECT attstattarget FROM pg_attribute"
                " WHERE attrelid = 'tickets_ticket'::regclass AND attname = 'search_vector'"
            )
            assert cursor.fetchone()[0] == 1000


@pytest.mark.postgres
def test_postgresql_uses_the_gin_index(tickets: dict[str, Ticket]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    queryset = filter_tickets_by_text(queryset=Ticket.objects.all(), text="挂号")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_search_gin" in plan
