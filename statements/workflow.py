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
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from burmese.text import clean_translation_fields
from campaigns.models import Ask, Campaign, Role, Target
from config.errors import NotAllowed, RuleBroken
from config.languages import language_codes
from statements import transitions
from statements.models import (
    Amendment,
    Boilerplate,
    Correction,
    Review,
    Revision,
    Statement,
    StatementEvent,
    StatementTranslation,
)
from statements.search import refresh_search_text
from statements.signals import release_changed, statement_transitioned

# The reads every face needs live with the transition table; re-exported for callers.
from statements.transitions import (  # noqa: F401
    CONTENT_FIELDS,
    FIELD_RULES,
    POST_PUBLICATION,
    open_amendment,
    translation_problems,
    translation_status,
    working_content,
    working_hash,
)
from statements.transitions import (
    approvals as _approvals,
)
from statements.transitions import (
    changed_languages as _changed_languages,
)
from statements.transitions import (
    content_of as _content_of,
)
from statements.transitions import (
    digest as _digest,
)
from statements.transitions import (
    public_languages as _public_languages,
)

log = logging.getLogger(__name__)
State = Statement.State

EDITABLE_STATES = (
    State.DRAFT,
    State.IN_REVIEW,
    State.CHANGES_REQUESTED,
    State.APPROVED,
    State.SCHEDULED,
)


# --- locking and bookkeeping --------------------------------------------------------------


def _lock(statement_id: int) -> Statement:
    try:
        return Statement.objects.select_for_update().get(pk=statement_id)
    except (Statement.DoesNotExist, ValueError, TypeError, OverflowError) as err:
        raise RuleBroken("No such statement.", statement=str(statement_id)) from err


def _after_commit(statement_id: int, action: str) -> None:
    transaction.on_commit(
        lambda: release_changed.send(sender=Statement, statement_id=statement_id, action=action)
    )


def _announce(statement: Statement, action: str, by, comment: str = "") -> None:
    """statement_transitioned, inside the transaction: receivers' rows commit with it."""
    statement_transitioned.send(
        sender=Statement,
        statement_id=statement.pk,
        action=action,
        by_id=getattr(by, "pk", None),
        comment=comment or "",
    )


def _next_revision(statement: Statement, by) -> Revision:
    number = (statement.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    return Revision.objects.create(
        statement=statement,
        number=number,
        created_by=by,
        snapshot=transitions.snapshot(statement),
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


_RELATED = {"targets": Target, "roles": Role, "asks": Ask}


def _find_related(field: str, slugs) -> list:
    if not isinstance(slugs, (list, tuple)) or not all(isinstance(s, str) for s in slugs):
        raise RuleBroken(f"{field} is a list of slugs.")
    found = list(_RELATED[field].objects.filter(slug__in=slugs))
    missing = set(slugs) - {o.slug for o in found}
    if missing:
        raise RuleBroken(f"Unknown {field}: {sorted(missing)}.")
    return found


def _require(user, action: str) -> None:
    """The role check of a table row, before the input is read (403 before 400)."""
    transitions.require(user, transitions.permission_of(action), action)


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
    boilerplate: str | None = None,
    confirm_encoding: bool = False,
) -> tuple[Statement, list[dict]]:
    transitions.require(by, transitions.CREATE_PERMISSION, "create")
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
            boilerplate=_find_boilerplate(boilerplate) or _default_boilerplate(),
            created_by=by,
        )
        content, notices = _merge_translations(
            statement, {}, translations, confirm_encoding=confirm_encoding
        )
        _write_rows(statement, content, by)
        for field, slugs in (("targets", targets), ("roles", roles), ("asks", asks)):
            if slugs is not None:
                getattr(statement, field).set(_find_related(field, slugs))
        _next_revision(statement, by)
        StatementEvent.record(statement, by=by, action="create")
    return statement, notices


def _default_boilerplate() -> Boilerplate | None:
    """A new statement prints the organisation's default About us and media contact unless it
    chooses its own: set here, so it is part of what is approved and frozen with the release
    (a later change of the default never rewrites a published release)."""
    from statements.organisation import current_organisation

    return current_organisation().default_boilerplate


def _find_boilerplate(slug: str | None) -> Boilerplate | None:
    if slug is None:
        return None
    found = Boilerplate.objects.filter(slug=slug).first()
    if found is None:
        raise RuleBroken(f"Unknown boilerplate {slug!r}.", boilerplate=slug)
    return found


def _new_value(statement: Statement, name: str, value: Any) -> Any:
    """The checked new value of an editable field, in the form approved_values() shows it."""
    if name == "kind":
        if value not in Statement.Kind.values:
            raise RuleBroken(f"Unknown kind {value!r}; one of {Statement.Kind.values}.")
        return value
    if name == "required_languages":
        return _check_languages(value)
    if name == "embargo_until":
        if value is not None and not isinstance(value, datetime.datetime):
            raise RuleBroken("embargo_until is an ISO 8601 date and time, or null.")
        if value is not None and timezone.is_naive(value):
            raise RuleBroken("embargo_until needs a time zone (e.g. 2030-01-01T09:00:00Z).")
        return value
    if name in _RELATED:
        return _find_related(name, value)
    if name == "boilerplate":
        return _find_boilerplate(value)
    raise RuleBroken(f"{name} cannot be edited.")  # unreachable: EDITABLE_FIELDS guards it


def _shown(statement: Statement, name: str) -> object:
    return transitions.approved_values(statement)[name]


def _apply_field(statement: Statement, name: str, value: Any) -> None:
    if name in _RELATED:
        getattr(statement, name).set(value)
    else:
        setattr(statement, name, value)
        statement.save(update_fields=[name, "updated_at"])


def _check_field_after_publication(statement: Statement, name: str, by) -> None:
    """FIELD_RULES after publication: amendment, publisher-only, an explicit action, fixed."""
    rule = FIELD_RULES[name]
    action = rule.action_after_publication()
    if action is not None:
        if not by.has_perm(transitions.permission_of(action)):
            raise NotAllowed(
                f"The release is published: only a publisher may change {name}, with the "
                f"{action} action.",
                field=name,
            )
        raise RuleBroken(
            f"The release is published: change {name} with POST .../{action}/ "
            "(recorded with a reason), not by editing.",
            field=name,
            action=action,
        )
    if rule.after_publication == transitions.PUBLISHER:
        if not by.has_perm(transitions.permission_of("publish")):
            raise NotAllowed(
                f"The release is published: only a publisher may change {name}.", field=name
            )
    elif rule.after_publication != transitions.AMENDMENT:
        raise RuleBroken(f"{name} cannot change after publication.", field=name)


def _check_not_stale(statement: Statement, based_on_revision: int) -> None:
    latest = statement.revisions.select_related("created_by").order_by("-number").first()
    if latest is not None and latest.number > based_on_revision:
        who = latest.created_by.get_username() if latest.created_by else "?"
        raise RuleBroken(
            gettext(
                "%(who)s saved this statement at %(time)s UTC, after you opened it. Your "
                "changes were not saved, so theirs are not overwritten: copy your text, reload "
                "the page and apply it again."
            )
            % {"who": who, "time": f"{latest.created_at:%H:%M}"},
            revision=latest.number,
            based_on=based_on_revision,
        )


def statement_edit(
    *,
    statement_id: int,
    by,
    translations: dict[str, dict] | None = None,
    confirm_encoding: bool = False,
    based_on_revision: int | None = None,
    **fields: Any,
) -> tuple[Statement, list[dict]]:
    """Save changes, each field under its FIELD_RULES row. Every field edited here is part of
    what is approved: a real change after approval sends the statement back to review (and
    unschedules it); a save without changes changes nothing. After publication the text goes
    into an amendment, the other fields follow their rule. Every change is a revision and an
    `edit` event naming the fields, whose actor may not approve it (four eyes).
    `based_on_revision` (the desk editor's) refuses a save made on an older revision than the
    latest, instead of silently overwriting someone else's change."""
    _require(by, "edit")
    refused = set(fields) - set(transitions.EDITABLE_FIELDS)
    if refused:
        rules = {name: FIELD_RULES[name].why for name in sorted(refused) if name in FIELD_RULES}
        raise RuleBroken(f"These fields cannot be edited: {sorted(refused)}.", rules=rules)
    with transaction.atomic():
        statement = _lock(statement_id)
        transitions.check("edit", statement, by)
        if based_on_revision is not None:
            _check_not_stale(statement, based_on_revision)
        published = statement.state in POST_PUBLICATION
        before, before_hash = transitions.approved_values(statement), working_hash(statement)
        changes: dict[str, dict] = {}
        for name, value in fields.items():
            new = _new_value(statement, name, value)
            old_shown = before[name]
            _apply_field(statement, name, new)
            if _shown(statement, name) == old_shown:
                continue
            if published:
                _check_field_after_publication(statement, name, by)
            changes[name] = {"from": old_shown, "to": _shown(statement, name)}

        notices: list[dict] = []
        changed_languages: list[str] = []
        if translations:
            current = working_content(statement)
            content, notices = _merge_translations(
                statement, current, translations, confirm_encoding=confirm_encoding
            )
            changed_languages = sorted(
                lang
                for lang, entry in content.items()
                if _as_stored(entry) != _as_stored(current.get(lang))
            )
            if published:
                _save_amendment(statement, content, by)
            else:
                _write_rows(statement, content, by)
        after_hash = working_hash(statement)
        if after_hash == before_hash and not changes and not changed_languages:
            return statement, notices

        _next_revision(statement, by)
        from_state = statement.state
        if statement.state in (State.APPROVED, State.SCHEDULED) and after_hash != before_hash:
            statement.state, statement.scheduled_at = State.IN_REVIEW, None
            statement.save(update_fields=["state", "scheduled_at", "updated_at"])
        StatementEvent.record(
            statement,
            by=by,
            action="edit",
            from_state=from_state,
            content_hash=after_hash,
            content_changed=after_hash != before_hash,
            changed=sorted(changes) + [f"translations.{lang}" for lang in changed_languages],
            values=changes,
            after_publication=published,
        )
        if from_state != statement.state:
            _announce(statement, "returned_to_review", by)
        if published and changes:
            _after_commit(statement.pk, "edited")
    return statement, notices


def _as_stored(entry: dict | None) -> dict | None:
    if entry is None:
        return None
    return _content_of(entry) | {
        "marked_complete": entry.get("marked_complete", True),
        "source_hash": entry.get("source_hash", ""),
    }


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


def statement_set_embargo(
    *, statement_id: int, by, embargo_until: datetime.datetime | None, reason: str
) -> Statement:
    """After publication, the one way an embargo changes: a publisher, while it still runs,
    with a reason; recorded as an event and a revision. Setting it to now or earlier (or
    null) lifts it: the release becomes public."""
    _require(by, "set-embargo")
    if not (reason or "").strip():
        raise RuleBroken("Changing the embargo of a published release needs a reason.")
    if embargo_until is not None and timezone.is_naive(embargo_until):
        raise RuleBroken("embargo_until needs a time zone (e.g. 2030-01-01T09:00:00Z).")
    with transaction.atomic():
        statement = _lock(statement_id)
        transitions.check("set-embargo", statement, by)
        before = statement.embargo_until
        if before == embargo_until:
            raise RuleBroken("The embargo is already set to that time.")
        statement.embargo_until = embargo_until
        statement.save(update_fields=["embargo_until", "updated_at"])
        _next_revision(statement, by)
        StatementEvent.record(
            statement,
            by=by,
            action="set_embargo",
            from_state=statement.state,
            comment=reason.strip(),
            changed=["embargo_until"],
            values={
                "embargo_until": {
                    "from": transitions._utc(before),
                    "to": transitions._utc(embargo_until),
                }
            },
        )
        _announce(statement, "set_embargo", by, reason.strip())
        _after_commit(statement.pk, "embargo_changed")
    return statement


def statement_comment(*, statement_id: int, by, comment: str) -> Statement:
    """A staff comment on a statement, kept in its audit log."""
    transitions.require(by, transitions.COMMENT_PERMISSION, "comment")
    if not (comment or "").strip():
        raise RuleBroken("A comment needs text.")
    with transaction.atomic():
        statement = _lock(statement_id)
        StatementEvent.record(
            statement, by=by, action="comment", from_state=statement.state, comment=comment.strip()
        )
    return statement


# --- review -------------------------------------------------------------------------------


def statement_submit(*, statement_id: int, by, comment: str = "") -> Statement:
    _require(by, "submit")
    with transaction.atomic():
        statement = _lock(statement_id)
        transitions.check("submit", statement, by)
        from_state = statement.state
        if statement.state in POST_PUBLICATION:
            amendment = open_amendment(statement)
            amendment.status = Amendment.Status.IN_REVIEW
            amendment.save(update_fields=["status", "updated_at"])
        else:
            statement.state = State.IN_REVIEW
            statement.save(update_fields=["state", "updated_at"])
        StatementEvent.record(
            statement, by=by, action="submit", from_state=from_state, comment=comment
        )
        _announce(statement, "submit", by, comment)
    return statement


def statement_request_changes(*, statement_id: int, by, comment: str) -> Statement:
    _require(by, "request-changes")
    if not (comment or "").strip():
        raise RuleBroken("Requesting changes needs a comment saying what to change.")
    with transaction.atomic():
        statement = _lock(statement_id)
        transitions.check("request-changes", statement, by)
        amendment = open_amendment(statement) if statement.state in POST_PUBLICATION else None
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
        _announce(statement, "request_changes", by, comment)
    return statement


def statement_approve(*, statement_id: int, by, comment: str = "") -> Statement:
    _require(by, "approve")
    with transaction.atomic():
        statement = _lock(statement_id)
        # The row's guards: four eyes, translations ready, not approved by this user yet.
        transitions.check("approve", statement, by)
        amendment = open_amendment(statement) if statement.state in POST_PUBLICATION else None
        content_hash = working_hash(statement, amendment.content if amendment else None)
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
        _announce(statement, "approved" if approvals >= needed else "approve", by, comment)
    return statement


# --- publication ---------------------------------------------------------------------------


def statement_defer_translation(
    *, statement_id: int, by, languages: list[str], reason: str
) -> Statement:
    """Record the decision to publish without some languages, which follow later."""
    _require(by, "defer-translation")
    if not (reason or "").strip():
        raise RuleBroken("Publishing without a required translation needs a reason.")
    with transaction.atomic():
        statement = _lock(statement_id)
        transitions.check("defer-translation", statement, by)
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
        transitions.check("schedule", statement, by)
        if scheduled_at is None or scheduled_at <= timezone.now():
            raise RuleBroken("The scheduled time must be in the future.")
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
        _announce(statement, "schedule", by, comment)
    return statement


def statement_unschedule(*, statement_id: int, by, comment: str = "") -> Statement:
    _require(by, "unschedule")
    with transaction.atomic():
        statement = _lock(statement_id)
        transitions.check("unschedule", statement, by)
        statement.state, statement.scheduled_at = State.APPROVED, None
        statement.save(update_fields=["state", "scheduled_at", "updated_at"])
        StatementEvent.record(
            statement, by=by, action="unschedule", from_state=State.SCHEDULED, comment=comment
        )
        _announce(statement, "unschedule", by, comment)
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
        transitions.check("publish", statement, by, system=system)
        if statement.state in POST_PUBLICATION:
            return _publish_follow_up(statement, by, comment)
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
        _announce(statement, "publish", by, comment)
        _after_commit(statement.pk, "published")
    return statement


def _publish_follow_up(statement: Statement, by, comment: str) -> Statement:
    amendment = open_amendment(statement)
    changed = _changed_languages(statement, amendment)
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
    _announce(statement, "publish", by, comment)
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
        transitions.check("correct", statement, by)
        notes = {lang: (text or "").strip() for lang, text in (notes or {}).items()}
        amendment = open_amendment(statement)
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
        _announce(statement, "correct", by, comment)
        _after_commit(statement.pk, "corrected")
    return statement


def statement_retract(*, statement_id: int, by, reason: str) -> Statement:
    _require(by, "retract")
    if not (reason or "").strip():
        raise RuleBroken("A retraction needs a reason; it is shown on the tombstone page.")
    with transaction.atomic():
        statement = _lock(statement_id)
        transitions.check("retract", statement, by)
        from_state = statement.state
        statement.state, statement.retracted_at = State.RETRACTED, timezone.now()
        statement.retraction_reason = reason.strip()
        statement.save()
        statement.amendments.filter(status__in=Amendment.OPEN).delete()
        StatementEvent.record(
            statement, by=by, action="retract", from_state=from_state, comment=reason
        )
        _announce(statement, "retract", by, reason)
        _after_commit(statement.pk, "retracted")
    return statement


# --- what may this user do now? (for buttons in the desk and `actions` in the API) ---------


def allowed_actions(statement: Statement, user) -> list[str]:
    """The actions of the transition table `user` may take on `statement` now (by its row's
    permission, stage and guards: the same check the action itself makes)."""
    return transitions.available(statement, user)


# The function that performs each action of the table, for the API and the desk.
SERVICES = {
    "edit": statement_edit,
    "submit": statement_submit,
    "approve": statement_approve,
    "request-changes": statement_request_changes,
    "defer-translation": statement_defer_translation,
    "schedule": statement_schedule,
    "unschedule": statement_unschedule,
    "publish": statement_publish,
    "correct": statement_correct,
    "retract": statement_retract,
    "set-embargo": statement_set_embargo,
}
assert set(SERVICES) == set(transitions.ACTIONS), "every row of the table has a service"


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
            _announce(statement, "embargo_lifted", None)
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
        _announce(statement, "overdue", None, error)


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
