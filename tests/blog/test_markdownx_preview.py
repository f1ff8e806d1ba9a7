"""django-markdownx's endpoints are staff-only and the preview is sanitized."""

import re

import pytest

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PREVIEW = "/markdownx/markdownify/"
# The third line starts an HTML block (CommonMark), so its link stays literal text; the last
# one is a Markdown link whose javascript: URL the sanitizer removes.
HOSTILE = (
    "## 見出し\n\n<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1))"
    "\n\n[リンク](javascript:alert(1))"
)


def test_anonymous_users_cannot_use_the_preview(client):
    assert client.post(PREVIEW, {"content": "# hi"}).status_code == 403


def test_logged_in_non_staff_users_cannot_use_the_preview(client):
    client.force_login(make_user(is_staff=False))
    assert client.post(PREVIEW, {"content": "# hi"}).status_code == 403


def test_staff_get_a_sanitized_preview(client):
    client.force_login(make_user())
    response = client.post(PREVIEW, {"content": HOSTILE})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h2 id="見出し">' in html
    assert "<script" not in html and "onerror" not in html
    assert not re.search(r"=\s*\"?\s*javascript:", html), html
    assert "<a rel=\"noopener noreferrer\">リンク</a>" in html


def test_preview_without_content_is_empty_not_an_error(client):
    client.force_login(make_user())
    response = client.post(PREVIEW, {})
    assert response.status_code == 200
    assert response.content == b""


def test_preview_is_post_only(client):
    client.force_login(make_user())
    assert client.get(PREVIEW).status_code == 405


def test_anonymous_users_cannot_upload_images(client):
    assert client.post("/markdownx/upload/", {}).status_code == 403
