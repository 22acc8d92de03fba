"""/unsubscribe/<token>/ for recipients, /desk/sends/ for staff."""

from django.urls import path

from distribution import views

app_name = "distribution"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("desk/sends/", views.sends, name="desk-sends"),
    path("desk/sends/new/", views.send_new, name="desk-send-new"),
    path("desk/sends/<int:pk>/", views.send_detail, name="desk-send"),
    path("desk/sends/<int:pk>/progress.json", views.send_progress, name="desk-send-progress"),
    path("desk/sends/<int:pk>/<str:action>/", views.send_action, name="desk-send-action"),
]
