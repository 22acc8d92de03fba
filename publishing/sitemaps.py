"""/sitemap.xml: public releases only (publishing/visibility.py decides), each in the languages a
reader may read it, with hreflang alternates; the listings, the public campaigns', targets' and
asks' pages."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from publishing.visibility import (
    public_asks,
    public_campaigns,
    public_targets,
    published_releases,
    readable_languages,
    release_last_modified,
)


class ReleaseSitemap(Sitemap):
    i18n = True  # one <url> per release and readable language
    alternates = True  # each with <xhtml:link rel="alternate" hreflang> to the others

    def items(self):
        return list(published_releases())  # public only; tombstones and hidden ones never

    def get_languages_for_item(self, statement):
        return readable_languages(statement)  # never a draft or "to follow" language

    def location(self, statement):
        return reverse("public:release", kwargs={"slug": statement.slug})

    def lastmod(self, statement):
        return release_last_modified(statement)


class ListingSitemap(Sitemap):
    i18n = True
    alternates = True

    def items(self):
        return ["public:releases", "public:campaigns", "public:targets"]

    def location(self, name):
        return reverse(name)


class CampaignSitemap(Sitemap):
    i18n = True
    alternates = True

    def items(self):
        return list(public_campaigns().order_by("slug"))

    def location(self, campaign):
        return reverse("public:campaign", kwargs={"slug": campaign.slug})


class TargetSitemap(Sitemap):
    i18n = True
    alternates = True

    def items(self):
        return list(public_targets().order_by("slug").only("slug"))

    def location(self, target):
        return reverse("public:target", kwargs={"slug": target.slug})


class AskSitemap(Sitemap):
    i18n = True
    alternates = True

    def items(self):
        return list(public_asks().order_by("pk").only("pk"))

    def location(self, ask):
        return reverse("public:ask", kwargs={"ask_id": ask.pk})


SITEMAPS = {
    "releases": ReleaseSitemap,
    "listings": ListingSitemap,
    "campaigns": CampaignSitemap,
    "targets": TargetSitemap,
    "asks": AskSitemap,
}
