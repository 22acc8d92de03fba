"""What a statement is now and what may happen to it: the transition table and the field rules.

TRANSITIONS is the one list of workflow actions, declared once as data (in the spirit of
django-fsm's ``@transition(source, target, permission, conditions)``). ``check()`` enforces a
row: every workflow function in statements/workflow.py calls it before changing anything;
``available()`` lists the actions a caller may take now (the staff API's ``actions``, the
desk's buttons) by asking ``check()`` itself, so the list and the enforcement cannot drift.

FIELD_RULES says, for every field of a statement, how it may change: which fields are part of
what is approved (``working_hash``), and what happens to each after publication.

This module only reads; the writes live in statements/workflow.py.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from config.errors import NotAllowed, RuleBroken
from statements.models import Amendment, Review, Statement

State = Statement.State
CONTENT_FIELDS = ("title", "summary", "body", "quotes", "more_information")
POST_PUBLICATION = (State.PUBLISHED, State.CORRECTED)

# A published (or corrected) statement with an open amendment is at one of these stages; the
# statement's own state stays published while the change is prepared and reviewed apart.
CHANGE_DRAFT = "change_draft"
CHANGE_IN_REVIEW = "change_in_review"
CHANGE_CHANGES_REQUESTED = "change_changes_requested"
CHANGE_APPROVED = "change_approved"
CHANGE_STAGES = (CHANGE_DRAFT, CHANGE_IN_REVIEW, CHANGE_CHANGES_REQUESTED, CHANGE_APPROVED)
STAGES = (*State.values, *CHANGE_STAGES)

CREATE_PERMISSION = "statements.add_statement"
COMMENT_PERMISSION = "statements.submit_statement"


# --- the working content and what approval is bound to ----------------------------------


def digest(payload: object) -> str:
    canonical = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def content_of(entry: dict) -> dict:
    return {field: entry.get(field, [] if field == "quotes" else "") for field in CONTENT_FIELDS}


# The fields a translation needs before it can be approved.
REQUIRED_TEXT_FIELDS = ("title", "summary", "body")


def missing_fields(entry: dict | None) -> list[str]:
    """The required fields of a translation that are still empty, in form order."""
    entry = entry or {}
    return [name for name in REQUIRED_TEXT_FIELDS if not (entry.get(name) or "").strip()]


def entry_complete(entry: dict) -> bool:
    return bool(entry.get("marked_complete", True) and not missing_fields(entry))


def open_amendment(statement: Statement) -> Amendment | None:
    for amendment in statement.amendments.all():  # prefetched by list views
        if amendment.status in Amendment.OPEN:
            return amendment
    return None


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


def _utc(value: datetime.datetime | None) -> str | None:
    return value.astimezone(datetime.UTC).isoformat() if value else None


def approved_values(statement: Statement) -> dict[str, object]:
    """Every field besides the text that is part of what is approved, as plain values."""
    boilerplate = statement.boilerplate
    return {
        "campaign": statement.campaign_id,
        "kind": statement.kind,
        "required_languages": sorted(statement.required_languages or []),
        "embargo_until": _utc(statement.embargo_until),
        "targets": sorted(t.slug for t in statement.targets.all()),
        "asks": sorted(a.slug for a in statement.asks.all()),
        "roles": sorted(r.slug for r in statement.roles.all()),
        # The printed "About us" and media contact, by content: an edit of the boilerplate
        # is an edit of every release printing it (the admin refuses it once approved).
        "boilerplate": {
            "slug": boilerplate.slug,
            "about": boilerplate.about,
            "media_contact": boilerplate.media_contact,
        }
        if boilerplate
        else None,
    }


def working_hash(statement: Statement, content: dict[str, dict] | None = None) -> str:
    """The hash approval is bound to: the text of every language and every approved field."""
    content = working_content(statement) if content is None else content
    return digest(
        {"translations": {lang: content_of(entry) for lang, entry in content.items()}}
        | approved_values(statement)
    )


def snapshot(statement: Statement) -> dict:
    """What a revision keeps: the text of every language and every approved field."""
    return approved_values(statement) | {
        "translations": {
            lang: content_of(entry) for lang, entry in working_content(statement).items()
        }
    }


def translation_status(statement: Statement, content: dict[str, dict] | None = None) -> dict:
    """Per language: {complete, stale, present} of the working content."""
    content = working_content(statement) if content is None else content
    source = content.get(statement.source_language)
    source_hash = digest(content_of(source)) if source else None
    status = {}
    for lang in sorted(set(content) | set(statement.required_languages)):
        entry = content.get(lang)
        status[lang] = {
            "present": entry is not None,
            "complete": bool(entry) and entry_complete(entry),
            # Why it is not complete: the empty fields, or the translator's "not ready yet".
            "missing": missing_fields(entry),
            "not_ready": bool(entry) and not entry.get("marked_complete", True),
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


# Events whose actor changed what is approved: they count for four eyes.
EDITING_EVENTS = ("create", "edit", "set_embargo")


def _prefetched(statement: Statement, name: str) -> list | None:
    """The statement's ``events`` or ``reviews`` when a list view prefetched them (statements/
    selectors.py: the same answers for a page of statements in one query), else None."""
    cache = getattr(statement, "_prefetched_objects_cache", {})
    return list(cache[name]) if name in cache else None


def _last_event_time(statement: Statement, actions: Iterable[str]):
    actions = list(actions)
    prefetched = _prefetched(statement, "events")
    if prefetched is not None:
        matching = [e for e in prefetched if e.action in actions]
        return max(matching, key=lambda e: (e.created_at, e.id)).created_at if matching else None
    event = statement.events.filter(action__in=actions).order_by("-created_at", "-id").first()
    return event.created_at if event else None


def editors_since_last_approval(statement: Statement) -> set[int]:
    since = _last_event_time(statement, ["approved", "publish", "correct"])
    prefetched = _prefetched(statement, "events")
    if prefetched is not None:
        return {
            e.actor_id
            for e in prefetched
            if e.action in EDITING_EVENTS
            and e.actor_id is not None
            and (since is None or e.created_at > since)
        }
    events = statement.events.filter(action__in=EDITING_EVENTS, actor__isnull=False)
    if since is not None:
        events = events.filter(created_at__gt=since)
    return set(events.values_list("actor_id", flat=True))


def approvals(statement: Statement, content_hash: str) -> set[int]:
    since = _last_event_time(statement, ["submit"])
    prefetched = _prefetched(statement, "reviews")
    if prefetched is not None:
        return {
            r.reviewer_id
            for r in prefetched
            if r.decision == Review.Decision.APPROVE
            and r.content_hash == content_hash
            and (since is None or r.created_at >= since)
        }
    reviews = statement.reviews.filter(decision=Review.Decision.APPROVE, content_hash=content_hash)
    if since is not None:
        reviews = reviews.filter(created_at__gte=since)
    return set(reviews.values_list("reviewer_id", flat=True))


def changed_languages(statement: Statement, amendment: Amendment) -> set[str]:
    live = {t.language: t.content() for t in statement.translations.all()}
    return {
        lang for lang, entry in amendment.content.items() if content_of(entry) != live.get(lang)
    }


def public_languages(statement: Statement) -> set[str]:
    return {t.language for t in statement.translations.all()} - set(statement.deferred_languages)


def embargo_running(statement: Statement) -> bool:
    return bool(statement.embargo_until and statement.embargo_until > timezone.now())


def stage(statement: Statement) -> str:
    """The statement's state, or for a published one with an open change, that change's stage."""
    if statement.state in POST_PUBLICATION:
        amendment = open_amendment(statement)
        if amendment is not None:
            return f"change_{amendment.status}"
    return statement.state


# --- guards: each raises RuleBroken naming the rule, or returns ---------------------------

Guard = Callable[[Statement, object], None]


def four_eyes(statement: Statement, user) -> None:
    pk = getattr(user, "pk", None)
    if pk is not None and (
        pk == statement.created_by_id or pk in editors_since_last_approval(statement)
    ):
        raise RuleBroken(
            "Four eyes: you cannot approve a statement you wrote or edited (text, embargo, "
            "targets, asks, roles or kind) since its last approval."
        )


def _review_content(statement: Statement) -> dict | None:
    amendment = open_amendment(statement) if statement.state in POST_PUBLICATION else None
    return amendment.content if amendment else None


def translations_ready(statement: Statement, user) -> None:
    problems = translation_problems(statement, _review_content(statement))
    if problems:
        raise RuleBroken(
            "Required translations are not ready: " + "; ".join(problems), translations=problems
        )


def not_approved_by_user_yet(statement: Statement, user) -> None:
    content_hash = working_hash(statement, _review_content(statement))
    if getattr(user, "pk", None) in approvals(statement, content_hash):
        raise RuleBroken("You have already approved this version.")


def approval_current(statement: Statement, user) -> None:
    if len(approvals(statement, working_hash(statement))) < settings.APPROVALS_REQUIRED:
        raise RuleBroken("The content changed since it was approved: it needs approval again.")


def change_approval_current(statement: Statement, user) -> None:
    if len(approvals(statement, working_hash(statement))) < settings.APPROVALS_REQUIRED:
        raise RuleBroken("The change was edited after approval: it needs approval again.")


def follow_up_only(statement: Statement, user) -> None:
    """Publishing into a published release adds languages that were to follow; a change to
    text already public is a correction, with a note."""
    amendment = open_amendment(statement)
    changed = changed_languages(statement, amendment)
    touched_public = changed & public_languages(statement)
    if touched_public:
        raise RuleBroken(
            f"This change alters published text ({', '.join(sorted(touched_public))})"
            ": issue it as a correction with a note in every published language."
        )
    if not changed:
        raise RuleBroken("The change alters nothing.")


def embargo_still_running(statement: Statement, user) -> None:
    if not embargo_running(statement):
        raise RuleBroken(
            "The release is public: its embargo cannot be set any more.",
            embargo_until=_utc(statement.embargo_until),
        )


# --- the table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    action: str  # as in the staff API's URL: POST /api/v1/statements/<id>/<action>/
    permission: str
    sources: tuple[str, ...]  # stages (see stage())
    target: str | None  # the stage after; None: stays (or, for edit, see FIELD_RULES)
    guards: tuple[Guard, ...] = ()
    # Said when the statement is at a stage this action does not start from.
    wrong_stage: str = "{action} is not possible while the statement is {stage}."

    @property
    def key(self) -> str:
        """The spelling used in event names, desk URLs and desk buttons."""
        return self.action.replace("-", "_")


_REVIEW = "Only a statement in review can be reviewed; this one is {stage}."
_PUBLISHED_CHANGE = (
    "A change to a published release needs a re-approval: submit it and have an editor "
    "approve it first."
)
_EDITABLE = (
    State.DRAFT,
    State.IN_REVIEW,
    State.CHANGES_REQUESTED,
    State.APPROVED,
    State.SCHEDULED,
    *POST_PUBLICATION,
    *CHANGE_STAGES,
)
_POST_PUBLICATION_STAGES = (*POST_PUBLICATION, *CHANGE_STAGES)

TRANSITIONS: tuple[Transition, ...] = (
    Transition("edit", "statements.change_statement", _EDITABLE, None),
    Transition(
        "submit",
        "statements.submit_statement",
        (State.DRAFT, State.CHANGES_REQUESTED),
        State.IN_REVIEW,
        wrong_stage="Only a draft or a statement with changes requested can be submitted; "
        "this one is {stage}.",
    ),
    Transition(
        "submit",
        "statements.submit_statement",
        (CHANGE_DRAFT, CHANGE_CHANGES_REQUESTED),
        CHANGE_IN_REVIEW,
    ),
    Transition(
        "approve",
        "statements.review_statement",
        (State.IN_REVIEW,),
        State.APPROVED,  # once APPROVALS_REQUIRED editors approved; until then it stays
        (four_eyes, translations_ready, not_approved_by_user_yet),
        wrong_stage=_REVIEW,
    ),
    Transition(
        "approve",
        "statements.review_statement",
        (CHANGE_IN_REVIEW,),
        CHANGE_APPROVED,
        (four_eyes, translations_ready, not_approved_by_user_yet),
    ),
    Transition(
        "request-changes",
        "statements.review_statement",
        (State.IN_REVIEW,),
        State.CHANGES_REQUESTED,
        wrong_stage=_REVIEW,
    ),
    Transition(
        "request-changes",
        "statements.review_statement",
        (CHANGE_IN_REVIEW,),
        CHANGE_CHANGES_REQUESTED,
    ),
    Transition(
        "defer-translation",
        "statements.publish_statement",
        (State.DRAFT, State.CHANGES_REQUESTED, State.IN_REVIEW, State.APPROVED),
        None,
        wrong_stage="Languages to follow are decided before publication; this one is {stage}.",
    ),
    Transition(
        "schedule",
        "statements.publish_statement",
        (State.APPROVED,),
        State.SCHEDULED,
        (approval_current, translations_ready),
        wrong_stage="Only an approved statement can be scheduled; this one is {stage}.",
    ),
    Transition(
        "unschedule",
        "statements.publish_statement",
        (State.SCHEDULED,),
        State.APPROVED,
        wrong_stage="Only a scheduled statement can be unscheduled; this one is {stage}.",
    ),
    Transition(
        "publish",
        "statements.publish_statement",
        (State.APPROVED, State.SCHEDULED),
        State.PUBLISHED,
        (approval_current, translations_ready),
        wrong_stage="Only an approved statement can be published; this one is {stage}.",
    ),
    Transition(
        "publish",  # a follow-up translation into the published release
        "statements.publish_statement",
        (CHANGE_APPROVED,),
        None,
        (change_approval_current, follow_up_only),
    ),
    Transition(
        "correct",
        "statements.correct_statement",
        (CHANGE_APPROVED,),
        State.CORRECTED,
        (change_approval_current,),
        wrong_stage="Only a published statement can be corrected; this one is {stage}.",
    ),
    Transition(
        "retract",
        "statements.retract_statement",
        _POST_PUBLICATION_STAGES,
        State.RETRACTED,
        wrong_stage="Only a published statement can be retracted; this one is {stage}.",
    ),
    Transition(
        "set-embargo",  # after publication, the embargo changes only here (publishers)
        "statements.publish_statement",
        _POST_PUBLICATION_STAGES,
        None,
        (embargo_still_running,),
        wrong_stage="Before publication the embargo is edited with the statement; "
        "this one is {stage}.",
    ),
)

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(t.action for t in TRANSITIONS))


def rows(action: str) -> list[Transition]:
    found = [t for t in TRANSITIONS if t.action == action or t.key == action]
    if not found:
        raise KeyError(action)
    return found


def permission_of(action: str) -> str:
    return rows(action)[0].permission


def _require_permission(user, permission: str, action: str) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAllowed("Log in as staff first.", action=action)
    if not user.has_perm(permission):
        raise NotAllowed(f"Your role may not {action.replace('-', ' ')} statements.", action=action)


def require(user, permission: str, action: str) -> None:
    """The role check alone, for what has no statement yet (create) or no row (comment)."""
    _require_permission(user, permission, action)


def check(action: str, statement: Statement, user, *, system: bool = False) -> Transition:
    """Enforce the row of `action` for this statement and user, or raise: NotAllowed when the
    role lacks the permission (403), RuleBroken when the stage or a guard refuses (400).
    `system` is the scheduler acting on a publisher's decision: no user, same state rules."""
    candidates = rows(action)
    name = candidates[0].action
    if not system:
        _require_permission(user, candidates[0].permission, name)
    current = stage(statement)
    row = next((t for t in candidates if current in t.sources), None)
    if row is None:
        if current == State.RETRACTED:
            raise RuleBroken("A retracted statement is frozen: nothing about it can change.")
        if name in ("correct", "publish") and current in _POST_PUBLICATION_STAGES:
            raise RuleBroken(_PUBLISHED_CHANGE, stage=current)
        if name == "submit" and current in POST_PUBLICATION:
            raise RuleBroken("Nothing to submit: edit the published text first.", stage=current)
        raise RuleBroken(
            candidates[0].wrong_stage.format(action=name, stage=current.replace("_", " ")),
            stage=current,
        )
    for guard in row.guards:
        guard(statement, user)
    return row


def can(action: str, statement: Statement, user) -> bool:
    try:
        check(action, statement, user)
    except (NotAllowed, RuleBroken):
        return False
    return True


def available(statement: Statement, user) -> list[str]:
    """The actions `user` may take on `statement` now, in table order: exactly those check()
    accepts (inputs such as a comment or a time are checked when the action is taken)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [action for action in ACTIONS if can(action, statement, user)]


# --- the edit rule of every field ---------------------------------------------------------

EDIT = "edit"  # changed with statement_edit (PATCH, desk save)
AMENDMENT = "amendment"  # after publication: prepared apart, reviewed, applied by correct/publish
PUBLISHER = "publisher"  # after publication: publishers only, recorded as an edit event
FIXED = "fixed"  # set at creation, never changed
WORKFLOW = "workflow"  # set only by transitions (state, times, counters)


@dataclass(frozen=True)
class FieldRule:
    approved: bool  # part of working_hash: a change after approval returns it to review
    before_publication: str  # EDIT, FIXED, WORKFLOW or "action:<name>"
    after_publication: str  # AMENDMENT, PUBLISHER, FIXED, WORKFLOW or "action:<name>"
    why: str = ""

    def action_after_publication(self) -> str | None:
        return self.after_publication.partition("action:")[2] or None


_RELATION = FieldRule(
    True, EDIT, PUBLISHER, "Printed on the release; a publisher may fix it, with an audit event."
)

FIELD_RULES: dict[str, FieldRule] = {
    "translations": FieldRule(
        True, EDIT, AMENDMENT, "The public text changes only by a reviewed correction."
    ),
    "embargo_until": FieldRule(
        True,
        EDIT,
        "action:set-embargo",
        "Lifting an embargo publishes: only a publisher, by an explicit recorded action, and "
        "only while it still runs.",
    ),
    "targets": _RELATION,
    "asks": _RELATION,
    "roles": _RELATION,
    "kind": _RELATION,
    "required_languages": _RELATION,
    "boilerplate": _RELATION,
    "campaign": FieldRule(True, FIXED, FIXED, "Chosen at creation; feeds and pages group by it."),
    "slug": FieldRule(False, FIXED, FIXED, "The public address; links must not break."),
    "source_language": FieldRule(False, FIXED, FIXED, "Translations are bound to it."),
    "country": FieldRule(False, FIXED, FIXED, "Set at creation (import)."),
    "deferred_languages": FieldRule(
        False, "action:defer-translation", WORKFLOW, "A recorded publisher decision."
    ),
    **{
        name: FieldRule(False, WORKFLOW, WORKFLOW, "Set by the workflow's transitions.")
        for name in (
            "id",
            "state",
            "scheduled_at",
            "published_at",
            "corrected_at",
            "correction_count",
            "retracted_at",
            "retraction_reason",
            "embargo_lifted_at",
            "overdue_reported_at",
            "search_text",
            "search_title",
            "created_by",
            "created_at",
            "updated_at",
        )
    },
}


def field_editable(statement: Statement | None, user, name: str) -> bool:
    """May `user` change field `name` of `statement` by editing it now (None: a new one)?
    The desk disables what this refuses; statement_edit enforces the same rows."""
    rule = FIELD_RULES[name]
    if statement is None or statement.state not in POST_PUBLICATION:
        return rule.before_publication == EDIT
    if rule.after_publication == AMENDMENT:
        return True
    if rule.after_publication == PUBLISHER:
        return bool(user and user.has_perm(permission_of("publish")))
    return False


# Fields statement_edit takes (besides translations).
EDITABLE_FIELDS = tuple(
    name
    for name, rule in FIELD_RULES.items()
    if rule.before_publication == EDIT and name != "translations"
)
