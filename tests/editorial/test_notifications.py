"""E-mail goes to the right people, and only after the change is committed."""

import pytest
from django.core import mail

from blog.models import Article
from editorial import workflow

from .conftest import future

Status = Article.Status
pytestmark = pytest.mark.django_db


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_editors_hear_when_an_article_is_submitted(users, article_in, django_capture_on_commit_callbacks):
    article = article_in(Status.DRAFT, title="推論コストの記事")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(article, users["writer_own"], comment="見てください")
    assert recipients() == ["chief@example.com", "editor@example.com"]
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert mail.outbox[0].subject == "［レビュー依頼］推論コストの記事"
    assert "見てください" in mail.outbox[0].body
    assert f"/admin/blog/article/{article.pk}/change/" in mail.outbox[0].body


def test_editors_hear_when_an_article_is_resubmitted_but_not_the_one_who_did_it(users, article_in, django_capture_on_commit_callbacks):
    article = article_in(Status.CHANGES_REQUESTED)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.resubmit(article, users["editor"])
    assert recipients() == ["chief@example.com"]


def test_the_authors_hear_when_changes_are_requested(users, owner, article_in, django_capture_on_commit_callbacks):
    coauthor = users["writer_other"]
    article = article_in(Status.IN_REVIEW)
    article.authors.add(coauthor.author_profile)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(article, users["editor"], comment="図の出典を明記してください")
    assert recipients() == ["kaori@example.com", "takeshi@example.com"]
    assert mail.outbox[0].subject.startswith("［修正依頼］")
    assert "図の出典を明記してください" in mail.outbox[0].body


def test_the_authors_hear_when_the_article_is_published(users, article_in, django_capture_on_commit_callbacks):
    article = article_in(Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article, users["editor_in_chief"])
    assert recipients() == ["kaori@example.com"]
    assert mail.outbox[0].subject.startswith("［公開］")
    assert article.get_absolute_url() in mail.outbox[0].body


def test_nobody_is_mailed_for_transitions_without_news(users, article_in, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(article_in(Status.IN_REVIEW), users["writer_own"])
        workflow.approve(article_in(Status.IN_REVIEW), users["editor"], publish_at=future())
        workflow.unpublish(article_in(Status.PUBLISHED), users["editor_in_chief"])
    assert mail.outbox == []


def test_mail_waits_for_the_commit_and_is_not_sent_for_a_refused_transition(users, article_in, django_capture_on_commit_callbacks):
    article = article_in(Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(article, users["writer_own"])
        assert mail.outbox == []
    assert mail.outbox  # sent once the transaction committed
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(workflow.InvalidTransition):
            workflow.submit(article, users["writer_own"])
    assert callbacks == [] and mail.outbox == []


def test_inactive_users_and_users_without_an_address_are_not_mailed(users, article_in, django_capture_on_commit_callbacks):
    users["editor"].is_active = False
    users["editor"].save()
    users["editor_in_chief"].email = ""
    users["editor_in_chief"].save()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(article_in(Status.DRAFT), users["writer_own"])
    assert mail.outbox == []


def test_a_mail_server_failure_does_not_undo_the_transition(users, article_in, django_capture_on_commit_callbacks, caplog):
    from unittest import mock

    article = article_in(Status.DRAFT)
    with mock.patch("editorial.notifications.send_mass_mail", side_effect=ConnectionRefusedError):
        with django_capture_on_commit_callbacks(execute=True):
            workflow.submit(article, users["writer_own"])
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert "task send_notification failed" in caplog.text
