"""Share links die with visibility changes, and the desk lists and revokes them.

A link made during review must not keep showing an article after the chief takes it down.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from editorial import sharing, workflow
from editorial.models import ShareLink
from tests.editorial.conftest import article_in, change_url, owner, users  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
Status = Article.Status


def share_url(token):
    return reverse("editorial:shared-preview", args=[token])


def new_link(article, user=None, days=3):
    return sharing.create(article, expires_at=timezone.now() + datetime.timedelta(days=days), user=user)


def create_through_the_admin(client, article) -> str:
    response = client.post(reverse("admin:blog_article_share", args=[article.pk]), {"days": 3}, follow=True)
    message = [str(m) for m in response.context["messages"]][0]
    return re.search(r"http://testserver(/editorial/share/\S+/)", message).group(1)


def test_unpublishing_revokes_a_link_made_during_review(client, users, article_in):
    article = article_in(Status.PUBLISHED, title="買収の内幕")
    _, token = new_link(article, users["editor"])
    assert client.get(share_url(token)).status_code == 200
    workflow.unpublish(article, users["editor_in_chief"], comment="誤報のため取り下げ")
    response = client.get(share_url(token))
    assert response.status_code == 410
    body = response.content.decode()
    assert "取り消されました" in body and "買収の内幕" not in body


@pytest.mark.parametrize(
    "status, take",
    [
        (Status.IN_REVIEW, lambda a, u: workflow.withdraw(a, u["editor"])),
        (Status.IN_REVIEW, lambda a, u: workflow.request_changes(a, u["editor"], comment="見出しを直して")),
        (Status.IN_REVIEW, lambda a, u: workflow.publish(a, u["editor_in_chief"])),
        (Status.SCHEDULED, lambda a, u: workflow.unschedule(a, u["editor"])),
        (Status.ARCHIVED, lambda a, u: workflow.restore(a, u["editor_in_chief"])),
    ],
)
def test_every_status_change_revokes_the_articles_links(status, take, client, users, article_in):
    article = article_in(status)
    links = [new_link(article, users["editor"])[1], new_link(article, users["editor_in_chief"])[1]]
    take(article, users)
    for token in links:
        assert client.get(share_url(token)).status_code == 410
    assert sharing.live_links(article) == []


def test_scheduled_publication_revokes_links_too(client, users, article_in):
    article = article_in(Status.SCHEDULED, published_at=timezone.now() + datetime.timedelta(days=1))
    _, token = new_link(article)
    workflow.publish_due(now=timezone.now() + datetime.timedelta(days=2))
    assert client.get(share_url(token)).status_code == 410


def test_deleting_the_article_makes_its_links_not_found(client, article_in):
    article = article_in(Status.IN_REVIEW)
    _, token = new_link(article)
    article.delete()
    assert not ShareLink.objects.exists()
    response = client.get(share_url(token))
    assert response.status_code == 404
    assert "このリンクは無効です" in response.content.decode()


def test_a_status_change_of_another_article_leaves_links_alone(client, users, article_in):
    shared, other = article_in(Status.IN_REVIEW), article_in(Status.IN_REVIEW)
    _, token = new_link(shared)
    workflow.withdraw(other, users["editor"])
    assert client.get(share_url(token)).status_code == 200


def test_the_change_page_lists_live_links_with_creator_and_expiry(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    editor = users["editor"]
    editor.first_name, editor.last_name = "花子", "山田"
    editor.save()
    client.force_login(editor)
    create_through_the_admin(client, article)
    expired, _ = new_link(article, editor)
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    html = client.get(change_url(article)).content.decode()
    panel = html[html.index('id="share"') : html.index('id="revisions"')]
    [live] = ShareLink.objects.live().filter(article=article)
    assert f'id="share-link-{live.pk}"' in panel and f'id="share-link-{expired.pk}"' not in panel
    assert "山田 花子" in panel or "花子 山田" in panel
    assert timezone.localtime(live.expires_at).strftime("%Y年%-m月%-d日 %H:%M") in panel
    assert reverse("admin:blog_article_share_revoke", args=[article.pk, live.pk]) in panel


def test_revoking_from_the_change_page_ends_the_link(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    link_path = create_through_the_admin(client, article)
    live = ShareLink.objects.get(article=article)
    response = client.post(reverse("admin:blog_article_share_revoke", args=[article.pk, live.pk]), follow=True)
    assert "共有リンクを取り消しました" in response.content.decode()
    live.refresh_from_db()
    assert live.revoked_at is not None and live.revoked_by == users["editor"]
    assert f'id="share-link-{live.pk}"' not in client.get(change_url(article)).content.decode()
    client.logout()
    gone = client.get(link_path)
    assert gone.status_code == 410 and "取り消されました" in gone.content.decode()


def test_revoking_needs_post_permission_and_csrf(users, article_in):
    from django.test import Client

    article = article_in(Status.IN_REVIEW)
    link, token = new_link(article, users["editor"])
    url = reverse("admin:blog_article_share_revoke", args=[article.pk, link.pk])

    writer = Client()
    writer.force_login(users["writer_own"])
    assert writer.post(url).status_code == 403

    editor = Client(enforce_csrf_checks=True)
    editor.force_login(users["editor"])
    assert editor.get(url).status_code == 302  # a GET changes nothing
    assert editor.post(url).status_code == 403  # no CSRF token
    link.refresh_from_db()
    assert link.revoked_at is None
    assert Client().get(share_url(token)).status_code == 200


def test_a_link_of_another_article_cannot_be_revoked_through_this_one(client, users, article_in):
    article, other = article_in(Status.IN_REVIEW), article_in(Status.IN_REVIEW)
    link, _ = new_link(other)
    client.force_login(users["editor"])
    assert client.post(reverse("admin:blog_article_share_revoke", args=[article.pk, link.pk])).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_a_link_made_before_a_text_save_is_no_longer_listed(users, article_in):
    article = article_in(Status.IN_REVIEW)
    new_link(article, users["editor"])
    article.body += "\n追記。"
    article.save()
    assert sharing.live_links(article) == []
