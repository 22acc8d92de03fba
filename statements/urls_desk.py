from django.contrib.auth import views as auth_views
from django.urls import path

from statements import views_desk as v

urlpatterns = [
    path("", v.dashboard, name="desk"),
    path("login/", auth_views.LoginView.as_view(template_name="desk/login.html"),
         name="desk-login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="desk-login"), name="desk-logout"),
    path("translations/", v.translation_overview, name="desk-translations"),
    path("statements/new/", v.statement_new, name="desk-statement-new"),
    path("statements/<int:pk>/", v.statement_detail, name="desk-statement"),
    path("statements/<int:pk>/save/", v.statement_save, name="desk-statement-save"),
    path("statements/<int:pk>/diff/", v.statement_diff, name="desk-statement-diff"),
    path("statements/<int:pk>/preview/<str:language>/", v.statement_preview,
         name="desk-statement-preview"),
    path("statements/<int:pk>/<str:name>/", v.statement_action, name="desk-statement-action"),
]
