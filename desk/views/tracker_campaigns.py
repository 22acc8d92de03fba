"""The desk's campaigns: list, create, edit (name and description per language, active or
archived) and each campaign's dashboard. Every staff role reads them; writes need
campaigns.manage (accounts/policy.py) and go through campaigns.services.campaign_save."""

from __future__ import annotations

from django import forms
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from accounts.policy import desk_view
from campaigns.models import Campaign
from campaigns.services import campaign_save
from desk.views.tracker_common import (
    ConfirmEncodingField,
    localised_fields,
    localised_value,
    refused,
    save_form,
)
from desk.views.tracker_dashboard import campaign_dashboard

STATUS_CHOICES = (
    (Campaign.Status.ACTIVE, pgettext_lazy("campaign status", "Active")),
    (Campaign.Status.ARCHIVED, pgettext_lazy("campaign status", "Archived")),
)


class CampaignForm(forms.Form):
    slug = forms.SlugField(
        label=gettext_lazy("Short name (letters, digits and hyphens; used in web addresses)"),
        max_length=80,
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=STATUS_CHOICES)
    confirm_encoding = ConfirmEncodingField()

    def __init__(self, *args, campaign: Campaign | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        localised_fields(
            self,
            "name",
            _("Name"),
            initial=campaign.name if campaign else None,
            required=True,
            max_length=200,
        )
        localised_fields(
            self,
            "description",
            _("Description"),
            initial=campaign.description if campaign else None,
            textarea=True,
        )
        if campaign is not None:
            # Public addresses use the short name: it stays as it is.
            del self.fields["slug"]
            self.initial["status"] = campaign.status

    def save(self) -> tuple[Campaign, list[dict]]:
        data = self.cleaned_data
        return campaign_save(
            slug=self.campaign.slug if self.campaign else data["slug"],
            name=localised_value(data, "name"),
            description=localised_value(data, "description"),
            status=data["status"],
            campaign=self.campaign,
            confirm_encoding=data.get("confirm_encoding", False),
        )


@desk_view(capability="campaigns.view")
def campaign_list(request) -> HttpResponse:
    campaigns = Campaign.objects.annotate(
        ask_count=Count("asks", distinct=True), statement_count=Count("statements", distinct=True)
    ).order_by("status", "slug")
    return render(request, "desk/campaigns.html", {"campaigns": campaigns})


@desk_view(capability="campaigns.view")
def campaign_new(request) -> HttpResponse:
    if request.method == "POST":
        if (refusal := refused(request, "campaigns.manage")) is not None:
            return refusal
        form = CampaignForm(request.POST)
        campaign = save_form(request, form, _("Campaign saved."))
        if campaign is not None:
            return redirect("desk-campaign", slug=campaign.slug)
        return render(request, "desk/campaign_form.html", {"form": form}, status=400)
    return render(request, "desk/campaign_form.html", {"form": CampaignForm()})


@desk_view(capability="campaigns.view")
def campaign_detail(request, slug: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign, slug=slug)
    status = 200
    if request.method == "POST":
        if (refusal := refused(request, "campaigns.manage")) is not None:
            return refusal
        form = CampaignForm(request.POST, campaign=campaign)
        if save_form(request, form, _("Campaign saved.")) is not None:
            return redirect("desk-campaign", slug=campaign.slug)
        status = 400
    else:
        form = CampaignForm(campaign=campaign)
    asks = campaign.asks.prefetch_related("targets").order_by("slug")
    context = {"campaign": campaign, "form": form, "asks": asks}
    return render(request, "desk/campaign_detail.html", context, status=status)


@desk_view(capability="campaigns.view")
def campaign_dashboard_page(request, slug: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign, slug=slug)
    dashboard = campaign_dashboard(
        slug=campaign.slug, name=campaign.name_in(get_language() or "en"), public=False
    )
    return render(
        request,
        "desk/dashboard_campaign.html",
        {"campaign": campaign, "dashboard": dashboard},
    )
