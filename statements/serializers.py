"""Staff API shapes (CONTRACT.md "Staff API shapes"). Validation of form only; rules live in
statements/workflow.py."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from statements import workflow
from statements.models import Statement


class TranslationInSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    summary = serializers.CharField(required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True)
    more_information = serializers.CharField(required=False, allow_blank=True)
    quotes = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True)), required=False
    )
    complete = serializers.BooleanField(required=False)
    current = serializers.BooleanField(
        required=False, help_text="Checked against the current source text (clears stale)."
    )


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class AskRefField(serializers.Field):
    """An ask by id (CONTRACT.md "Campaign tracker": `asks` [id]) or, as before, by slug;
    given to the workflow as its slug."""

    default_error_messages = {
        "invalid": "An ask is given by its id (a number) or its slug.",
        "unknown": "Unknown ask id {value}.",
    }

    def to_internal_value(self, data):
        from campaigns.models import Ask

        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        if isinstance(data, str):
            return serializers.SlugField().run_validation(data)
        slug = (
            Ask.objects.filter(pk=data).values_list("slug", flat=True).first()
            if (0 < data < 2**63)
            else None
        )
        if slug is None:
            self.fail("unknown", value=data)
        return slug

    def to_representation(self, value):
        return value


class StatementInSerializer(serializers.Serializer):
    campaign = serializers.SlugField(required=False)
    slug = serializers.CharField(required=False, max_length=120)
    kind = serializers.ChoiceField(choices=Statement.Kind.choices, required=False)
    required_languages = serializers.ListField(
        child=serializers.CharField(), required=False, allow_empty=False
    )
    embargo_until = serializers.DateTimeField(required=False, allow_null=True)
    translations = serializers.DictField(child=TranslationInSerializer(), required=False)
    targets = serializers.ListField(child=serializers.SlugField(), required=False)
    roles = serializers.ListField(child=serializers.SlugField(), required=False)
    asks = serializers.ListField(child=AskRefField(), required=False)
    boilerplate = serializers.SlugField(required=False, allow_null=True)
    confirm_encoding = serializers.BooleanField(
        required=False, default=False, help_text="Keep text the Zawgyi check is unsure of."
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {"non_field_errors": [f"Unknown fields: {sorted(unknown)}."]}
                )
        return super().to_internal_value(data)


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RequestChangesSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class ScheduleSerializer(CommentSerializer):
    scheduled_at = serializers.DateTimeField()


class CorrectSerializer(CommentSerializer):
    notes = serializers.DictField(child=serializers.CharField(allow_blank=True))


class RetractSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class DeferSerializer(serializers.Serializer):
    languages = serializers.ListField(child=serializers.CharField(), allow_empty=False)
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class SetEmbargoSerializer(serializers.Serializer):
    embargo_until = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class StatementOutSerializer(serializers.ModelSerializer):
    campaign = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    translations = serializers.SerializerMethodField()
    targets = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    roles = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    asks = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    boilerplate = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    pending_change = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "id",
            "slug",
            "campaign",
            "kind",
            "state",
            "source_language",
            "required_languages",
            "deferred_languages",
            "embargo_until",
            "scheduled_at",
            "published_at",
            "corrected_at",
            "correction_count",
            "retracted_at",
            "retraction_reason",
            "translations",
            "targets",
            "roles",
            "asks",
            "boilerplate",
            "pending_change",
            "actions",
            "created_at",
            "updated_at",
        ]

    def get_translations(self, statement: Statement) -> dict:
        content = workflow.working_content(statement)
        status = workflow.translation_status(statement, content)
        return {
            lang: {
                "title": entry.get("title", ""),
                "summary": entry.get("summary", ""),
                "body": entry.get("body", ""),
                "quotes": entry.get("quotes", []),
                "more_information": entry.get("more_information", ""),
                "complete": status[lang]["complete"],
                "stale": status[lang]["stale"],
            }
            for lang, entry in sorted(content.items())
        }

    def get_pending_change(self, statement: Statement) -> dict | None:
        if statement.state not in workflow.POST_PUBLICATION:
            return None
        amendment = workflow.open_amendment(statement)
        return {"status": amendment.status} if amendment else None

    def get_actions(self, statement: Statement) -> list[str]:
        """The transition table's actions this caller may take now (statements/transitions.py),
        named as in the URL: POST /api/v1/statements/<id>/<action>/ ("edit" is a PATCH)."""
        request = self.context.get("request")
        return workflow.allowed_actions(statement, request.user) if request else []
