from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from config.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("config.urls_api")),
    path("desk/", include("statements.urls_desk")),
    path("", include("distribution.urls")),
    path("", include("contacts.urls")),
]
urlpatterns += i18n_patterns(path("", include("statements.urls_public")))

# A 404 in the reader's language (and JSON under /api/): statements/public_views.py.
handler404 = "statements.public_views.page_not_found"
