"""Root-level public addresses, outside the /<lang>/ prefix (config/urls.py includes them)."""

from django.urls import path

from publishing import views, views_verify

urlpatterns = [
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(".well-known/pressroom-keys.json", views_verify.keys_json, name="signing-keys"),
]
