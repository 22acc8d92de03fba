"""Public search: the staff search (statements/search.py) restricted to text a reader may see."""

from __future__ import annotations

from django.db.models import Exists, Q, QuerySet

from publishing.visibility import translations_of_outer
from statements.search import query_terms, search_statements


def search_public_statements(queryset: QuerySet, q: str) -> QuerySet:
    """``search_statements`` for the public: a match must be in text the public can read.

    search_text covers every live translation, including a draft one (marked incomplete) or
    a language deferred at publication ("Burmese to follow"), whose text nobody approved for
    the public. A public search must not reveal what such text says, not even by finding
    its release, so for a statement that has one, each term must also occur in a readable
    translation (or the slug). Only those few statements pay for the extra check.
    """
    found = search_statements(queryset, q)
    terms = query_terms(q)
    if not terms:
        return found
    # Correlated EXISTS on the outer row, not IN (subquery) nor a join: evaluated only for the
    # rows the search reads, so a search stays a millisecond query (a hashed subplan over
    # every translation cost 60-100 ms at 10,000 statements, bench/search.py).
    hidden = Exists(translations_of_outer(readable=False))
    readable = translations_of_outer(readable=True)
    confirmed = Q()
    for term in terms:
        in_readable = Exists(
            readable.filter(
                Q(title__icontains=term) | Q(summary__icontains=term) | Q(body__icontains=term)
            )
        )
        confirmed &= Q(in_readable) | Q(slug__icontains=term)
    return found.filter(~Q(hidden) | confirmed)
