"""The editorial workflow: the only way a statement's content or state changes.

draft → in_review → (changes_requested → in_review)* → approved → scheduled → published,
then published → corrected or → retracted. Every transition locks the row, checks the rules,
changes the state and records an audit event in one transaction. A broken rule raises
RuleBroken (HTTP 400), a missing right NotAllowed (403). Views, the API, the admin, commands
and tasks all call these functions.

Before publication the translations' rows are the working copy. After publication the public
text stays as published while a change is prepared in an Amendment (a correction or a
follow-up translation); it reaches the rows only when applied by `correct` or `publish`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from campaigns.models import Ask, Campaign, Role, Target
from config.errors import NotAllowed, RuleBroken
from config.languages import language_codes
from statements.models import (
    Amendment,
    Correction,
    Review,
    Revision,
    Statement,
    StatementEvent,
    StatementTranslation,
)
from statements.search import refresh_search_text
from statements.signals import release_changed
from burmese.text import clean_translation_fields

log = logging.getLogger(__name__)
State = Statement.State

CONTENT_FIELDS = ("title", "summary", "body", "quotes", "more_information")
EDITABLE_STATES = (
    State.DRAFT,
    State.IN_REVIEW,
    State.CHANGES_REQUESTED,
    State.APPROVED,
    State.SCHEDULED,
)
POST_PUBLICATION = (State.PUBLISHED, State.CORRECTED)


# --- content helpers ----------------------------------------------------------------------


def _digest(payload: object) -> str:
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _content_of(entry: dict) -> dict:
    return {field: entry.get(field, [] if field == "quotes" else "") for field in CONTENT_FIELDS}


def _entry_complete(entry: dict) -> bool:
    return bool(
        entry.get("marked_complete", True)
        and entry.get("title")
        and entry.get("summary")
        and entry.get("body")
    )


def open_amendment(statement: Statement) -> Amendment | None:
    return statement.amendments.filter(status__in=Amendment.OPEN).first()


def working_content(statement: Statement) -> dict[str, dict]:
    """What staff edit and review now: the amendment if one is open, else the rows."""
    amendment = open_amendment(statement) if statement.state in POST_PUBLICATION else None
    if amendment is not None:
        return amendment.content
    return {
        t.language: t.content()
        | {"marked_complete": t.marked_complete, "source_hash": t.source_hash}
        for t in statement.translations.all()
    }


def working_hash(statement: Statement, content: dict[str, dict] | None = None) -> str:
    content = working_content(statement) if content is None else content
    return _digest(
        {
            "translations": {lang: _content_of(entry) for lang, entry in content.items()},
            "kind": statement.kind,
            "campaign": statement.campaign_id,
        }
    )


def translation_status(statement: Statement, content: dict[str, dict] | None = None) -> dict:
    """Per language: {complete, stale, present} of the working content."""
    content = working_content(statement) if content is None else content
    source = content.get(statement.source_language)
    source_hash = _digest(_content_of(source)) if source else None
    status = {}
    for lang in sorted(set(content) | set(statement.required_languages)):
        entry = content.get(lang)
        status[lang] = {
            "present": entry is not None,
            "complete": bool(entry) and _entry_complete(entry),
            "stale": bool(entry)
            and lang != statement.source_language
            and source_hash is not None
            and entry.get("source_hash") != source_hash,
        }
    return status


def translation_problems(statement: Statement, content: dict | None = None) -> list[str]:
    """Required languages missing, incomplete or stale, less those deferred by decision."""
    problems = []
    for lang, st in translation_status(statement, content).items():
        if lang not in statement.required_languages or lang in statement.deferred_languages:
            continue
        if not st["present"]:
            problems.append(f"{lang}: missing")
        elif not st["complete"]:
            problems.append(f"{lang}: incomplete")
        elif st["stale"]:
            problems.append(f"{lang}: stale (its source changed after it was translated)")
    return problems


# --- permissions and locking --------------------------------------------------------------

ACTION_PERMISSIONS = {
    "create": "statements.add_statement",
    "edit": "statements.change_statement",
    "submit": "statements.submit_statement",
    "request_changes": "statements.review_statement",
    "approve": "statements.review_statement",
    "schedule": "statements.publish_statement",
    "unschedule": "statements.publish_statement",
    "publish": "statements.publish_statement",
    "defer_translation": "statements.publish_statement",
    "correct": "statements.correct_statement",
    "retract": "statements.retract_statement",
}


def _require(user, action: str) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAllowed("Log in as staff first.", action=action)
    if not user.has_perm(ACTION_PERMISSIONS[action]):
        raise NotAllowed(f"Your role may not {action.replace('_', ' ')} statements.", action=action)


def _lock(statement_id: int) -> Statement:
    try:
        return Statement.objects.select_for_update().get(pk=statement_id)
    except Statement.DoesNotExist as err:
        raise RuleBroken("No such statement.", statement=statement_id) from err


def _not_frozen(statement: Statement) -> None:
    if statement.state == State.RETRACTED:
        raise RuleBroken("A retracted statement is frozen: nothing about it can change.")


def _after_commit(statement_id: int, action: str) -> None:
    transaction.on_commit(
        lambda: release_changed.send(sender=Statement, statement_id=statement_id, action=action)
    )


def _next_revision(statement: Statement, by) -> Revision:
    number = (statement.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    snapshot = {
        "kind": statement.kind,
        "embargo_until": statement.embargo_until.isoformat() if statement.embargo_until else None,
        "translations": {
            lang: _content_of(entry) for lang, entry in working_content(statement).items()
        },
    }
    return Revision.objects.create(
        statement=statement,
        number=number,
        created_by=by,
        snapshot=snapshot,
        content_hash=working_hash(statement),
    )


# --- create and edit ----------------------------------------------------------------------


def _unique_slug(base: str) -> str:
    base = (base[:100].strip("-")) or "statement"
    slug, n = base, 2
    while Statement.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_slug(slug: str) -> str:
    if slugify(slug) != slug or not slug.isascii():
        raise RuleBroken(
            "A slug is lower-case ASCII letters, digits and hyphens (Burmese titles need an "
            "explicit ASCII slug).",
            slug=slug,
        )
    if Statement.objects.filter(slug=slug).exists():
        raise RuleBroken(f"The slug {slug!r} is taken.", slug=slug)
    return slug


def _check_languages(codes: Iterable[str]) -> list[str]:
    codes = list(codes)
    unknown = [c for c in codes if c not in language_codes()]
    if unknown or not codes:
        raise RuleBroken(f"Unknown or no languages {unknown}; configured: {language_codes()}.")
    return codes


def _merge_translations(
    statement: Statement,
    current: dict[str, dict],
    changes: dict[str, dict],
    *,
    confirm_encoding: bool,
) -> tuple[dict, list]:
    """New working content with `changes` applied; returns it and the Burmese-text notices.

    A translation is bound to the source as it is now when its own text changes, or when the
    translator says it was checked against the current source (`current: true`); resending
    unchanged text does not make a stale translation fresh.
    """
    _check_languages(changes)
    merged = {lang: dict(entry) for lang, entry in current.items()}
    notices = []
    rebind = set()
    for lang, fields in changes.items():
        if not isinstance(fields, dict):
            raise RuleBroken(f"translations.{lang} must be an object.")
        unknown = set(fields) - {*CONTENT_FIELDS, "complete", "current"}
        if unknown:
            raise RuleBroken(f"translations.{lang}: unknown fields {sorted(unknown)}.")
        before = merged.get(lang)
        entry = dict(before) if before else {f: "" for f in CONTENT_FIELDS} | {"quotes": []}
        cleaned, lang_notices = clean_translation_fields(
            lang, {k: v for k, v in fields.items() if k in CONTENT_FIELDS}, confirm=confirm_encoding
        )
        notices += lang_notices
        entry.update(cleaned)
        entry["marked_complete"] = bool(fields.get("complete", True))
        merged[lang] = entry
        if before is None or _content_of(before) != _content_of(entry) or fields.get("current"):
            rebind.add(lang)
    source = merged.get(statement.source_language)
    if source:
        source_hash = _digest(_content_of(source))
        for lang in rebind - {statement.source_language}:
            merged[lang]["source_hash"] = source_hash
    return merged, notices


def _write_rows(statement: Statement, content: dict[str, dict], by) -> None:
    for lang, entry in content.items():
        StatementTranslation.objects.update_or_create(
            statement=statement,
            language=lang,
            defaults=_content_of(entry)
            | {
                "marked_complete": entry.get("marked_complete", True),
                "source_hash": entry.get("source_hash", ""),
                "updated_by": by,
                "is_demo": False,
            },
        )
    # Every live translation write passes here, so search can never lag behind the text.
    refresh_search_text(statement)


def _set_relations(statement: Statement, *, targets=None, roles=None, asks=None) -> None:
    for field, model, slugs in (
        ("targets", Target, targets),
        ("roles", Role, roles),
        ("asks", Ask, asks),
    ):
        if slugs is None:
            continue
        found = list(model.objects.filter(slug__in=slugs))
        missing = set(slugs) - {o.slug for o in found}
        if missing:
            raise RuleBroken(f"Unknown {field}: {sorted(missing)}.")
        getattr(statement, field).set(found)


def statement_create(
    *,
    by,
    campaign: str,
    translations: dict[str, dict],
    slug: str | None = None,
    kind: str = Statement.Kind.PRESS_RELEASE,
    required_languages: list[str] | None = None,
    embargo_until: datetime.datetime | None = None,
    source_language: str = "en",
    targets: list[str] | None = None,
    roles: list[str] | None = None,
    asks: list[str] | None = None,
    confirm_encoding: bool = False,
) -> tuple[Statement, list[dict]]:
    _require(by, "create")
    campaign_obj = Campaign.objects.filter(slug=campaign).first()
    if campaign_obj is None:
        raise RuleBroken(f"Unknown campaign {campaign!r}.", campaign=campaign)
    if kind not in Statement.Kind.values:
        raise RuleBroken(f"Unknown kind {kind!r}; one of {Statement.Kind.values}.")
    required = _check_languages(required_languages or language_codes())
    _check_languages([source_language])
    if not translations:
        raise RuleBroken("A statement needs at least one translation.")
    with transaction.atomic():
        if slug:
            slug = _check_slug(slug)
        else:
            title = (translations.get("en") or {}).get("title", "")
            slug = _unique_slug(slugify(title))
        statement = Statement.objects.create(
            campaign=campaign_obj,
            slug=slug,
            kind=kind,
            required_languages=required,
            embargo_until=embargo_until,
            source_language=source_language,
            created_by=by,
        )
        content, notices = _merge_translations(
            statement, {}, translations, confirm_encoding=confirm_encoding
        )
        _write_rows(statement, content, by)
        _set_relations(statement, targets=targets, roles=roles, asks=asks)
        _next_revision(statement, by)
        StatementEvent.record(statement, by=by, action="create")
    return statement, notices


def statement_edit(
    *,
    statement_id: int,
    by,
    translations: dict[str, dict] | None = None,
    confirm_encoding: bool = False,
    **fields: Any,
) -> tuple[Statement, list[dict]]:
    """Save changes. A real change after approval sends the statement back to review; a save
    without changes changes nothing. After publication the change goes into an amendment."""
    _require(by, "edit")
    allowed = {"kind", "required_languages", "embargo_until", "targets", "roles", "asks"}
    unknown = set(fields) - allowed
    if unknown:
        raise RuleBroken(f"These fields cannot be edited: {sorted(unknown)}.")
    with transaction.atomic():
        statement = _lock(statement_id)
        _not_frozen(statement)
        before = working_hash(statement)
        notices: list[dict] = []
        meta_changed = False
        if "kind" in fields and fields["kind"] != statement.kind:
            if fields["kind"] not in Statement.Kind.values:
                raise RuleBroken(f"Unknown kind {fields['kind']!r}.")
            statement.kind, meta_changed = fields["kind"], True
        if "required_languages" in fields:
            required = _check_languages(fields["required_languages"])
            meta_changed |= required != statement.required_languages
            statement.required_languages = required
        if "embargo_until" in fields and fields["embargo_until"] != statement.embargo_until:
            if statement.state in POST_PUBLICATION and not _embargo_running(statement):
                raise RuleBroken("The release is public: its embargo cannot be set any more.")
            statement.embargo_until, meta_changed = fields["embargo_until"], True
        statement.save()
        _set_relations(
            statement,
            targets=fields.get("targets"),
            roles=fields.get("roles"),
            asks=fields.get("asks"),
        )

        if translations:
            current = working_content(statement)
            content, notices = _merge_translations(
                statement, current, translations, confirm_encoding=confirm_encoding
            )
            if statement.state in POST_PUBLICATION:
                _save_amendment(statement, content, by)
            else:
                _write_rows(statement, content, by)
        after = working_hash(statement)
        if after == before and not meta_changed:
            return statement, notices

        _next_revision(statement, by)
        from_state = statement.state
        if statement.state in (State.APPROVED, State.SCHEDULED) and after != before:
            statement.state, statement.scheduled_at = State.IN_REVIEW, None
            statement.save(update_fields=["state", "scheduled_at", "updated_at"])
        StatementEvent.record(
            statement,
            by=by,
            action="edit",
            from_state=from_state,
            content_hash=after,
            content_changed=after != before,
        )
    return statement, notices


def _save_amendment(statement: Statement, content: dict, by) -> None:
    amendment = open_amendment(statement)
    if amendment is None:
        amendment = Amendment(statement=statement, created_by=by)
    elif amendment.status == Amendment.Status.APPROVED and working_hash(
        statement, content
    ) != working_hash(statement, amendment.content):
        amendment.status = Amendment.Status.IN_REVIEW  # approval is bound to the content
    amendment.content = content
    amendment.save()


def _embargo_running(statement: Statement) -> bool:
    return bool(statement.embargo_until and statement.embargo_until > timezone.now())


def statement_comment(*, statement_id: int, by, comment: str) -> Statement:
    """A staff comment on a statement, kept in its audit log."""
    _require(by, "submit")
    if not (comment or "").strip():
        raise RuleBroken("A comment needs text.")
    with transaction.atomic():
        statement = _lock(statement_id)
        StatementEvent.record(
            statement, by=by, action="comment", from_state=statement.state, comment=comment.strip()
        )
    return statement


# --- review -------------------------------------------------------------------------------


def _last_event_time(statement: Statement, actions: Iterable[str]):
    event = statement.events.filter(action__in=list(actions)).order_by("-created_at", "-id").first()
    return event.created_at if event else None


def _editors_since_last_approval(statement: Statement) -> set[int]:
    since = _last_event_time(statement, ["approved", "publish", "correct"])
    events = statement.events.filter(action__in=["create", "edit"], actor__isnull=False)
    if since is not None:
        events = events.filter(created_at__gt=since)
    return set(events.values_list("actor_id", flat=True))


def _under_review(statement: Statement) -> Amendment | None:
    """The amendment in review for a published statement; None for a statement in review."""
    if statement.state == State.IN_REVIEW:
        return None
    amendment = open_amendment(statement) if statement.state in POST_PUBLICATION else None
    if amendment is not None and amendment.status == Amendment.Status.IN_REVIEW:
        return amendment
    raise RuleBroken(f"Only a statement in review can be reviewed; this one is {statement.state}.")


def _approvals(statement: Statement, content_hash: str) -> set[int]:
    since = _last_event_time(statement, ["submit"])
    reviews = statement.reviews.filter(decision=Review.Decision.APPROVE, content_hash=content_hash)
    if since is not None:
        reviews = reviews.filter(created_at__gte=since)
    return set(reviews.values_list("reviewer_id", flat=True))


def statement_submit(*, statement_id: int, by, comment: str = "") -> Statement:
    _require(by, "submit")
    with transaction.atomic():
        statement = _lock(statement_id)
        _not_frozen(statement)
        from_state = statement.state
        if statement.state in (State.DRAFT, State.CHANGES_REQUESTED):
            statement.state = State.IN_REVIEW
            statement.save(update_fields=["state", "updated_at"])
        elif statement.state in POST_PUBLICATION:
            amendment = open_amendment(statement)
            if amendment is None:
                raise RuleBroken("Nothing to submit: edit the published text first.")
            if amendment.status not in (Amendment.Status.DRAFT, Amendment.Status.CHANGES_REQUESTED):
                raise RuleBroken(f"The change is already {amendment.status}.")
            amendment.status = Amendment.Status.IN_REVIEW
            amendment.save(update_fields=["status", "updated_at"])
        else:
            raise RuleBroken(
                f"Only a draft or a statement with changes requested can be "
                f"submitted; this one is {statement.state}."
            )
        StatementEvent.record(
            statement, by=by, action="submit", from_state=from_state, comment=comment
        )
    return statement


def statement_request_changes(*, statement_id: int, by, comment: str) -> Statement:
    _require(by, "request_changes")
    if not (comment or "").strip():
        raise RuleBroken("Requesting changes needs a comment saying what to change.")
    with transaction.atomic():
        statement = _lock(statement_id)
        amendment = _under_review(statement)
        from_state = statement.state
        Review.objects.create(
            statement=statement,
            reviewer=by,
            comment=comment,
            decision=Review.Decision.REQUEST_CHANGES,
            content_hash=working_hash(statement),
        )
        if amendment is not None:
            amendment.status = Amendment.Status.CHANGES_REQUESTED
            amendment.save(update_fields=["status", "updated_at"])
        else:
            statement.state = State.CHANGES_REQUESTED
            statement.save(update_fields=["state", "updated_at"])
        StatementEvent.record(
            statement, by=by, action="request_changes", from_state=from_state, comment=comment
        )
    return statement


def statement_approve(*, statement_id: int, by, comment: str = "") -> Statement:
    _require(by, "approve")
    with transaction.atomic():
        statement = _lock(statement_id)
        amendment = _under_review(statement)
        # Four eyes: nobody approves what they wrote or edited since the last approval.
        if by.pk == statement.created_by_id or by.pk in _editors_since_last_approval(statement):
            raise RuleBroken(
                "Four eyes: you cannot approve a statement you wrote or edited "
                "since its last approval."
            )
        content = amendment.content if amendment else None
        problems = translation_problems(statement, content)
        if problems:
            raise RuleBroken(
                "Required translations are not ready: " + "; ".join(problems), translations=problems
            )
        content_hash = working_hash(statement, content)
        if by.pk in _approvals(statement, content_hash):
            raise RuleBroken("You have already approved this version.")
        Review.objects.create(
            statement=statement,
            reviewer=by,
            comment=comment,
            decision=Review.Decision.APPROVE,
            content_hash=content_hash,
            revision=statement.revisions.order_by("-number").first(),
        )
        from_state = statement.state
        approvals = len(_approvals(statement, content_hash))
        needed = settings.APPROVALS_REQUIRED
        if approvals >= needed:
            if amendment is not None:
                amendment.status = Amendment.Status.APPROVED
                amendment.save(update_fields=["status", "updated_at"])
            else:
                statement.state = State.APPROVED
                statement.save(update_fields=["state", "updated_at"])
        StatementEvent.record(
            statement,
            by=by,
            comment=comment,
            from_state=from_state,
            action="approved" if approvals >= needed else "approve",
            approvals=approvals,
            needed=needed,
            content_hash=content_hash,
        )
    return statement


# --- publication ---------------------------------------------------------------------------


def _check_approved_content(statement: Statement) -> None:
    if len(_approvals(statement, working_hash(statement))) < settings.APPROVALS_REQUIRED:
        raise RuleBroken("The content changed since it was approved: it needs approval again.")
    problems = translation_problems(statement)
    if problems:
        raise RuleBroken(
            "Required translations are not ready: " + "; ".join(problems), translations=problems
        )


def statement_defer_translation(
    *, statement_id: int, by, languages: list[str], reason: str
) -> Statement:
    """Record the decision to publish without some languages, which follow later."""
    _require(by, "defer_translation")
    if not (reason or "").strip():
        raise RuleBroken("Publishing without a required translation needs a reason.")
    with transaction.atomic():
        statement = _lock(statement_id)
        _not_frozen(statement)
        _check_languages(languages)
        if statement.source_language in languages:
            raise RuleBroken("The source language cannot follow later.")
        statement.deferred_languages = sorted(set(statement.deferred_languages) | set(languages))
        statement.save(update_fields=["deferred_languages", "updated_at"])
        StatementEvent.record(
            statement,
            by=by,
            action="defer_translation",
            comment=reason,
            from_state=statement.state,
            languages=languages,
        )
    return statement


def statement_schedule(
    *, statement_id: int, by, scheduled_at: datetime.datetime, comment: str = ""
) -> Statement:
    _require(by, "schedule")
    with transaction.atomic():
        statement = _lock(statement_id)
        if statement.state != State.APPROVED:
            raise RuleBroken(
                f"Only an approved statement can be scheduled; this one is {statement.state}."
            )
        if scheduled_at is None or scheduled_at <= timezone.now():
            raise RuleBroken("The scheduled time must be in the future.")
        _check_approved_content(statement)
        statement.state, statement.scheduled_at = State.SCHEDULED, scheduled_at
        statement.overdue_reported_at = None
        statement.save(update_fields=["state", "scheduled_at", "overdue_reported_at", "updated_at"])
        StatementEvent.record(
            statement,
            by=by,
            action="schedule",
            from_state=State.APPROVED,
            comment=comment,
            scheduled_at=scheduled_at.isoformat(),
        )
    return statement


def statement_unschedule(*, statement_id: int, by, comment: str = "") -> Statement:
    _require(by, "unschedule")
    with transaction.atomic():
        statement = _lock(statement_id)
        if statement.state != State.SCHEDULED:
            raise RuleBroken("Only a scheduled statement can be unscheduled.")
        statement.state, statement.scheduled_at = State.APPROVED, None
        statement.save(update_fields=["state", "scheduled_at", "updated_at"])
        StatementEvent.record(
            statement, by=by, action="unschedule", from_state=State.SCHEDULED, comment=comment
        )
    return statement


def statement_publish(
    *, statement_id: int, by, comment: str = "", system: bool = False
) -> Statement:
    """Publish an approved (or due scheduled) statement, or a follow-up translation into the
    published release. `system` is the scheduler acting on a publisher's schedule."""
    if not system:
        _require(by, "publish")
    with transaction.atomic():
        statement = _lock(statement_id)
        if statement.state in POST_PUBLICATION:
            return _publish_follow_up(statement, by, comment)
        if statement.state not in (State.APPROVED, State.SCHEDULED):
            raise RuleBroken(
                f"Only an approved statement can be published; this one is {statement.state}."
            )
        _check_approved_content(statement)
        from_state, now = statement.state, timezone.now()
        statement.state, statement.published_at = State.PUBLISHED, now
        statement.save(update_fields=["state", "published_at", "updated_at"])
        StatementEvent.record(
            statement,
            by=by,
            action="publish",
            from_state=from_state,
            comment=comment,
            scheduled=system,
            embargo_until=statement.embargo_until.isoformat() if statement.embargo_until else None,
        )
        _after_commit(statement.pk, "published")
    return statement


def _approved_amendment(statement: Statement) -> Amendment:
    amendment = open_amendment(statement)
    if amendment is None or amendment.status != Amendment.Status.APPROVED:
        raise RuleBroken(
            "A change to a published release needs a re-approval: submit it and "
            "have an editor approve it first."
        )
    if len(_approvals(statement, working_hash(statement))) < settings.APPROVALS_REQUIRED:
        raise RuleBroken("The change was edited after approval: it needs approval again.")
    return amendment


def _changed_languages(statement: Statement, amendment: Amendment) -> set[str]:
    live = {t.language: t.content() for t in statement.translations.all()}
    return {
        lang for lang, entry in amendment.content.items() if _content_of(entry) != live.get(lang)
    }


def _public_languages(statement: Statement) -> set[str]:
    return {t.language for t in statement.translations.all()} - set(statement.deferred_languages)


def _publish_follow_up(statement: Statement, by, comment: str) -> Statement:
    amendment = _approved_amendment(statement)
    changed = _changed_languages(statement, amendment)
    touched_public = changed & _public_languages(statement)
    if touched_public:
        raise RuleBroken(
            f"This change alters published text ({', '.join(sorted(touched_public))})"
            ": issue it as a correction with a note in every published language."
        )
    if not changed:
        raise RuleBroken("The change alters nothing.")
    _apply_amendment(statement, amendment, by)
    statement.deferred_languages = [x for x in statement.deferred_languages if x not in changed]
    statement.save(update_fields=["deferred_languages", "updated_at"])
    StatementEvent.record(
        statement,
        by=by,
        action="publish_translation",
        from_state=statement.state,
        comment=comment,
        languages=sorted(changed),
    )
    _after_commit(statement.pk, "translation_published")
    return statement


def _apply_amendment(statement: Statement, amendment: Amendment, by) -> None:
    _write_rows(statement, amendment.content, by)
    amendment.status, amendment.applied_at = Amendment.Status.APPLIED, timezone.now()
    amendment.save(update_fields=["status", "applied_at", "updated_at"])


def statement_correct(
    *, statement_id: int, by, notes: dict[str, str], comment: str = ""
) -> Statement:
    """Publish an approved change to a published release with a dated note per language."""
    _require(by, "correct")
    with transaction.atomic():
        statement = _lock(statement_id)
        _not_frozen(statement)
        if statement.state not in POST_PUBLICATION:
            raise RuleBroken("Only a published statement can be corrected.")
        notes = {lang: (text or "").strip() for lang, text in (notes or {}).items()}
        amendment = _approved_amendment(statement)
        changed = _changed_languages(statement, amendment)
        published = _public_languages(statement) | (changed & set(statement.deferred_languages))
        missing = sorted(lang for lang in published if not notes.get(lang))
        if missing:
            raise RuleBroken(
                "A correction needs a note in every published language; missing: "
                + ", ".join(missing),
                missing=missing,
            )
        _apply_amendment(statement, amendment, by)
        now, from_state = timezone.now(), statement.state
        statement.correction_count += 1
        statement.state, statement.corrected_at = State.CORRECTED, now
        statement.deferred_languages = [x for x in statement.deferred_languages if x not in changed]
        statement.save()
        Correction.objects.create(
            statement=statement,
            number=statement.correction_count,
            notes={k: v for k, v in notes.items() if k in published},
            created_by=by,
            published_at=now,
        )
        StatementEvent.record(
            statement,
            by=by,
            action="correct",
            from_state=from_state,
            comment=comment,
            notes=notes,
            languages=sorted(changed),
        )
        _after_commit(statement.pk, "corrected")
    return statement


def statement_retract(*, statement_id: int, by, reason: str) -> Statement:
    _require(by, "retract")
    if not (reason or "").strip():
        raise RuleBroken("A retraction needs a reason; it is shown on the tombstone page.")
    with transaction.atomic():
        statement = _lock(statement_id)
        _not_frozen(statement)
        if statement.state not in POST_PUBLICATION:
            raise RuleBroken("Only a published statement can be retracted.")
        from_state = statement.state
        statement.state, statement.retracted_at = State.RETRACTED, timezone.now()
        statement.retraction_reason = reason.strip()
        statement.save()
        statement.amendments.filter(status__in=Amendment.OPEN).delete()
        StatementEvent.record(
            statement, by=by, action="retract", from_state=from_state, comment=reason
        )
        _after_commit(statement.pk, "retracted")
    return statement


# --- what may this user do now? (for buttons in the desk and `actions` in the API) ---------


def allowed_actions(statement: Statement, user) -> list[str]:
    """Actions the user's role allows in the statement's state. The rules are still checked
    when the action is taken; this only decides which buttons to show."""
    if not getattr(user, "is_authenticated", False):
        return []
    state, amendment = statement.state, None
    if state in POST_PUBLICATION:
        amendment = open_amendment(statement)
    candidates = {
        State.DRAFT: ["edit", "submit", "defer_translation"],
        State.CHANGES_REQUESTED: ["edit", "submit", "defer_translation"],
        State.IN_REVIEW: ["edit", "approve", "request_changes", "defer_translation"],
        State.APPROVED: ["edit", "schedule", "publish", "defer_translation"],
        State.SCHEDULED: ["edit", "unschedule", "publish"],
        State.PUBLISHED: ["edit", "retract"],
        State.CORRECTED: ["edit", "retract"],
        State.RETRACTED: [],
    }[state]
    if amendment is not None:
        candidates = (
            candidates
            + {
                Amendment.Status.DRAFT: ["submit"],
                Amendment.Status.CHANGES_REQUESTED: ["submit"],
                Amendment.Status.IN_REVIEW: ["approve", "request_changes"],
                Amendment.Status.APPROVED: ["correct", "publish"],
            }[amendment.status]
        )
    if "approve" in candidates and (
        user.pk == statement.created_by_id or user.pk in _editors_since_last_approval(statement)
    ):
        candidates.remove("approve")
    return [a for a in candidates if user.has_perm(ACTION_PERMISSIONS[a])]


# --- the periodic task's work -------------------------------------------------------------


def run_due_schedules(now: datetime.datetime | None = None) -> dict[str, list[str]]:
    """Publish scheduled statements whose time has come, record lifted embargoes, and report
    (never skip) publications that are overdue. Idempotent: safe to run any number of times."""
    now = now or timezone.now()
    done: dict[str, list[str]] = {"published": [], "late": [], "failed": [], "lifted": []}
    overdue_after = settings.SCHEDULE_OVERDUE_AFTER
    due = Statement.objects.filter(state=State.SCHEDULED, scheduled_at__lte=now)
    for statement_id, slug, scheduled_at in due.values_list("id", "slug", "scheduled_at"):
        late = now - scheduled_at > overdue_after
        try:
            statement_publish(
                statement_id=statement_id, by=None, system=True, comment="Scheduled publication"
            )
            done["published"].append(slug)
        except RuleBroken as err:
            log.error("scheduled publication of %s failed: %s", slug, err.message)
            done["failed"].append(slug)
            _report_overdue(statement_id, now, error=err.message)
            continue
        if late:
            log.warning("scheduled publication of %s ran %s late", slug, now - scheduled_at)
            done["late"].append(slug)
            _report_overdue(statement_id, now, error="")
    lifted = Statement.objects.filter(
        state__in=POST_PUBLICATION, embargo_until__lte=now, embargo_lifted_at__isnull=True
    )
    for statement_id in lifted.values_list("id", flat=True):
        with transaction.atomic():
            statement = _lock(statement_id)
            if statement.embargo_lifted_at is not None:
                continue
            statement.embargo_lifted_at = now
            statement.save(update_fields=["embargo_lifted_at", "updated_at"])
            StatementEvent.record(
                statement, by=None, action="embargo_lifted", from_state=statement.state
            )
            _after_commit(statement.pk, "embargo_lifted")
        done["lifted"].append(statement.slug)
    return done


def _report_overdue(statement_id: int, now: datetime.datetime, *, error: str) -> None:
    with transaction.atomic():
        statement = _lock(statement_id)
        statement.overdue_reported_at = now
        statement.save(update_fields=["overdue_reported_at", "updated_at"])
        StatementEvent.record(
            statement,
            by=None,
            action="overdue",
            from_state=statement.state,
            comment=error or "Published later than scheduled.",
        )


def overdue_report(now: datetime.datetime | None = None) -> list[Statement]:
    """For the desk banner: scheduled and not published 5+ minutes after their time, or
    published late or failed in the last day."""
    now = now or timezone.now()
    from django.db.models import Q

    return list(
        Statement.objects.filter(
            Q(state=State.SCHEDULED, scheduled_at__lt=now - settings.SCHEDULE_OVERDUE_AFTER)
            | Q(overdue_reported_at__gte=now - datetime.timedelta(days=1))
        ).order_by("scheduled_at")
    )
