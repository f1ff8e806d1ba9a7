"""Notification e-mails link with absolute URLs on DJANGO_SITE_URL and greet each reader by
their full name, by their user name only when they have none."""

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from blog.models import Article
from editorial import assignments, workflow

Status = Article.Status
pytestmark = pytest.mark.django_db

SITE = "https://allforces.example"


def message_to(address):
    [message] = [message for message in mail.outbox if message.to == [address]]
    return message


@override_settings(SITE_URL=SITE)
def test_a_review_request_links_to_the_change_page_on_the_site(users, article_in, django_capture_on_commit_callbacks):
    users["editor"].first_name, users["editor"].last_name = "一郎", "田中"
    users["editor"].save()
    article = article_in(Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(article, users["writer_own"])
    body = message_to("editor@example.com").body
    assert f"{SITE}/admin/blog/article/{article.pk}/change/" in body
    assert body.startswith("田中 一郎さん\n")
    # The one who acted is named by full name too (the owner is 香織, user name kaori).
    assert "香織さんが" in body and "kaoriさん" not in body


@override_settings(SITE_URL=SITE)
def test_someone_without_a_full_name_is_greeted_by_user_name(users, article_in, django_capture_on_commit_callbacks):
    article = article_in(Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(article, users["writer_own"])
    assert message_to("chief@example.com").body.startswith("chiefさん\n")


@override_settings(SITE_URL=SITE)
def test_the_publication_mail_links_to_the_article_on_the_site(users, article_in, django_capture_on_commit_callbacks):
    article = article_in(Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article, users["editor_in_chief"])
    body = message_to("kaori@example.com").body
    assert body.startswith("香織さん\n")
    assert f"{SITE}{article.get_absolute_url()}" in body


@override_settings(SITE_URL=SITE)
def test_the_change_request_mail_greets_each_author_by_name(users, article_in, django_capture_on_commit_callbacks):
    other = users["writer_other"]
    other.first_name, other.last_name = "健", "鈴木"
    other.save()
    article = article_in(Status.IN_REVIEW)
    article.authors.add(other.author_profile)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(article, users["editor"], comment="出典を")
    assert message_to("kaori@example.com").body.startswith("香織さん\n")
    assert message_to("takeshi@example.com").body.startswith("鈴木 健さん\n")
    assert all(f"{SITE}/admin/blog/article/{article.pk}/change/" in m.body for m in mail.outbox)


@override_settings(SITE_URL=SITE)
def test_the_assignment_mail_greets_the_assignee_and_links_absolutely(users, article_in, django_capture_on_commit_callbacks):
    editor = users["editor"]
    editor.first_name = "一郎"
    editor.save()
    article = article_in(Status.IN_REVIEW)
    due = timezone.localdate() + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        assignments.assign(article, users["editor_in_chief"], assignee=editor, due_on=due)
    body = message_to("editor@example.com").body
    assert body.startswith("一郎さん\n")
    assert f"{SITE}/admin/blog/article/{article.pk}/change/" in body
    assert "chiefさんから" in body
