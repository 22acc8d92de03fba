"""The desk's "Trace a leaked copy": paste a reference, or the whole leaked text, and see whose
copy of an embargoed release it was. The lookup and its record are distribution/leak_refs.py;
who may trace is accounts/policy.py ("deliveries.trace")."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.policy import desk_view
from desk.views.sends import _title
from distribution import leak_refs

# Enough for a long release pasted whole, with its headers.
MAX_TEXT = 200_000


class TraceForm(forms.Form):
    text = forms.CharField(
        label=_("Reference or leaked text"),
        max_length=MAX_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "A reference such as K7QD-3MX9-PA, or the whole text of the leaked message: the "
            "reference is in its footer and in its X-Pressroom-Ref header."
        ),
        error_messages={
            "required": _("Paste a reference or the leaked text."),
            "max_length": _("The text is too long: paste the message's footer or its headers."),
        },
    )


@desk_view(capability="deliveries.trace")
def leak_trace(request) -> HttpResponse:
    form = TraceForm(request.POST or None)
    context: dict = {"form": form, "searched": False}
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        language = translation.get_language() or "en"
        traces = leak_refs.deliveries_trace(text=text, by=request.user, via="desk")
        rows = []
        for trace in traces:
            statement = trace.delivery.distribution.statement
            title, title_lang = _title(statement, language)
            rows.append({"trace": trace, "title": title, "title_lang": title_lang})
        context.update(
            {
                "searched": True,
                "references": leak_refs.references_in(text),
                "rows": rows,
            }
        )
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "desk/leak_trace.html", context, status=status)
