"""The search service: tokens, backend query strings, and that user input cannot inject query syntax."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import NotSupportedError, connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weibao.core.search import (
    MAX_DOCUMENT_CHARS,
    MAX_QUERY_TOKENS,
    build_match_query,
    search_document,
    search_tokens,
)

# ---------------------------------------------------------------- tokens


def test_chinese_is_cut_into_words_and_sub_words() -> None:
    tokens = search_tokens(text="门诊挂号系统无法打印发票")
    assert {"门诊", "挂号", "系统", "打印", "发票", "打印发票"} <= set(tokens)
    assert "门诊挂号系统无法打印发票" not in tokens


def test_english_is_lowercased_and_split_on_punctuation() -> None:
    assert search_tokens(text="Printer OFFLINE: error-500, retry_count=3") == [
        "printer",
        "offline",
        "error",
        "500",
        "retry",
        "count",
        "3",
    ]


def test_mixed_text_keeps_both_scripts() -> None:
    tokens = search_tokens(text="HIS系统V5.2登录失败")
    assert {"his", "系统", "v5", "2", "登录", "失败"} <= set(tokens)


def test_numbers_and_full_width_characters() -> None:
    assert search_tokens(text="报修 #20240501 ＨＩＳ１２３") == ["报修", "20240501", "his123"]
    # A word missing from jieba's dictionary falls apart into characters, the same in query and document.
    assert search_tokens(text="工单") == ["工", "单"]


def test_noise_is_dropped_and_tokens_are_distinct_in_order() -> None:
    assert search_tokens(text="打印的打印，了！ the printer and the PRINTER") == ["打印", "printer"]
    assert search_tokens(text="  ，。！？…… ——  ") == []
    assert search_tokens(text="") == []
    assert search_tokens(text="x" * 65) == []


def test_search_document_joins_distinct_tokens_of_all_parts() -> None:
    document = search_document(parts=["1001", "打印机故障", "<p>ignored?</p> Printer 打印"])
    assert document.split(" ")[:3] == ["1001", "打印", "印机"]
    assert document.split(" ").count("打印") == 1
    assert "printer" in document.split(" ")


def test_search_document_is_capped() -> None:
    parts = [f"word{n}" for n in range(30_000)]
    document = search_document(parts=parts)
    assert 0 < len(document) <= MAX_DOCUMENT_CHARS
    assert document.startswith("word0 word1 ")


# ---------------------------------------------------------------- query strings


def test_sqlite_query_quotes_tokens_and_prefixes_the_last() -> None:
    assert build_match_query(text="挂号 发", vendor="sqlite") == '"挂号" AND "发"*'


def test_postgresql_query_quotes_tokens_and_prefixes_the_last() -> None:
    assert build_match_query(text="挂号 发", vendor="postgresql") == "'挂号' & '发':*"


def test_a_trailing_number_is_not_a_prefix() -> None:
    assert build_match_query(text="error 50", vendor="sqlite") == '"error" AND "50"'
    assert build_match_query(text="50 error", vendor="postgresql") == "'50' & 'error':*"


@pytest.mark.parametrize("text", ["", "   ", "，。！", "的 了", '"', "*", "&|!()", ":*"])
def test_no_tokens_no_query(text: str) -> None:
    assert build_match_query(text=text, vendor="sqlite") is None
    assert build_match_query(text=text, vendor="postgresql") is None


@pytest.mark.parametrize(
    "text",
    ['b" OR "*', "x NEAR y", "NOT foo", "col:foo", "foo* ^bar", "x:* | !y & (z)", "a <-> b", "o'neil \\'"],
)
def test_operators_become_plain_words(text: str) -> None:
    for vendor in ("sqlite", "postgresql"):
        query = build_match_query(text=text, vendor=vendor)
        assert query is not None
        for operator in (" OR ", " NOT ", " NEAR", "|", "!", "<->", "(", "^"):
            assert operator not in query


def test_long_queries_are_truncated() -> None:
    query = build_match_query(text=" ".join(f"w{n}" for n in range(100)), vendor="sqlite")
    assert query is not None
    assert query.count(" AND ") == MAX_QUERY_TOKENS - 1


def test_unknown_vendor_is_refused() -> None:
    with pytest.raises(NotSupportedError):
        build_match_query(text="x", vendor="oracle")


# ---------------------------------------------------------------- against the real backend

DOCUMENTS = {
    1: search_document(parts=["门诊挂号系统无法打印发票"]),
    2: search_document(parts=["Printer offline after upgrade to v5.2"]),
    3: search_document(parts=["医保结算 and printing 发票"]),
    4: "",  # matches nothing, ever
}


Matcher = Callable[[str], set[int]]


@pytest.fixture
def match(db: None) -> Iterator[Matcher]:
    """A function running a match query over ``DOCUMENTS`` on the test database: query -> matching ids."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("CREATE VIRTUAL TABLE temp.search_probe USING fts5(doc, tokenize='unicode61')")
            for rowid, document in DOCUMENTS.items():
                cursor.execute("INSERT INTO temp.search_probe(rowid, doc) VALUES (%s, %s)", [rowid, document])

        def run(query: str) -> set[int]:
            with connection.cursor() as cursor:
                cursor.execute("SELECT rowid FROM temp.search_probe WHERE search_probe MATCH %s", [query])
                return {row[0] for row in cursor.fetchall()}

        yield run
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE temp.search_probe")
    else:

        def run(query: str) -> set[int]:
            found: set[int] = set()
            with connection.cursor() as cursor:
                for rowid, document in DOCUMENTS.items():
                    cursor.execute(
                        "SELECT to_tsvector('simple', %s) @@ to_tsquery('simple', %s)", [document, query]
                    )
                    if cursor.fetchone()[0]:
                        found.add(rowid)
            return found

        yield run


def _query(text: str) -> str:
    query = build_match_query(text=text)
    assert query is not None
    return query


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("挂号", {1}),
        ("发票", {1, 3}),
        ("打印 发票", {1}),
        ("PRINTER", {2}),
        ("print", {2, 3}),
        ("printer upgrade", {2}),
        ("v5.2", {2}),
        ("v5", {2}),
        ("v", {2}),
        ("医保 print", {3}),
        ("挂号 printer", set()),
        ("门", {1}),
    ],
)
def test_queries_match_on_the_database(match: Matcher, text: str, expected: set[int]) -> None:
    assert match(_query(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        '发票" OR "*',
        "发票 OR printer",
        "发票 NOT 挂号",
        "NEAR(发票 printer)",
        "search_document:发票",
        "发票 ^printer",
        "发票*",
        "'发票' | 'printer'",
        "发票:* | !挂号",
        "(发票 & printer)",
        "发票 <-> printer",
        "发票\\' | printer",
        '"""发票',
    ],
)
def test_injection_attempts_neither_raise_nor_widen(match: Matcher, text: str) -> None:
    found = match(_query(text))
    assert 4 not in found
    assert found <= {1, 3}  # never more than the plain word 发票 finds


WORDS = ["挂号", "发票", "打印", "printer", "AND", "OR", "NOT", "NEAR", "医保", "v5"]
NOISE = [*"\"'*:&|!()^-+<>\\{}[],.;~", " ", "  "]
query_text = st.lists(
    st.sampled_from(WORDS) | st.sampled_from(NOISE) | st.text(alphabet="abprv25门挂号发票印医", max_size=3),
    max_size=8,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=query_text)
def test_any_input_is_a_valid_query_that_never_matches_more_than_its_words(match: Matcher, text: str) -> None:
    query = build_match_query(text=text)
    if query is None:
        return
    tokens = search_tokens(text=text)[:MAX_QUERY_TOKENS]
    found = match(query)
    assert 4 not in found
    for rowid in found:
        words = DOCUMENTS[rowid].split(" ")
        assert all(token in words for token in tokens[:-1])
        assert any(word.startswith(tokens[-1]) for word in words)


def test_only_possibly_unfinished_last_words_are_prefixes() -> None:
    from weibao.core.search import build_match_query

    assert build_match_query(text="打印 prin", vendor="postgresql") == "'打印' & 'prin':*"
    assert build_match_query(text="人民医院", vendor="postgresql").endswith("'医院'")  # type: ignore[union-attr]
    assert build_match_query(text="打印 挂", vendor="sqlite") == '"打印" AND "挂"*'
    assert build_match_query(text="1024", vendor="sqlite") == '"1024"'
