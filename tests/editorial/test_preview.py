"""Staff previews and signed share links for outside reviewers."""

import datetime
import re
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from editorial import sharing

from .conftest import change_url

Status = Article.Status
pytestmark = pytest.mark.django_db


def preview_url(article):
    return reverse("admin:blog_article_preview", args=[article.pk])


def share_url(token):
    return reverse("editorial:shared-preview", args=[token])


def assert_private(response):
    assert response["X-Robots-Tag"] == "noindex, nofollow, noarchive"
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_staff_preview_an_unpublished_article_on_the_public_template_with_a_banner(client, owner, article_in):
    article = article_in(Status.DRAFT, title="未公開の記事")
    assert client.get(article.get_absolute_url()).status_code == 404  # readers cannot see it
    client.force_login(owner)
    response = client.get(preview_url(article))
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["editorial/article_preview.html", "blog/article_detail.html"]
    content = response.content.decode()
    assert "プレビュー" in content and "まだ読者には公開されていません" in content
    assert "未公開の記事" in content and article.body_html in content
    assert '<meta name="robots" content="noindex, nofollow, noarchive">' in content
    assert 'rel="canonical"' not in content
    assert_private(response)


def test_the_change_page_links_to_the_preview(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    assert preview_url(article) in client.get(change_url(article)).content.decode()


def test_preview_needs_a_logged_in_staff_member_with_view_permission(client, users, article_in):
    article = article_in(Status.DRAFT)
    response = client.get(preview_url(article))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(users["staff_without_role"])
    assert client.get(preview_url(article)).status_code == 403


def test_an_editor_creates_a_share_link_that_an_outsider_can_read(client, users, article_in):
    article = article_in(Status.IN_REVIEW, title="社外レビュー中の記事")
    client.force_login(users["editor"])
    response = client.post(reverse("admin:blog_article_share", args=[article.pk]), {"days": 3}, follow=True)
    message = [str(m) for m in response.context["messages"]][0]
    link = re.search(r"http://testserver(/editorial/share/\S+/)", message).group(1)
    assert "まで有効" in message
    client.logout()
    shared = client.get(link)
    assert shared.status_code == 200
    assert "社外レビュー中の記事" in shared.content.decode()
    assert "共有リンク" in shared.content.decode()
    assert_private(shared)


def test_a_share_link_is_read_only(client, article_in):
    article = article_in(Status.IN_REVIEW)
    token = sharing.make_token(article, expires_at=timezone.now() + datetime.timedelta(days=1))
    assert client.post(share_url(token)).status_code == 405


def test_a_writer_cannot_create_share_links(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    assert client.post(reverse("admin:blog_article_share", args=[article.pk]), {"days": 3}).status_code == 403
    assert reverse("admin:blog_article_share", args=[article.pk]) not in client.get(change_url(article)).content.decode()


def test_share_link_validity_is_limited_to_thirty_days(client, users, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(users["editor"])
    response = client.post(reverse("admin:blog_article_share", args=[article.pk]), {"days": 365}, follow=True)
    assert "有効日数は1〜30日" in response.content.decode()


def test_an_expired_share_link_is_refused(client, article_in):
    article = article_in(Status.IN_REVIEW)
    token = sharing.make_token(article, expires_at=timezone.now() + datetime.timedelta(days=1))
    later = timezone.now() + datetime.timedelta(days=1, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get(share_url(token))
    assert response.status_code == 410
    assert "有効期限が切れています" in response.content.decode()
    assert_private(response)


def test_a_share_link_works_until_just_before_it_expires(client, article_in):
    article = article_in(Status.IN_REVIEW)
    expires = timezone.now() + datetime.timedelta(days=1)
    token = sharing.make_token(article, expires_at=expires)
    with mock.patch("django.utils.timezone.now", return_value=expires - datetime.timedelta(seconds=1)):
        assert client.get(share_url(token)).status_code == 200


def test_a_tampered_share_link_is_refused(client, article_in):
    article, other = article_in(Status.IN_REVIEW), article_in(Status.DRAFT)
    token = sharing.make_token(article, expires_at=timezone.now() + datetime.timedelta(days=1))
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(share_url(flipped)).status_code == 404
    forged = signing.dumps({"a": other.pk, "v": "x", "e": 9999999999}, salt="another-salt", compress=True)
    assert client.get(share_url(forged)).status_code == 404
    assert client.get(share_url("not-a-token")).status_code == 404


def test_saving_the_article_revokes_its_share_links(client, article_in):
    article = article_in(Status.IN_REVIEW)
    token = sharing.make_token(article, expires_at=timezone.now() + datetime.timedelta(days=1))
    assert client.get(share_url(token)).status_code == 200
    article.body += "\n追記。"
    article.save()
    response = client.get(share_url(token))
    assert response.status_code == 410
    assert "記事が更新されたため" in response.content.decode()


def test_a_share_link_to_a_deleted_article_is_not_found(client, article_in):
    article = article_in(Status.DRAFT)
    token = sharing.make_token(article, expires_at=timezone.now() + datetime.timedelta(days=1))
    article.delete()
    assert client.get(share_url(token)).status_code == 404


def test_view_on_site_leads_to_the_preview_until_the_article_is_public(client, users, article_in):
    draft, published = article_in(Status.DRAFT), article_in(Status.PUBLISHED)
    client.force_login(users["editor_in_chief"])
    assert f'href="{preview_url(draft)}" class="viewsitelink"' in client.get(change_url(draft)).content.decode()
    assert f'href="{published.get_absolute_url()}" class="viewsitelink"' in client.get(change_url(published)).content.decode()
