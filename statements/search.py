"""Search over statements in every language: one denormalised, normalised text per statement.

``Statement.search_text`` holds ``burmese.search_text()`` of the live translations (titles
first, then the slug, summaries, bodies and quotes), so a query is one LIKE over one column:

* zero-width characters (U+200B/C/D, U+2060, U+FEFF) are gone and the text is NFC with the
  canonical Myanmar mark order, so text typed by different people matches;
* it is casefolded, so English matches regardless of case, and a plain substring match finds
  a Burmese word inside unsegmented text (Burmese has no spaces between words);
* on PostgreSQL a GIN trigram index (pg_trgm, migration 0004) serves ``LIKE '%term%'``;
  results rank a match in a title (the first line of the text) first, then by trigram word
  similarity to the titles, then newest. SQLite scans (fine at its scale), same order
  without the similarity.

``refresh_search_text`` is the one writer; it is called wherever live translation rows are
written (``workflow._write_rows`` and the demo loader).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan

# More terms than this is not a search but a paste; the extra ones only slow the query.
MAX_TERMS = 8
# Parts of the search text are separated by a newline so that a term never matches across
# the end of one field and the start of the next.
_SEPARATOR = "\n"
_TITLE_SEPARATOR = " / "


def build_search_text(*, slug: str, translations: Iterable[object]) -> str:
    """The search text of a statement from its translation rows (or historical models)."""
    from burmese import search_text

    rows = sorted(translations, key=lambda t: t.language)
    # The first line holds every title, so "the match is on the first line" means "in a title".
    titles = _TITLE_SEPARATOR.join(p for p in (search_text(t.title) for t in rows) if p)
    parts: list[str] = [slug]
    parts += [t.summary for t in rows]
    parts += [t.body for t in rows]
    for t in rows:
        for quote in t.quotes or []:
            if isinstance(quote, dict):
                parts += [str(quote.get("text", "")), str(quote.get("speaker", ""))]
    return _SEPARATOR.join([titles, *(p for p in (search_text(part) for part in parts) if p)])


def title_line(text: str) -> str:
    """The first line of a search text: every title (stored apart as search_title)."""
    return text.split(_SEPARATOR, 1)[0]


def refresh_search_text(statement) -> str:
    """Recompute and store one statement's search text from its live translation rows."""
    from statements.models import Statement, StatementTranslation

    rows = StatementTranslation.objects.filter(statement_id=statement.pk)
    text = build_search_text(slug=statement.slug, translations=rows)
    title = title_line(text)
    # update(), not save(): no signal, no updated_at bump, nothing else of the row touched.
    Statement.objects.filter(pk=statement.pk).update(search_text=text, search_title=title)
    statement.search_text, statement.search_title = text, title
    return text


def query_terms(q: str) -> list[str]:
    """Normalised terms of a query: Zawgyi converted, NFC, no zero-width, casefolded."""
    from burmese import clean_burmese, search_text

    # confirm=True: a query is never refused; a Zawgyi one is converted, an unsure one is
    # searched as typed (the worst case is no results, not stored garbage).
    cleaned = clean_burmese(q or "", confirm=True).text
    terms: list[str] = []
    for term in search_text(cleaned).split(" "):
        if term and term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


# --- Ranking and the first page fast -------------------------------------------------------
#
# The order: a match in a title first, the newest TITLE_WINDOW of those ranked by trigram word
# similarity of the query to the titles (PostgreSQL; then newest), then the other title
# matches, newest first, then every other match, newest first. Each part is read with a LIMIT:
# a word found in nearly every statement costs a short walk of the newest-first index, not a
# read and rank of every match (bench/search.py); a rare one goes through a trigram index.
TITLE_WINDOW = 40
# Newest rows a walk reads before a sparse word is looked up through a trigram index instead
# (titles are short, so their walk may read more).
WALK_ROWS = 400
TITLE_WALK_ROWS = 2500
# A search counts this many results at most: counting every match of a common word is the
# slow part, and nobody pages through a thousand results ("1,000+" is the honest answer).
COUNT_CAP = 1000
# Matches read in no order beyond those needed: fewer found means every match is known.
WALK_PROBE = 40
_NEWEST = "b.published_at DESC NULLS LAST, b.created_at DESC, b.id DESC"


def _newest() -> list:
    return [F("published_at").desc(nulls_last=True), F("created_at").desc(), F("pk").desc()]


def _has(field: str, term: str) -> Q:
    """``field`` contains ``term`` (strpos/instr): LIKE's meaning without its wildcards, and no
    index serves it, so with ORDER BY newest LIMIT n the planner walks and stops early."""
    return Q(GreaterThan(StrIndex(field, Value(term)), 0))


def _in_text(term: str) -> Q:
    # The title line is part of the text; testing the short title first spares reading the
    # long text of a title match (OR is evaluated left to right).
    return _has("search_title", term) | _has("search_text", term)


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class _Search:
    terms: tuple[str, ...]


class _Candidates:
    """The ids of the first results, read with a few LIMITed queries around the queryset's own
    SQL, compiled once (its filters, the public-text check included, are most of the cost of
    compiling a query). PostgreSQL flattens ``FROM (<queryset>) b``, so each query can walk
    the newest-first index and stop, or use a trigram index, as it would on the table."""

    def __init__(self, rows: QuerySet, search: _Search, trace: list | None):
        self.terms = search.terms
        self.db = rows.db
        self.vendor = connections[self.db].vendor
        self.table = connections[self.db].ops.quote_name(rows.model._meta.db_table)
        self.trace = trace
        base = rows.values("id", "published_at", "created_at", "search_title", "search_text")
        try:
            self.base, self.params = base.query.sql_with_params()
        except EmptyResultSet:
            self.base = None

    def _position(self, field: str) -> str:
        return f"{'strpos' if self.vendor == 'postgresql' else 'instr'}(b.{field}, %s) > 0"

    def _prefix(self, rows: int) -> tuple[str, list]:
        """True of about the newest ``rows`` statements (ties included); of none when there
        are fewer (or the last of them is unpublished): the caller then uses the index."""
        boundary = (
            f"SELECT published_at FROM {self.table} ORDER BY published_at DESC NULLS LAST, "  # noqa: S608
            "created_at DESC, id DESC LIMIT 1 OFFSET %s"
        )
        return f"b.published_at >= ({boundary})", [rows - 1]

    def _query(self, select: str, where: list[str], params: list, tail: str = "") -> list:
        # Only constant fragments and Django's own compiled SQL; every value is a parameter.
        sql = f"SELECT {select} FROM ({self.base}) b"  # noqa: S608
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += tail
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [*self.params, *params])
            found = [row[0] for row in cursor.fetchall()]
        if self.trace is not None:
            self.trace.append((sql, [*self.params, *params]))
        return found

    def _ids(self, where: list[str], params: list, start: int, stop: int | None) -> list:
        limit = " LIMIT %s OFFSET %s" if stop is not None else ""
        extra = [stop - start, start] if stop is not None else []
        return self._query("b.id", where, [*params, *extra], f" ORDER BY {_NEWEST}{limit}")

    def _walk_or_index(self, where, params, walk_rows: int, walked, indexed, stop: int) -> list:
        """The newest ``stop`` rows: walked among the newest rows when enough are there (a
        common word), else through a trigram index (a sparse one)."""
        prefix, prefix_params = self._prefix(walk_rows)
        ids = self._ids(
            [*where, *walked[0], prefix], [*params, *walked[1], *prefix_params], 0, stop
        )
        if len(ids) >= stop:
            return ids
        return self._ids([*where, *indexed[0]], [*params, *indexed[1]], 0, stop)

    def _probe(self, where: list[str], params: list, limit: int) -> list[tuple]:
        """Up to ``limit`` matching rows in no order: cheap whether the word is rare (the
        trigram index finds the few) or common (the scan stops after ``limit``)."""
        rows = self._rows("b.id, b.published_at, b.created_at", where, [*params, limit])
        return rows

    def _rows(self, select: str, where: list[str], params: list) -> list[tuple]:
        sql = f"SELECT {select} FROM ({self.base}) b"  # noqa: S608  (as in _query)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " LIMIT %s"
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [*self.params, *params])
            rows = cursor.fetchall()
        if self.trace is not None:
            self.trace.append((sql, [*self.params, *params]))
        return rows

    def ranked_titles(self) -> tuple[list, bool]:
        """The newest TITLE_WINDOW title matches, best first; and whether there may be more."""
        first = self.terms[0]
        like = (["b.search_title LIKE %s"], [_like(first)])
        probe = self._probe(*like, TITLE_WINDOW + 1)
        more = len(probe) > TITLE_WINDOW
        if more:  # common in titles: walk the newest
            window = self._walk_or_index(
                [],
                [],
                TITLE_WALK_ROWS,
                ([self._position("search_title")], [first]),
                like,
                TITLE_WINDOW,
            )
        else:  # every title match is in the probe
            window = [row[0] for row in sorted(probe, key=_newest_key)]
        if len(window) > 1 and self.vendor == "postgresql":
            sql = (
                f"SELECT b.id FROM {self.table} b WHERE b.id = ANY(%s) "  # noqa: S608
                f"ORDER BY word_similarity(%s, b.search_title) DESC, {_NEWEST}"
            )
            params = [window, " ".join(self.terms)]
            with connections[self.db].cursor() as cursor:
                cursor.execute(sql, params)
                window = [row[0] for row in cursor.fetchall()]
            if self.trace is not None:
                self.trace.append((sql, params))
        return window, more

    def top(self, stop: int) -> list:
        """The ids of the first ``stop`` results, in order."""
        if self.base is None:
            return []
        first = self.terms[0]
        ids, more_titles = self.ranked_titles()
        ids = ids[:stop]
        if len(ids) < stop and more_titles:
            like = (["b.search_title LIKE %s"], [_like(first)])
            ids += self._ids(*like, TITLE_WINDOW, stop)
        if len(ids) < stop:
            need = stop - len(ids)
            others = ([f"NOT {self._position('search_title')}"], [first])
            indexed = (["b.search_text LIKE %s"] * len(self.terms), [_like(t) for t in self.terms])
            probe = self._probe(others[0] + indexed[0], others[1] + indexed[1], need + WALK_PROBE)
            if len(probe) < need + WALK_PROBE:  # every match is in the probe
                ids += [row[0] for row in sorted(probe, key=_newest_key)][:need]
            else:  # common: walk the newest
                ids += self._walk_or_index(*others, WALK_ROWS, ([], []), indexed, need)
        return ids

    def count(self) -> int:
        if self.base is None:
            return 0
        # The LIKE a trigram index serves: the scan of its bitmap stops at COUNT_CAP.
        where = ["b.search_text LIKE %s"] * len(self.terms)
        params = [_like(t) for t in self.terms]
        (counted,) = self._query(
            "COUNT(*) FROM (SELECT 1", where, [*params, COUNT_CAP], " LIMIT %s) c"
        )
        return counted


def _newest_key(row: tuple) -> tuple:
    """Sort key of (id, published_at, created_at) rows, newest first (unpublished last)."""
    pk, published, created = row
    return (published is None, _negated(published), _negated(created), -pk)


def _negated(moment) -> float:
    return -moment.timestamp() if moment is not None else 0.0


class _SearchResults:
    """Mixed into the queryset class search_statements() returns: evaluation, count() and
    exists() find the ids of the rows asked for first (_Candidates), then read those rows with
    the queryset's own filters, select/prefetch and values()."""

    _search: _Search | None = None
    _trace: list | None = None

    def _clone(self):
        clone = super()._clone()
        clone._search = self._search
        return clone

    def _candidates(self) -> _Candidates:
        base = self._chain()
        base._search = None
        base.query.clear_limits()
        base.query.clear_ordering(force=True)
        return _Candidates(base.prefetch_related(None), self._search, self._trace)

    def _narrowed(self) -> QuerySet:
        start, stop = self.query.low_mark, self.query.high_mark
        rows = self._chain()
        rows._search = None
        rows.query.clear_limits()
        candidates = self._candidates()
        if stop is not None:
            ids = candidates.top(stop)[start:stop]
            if not ids:
                return rows.none()
            position = Case(
                *(When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)),
                output_field=IntegerField(),
            )
            return rows.filter(pk__in=ids).order_by(position)
        # Everything from ``start`` (no LIMIT): the same order as one SQL expression.
        window = candidates.ranked_titles()[0] if candidates.base is not None else []
        group = Case(
            When(pk__in=window or [0], then=Value(0)),
            When(search_title__contains=self._search.terms[0], then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        order = [group, *_newest()]
        if window:  # (ORDER BY a bare constant would name a column)
            in_window = Case(
                *(When(pk=pk, then=Value(i)) for i, pk in enumerate(window)),
                default=Value(0),
                output_field=IntegerField(),
            )
            order.insert(1, in_window)
        for term in self._search.terms:  # the LIKE a trigram index serves
            rows = rows.filter(search_text__contains=term)
        rows = rows.order_by(*order)
        rows.query.set_limits(start, None)
        return rows

    def _fetch_all(self):
        if self._result_cache is None and self._search is not None:
            rows = self._narrowed()
            rows._fetch_all()
            self._result_cache = rows._result_cache
            self._prefetch_done = True
        super()._fetch_all()

    def count(self) -> int:
        """The number of results, at most COUNT_CAP."""
        if self._search is None or self._result_cache is not None:
            return super().count()
        if self.query.is_sliced:
            return len(self)
        return self._candidates().count()

    def exists(self) -> bool:
        if self._search is None or self._result_cache is not None:
            return super().exists()
        return bool(self._chain()[:1])

    def explain(self, *, format=None, **options):  # noqa: A002  (Django's name)
        """The plans of the queries that evaluating this queryset runs."""
        if self._search is None:
            return super().explain(format=format, **options)
        probe = self._chain()
        probe._trace = []
        rows = probe._narrowed()
        plans = []
        with connections[self.db].cursor() as cursor:
            for sql, params in probe._trace:
                cursor.execute("EXPLAIN " + sql, params)
                plans.append("\n".join(str(row[0]) for row in cursor.fetchall()))
        if not rows.query.is_empty():
            plans.append(rows.explain(format=format, **options))
        return "\n\n".join(plans)


_SEARCH_CLASSES: dict[type, type] = {}


def _search_results(queryset: QuerySet, search: _Search) -> QuerySet:
    cls = queryset.__class__
    if cls not in _SEARCH_CLASSES:
        _SEARCH_CLASSES[cls] = type(f"Search{cls.__name__}", (_SearchResults, cls), {})
    found = queryset._chain()
    found.__class__ = _SEARCH_CLASSES[cls]
    found._search = search
    return found


def search_statements(queryset: QuerySet, q: str) -> QuerySet:
    """Statements of ``queryset`` containing every term of ``q``, best match first.

    An empty query returns the queryset unchanged. The order is deterministic: a match in a
    title before one elsewhere; among the newest TITLE_WINDOW title matches, on PostgreSQL,
    the trigram word similarity of the query to the titles; then the newest publication
    (unpublished last), newest created, highest id. count() stops at COUNT_CAP.
    """
    terms = query_terms(q)
    if not terms:
        return queryset
    for term in terms:
        queryset = queryset.filter(_in_text(term))
    return _search_results(queryset, _Search(tuple(terms)))
