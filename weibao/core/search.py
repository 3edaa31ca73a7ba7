"""Full-text search over jieba-segmented documents, one code path for SQLite and PostgreSQL (ADR 0005).

A model keeps a ``search_document`` text column holding the space-separated tokens of everything worth
finding (:func:`search_document`). The database indexes that column with a plain whitespace/Unicode
tokenizer -- an FTS5 ``unicode61`` table on SQLite, a stored ``to_tsvector('simple', ...)`` column with a
GIN index on PostgreSQL, both created by the model's migration -- which is enough because the Chinese
words were already cut by jieba here. Queries go through the same :func:`search_tokens`, so a query
token and a document token are produced by the same code.

User input never reaches the database as query syntax: every token is quoted for the backend's query
language (:func:`build_match_query`) and passed as a bound parameter (:func:`filter_by_search`).
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import NotSupportedError, connection, connections
from django.db.models import BooleanField, F, Func, Model, Q, QuerySet, Value
from django.db.models.expressions import Col

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

_M = TypeVar("_M", bound=Model)

#: Tokens longer than this are hashes, base64 blobs or pasted logs: never searched for, so not stored.
MAX_TOKEN_CHARS = 64
#: A document is cut at this length. PostgreSQL refuses a tsvector over 1 MB; the number, title and
#: description come first, so only the tail of a very long comment thread is dropped.
MAX_DOCUMENT_CHARS = 100_000
#: Each part of a document is read up to this length (a pasted log must not stall a service write).
MAX_PART_CHARS = 200_000
#: A query longer than this is truncated before segmentation (a search box, not a document).
MAX_QUERY_CHARS = 500
#: At most this many tokens are ANDed together in one query.
MAX_QUERY_TOKENS = 16

# Single characters that carry no meaning on their own; multi-character words are always kept.
_CJK_STOP_CHARS = frozenset("的了是在和与及或也就都而着被把让请吗呢吧啊呀哦嗯么之其这那个我你他她它们")
_ASCII_STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "i", "in", "is", "it", "of", "on", "or",
     "the", "to", "was", "were", "with"}
)  # fmt: skip
# Letters and digits only: "_" and every punctuation or symbol separate words.
_WORD_RE = re.compile(r"[^\W_]+")
_IDENTIFIER_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba_cache_dir() -> str:
    """A private writable directory for jieba's dictionary cache: ``VAR_DIR/cache``, else the temp dir."""
    var_dir = getattr(settings, "VAR_DIR", None)
    if var_dir:
        cache_dir = Path(var_dir) / "cache"
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass
        else:
            return str(cache_dir)
    return tempfile.gettempdir()


def _jieba() -> Any:
    """The process-wide jieba tokenizer, its dictionary loaded on first use (about a second), once."""
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.dt.tmp_dir = _jieba_cache_dir()
                jieba.dt.initialize()
                _jieba_ready = True
    return jieba.dt


def _is_noise(token: str) -> bool:
    if len(token) > MAX_TOKEN_CHARS:
        return True
    if token in _ASCII_STOPWORDS:
        return True
    return len(token) == 1 and token in _CJK_STOP_CHARS


def search_tokens(*, text: str) -> list[str]:
    """The distinct search tokens of ``text``, in order of first appearance.

    Text is NFKC-normalised (full-width letters and digits become ASCII) and lower-cased; jieba's
    search mode cuts Chinese into words plus their shorter dictionary sub-words (门诊挂号 -> 门诊, 挂号);
    letters and digits elsewhere split on anything that is not a letter or digit (``v5.2`` -> v5, 2).
    The HMM guesser is off: it glues unknown characters into context-dependent words ("后白屏"), so a
    query could segment differently from the document; without it unknown words fall apart into
    single characters, which still match. Punctuation, one-character stop words and over-long tokens
    are dropped.
    """
    if not text or not text.strip():
        return []
    normalised = unicodedata.normalize("NFKC", text).lower()
    tokens: dict[str, None] = {}
    for piece in _jieba().cut_for_search(normalised, HMM=False):
        for token in _WORD_RE.findall(piece):
            if not _is_noise(token):
                tokens.setdefault(token, None)
    return list(tokens)


def search_document(*, parts: list[str]) -> str:
    """The stored document for ``parts`` (plain text, most important first): distinct tokens, space-joined.

    Capped at :data:`MAX_DOCUMENT_CHARS` (tokens past the cap are left out); each part is read up to
    :data:`MAX_PART_CHARS`.
    """
    seen: dict[str, None] = {}
    length = 0
    for part in parts:
        for token in search_tokens(text=part[:MAX_PART_CHARS]):
            if token in seen:
                continue
            length += len(token) + 1
            if length > MAX_DOCUMENT_CHARS:
                return " ".join(seen)
            seen[token] = None
    return " ".join(seen)


def _fts5_string(token: str) -> str:
    # An FTS5 string literal: double quotes doubled. Inside one, AND/OR/NOT/NEAR, *, ^, :, ( ) are text.
    return '"' + token.replace('"', '""') + '"'


def _tsquery_lexeme(token: str) -> str:
    # A tsquery quoted lexeme: backslash and single quote escaped. Inside one, & | ! ( ) : * <-> are text.
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _may_be_unfinished(token: str) -> bool:
    """Whether the last token may still be being typed, so it should match as a prefix.

    Latin words ("prin" -> "printer") and a lone Chinese character may be unfinished; a Chinese word
    jieba recognised (two or more characters) is complete. Prefix-matching such a word is costly when
    it is common: ``'医院':*`` walks every index entry starting with 医院, ~50-70 ms at 1M tickets.
    Numbers are never prefixes (see below).
    """
    if token.isdigit():
        return False
    if token.isascii():
        return True
    return len(token) == 1


_CJK_RE = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")


def _drop_implied(tokens: list[str]) -> list[str]:
    """``tokens`` without the Chinese sub-words that another token already implies.

    jieba's search mode emits every dictionary 2-gram of a word longer than two characters and every
    dictionary 3-gram of a word longer than three before the word itself (``苏州市`` -> 苏州, 州市,
    苏州市), so a document holding ``苏州市`` always holds 苏州 and 州市 too: requiring them as well
    matches the same rows, but each extra lexeme is one more posting list to intersect (a common
    one costs milliseconds at 1M tickets). The last token is kept as it is (it may be a prefix).
    """
    if len(tokens) < 2:
        return tokens
    freq = _jieba().FREQ
    longer = [t for t in tokens if len(t) > 2 and _CJK_RE.match(t)]

    def implied(token: str) -> bool:
        if len(token) not in (2, 3) or not _CJK_RE.match(token) or not freq.get(token):
            return False
        return any(token in word and len(word) > len(token) + (len(token) == 3) for word in longer)

    return [t for t in tokens[:-1] if not implied(t)] + tokens[-1:]


def build_match_query(*, text: str, vendor: str | None = None) -> str | None:
    """The backend query for ``text``: every token required, the last as a prefix; None if no tokens.

    ``vendor`` is a Django database vendor ("sqlite" or "postgresql"), the default connection's by
    default. The last token is a prefix (search as you type) when it may be unfinished: a Latin word or
    a single Chinese character, never a number or a whole Chinese word. SQLite gives an
    FTS5 MATCH expression (``"挂号" AND "发票"*``), PostgreSQL a ``to_tsquery('simple', ...)`` string
    (``'挂号' & '发票':*``). Tokens are quoted, so input such as ``b" OR "*`` or ``x:* | !y`` is
    searched for as words and never changes the query's structure.
    """
    vendor = vendor or connection.vendor
    tokens = _drop_implied(search_tokens(text=text[:MAX_QUERY_CHARS])[:MAX_QUERY_TOKENS])
    if not tokens:
        return None
    # Numbers are never prefixes: every ticket holds its own number, so "2"* would match nearly all
    # tickets through thousands of distinct rare words, which PostgreSQL estimates as 0.5 % and so
    # reads through a bitmap of the whole table (~110 ms at 200k); FTS5 merges as many doclists.
    prefix = _may_be_unfinished(tokens[-1])
    if vendor == "sqlite":
        quoted = [_fts5_string(token) for token in tokens]
        quoted[-1] += "*" if prefix else ""
        return " AND ".join(quoted)
    if vendor == "postgresql":
        quoted = [_tsquery_lexeme(token) for token in tokens]
        quoted[-1] += ":*" if prefix else ""
        return " & ".join(quoted)
    raise NotSupportedError(f"full-text search is not implemented for {vendor!r}")


class _Fts5Match(Func):
    """``+<pk> IN (SELECT rowid FROM <fts_table> WHERE <fts_table> MATCH %s)``.

    The unary ``+`` stops SQLite from driving the query by primary-key lookups of every match followed
    by a sort: a frequent word matches half the table, and fetching 100k rows to keep 50 took ~120 ms
    at 200k tickets. Without it SQLite walks an index that already serves the ORDER BY (every list
    index ends in ``reported_at, id``) and probes the match list, stopping at the LIMIT: ~1-35 ms.
    """

    output_field = BooleanField()

    def __init__(self, pk: Any, query: Any, *, fts_table: str) -> None:
        super().__init__(pk, query)
        self.fts_table = fts_table

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, list[Any]]:
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        query_sql, query_params = compiler.compile(self.source_expressions[1])
        fts = connection.ops.quote_name(self.fts_table)
        # fts_table is checked to be an identifier and quoted; the query text is a bound parameter.
        sql = f"+{pk_sql} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH {query_sql})"  # noqa: S608
        return sql, [*pk_params, *query_params]


class _TsMatch(Func):
    """``<table>.<vector_column> @@ to_tsquery('simple', %s)``, the vector column named by the caller.

    The column is a stored ``tsvector`` generated from the document (created by the model's search
    migration, unknown to Django, hence addressed through the document column's table alias). Matching
    a stored vector costs a microsecond a row; ``to_tsvector(document)`` recomputed per row costs ~45 us,
    which PostgreSQL pays whenever it walks the ORDER BY index instead of the GIN bitmap -- 100-400 ms
    for a word in 1-5 % of 200k tickets (ADR 0005).
    """

    output_field = BooleanField()

    def __init__(self, column: Any, query: Any, *, vector_column: str) -> None:
        super().__init__(column, query)
        self.vector_column = vector_column

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, list[Any]]:
        column = self.source_expressions[0]
        if not isinstance(column, Col):
            raise TypeError("the search document must be a plain column")
        # Quoted the way Col.as_sql quotes its own table alias (subquery aliases such as U0 are bare).
        vector = connection.ops.quote_name(self.vector_column)
        if column.alias:
            vector = f"{compiler.quote_name_unless_alias(column.alias)}.{vector}"
        query_sql, query_params = compiler.compile(self.source_expressions[1])
        return f"{vector} @@ to_tsquery('simple', {query_sql})", [*query_params]


def search_condition(
    *,
    text: str,
    fts_table: str,
    using: str = "default",
    column: str = "search_document",
    vector_column: str = "search_vector",
) -> Q | None:
    """A ``Q`` matching rows whose document ``column`` matches ``text``; None when ``text`` has no tokens.

    For combining with other conditions. ``fts_table`` is the SQLite FTS5 table indexing ``column``
    (``content_rowid`` = the primary key); ``vector_column`` the PostgreSQL stored
    ``to_tsvector('simple', column)`` with a GIN index. Each backend ignores the other's name.
    """
    for name in (fts_table, column, vector_column):
        if not _IDENTIFIER_RE.match(name):
            raise ValueError(f"not an identifier: {name!r}")
    vendor = connections[using].vendor
    query = build_match_query(text=text, vendor=vendor)
    if query is None:
        return None
    if vendor == "sqlite":
        return Q(_Fts5Match(F("pk"), Value(query), fts_table=fts_table))
    return Q(_TsMatch(F(column), Value(query), vector_column=vector_column))


def filter_by_search(
    *,
    queryset: QuerySet[_M],
    text: str,
    table: str,
    fts_table: str,
    vector_column: str = "search_vector",
) -> QuerySet[_M]:
    """``queryset`` narrowed to rows whose ``search_document`` matches ``text`` (all tokens, last as prefix).

    ``table`` is the model's table (checked against the queryset, so an index is never applied to the
    wrong model); ``fts_table`` its SQLite FTS5 table, ``vector_column`` its PostgreSQL tsvector column.
    Text without tokens (empty, only punctuation or stop words) returns ``queryset`` unchanged.
    Ordering is left to the caller; order by an indexed column (the list indexes end in reported_at, id).
    """
    if table != queryset.model._meta.db_table:
        raise ValueError(f"{table!r} is not the table of {queryset.model.__name__}")
    condition = search_condition(
        text=text, fts_table=fts_table, using=queryset.db, vector_column=vector_column
    )
    if condition is None:
        return queryset
    return queryset.filter(condition)
