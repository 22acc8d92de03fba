"""Root-level public addresses, outside the /<lang>/ prefix (config/urls.py includes them)."""

from django.urls import path

from publishing import views

urlpatterns = [
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
]
