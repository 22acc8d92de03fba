"""/desk/contacts/ for staff who manage contacts."""

from django.urls import path

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("desk/contacts/", views.contact_list, name="desk-contacts"),
]
