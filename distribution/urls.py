"""/unsubscribe/<token>/ for recipients; the email providers' tracking webhooks (anymail's
paths, so the providers' setup guides apply as written)."""

from django.urls import path

from distribution import views, webhooks

app_name = "distribution"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("anymail/mailgun/tracking/", webhooks.mailgun_tracking, name="anymail-mailgun-tracking"),
    path(
        "anymail/postmark/tracking/", webhooks.postmark_tracking, name="anymail-postmark-tracking"
    ),
]
