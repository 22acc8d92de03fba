"""Statements (press releases), their translations, revisions, reviews, corrections and audit log.

Workflow rules live in statements/workflow.py; these models hold data, constraints and small
pure properties only.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaigns.models import Ask, AskStatusChange, Campaign, LocalisedField, Role, Target
from config.languages import pick


def _digest(payload: object) -> str:
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Boilerplate(models.Model):
    """The "About us" paragraph and media contact line printed under a release."""

    slug = models.SlugField(max_length=80, unique=True)
    about = LocalisedField()
    media_contact = LocalisedField(blank=True)

    def __str__(self) -> str:
        return self.slug


# Logos: raster formats WeasyPrint embeds and every browser shows; SVG could carry scripts.
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg"}
LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_PIXELS = 4000


def validate_logo(upload) -> None:
    """A PNG or JPEG of at most 1 MB and 4000 pixels a side: judged by its content (Pillow),
    never by its name or the browser's content type."""
    from django.core.exceptions import ValidationError
    from PIL import Image, UnidentifiedImageError

    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(
            "The logo is %(size)s KB; the largest allowed is %(limit)s KB.",
            code="logo_size",
            params={"size": upload.size // 1024, "limit": LOGO_MAX_BYTES // 1024},
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise ValidationError(
            "The logo must be a PNG or JPEG image; this file is not one.", code="logo_type"
        ) from err
    finally:
        upload.seek(0)
    if kind not in LOGO_FORMATS:
        raise ValidationError(
            "The logo must be a PNG or JPEG image; this file is %(kind)s.",
            code="logo_type",
            params={"kind": kind},
        )
    if max(width, height) > LOGO_MAX_PIXELS:
        raise ValidationError(
            "The logo is %(width)s×%(height)s pixels; the largest allowed is %(limit)s a side.",
            code="logo_pixels",
            params={"width": width, "height": height, "limit": LOGO_MAX_PIXELS},
        )


class Organisation(models.Model):
    """The organisation that publishes: one row (pk 1, made by a migration), printed as the
    letterhead of PDFs and emails. Read through statements.organisation.current_organisation()."""

    SINGLETON_PK = 1

    name = LocalisedField(help_text="The organisation's name in each language.")
    logo = models.FileField(
        upload_to="organisation/",
        blank=True,
        validators=[validate_logo],
        help_text="Optional. PNG or JPEG, at most 1 MB.",
    )
    address = LocalisedField(blank=True, help_text="Postal address, in each language.")
    website = models.URLField(blank=True)
    default_boilerplate = models.ForeignKey(
        Boilerplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="About us and media contact for releases without their own.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="organisation_singleton")]

    def __str__(self) -> str:
        return pick(self.name, "en") or "Organisation"

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    def name_in(self, language: str) -> str:
        return pick(self.name, language)

    def address_in(self, language: str) -> str:
        return pick(self.address, language)


class Statement(models.Model):
    class Kind(models.TextChoices):
        PRESS_RELEASE = "press_release", _("Press release")
        STATEMENT = "statement", _("Statement")
        BRIEFING = "briefing", _("Briefing")
        OPEN_LETTER = "open_letter", _("Open letter")

    # A state's name, not a date label: "Published" the state, not "Published on".
    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("statement state", "Draft")
        IN_REVIEW = "in_review", pgettext_lazy("statement state", "In review")
        CHANGES_REQUESTED = (
            "changes_requested",
            pgettext_lazy("statement state", "Changes requested"),
        )
        APPROVED = "approved", pgettext_lazy("statement state", "Approved")
        SCHEDULED = "scheduled", pgettext_lazy("statement state", "Scheduled")
        PUBLISHED = "published", pgettext_lazy("statement state", "Published")
        CORRECTED = "corrected", pgettext_lazy("statement state", "Corrected")
        RETRACTED = "retracted", pgettext_lazy("statement state", "Retracted")

    PUBLIC_STATES = (State.PUBLISHED, State.CORRECTED)

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="statements")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PRESS_RELEASE)
    slug = models.SlugField(max_length=120, unique=True, help_text="ASCII, from the English title.")
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2 tag.")
    source_language = models.CharField(max_length=8, default="en")
    required_languages = models.JSONField(default=list)
    targets = models.ManyToManyField(Target, blank=True, related_name="statements")
    roles = models.ManyToManyField(
        Role,
        blank=True,
        related_name="statements",
        help_text="Roles addressed; the holder on the release date is named.",
    )
    asks = models.ManyToManyField(Ask, blank=True, related_name="statements")
    boilerplate = models.ForeignKey(
        Boilerplate, null=True, blank=True, on_delete=models.PROTECT, related_name="statements"
    )

    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    embargo_until = models.DateTimeField(null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    corrected_at = models.DateTimeField(null=True, blank=True)
    correction_count = models.PositiveIntegerField(default=0)
    retracted_at = models.DateTimeField(null=True, blank=True)
    retraction_reason = models.TextField(blank=True)
    # Languages a publisher decided may follow after publication ("English now, Burmese to
    # follow"); the decision and its reason are in the audit log.
    deferred_languages = models.JSONField(default=list, blank=True)
    # Set by the periodic task once an embargo has lifted (visibility itself is computed from
    # embargo_until at read time, so a late task never leaks nor hides a release).
    embargo_lifted_at = models.DateTimeField(null=True, blank=True)
    # Set when a scheduled publication was found overdue and reported.
    overdue_reported_at = models.DateTimeField(null=True, blank=True)
    # burmese.search_text() of every live translation and the slug, kept by
    # statements/search.py refresh_search_text(); on PostgreSQL a GIN trigram index (created
    # by migration 0004, not declared here, because SQLite has no such index) serves search.
    search_text = models.TextField(blank=True, default="", editable=False)
    # The first line of search_text (every title): short, so matching and ranking on it is
    # cheap, and its own trigram index (migration 0010) finds title matches first.
    search_title = models.TextField(blank=True, default="", editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        permissions = [
            ("submit_statement", "Can submit statements for review"),
            ("review_statement", "Can approve statements or request changes"),
            ("publish_statement", "Can schedule and publish statements"),
            ("correct_statement", "Can correct published statements"),
            ("retract_statement", "Can retract statements"),
            ("distribute_statement", "Can send statements to media lists"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(slug__regex=r"^[a-z0-9]+(?:-[a-z0-9]+)*$"),
                name="statement_slug_ascii",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["published", "corrected", "retracted"])
                | Q(published_at__isnull=False),
                name="statement_published_has_time",
            ),
        ]
        indexes = [models.Index(fields=["state", "published_at"])]

    def __str__(self) -> str:
        return self.slug

    def translation(self, language: str) -> StatementTranslation | None:
        for translation in self.translations.all():
            if translation.language == language:
                return translation
        return None

    def title_in(self, language: str) -> str:
        translation = self.translation(language) or self.translation(self.source_language)
        return translation.title if translation else self.slug

    @property
    def title_in_source(self) -> str:
        return self.title_in(self.source_language)

    def content_hash(self) -> str:
        """The hash approval is bound to (statements/transitions.py working_hash)."""
        from statements.transitions import working_hash

        return working_hash(self)

    def snapshot(self) -> dict:
        """What a revision keeps: the text and every approved field."""
        from statements.transitions import snapshot

        return snapshot(self)


class StatementTranslation(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Markdown.")
    quotes = models.JSONField(default=list, blank=True, help_text='[{"speaker", "text"}]')
    more_information = models.TextField(blank=True, help_text="Markdown links.")
    # False when the translator saved it as a draft even with every field filled.
    marked_complete = models.BooleanField(default=True)
    # Hash of the source-language content this translation was made from; a translation whose
    # source has changed since is stale.
    source_hash = models.CharField(max_length=64, blank=True)
    is_demo = models.BooleanField(
        default=False, help_text="A demonstration translation, not a reviewed one."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["statement", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "language"], name="one_translation_per_language"
            ),
        ]

    def __str__(self) -> str:
        from burmese import truncate

        return f"{self.statement_id}/{self.language}: {truncate(self.title, 60)}"

    def content(self) -> dict:
        return {
            "title": self.title,
            "summary": self.summary,
            "body": self.body,
            "quotes": self.quotes,
            "more_information": self.more_information,
        }

    def content_hash(self) -> str:
        return _digest(self.content())

    @property
    def is_complete(self) -> bool:
        return bool(self.marked_complete and self.title and self.summary and self.body)

    @property
    def is_source(self) -> bool:
        return self.language == self.statement.source_language

    def is_stale(self, source: StatementTranslation | None = None) -> bool:
        """True when the source text changed after this translation was made."""
        if self.is_source:
            return False
        if source is None:
            source = self.statement.translation(self.statement.source_language)
        if source is None:
            return False
        return self.source_hash != source.content_hash()


class Revision(models.Model):
    """Every saved change of a statement: who, when, and the full content then."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    snapshot = models.JSONField()
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["statement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="revision_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} r{self.number}"


class Review(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REQUEST_CHANGES = "request_changes", "Request changes"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    revision = models.ForeignKey(Revision, null=True, on_delete=models.SET_NULL, related_name="+")
    # The exact content approved: an approval counts only while the content still has this hash.
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["statement", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision="request_changes") | ~Q(comment=""),
                name="review_changes_need_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.decision} by {self.reviewer_id}"


class Correction(models.Model):
    """A dated correction of a published statement, with a note in every published language."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="corrections")
    number = models.PositiveIntegerField()
    notes = LocalisedField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["statement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="correction_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} correction {self.number}"

    def note_in(self, language: str) -> str:
        return pick(self.notes, language)


class Amendment(models.Model):
    """A change to a published release (a correction or a follow-up translation), prepared and
    reviewed apart from the public text, which changes only when the amendment is applied."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        APPLIED = "applied", "Applied"

    OPEN = (Status.DRAFT, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED)

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="amendments")
    # {lang: {title, summary, body, quotes, more_information, marked_complete, source_hash}}
    content = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["statement", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement"],
                condition=~Q(status="applied"),
                name="one_open_amendment_per_statement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} amendment ({self.status})"


class StatementEvent(models.Model):
    """The audit log: every workflow action, who, when, from which state, with which comment."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["statement", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.action} {self.from_state}→{self.to_state}"

    @classmethod
    def record(
        cls,
        statement: Statement,
        *,
        by,
        action: str,
        from_state: str = "",
        comment: str = "",
        **data: object,
    ) -> StatementEvent:
        return cls.objects.create(
            statement=statement,
            actor=by if getattr(by, "pk", None) else None,
            action=action,
            from_state=from_state,
            to_state=statement.state,
            comment=comment,
            data=data,
        )


class EditLock(models.Model):
    """Who has a statement open in the desk editor, since when; renewed by the editor's
    heartbeat, stale after statements/locks.py LOCK_TTL. The rule lives in statements/locks.py."""

    statement = models.OneToOneField(Statement, on_delete=models.CASCADE, related_name="edit_lock")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()
    renewed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.statement_id} edited by {self.user_id} since {self.since:%H:%M}"


# --- the campaign tracker's ledger: what points at a statement lives here -------------------
# (campaigns sits below statements in the layout; statements/ledger.py writes these rows)


class AskStatusSource(models.Model):
    """The statement of ours an ask's status change cites as its source."""

    change = models.OneToOneField(
        AskStatusChange, on_delete=models.CASCADE, related_name="statement_source"
    )
    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="ask_status_sources"
    )

    def __str__(self) -> str:
        return f"{self.change} (source: {self.statement_id})"


class AskRecord(models.Model):
    """A release that made an ask (the first published release carrying it) or repeated it
    (each later one), with its publication time. One row per ask and statement, written by
    statements.ledger when the release is published; a retraction removes nothing (the public
    view counts public releases only: statements.ledger.records_among)."""

    class Role(models.TextChoices):
        MADE = "made", pgettext_lazy("ask record", "Made")
        REPEATED = "repeated", pgettext_lazy("ask record", "Repeated")

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="records")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="ask_records")
    role = models.CharField(max_length=10, choices=Role.choices)
    published_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ask", "published_at", "statement_id"]
        constraints = [
            models.UniqueConstraint(fields=["ask", "statement"], name="one_record_per_ask_release")
        ]
        indexes = [models.Index(fields=["statement"], name="askrecord_statement")]

    def __str__(self) -> str:
        return f"{self.ask_id} {self.role} by {self.statement_id}"


# Responses may carry a document: PDF or image, judged by content, never by name.
RESPONSE_DOCUMENT_TYPES = {  # magic bytes: (kind, extensions)
    b"%PDF-": ("PDF", (".pdf",)),
    b"\x89PNG\r\n\x1a\n": ("PNG", (".png",)),
    b"\xff\xd8\xff": ("JPEG", (".jpg", ".jpeg")),
}
RESPONSE_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def validate_response_document(upload) -> None:
    """A PDF, PNG or JPEG of at most 10 MB, its name's extension matching its content."""
    from django.core.exceptions import ValidationError

    if upload.size > RESPONSE_DOCUMENT_MAX_BYTES:
        raise ValidationError(
            "The document is %(size)s KB; the largest allowed is %(limit)s KB.",
            code="document_size",
            params={
                "size": upload.size // 1024,
                "limit": RESPONSE_DOCUMENT_MAX_BYTES // 1024,
            },
        )
    try:
        upload.seek(0)
        head = upload.read(16)
    finally:
        upload.seek(0)
    name = (getattr(upload, "name", "") or "").lower()
    for magic, (_kind, extensions) in RESPONSE_DOCUMENT_TYPES.items():
        if head.startswith(magic):
            if not name.endswith(extensions):
                raise ValidationError(
                    "The document's name must end in %(ext)s for its content.",
                    code="document_type",
                    params={"ext": " or ".join(extensions)},
                )
            return
    raise ValidationError(
        "The document must be a PDF, PNG or JPEG file; this file is not one.",
        code="document_type",
    )


def ledger_today(now=None):
    """The date deadlines are judged by: the organisation's day (DISPLAY_TIME_ZONE)."""
    import zoneinfo

    from django.utils import timezone

    zone = zoneinfo.ZoneInfo(getattr(settings, "DISPLAY_TIME_ZONE", "UTC"))
    return timezone.localtime(now or timezone.now(), zone).date()


class InvitationQuerySet(models.QuerySet):
    def with_status(self, today=None) -> InvitationQuerySet:
        """Annotate `current_status`: responded when a response is recorded, else awaiting
        until `due_on` has passed, then no_response."""
        today = today or ledger_today()
        return self.annotate(
            current_status=models.Case(
                models.When(responded_on__isnull=False, then=models.Value("responded")),
                models.When(due_on__gte=today, then=models.Value("awaiting")),
                default=models.Value("no_response"),
                output_field=models.CharField(),
            )
        )


class Invitation(models.Model):
    """An invitation to `target` to respond to `statement` by `due_on`, and its response."""

    class Status(models.TextChoices):
        AWAITING = "awaiting", pgettext_lazy("invitation", "Awaiting a response")
        RESPONDED = "responded", pgettext_lazy("invitation", "Responded")
        NO_RESPONSE = "no_response", pgettext_lazy("invitation", "Did not respond")

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="invitations")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="invitations")
    due_on = models.DateField()
    # Optional: where the invitation was (or would be) emailed; not sent automatically.
    contact_email = models.EmailField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    responded_on = models.DateField(null=True, blank=True)
    response_summary = LocalisedField(blank=True)
    response_url = models.URLField(max_length=500, blank=True)
    response_document = models.FileField(
        upload_to="responses/", blank=True, validators=[validate_response_document]
    )
    response_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response_recorded_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "target"], name="one_invitation_per_target_and_statement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target} invited to respond to {self.statement_id} by {self.due_on}"

    def status_on(self, today) -> str:
        if self.responded_on is not None:
            return self.Status.RESPONDED
        return self.Status.AWAITING if today <= self.due_on else self.Status.NO_RESPONSE

    @property
    def status(self) -> str:
        return self.status_on(ledger_today())

    def summary_in(self, language: str) -> str:
        return pick(self.response_summary, language)
