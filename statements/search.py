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

from django.db import connection
from django.db.models import Case, F, Func, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.functions import StrIndex

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


def refresh_search_text(statement) -> str:
    """Recompute and store one statement's search text from its live translation rows."""
    from statements.models import Statement, StatementTranslation

    rows = StatementTranslation.objects.filter(statement_id=statement.pk)
    text = build_search_text(slug=statement.slug, translations=rows)
    # update(), not save(): no signal, no updated_at bump, nothing else of the row touched.
    Statement.objects.filter(pk=statement.pk).update(search_text=text)
    statement.search_text = text
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


def search_statements(queryset: QuerySet, q: str) -> QuerySet:
    """Statements of ``queryset`` containing every term of ``q``, best match first.

    An empty query returns the queryset unchanged. The order is deterministic: a match in a
    title before one elsewhere; on PostgreSQL then the trigram word similarity of the query to
    the titles; then the newest publication (unpublished last), newest created, highest id.
    """
    terms = query_terms(q)
    if not terms:
        return queryset
    for term in terms:
        # search_text is casefolded and so are the terms: LIKE (not UPPER(...) LIKE, which
        # is Django's icontains on PostgreSQL) is what the trigram index serves.
        queryset = queryset.filter(search_text__contains=term)
    newest = (F("published_at").desc(nulls_last=True), F("created_at").desc(), "-pk")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramWordSimilarity

        # Ranked on the title line only: trigram similarity against the whole text (a few
        # kB per statement) cost seconds for a word found in every statement
        # (bench/search.py); the title line is short and is where relevance shows.
        title_line = Func(
            F("search_text"),
            Value(_SEPARATOR),
            Value(1),
            function="split_part",
            output_field=TextField(),
        )
        queryset = queryset.annotate(search_title=title_line).annotate(
            search_in_title=Case(
                When(search_title__contains=terms[0], then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            search_rank=TrigramWordSimilarity(Value(" ".join(terms)), "search_title"),
        )
        return queryset.order_by("-search_in_title", F("search_rank").desc(), *newest)
    # SQLite: 1 when the first term occurs before the first line break (in a title).
    first_break = StrIndex("search_text", Value(_SEPARATOR))
    position = StrIndex("search_text", Value(terms[0]))
    queryset = queryset.annotate(search_title_end=first_break, search_position=position)
    queryset = queryset.annotate(
        search_in_title=Case(
            When(
                Q(search_title_end=0) | Q(search_position__lt=F("search_title_end")), then=Value(1)
            ),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    return queryset.order_by("-search_in_title", *newest)
