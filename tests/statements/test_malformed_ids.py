"""No 500 on a malformed id: every staff API and desk URL with an id, generated from the
URLconf, answers a non-numeric and a too-large id with a 4xx (404 for statements)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts.staff import staff_token

pytestmark = pytest.mark.django_db

BAD_IDS = ["abc", "99999999999999999999", "-1", "1.5"]
ID_NAMES = re.compile(r"^(pk|id|.*_id|.*_pk)$")
FILLERS = {"format": "json", "language": "en", "lang": "en", "name": "submit", "action": "pause"}


def _templates(patterns=None, prefix: str = ""):
    """(template, id group names) for every URL, groups written as {name}."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        text = str(entry.pattern)
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
        text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
        text = text.lstrip("^").rstrip("$").replace("\\.", ".").replace("\\", "")
        if isinstance(entry, URLResolver):
            yield from _templates(entry.url_patterns, prefix + text)
        elif isinstance(entry, URLPattern):
            yield prefix + text


def _staff_urls(bad: str) -> list[str]:
    urls = set()
    for template in _templates():
        if not template.startswith(("api/", "desk/")):
            continue
        names = re.findall(r"{(\w+)}", template)
        if not any(ID_NAMES.match(n) for n in names):
            continue
        values = {n: bad if ID_NAMES.match(n) else FILLERS.get(n, "x") for n in names}
        urls.add("/" + template.format(**values))
    return sorted(urls)


def test_the_walk_covers_every_statement_action_and_the_desk():
    from statements import transitions

    urls = _staff_urls("abc")
    for action in transitions.ACTIONS:
        if action != "edit":
            assert f"/api/v1/statements/abc/{action}/" in urls, action
    assert "/desk/statements/abc/" in urls and "/desk/statements/abc/save/" in urls
    assert any(u.startswith(("/api/v1/distributions/", "/api/v1/contacts/")) for u in urls)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/statements/abc/submit/",
        "/api/v1/statements/abc/",
        "/api/v1/statements/99999999999999999999/submit/",
        "/api/v1/statements/99999999999999999999/",
        "/api/v1/statements/999999999999999999/approve/",
        "/api/v1/statements/999999999999999999/",
        "/api/v1/statements/0/set-embargo/",
    ],
)
def test_a_malformed_or_unknown_statement_id_is_a_404(make_staff, path):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=make_staff('admin'))}")
    response = api.post(path, {}, format="json") if path.count("/") > 5 else api.get(path)
    assert response.status_code == 404, response.content
    assert response.json()["message"]
    assert api.patch(path if path.count("/") == 5 else "/api/v1/statements/abc/").status_code == 404


@pytest.mark.parametrize("bad", BAD_IDS)
def test_no_staff_url_answers_500_to_a_malformed_id(make_staff, client, bad):
    admin = make_staff("admin")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=admin)}")
    client.force_login(admin)
    paths = {f"/api/v1/statements/{bad}/{a}/" for a in ("submit", "publish", "set-embargo")}
    paths |= {f"/desk/statements/{bad}/", f"/desk/statements/{bad}/save/"}
    paths |= {f"/desk/statements/{bad}/approve/", f"/desk/statements/{bad}/diff/"}
    paths |= set(_staff_urls(bad))
    failures = []
    for path in sorted(paths):
        caller = api if path.startswith("/api/") else client
        for method in ("get", "post"):
            response = getattr(caller, method)(path)
            if response.status_code >= 500:
                failures.append((method, path, response.status_code))
            elif path.startswith(("/api/v1/statements/", "/desk/statements/")):
                assert response.status_code in (404, 405), (method, path, response.status_code)
    assert failures == []
