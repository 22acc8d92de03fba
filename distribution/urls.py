"""/unsubscribe/<token>/ for recipients."""

from django.urls import path

from distribution import views

app_name = "distribution"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
