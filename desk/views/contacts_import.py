"""The desk's contact import (publishers and admins): upload a Contact CSV, read what it would
do (a dry run: counts, every rejected row with its line and why, every converted name), then
import it or cancel.

Between the two steps the file waits in a private temporary file (VAR_DIR/contact-imports/,
mode 0600) named by a random token that only this session holds: never in the database. It is
deleted once imported or cancelled; a file left behind by an abandoned review is deleted at a
later upload once it is a day old. The work is contacts/importer.py, as for import_contacts.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import desk_view
from contacts.importer import COLUMNS, ImportFileError, import_contacts_csv, open_csv
from contacts.models import MediaList

SESSION_KEY = "contact_import"
# About 100,000 rows of a typical press list; larger files go through `import_contacts`.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
STALE_SECONDS = 24 * 3600
SHOWN_ROWS = 500  # rejected rows and conversions listed on the page (all are counted)


def _max_bytes() -> int:
    return int(getattr(settings, "CONTACT_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _folder() -> Path:
    folder = Path(settings.VAR_DIR) / "contact-imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _path(token: str) -> Path:
    # The token is made here (token_hex) and read back from the session only: never a path
    # from the request.
    return _folder() / f"{token}.csv"


def _discard(request) -> None:
    """Forget this session's waiting upload and delete its file."""
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        _path(pending["token"]).unlink(missing_ok=True)


def _delete_stale() -> None:
    cutoff = time.time() - STALE_SECONDS
    for path in _folder().glob("*.csv"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue  # deleted meanwhile


def _save(upload) -> str:
    token = secrets.token_hex(32)
    descriptor = os.open(_path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return token


def _run(token: str, list_slug: str, *, dry_run: bool):
    with open_csv(_path(token)) as handle:
        return import_contacts_csv(handle, extra_list=list_slug or None, dry_run=dry_run)


def _form(request, *, error: str = "", status: int = 200) -> HttpResponse:
    return render(
        request,
        "desk/contacts_import.html",
        {
            "error": error,
            "lists": MediaList.objects.all(),
            "columns": COLUMNS,
            "max_mb": _max_bytes() // (1024 * 1024),
            "chosen_list": request.POST.get("list", ""),
        },
        status=status,
    )


def _report_context(report) -> dict:
    return {
        "report": report,
        "rejected": report.rejected[:SHOWN_ROWS],
        "rejected_more": max(0, len(report.rejected) - SHOWN_ROWS),
        "converted": report.converted[:SHOWN_ROWS],
        "converted_more": max(0, len(report.converted) - SHOWN_ROWS),
    }


@desk_view(capability="contacts.import")
def contact_import(request) -> HttpResponse:
    """GET: the upload form. POST: keep the file, dry-run it, show the report to confirm."""
    if request.method != "POST":
        return _form(request)
    upload = request.FILES.get("file")
    if upload is None:
        return _form(request, error=_("Choose a CSV file to import."), status=400)
    if upload.size > _max_bytes():
        return _form(
            request,
            error=_(
                "The file is larger than %(limit)s MB. Split it into smaller files, or import "
                "it on the server with manage.py import_contacts."
            )
            % {"limit": _max_bytes() // (1024 * 1024)},
            status=400,
        )
    list_slug = (request.POST.get("list") or "").strip()
    _discard(request)
    _delete_stale()
    token = _save(upload)
    try:
        report = _run(token, list_slug, dry_run=True)
    except ImportFileError as err:
        _path(token).unlink(missing_ok=True)
        return _form(request, error=err.message, status=400)
    request.session[SESSION_KEY] = {"token": token, "list": list_slug}
    return render(
        request,
        "desk/contacts_import_review.html",
        {
            **_report_context(report),
            "token": token,
            "file_name": upload.name,
            "media_list": MediaList.objects.filter(slug=list_slug).first(),
        },
    )


@desk_view(capability="contacts.import")
@require_POST
def contact_import_confirm(request) -> HttpResponse:
    """Import the file the report was about (or cancel), then delete it."""
    pending = request.session.get(SESSION_KEY)
    token = request.POST.get("token") or ""
    if (
        not pending
        or not constant_time_compare(token, pending["token"])
        or not _path(pending["token"]).exists()
    ):
        # Another upload replaced it, or it was imported or cancelled already.
        return _form(
            request,
            error=_("This upload is no longer waiting to be imported. Upload the file again."),
            status=400,
        )
    if "cancel" in request.POST:
        _discard(request)
        messages.info(request, _("Import cancelled; the uploaded file was deleted."))
        return redirect("desk-contacts-import")
    try:
        report = _run(pending["token"], pending["list"], dry_run=False)
    except ImportFileError as err:
        return _form(request, error=err.message, status=400)
    finally:
        _discard(request)
    return render(request, "desk/contacts_import_done.html", _report_context(report))
