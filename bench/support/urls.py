"""The app's URLs plus /bench/json, the minimal Django JSON view bench/api.py compares with."""

from django.http import JsonResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def minimal_json(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/json", minimal_json), *app_urlpatterns]
