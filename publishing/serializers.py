"""Shapes of the public read-only API: the Release JSON of CONTRACT.md and reference data.

Fields are declared so the OpenAPI schema describes them; the release is built by hand from a
statement loaded by selectors.with_release_data (no query per item).
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from campaigns.models import Ask, Campaign, Target
from publishing.rendering import (
    html_text,
    markdown_html,
    page_path,
    pdf_path,
    release_status,
)
from publishing.visibility import readable_languages

RELEASE_STATUSES = [
    ("published", "Published"),
    ("corrected", "Corrected"),
    ("retracted", "Retracted"),
]


def _localised(value: dict | None) -> dict[str, str]:
    """A localised text with the configured languages only."""
    codes = [code for code, _name in settings.LANGUAGES]
    return {code: value[code] for code in codes if value and value.get(code)}


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else settings.SITE_URL + path


def _datetime(value) -> str | None:
    return serializers.DateTimeField().to_representation(value) if value else None


class LocalisedText(serializers.DictField):
    """An object keyed by language code: {"en": "...", "my": "..."}."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(), **kwargs)


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    extra = serializers.DictField()


class CampaignRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = LocalisedText()


class TargetRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = LocalisedText()
    kind = serializers.ChoiceField(choices=Target.Kind.choices)


class AskRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = LocalisedText()
    status = serializers.ChoiceField(choices=Ask.Status.choices)


class QuoteSerializer(serializers.Serializer):
    speaker = serializers.CharField(allow_blank=True)
    text = serializers.CharField(help_text="Plain text, no markup.")
    text_html = serializers.CharField(help_text="Sanitised HTML (the pages' allowlist).")


class SignatureSerializer(serializers.Serializer):
    key_id = serializers.CharField(help_text="Id of the key, in /.well-known/pressroom-keys.json.")
    value = serializers.CharField(
        help_text="Base64 Ed25519 signature over the bytes of translations.<lang>.text_url."
    )


class ReleaseTranslationSerializer(serializers.Serializer):
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    body_html = serializers.CharField(allow_blank=True)
    body_text = serializers.CharField(allow_blank=True)
    url = serializers.URLField()
    pdf_url = serializers.URLField(allow_null=True)
    quotes = QuoteSerializer(many=True, help_text="Who said what, in this language.")
    more_information = serializers.CharField(
        allow_blank=True, help_text="Further reading and links, as plain text."
    )
    more_information_html = serializers.CharField(allow_blank=True, help_text="Sanitised HTML.")
    text_url = serializers.URLField(help_text="The canonical text: exactly the signed bytes.")
    signature = SignatureSerializer(allow_null=True)


def text_path(slug: str, language: str) -> str:
    from django.urls import reverse
    from django.utils import translation

    with translation.override(language):
        return reverse("public:release-txt", kwargs={"slug": slug})


def _signature(row) -> dict | None:
    return {"key_id": row.key_id, "value": row.signature} if row is not None else None


def _quotes(quotes: object) -> list[dict]:
    """The structured quotes of a translation ([{speaker, text}]), as text and sanitised HTML."""
    out = []
    for quote in quotes if isinstance(quotes, list) else []:
        if not isinstance(quote, dict) or not str(quote.get("text", "")).strip():
            continue
        text_html = markdown_html(str(quote["text"]))
        out.append(
            {
                "speaker": str(quote.get("speaker", "")),
                "text": html_text(text_html),
                "text_html": text_html,
            }
        )
    return out


class ReleaseListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        # Every release's signatures in a constant number of queries (publishing/signing.py).
        from publishing.signing import current_text_signatures

        items = list(data.all() if hasattr(data, "all") else data)
        # Releases are signed at publication (publishing/tasks.py); reading JSON never signs
        # (its ETag moves only with public changes), so one not signed yet shows null until
        # its .txt is first asked for.
        signatures = current_text_signatures(items, sign=False)
        self._context = {**self.context, "signatures": signatures}
        return super().to_representation(items)


class ReleaseSerializer(serializers.Serializer):
    slug = serializers.CharField()
    status = serializers.ChoiceField(choices=RELEASE_STATUSES)
    published_at = serializers.DateTimeField()
    corrected_at = serializers.DateTimeField(allow_null=True)
    retracted_at = serializers.DateTimeField(allow_null=True)
    retraction_reason = serializers.CharField(allow_blank=True)
    campaign = CampaignRefSerializer()
    targets = TargetRefSerializer(many=True)
    asks = AskRefSerializer(many=True)
    languages = serializers.ListField(child=serializers.CharField())
    translations = serializers.DictField(child=ReleaseTranslationSerializer())

    class Meta:
        list_serializer_class = ReleaseListSerializer

    def to_representation(self, statement):
        request = self.context.get("request")
        signatures = self.context.get("signatures")
        if signatures is None:
            from publishing.signing import current_text_signatures

            signatures = current_text_signatures([statement], sign=False)
        status = release_status(statement)
        retracted = status == "retracted"
        languages = readable_languages(statement)
        translations = {}
        for code in languages:
            tr = statement.translation(code)
            body_html = "" if retracted else markdown_html(tr.body)
            pdf_url = None if retracted else _absolute(request, pdf_path(statement.slug, code))
            more_html = "" if retracted else markdown_html(tr.more_information)
            translations[code] = {
                "title": tr.title,
                "summary": "" if retracted else tr.summary,
                "body_html": body_html,
                "body_text": "" if retracted else html_text(body_html),
                "url": _absolute(request, page_path(statement.slug, code)),
                "pdf_url": pdf_url,
                # A tombstone keeps title and dates only: no quotes, no links.
                "quotes": [] if retracted else _quotes(tr.quotes),
                "more_information": html_text(more_html),
                "more_information_html": more_html,
                "text_url": _absolute(request, text_path(statement.slug, code)),
                "signature": _signature(signatures.get((statement.pk, code))),
            }
        return {
            "slug": statement.slug,
            "status": status,
            "published_at": _datetime(statement.published_at),
            "corrected_at": _datetime(statement.corrected_at),
            "retracted_at": _datetime(statement.retracted_at) if retracted else None,
            "retraction_reason": statement.retraction_reason if retracted else "",
            "campaign": {
                "slug": statement.campaign.slug,
                "name": _localised(statement.campaign.name),
            },
            "targets": []
            if retracted
            else [
                {"slug": t.slug, "name": _localised(t.name), "kind": t.kind}
                for t in statement.targets.all()
            ],
            "asks": []
            if retracted
            else [
                {"id": a.pk, "text": _localised(a.text), "status": a.status}
                for a in statement.asks.all()
            ],
            "languages": languages,
            "translations": translations,
        }


class CampaignSerializer(serializers.ModelSerializer):
    name = LocalisedText()
    description = LocalisedText()

    class Meta:
        model = Campaign
        fields = ["slug", "name", "description", "status"]

    def to_representation(self, campaign):
        return {
            "slug": campaign.slug,
            "name": _localised(campaign.name),
            "description": _localised(campaign.description),
            "status": campaign.status,
        }


class TargetSerializer(serializers.ModelSerializer):
    name = LocalisedText()
    parent = serializers.CharField(allow_null=True)

    class Meta:
        model = Target
        fields = ["slug", "name", "kind", "country", "parent"]

    def to_representation(self, target):
        return {
            "slug": target.slug,
            "name": _localised(target.name),
            "kind": target.kind,
            "country": target.country,
            # A parent no public release refers to stays private (visibility.public_targets).
            "parent": target.parent.slug
            if target.parent and getattr(target, "parent_is_public", False)
            else None,
        }


class AskSerializer(serializers.ModelSerializer):
    text = LocalisedText()
    campaign = serializers.CharField()
    targets = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Ask
        fields = ["id", "slug", "campaign", "text", "status", "targets"]

    def to_representation(self, ask):
        return {
            "id": ask.pk,
            "slug": ask.slug,
            "campaign": ask.campaign.slug,
            "text": _localised(ask.text),
            "status": ask.status,
            "targets": [t.slug for t in ask.targets.all()],
        }


# --- The campaign tracker (CONTRACT.md "Campaign tracker"): one ask, one target -------------
# Built from publishing.tracker's ledgers (visibility decided there); fields exactly as the
# contract names them, plus `slug` on the ask.


class AskHistorySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Ask.Status.choices)
    on = serializers.DateField()
    note = serializers.CharField(allow_blank=True)
    statement = serializers.CharField(
        allow_null=True, help_text="Slug of our statement cited as source; null when not public."
    )
    source_url = serializers.CharField(allow_blank=True)


class AskReleaseSerializer(serializers.Serializer):
    slug = serializers.CharField()
    published_at = serializers.DateTimeField()
    role = serializers.ChoiceField(choices=[("made", "Made"), ("repeated", "Repeated")])


class AskDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    campaign = CampaignRefSerializer()
    text = LocalisedText()
    status = serializers.ChoiceField(choices=Ask.Status.choices)
    history = AskHistorySerializer(many=True)
    releases = AskReleaseSerializer(many=True)
    targets = serializers.ListField(child=serializers.CharField())

    def to_representation(self, ledger):
        ask = ledger.ask
        return {
            "id": ask.pk,
            "slug": ask.slug,
            "campaign": {"slug": ask.campaign.slug, "name": _localised(ask.campaign.name)},
            "text": _localised(ask.text),
            "status": ask.status,
            "history": [
                {
                    "status": change.status,
                    "on": change.changed_on.isoformat(),
                    "note": change.note,
                    "statement": change.public_statement_slug,
                    "source_url": change.source_url,
                }
                for change in ledger.history
            ],
            "releases": [
                {
                    "slug": record.statement.slug,
                    "published_at": _datetime(record.published_at),
                    "role": record.role,
                }
                for record in ledger.records
            ],
            "targets": [t.slug for t in ledger.targets],
        }


class RoleRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = LocalisedText()


class TargetRoleSerializer(serializers.Serializer):
    role = RoleRefSerializer()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True, help_text="Exclusive; null while it lasts.")


class TargetInvitationSerializer(serializers.Serializer):
    release = serializers.CharField(help_text="Slug of the release.")
    due_on = serializers.DateField()
    responded_on = serializers.DateField(allow_null=True)
    response_url = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(
        choices=[("awaiting", "Awaiting"), ("responded", "Responded"), ("no_response", "None")]
    )


class TargetDetailSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = LocalisedText()
    kind = serializers.ChoiceField(choices=Target.Kind.choices)
    country = serializers.CharField(allow_blank=True)
    parent = serializers.CharField(allow_null=True)
    roles = TargetRoleSerializer(many=True)
    asks = serializers.ListField(child=serializers.IntegerField())
    invitations = TargetInvitationSerializer(many=True)

    def to_representation(self, ledger):
        target = ledger.target
        return {
            "slug": target.slug,
            "name": _localised(target.name),
            "kind": target.kind,
            "country": target.country,
            "parent": target.parent.slug
            if target.parent and getattr(target, "parent_is_public", False)
            else None,
            "roles": [
                {
                    "role": {"slug": h.role.slug, "name": _localised(h.role.name)},
                    "starts_on": h.starts_on.isoformat(),
                    "ends_on": h.ends_on.isoformat() if h.ends_on else None,
                }
                for h in ledger.holdings
            ],
            "asks": [ask.pk for ask in ledger.asks],
            "invitations": [
                {
                    "release": i.statement.slug,
                    "due_on": i.due_on.isoformat(),
                    "responded_on": i.responded_on.isoformat() if i.responded_on else None,
                    "response_url": i.response_url,
                    "status": i.current_status,
                }
                for i in ledger.invitations
            ],
        }
