from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("config.urls_api")),
    path("desk/", include("desk.urls")),
    path("", include("distribution.urls")),
    path("", include("publishing.urls_root")),  # /sitemap.xml, /robots.txt, /favicon.ico
]
urlpatterns += i18n_patterns(path("", include("publishing.urls")))

# A 404 in the reader's language (and JSON under /api/): publishing/views.py.
handler404 = "publishing.views.page_not_found"
