"""RSS 2.0 and Atom feeds of published releases, per language (the URL prefix), per campaign and
per target.

A feed lists the releases readable in its language, newest first; retracted, embargoed and
unpublished ones never appear.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from config.languages import pick
from publishing.rendering import build_summary, release_status
from publishing.signing import current_text_signatures
from publishing.visibility import public_campaigns, public_targets, published_releases

FEED_SIZE = 50
# Each item carries the signature of its canonical text (publishing/signing.py) as
# <pressroom:signature key_id="..." text="<.txt address>">base64</pressroom:signature>.
SIGNATURE_NS = "https://pressroom.invalid/ns/signature/1"


def _add_signature(handler, item) -> None:
    signature = item.get("signature")
    if signature:
        handler.addQuickElement(
            "pressroom:signature",
            signature["value"],
            {"key_id": signature["key_id"], "text": signature["text"]},
        )


class SignedRssFeed(Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:pressroom": SIGNATURE_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        _add_signature(handler, item)


class SignedAtomFeed(Atom1Feed):
    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:pressroom": SIGNATURE_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        _add_signature(handler, item)


class ReleasesRss(Feed):
    feed_type = SignedRssFeed

    @property
    def language(self) -> str:
        # The active language of this request (the /<lang>/ prefix); Feed objects are shared
        # between threads, so nothing per request is stored on them.
        return get_language() or "en"

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=300"
        return response

    def get_object(self, request, *args, **kwargs):
        return None

    def title(self, obj=None) -> str:
        return _("Press releases")

    def description(self, obj=None) -> str:
        return _("Published press releases and statements.")

    def link(self, obj=None) -> str:
        return reverse("public:releases")

    def feed_url(self, obj=None) -> str:
        return reverse("public:feed-rss")

    def _queryset(self, obj):
        return published_releases(language=self.language)

    def items(self, obj=None):
        statements = list(self._queryset(obj)[:FEED_SIZE])
        signatures = current_text_signatures(statements, sign=False)  # signed at publication
        return [
            build_summary(s, self.language)
            | {"_statement": s, "_signature": signatures.get((s.pk, self.language))}
            for s in statements
        ]

    def item_extra_kwargs(self, item) -> dict:
        row = item.get("_signature")
        if row is None:
            return {}
        text = reverse("public:release-txt", kwargs={"slug": item["slug"]})
        return {
            "signature": {
                "key_id": row.key_id,
                "value": row.signature,
                "text": settings.SITE_URL + text,
            }
        }

    def item_title(self, item) -> str:
        return item["title"]

    def item_description(self, item) -> str:
        return item["summary"]

    def item_link(self, item) -> str:
        return item["url"]

    def item_pubdate(self, item):
        return item["_statement"].published_at

    def item_updateddate(self, item):
        statement = item["_statement"]
        return statement.corrected_at or statement.published_at

    def item_categories(self, item):
        categories = [item["campaign"]["name"]]
        if release_status(item["_statement"]) == "corrected":
            categories.append(_("Corrected"))
        return categories


class ReleasesAtom(ReleasesRss):
    feed_type = SignedAtomFeed
    subtitle = ReleasesRss.description

    def feed_url(self, obj=None) -> str:
        return reverse("public:feed-atom")


class CampaignRss(ReleasesRss):
    def get_object(self, request, slug: str):
        return get_object_or_404(public_campaigns(), slug=slug)

    def title(self, obj=None) -> str:
        return f"{pick(obj.name, self.language)} — {_('Press releases')}"

    def description(self, obj=None) -> str:
        return pick(obj.description, self.language) or self.title(obj)

    def link(self, obj=None) -> str:
        return reverse("public:campaign", kwargs={"slug": obj.slug})

    def feed_url(self, obj=None) -> str:
        return reverse("public:campaign-feed-rss", kwargs={"slug": obj.slug})

    def _queryset(self, obj):
        return published_releases(language=self.language, campaign=obj.slug)


class CampaignAtom(CampaignRss):
    feed_type = SignedAtomFeed

    def subtitle(self, obj=None) -> str:
        return self.description(obj)

    def feed_url(self, obj=None) -> str:
        return reverse("public:campaign-feed-atom", kwargs={"slug": obj.slug})


class TargetRss(ReleasesRss):
    """The public releases addressed to one target (its page: /<lang>/targets/<slug>/)."""

    def get_object(self, request, slug: str):
        return get_object_or_404(public_targets(), slug=slug)

    def title(self, obj=None) -> str:
        return f"{pick(obj.name, self.language)} — {_('Press releases')}"

    def description(self, obj=None) -> str:
        return _("Press releases addressed to %(name)s.") % {"name": pick(obj.name, self.language)}

    def link(self, obj=None) -> str:
        return reverse("public:target", kwargs={"slug": obj.slug})

    def feed_url(self, obj=None) -> str:
        return reverse("public:target-feed-rss", kwargs={"slug": obj.slug})

    def _queryset(self, obj):
        return published_releases(language=self.language, target=obj.slug)


class TargetAtom(TargetRss):
    feed_type = SignedAtomFeed

    def subtitle(self, obj=None) -> str:
        return self.description(obj)

    def feed_url(self, obj=None) -> str:
        return reverse("public:target-feed-atom", kwargs={"slug": obj.slug})
