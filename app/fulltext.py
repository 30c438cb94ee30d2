"""Full-text search: the one way a list or the search page matches text.

SQLite: an FTS5 table per searched table (external content: it stores only
the index, the text stays in its table), tokenizer `unicode61
remove_diacritics 2`, kept in sync by triggers, ranked by bm25.
PostgreSQL: a GIN index on a tsvector expression over the same columns, in
the `goldfish_search` configuration (`simple` with `unaccent`), ranked by
ts_rank. Both are built by migration 7f3c2a91d5e0; the triggers and the
index cannot be forgotten by a service that writes a row.

What a person types is never handed to either query language: it is cut
into words (letters and digits), each matched as a prefix, all required.
Quotes, operators, stray `*` or `-` are just separators, so no input can
raise a syntax error."""

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup, escape

from app.listing import fold

QUERY_MAX = 200  # characters a search box accepts
TERMS_MAX = 12  # words of a query that count; the rest are ignored
TERM_MAX = 64  # characters of one word that count
PG_CONFIG = "goldfish_search"
# Marks around a matched word in a snippet, from the database; private-use
# characters, swapped for <mark> only after the snippet is escaped.
START, STOP = "\ue000", "\ue001"
_WORD = re.compile(r"[^\W_]+")  # FTS5's unicode61 splits on "_" too
_MARKS = re.compile(f"([{START}{STOP}])")
_BM25 = {"A": 10.0, "B": 4.0, "C": 1.0}


@dataclass(frozen=True)
class Index:
    """A searched table: its columns (with a weight, A highest) and the
    columns a snippet is cut from."""

    table: str
    columns: tuple[tuple[str, str], ...]
    snippet_of: tuple[str, ...]

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"

    @property
    def pg_index(self) -> str:
        return f"ix_{self.table}_fulltext"

    @property
    def pg_document(self) -> str:
        """The indexed tsvector; queries spell it exactly so, or the GIN index is not used."""
        return " || ".join(
            f"setweight(to_tsvector('{PG_CONFIG}', coalesce({column}, '')), '{weight}')"
            for column, weight in self.columns
        )


RELEASES = Index("release", (("title", "A"), ("organisation", "B"), ("summary", "C")), ("summary",))
PROJECTS = Index("project", (("title", "A"), ("summary", "C")), ("summary",))
JOURNAL = Index("journal_entry", (("body", "B"), ("learned", "B")), ("body", "learned"))
INDEXES = (RELEASES, PROJECTS, JOURNAL)


def is_index_object(name: str | None) -> bool:
    """An FTS5 table (and its shadow tables) or a GIN index made by the
    migration, unknown to the models' metadata (see alembic/env.py)."""
    return bool(name) and any(
        name == i.fts or name.startswith(f"{i.fts}_") or name == i.pg_index for i in INDEXES
    )


def terms(text: str) -> list[str]:
    """The words of a query, folded (accents and case aside), at most TERMS_MAX."""
    return [word[:TERM_MAX] for word in _WORD.findall(fold(text[:QUERY_MAX]))][:TERMS_MAX]


@dataclass(frozen=True)
class Match:
    """Rows of one index whose text has every word of a query as a prefix."""

    index: Index
    words: list[str]
    dialect: str

    @property
    def _sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def _fts(self) -> Any:
        return sa.literal_column(self.index.fts)

    def _tsquery(self) -> Any:
        query = " & ".join(f"{word}:*" for word in self.words)
        return sa.func.to_tsquery(sa.literal_column(f"'{PG_CONFIG}'"), query)

    def ids(self) -> sa.Select:
        """The ids of every matching row, for `Model.id.in_(...)` in a list's own query."""
        if self._sqlite:
            return (
                sa.select(sa.literal_column("rowid"))
                .select_from(sa.table(self.index.fts))
                .where(self._fts.op("MATCH")(self._fts_query()))
            )
        table = sa.table(self.index.table, sa.column("id"))
        return sa.select(table.c.id).where(
            sa.literal_column(self.index.pg_document).op("@@")(self._tsquery())
        )

    def _fts_query(self) -> str:
        # Every word quoted (it holds only letters and digits), as a prefix.
        return " ".join(f'"{word}"*' for word in self.words)

    def ranked(self, model: Any, *columns: Any, scope: Any, limit: int) -> sa.Select:
        """(model columns…, title marks, snippet) of the best `limit` rows in
        `scope`, best first. Title marks is the first column with the
        matched words marked (START/STOP), the snippet a piece of
        `snippet_of` around them; give both to `marked` to render."""
        first = self.index.columns[0][0]
        if self._sqlite:
            fts = self._fts
            columns_of = [name for name, _ in self.index.columns]
            cut = (
                columns_of.index(self.index.snippet_of[0])
                if len(self.index.snippet_of) == 1
                else -1
            )
            rank = sa.func.bm25(fts, *(_BM25[w] for _, w in self.index.columns))
            title = sa.func.highlight(fts, 0, START, STOP)
            snippet = sa.func.snippet(fts, cut, START, STOP, "…", 24)
            return (
                sa.select(*columns, title, snippet)
                .select_from(sa.table(self.index.fts))
                .join(model, model.id == sa.literal_column(f"{self.index.fts}.rowid"))
                .where(fts.op("MATCH")(self._fts_query()), scope)
                .order_by(rank, model.id.desc())
                .limit(limit)
            )
        document = sa.literal_column(self.index.pg_document)
        query = self._tsquery()
        config = sa.literal_column(f"'{PG_CONFIG}'")
        options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12"
        text = sa.func.concat_ws(" ", *(getattr(model, name) for name in self.index.snippet_of))
        title = sa.func.ts_headline(
            config, getattr(model, first), query, "HighlightAll=true, " + options
        )
        snippet = sa.func.ts_headline(config, text, query, options)
        return (
            sa.select(*columns, title, snippet)
            .where(document.op("@@")(query), scope)
            .order_by(sa.func.ts_rank(document, query).desc(), model.id.desc())
            .limit(limit)
        )


def match(index: Index, text: str, *, dialect: str) -> Match | None:
    """The rows of `index` matching `text`, or None when it has no words
    (an empty box, or only punctuation): the caller then filters nothing."""
    words = terms(text)
    return Match(index, words, dialect) if words else None


def marked(text: str | None) -> Markup:
    """A title or snippet from the database, escaped, with the matched words
    in <mark>. Marks in the content itself cannot open a tag left unclosed."""
    out, inside = [], False
    for piece in _MARKS.split(text or ""):
        if piece == START:
            if not inside:
                out.append(Markup("<mark>"))
            inside = True
        elif piece == STOP:
            if inside:
                out.append(Markup("</mark>"))
            inside = False
        else:
            out.append(escape(piece))
    if inside:
        out.append(Markup("</mark>"))
    return Markup("").join(out)


def unmarked(text: str | None) -> str:
    """A title or snippet from the database as plain text, marks dropped."""
    return _MARKS.sub("", text or "")
