"""Admin basics: deleting an article, redirects for editors, the login's fallback destination.

Rule for deletion: those with ``blog.delete_article`` (the editor-in-chief, superusers) may delete
an article; its revisions, status changes, review comments, share links and redirects go with it.
"""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from blog.models import Article, Redirect
from editorial import revisions, sharing, workflow
from editorial.models import ReviewComment, Revision, ShareLink, Transition
from tests.editorial.conftest import article_in, owner, users  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
Status = Article.Status


@pytest.fixture
def with_history(users, article_in):
    """A published article with the history an imported or edited one has."""
    article = article_in(Status.IN_REVIEW, title="削除される記事")
    revisions.record(article, users["writer_own"])
    revisions.record(article, None)  # the importer saves revisions without a user
    ReviewComment.objects.create(article=article, body="確認しました。", created_by=users["editor"])
    workflow.publish(article, users["editor_in_chief"])
    sharing.create(article, expires_at=timezone.now() + datetime.timedelta(days=1))
    Redirect.objects.create(old_path="/2023/01/01/old.html", article=article)
    return article


def delete_url(article):
    return reverse("admin:blog_article_delete", args=[article.pk])


def assert_gone_with_its_history(pk):
    assert not Article.objects.filter(pk=pk).exists()
    for model in (Revision, Transition, ReviewComment, ShareLink, Redirect):
        assert not model.objects.filter(article_id=pk).exists(), model


@pytest.mark.parametrize("role", ["editor_in_chief", "superuser"])
def test_who_may_delete_articles_deletes_one_with_its_history(role, client, users, with_history):
    client.force_login(users[role])
    confirm = client.get(delete_url(with_history))
    assert confirm.status_code == 200
    assert "権限がありません" not in confirm.content.decode() and not confirm.context["perms_lacking"]
    response = client.post(delete_url(with_history), {"post": "yes"})
    assert response.status_code == 302
    assert_gone_with_its_history(with_history.pk)


def test_the_chief_deletes_articles_with_the_bulk_action(client, users, with_history):
    client.force_login(users["editor_in_chief"])
    response = client.post(
        reverse("admin:blog_article_changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [with_history.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert_gone_with_its_history(with_history.pk)


@pytest.mark.parametrize("role", ["writer_own", "editor"])
def test_writers_and_editors_cannot_delete_articles(role, client, users, with_history):
    client.force_login(users[role])
    assert client.post(delete_url(with_history), {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=with_history.pk).exists()


def test_revisions_stay_undeletable_on_their_own(client, users, with_history):
    client.force_login(users["editor_in_chief"])
    revision = Revision.objects.filter(article=with_history).first()
    url = reverse("admin:editorial_revision_delete", args=[revision.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Revision.objects.filter(pk=revision.pk).exists()


@pytest.mark.parametrize("role", ["editor", "editor_in_chief"])
def test_editors_manage_redirects(role, client, users, article_in):
    client.force_login(users[role])
    assert client.get(reverse("admin:blog_redirect_changelist")).status_code == 200
    article = article_in(Status.PUBLISHED)
    response = client.post(
        reverse("admin:blog_redirect_add"), {"old_path": "/old/記事.html", "article": article.pk, "target_url": ""}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    redirect = Redirect.objects.get(article=article)
    assert client.post(reverse("admin:blog_redirect_delete", args=[redirect.pk]), {"post": "yes"}).status_code == 302
    assert not Redirect.objects.filter(pk=redirect.pk).exists()


def test_writers_do_not_manage_redirects(client, users):
    client.force_login(users["writer_own"])
    assert client.get(reverse("admin:blog_redirect_changelist")).status_code == 403


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/steal", "javascript:alert(1)"])
def test_an_unsafe_next_on_the_admin_login_lands_on_the_admin_index(unsafe, client, users):
    response = client.post(
        reverse("admin:login") + "?next=" + unsafe,
        {"username": "chief", "password": "pw-chief", "next": unsafe},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_safe_next_on_the_admin_login_is_followed(client, users):
    target = reverse("admin:blog_article_changelist")
    response = client.post(reverse("admin:login"), {"username": "chief", "password": "pw-chief", "next": target})
    assert response["Location"] == target
