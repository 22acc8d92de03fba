"""Public pages and feeds, mounted under /<lang>/ by i18n_patterns (config/urls.py)."""

from django.urls import path

from publishing import feeds, views_tracker, views_verify
from publishing import views as public_views
from publishing.views import conditional

app_name = "public"

urlpatterns = [
    path("", public_views.home, name="home"),
    path("releases/", public_views.release_list, name="releases"),
    path("releases/page/<int:page>/", public_views.release_list, name="releases-page"),
    path("releases/<slug:slug>/", public_views.release_detail, name="release"),
    path("releases/<slug:slug>.pdf", public_views.release_pdf, name="release-pdf"),
    # Signed releases (publishing/signing.py): the signed text, the PDF's signature, checking.
    path("releases/<slug:slug>.txt", views_verify.release_txt, name="release-txt"),
    path("releases/<slug:slug>.pdf.sig", views_verify.release_pdf_sig, name="release-pdf-sig"),
    path("verify/", views_verify.verify_page, name="verify"),
    path("campaigns/", public_views.campaign_list, name="campaigns"),
    path("campaigns/<slug:slug>/", public_views.campaign_detail, name="campaign"),
    path(
        "campaigns/<slug:slug>/page/<int:page>/", public_views.campaign_detail, name="campaign-page"
    ),
    path("targets/", views_tracker.targets, name="targets"),
    path("targets/<slug:slug>/", views_tracker.target_detail, name="target"),
    path("asks/<int:ask_id>/", views_tracker.ask_detail, name="ask"),
    path("feeds/releases.xml", conditional(feeds.ReleasesRss()), name="feed-rss"),
    path("feeds/releases.atom", conditional(feeds.ReleasesAtom()), name="feed-atom"),
    path(
        "feeds/campaigns/<slug:slug>.xml",
        conditional(feeds.CampaignRss()),
        name="campaign-feed-rss",
    ),
    path(
        "feeds/campaigns/<slug:slug>.atom",
        conditional(feeds.CampaignAtom()),
        name="campaign-feed-atom",
    ),
    path(
        "feeds/targets/<slug:slug>.xml",
        conditional(feeds.TargetRss()),
        name="target-feed-rss",
    ),
    path(
        "feeds/targets/<slug:slug>.atom",
        conditional(feeds.TargetAtom()),
        name="target-feed-atom",
    ),
]
