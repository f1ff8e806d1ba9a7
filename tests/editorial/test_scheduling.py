"""Scheduled articles go public on time, with or without ``publish_scheduled``."""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from blog.models import Article
from editorial import workflow
from editorial.models import Transition

Status = Article.Status
pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def scheduled(users, article_in):
    article = article_in(Status.IN_REVIEW)
    with at(NOON - datetime.timedelta(hours=1)):
        workflow.approve(article, users["editor"], publish_at=NOON)
    return article


def test_a_scheduled_article_is_hidden_before_its_time_and_public_the_moment_it_passes(client, scheduled):
    with at(NOON - datetime.timedelta(seconds=1)):
        assert not Article.objects.published().filter(pk=scheduled.pk).exists()
        assert client.get(scheduled.get_absolute_url()).status_code == 404
    with at(NOON):
        assert Article.objects.published().filter(pk=scheduled.pk).exists()
        assert client.get(scheduled.get_absolute_url()).status_code == 200
    scheduled.refresh_from_db()
    assert scheduled.status == Status.SCHEDULED  # readers did not need the command


def test_publish_scheduled_moves_due_articles_and_records_the_transition(scheduled, article_in):
    later = article_in(Status.SCHEDULED, published_at=NOON + datetime.timedelta(days=1))
    out = StringIO()
    with at(NOON + datetime.timedelta(minutes=1)):
        call_command("publish_scheduled", stdout=out)
    scheduled.refresh_from_db()
    later.refresh_from_db()
    assert (scheduled.status, scheduled.published_at) == (Status.PUBLISHED, NOON)
    assert later.status == Status.SCHEDULED
    record = Transition.objects.get(article=scheduled, to_status=Status.PUBLISHED)
    assert (record.from_status, record.by, record.comment) == (Status.SCHEDULED, None, "予約時刻に公開")
    assert "1件の予約記事を公開しました" in out.getvalue()


def test_publish_scheduled_before_the_time_does_nothing(scheduled):
    with at(NOON - datetime.timedelta(minutes=1)):
        call_command("publish_scheduled", stdout=StringIO())
    scheduled.refresh_from_db()
    assert scheduled.status == Status.SCHEDULED


def test_publish_scheduled_is_idempotent(scheduled, django_capture_on_commit_callbacks):
    out = StringIO()
    with at(NOON + datetime.timedelta(minutes=1)), django_capture_on_commit_callbacks(execute=True):
        call_command("publish_scheduled", stdout=out)
        call_command("publish_scheduled", stdout=out)
    assert Transition.objects.filter(article=scheduled, to_status=Status.PUBLISHED).count() == 1
    assert "0件の予約記事を公開しました" in out.getvalue()
    assert len(mail.outbox) == 1  # the author hears once


def test_publish_due_accepts_an_explicit_now(scheduled):
    assert workflow.publish_due(now=NOON - datetime.timedelta(seconds=1)) == []
    assert [a.pk for a in workflow.publish_due(now=NOON)] == [scheduled.pk]


def test_publish_due_skips_an_article_unscheduled_after_it_was_listed(scheduled, users):
    original = workflow._move

    def unschedule_first(edge, article, user, **kwargs):
        if edge.name == "publish_due":
            # The editor cancelled a moment before the time, while the run was listing due articles.
            workflow.unschedule(Article.objects.get(pk=article.pk), users["editor"], now=NOON - datetime.timedelta(seconds=1))
        return original(edge, article, user, **kwargs)

    with mock.patch.object(workflow, "_move", unschedule_first):
        assert workflow.publish_due(now=NOON) == []
    scheduled.refresh_from_db()
    assert scheduled.status == Status.IN_REVIEW


def test_a_live_scheduled_article_is_taken_down_by_unpublishing_not_unscheduling(scheduled, users):
    with at(NOON + datetime.timedelta(minutes=1)):
        assert Article.objects.published().filter(pk=scheduled.pk).exists()
        with pytest.raises(workflow.InvalidTransition):
            workflow.unschedule(scheduled, users["editor"])
        workflow.unpublish(scheduled, users["editor_in_chief"])
        assert not Article.objects.published().filter(pk=scheduled.pk).exists()


def test_approving_uses_the_controlled_clock_for_the_future_check(users, article_in):
    article = article_in(Status.IN_REVIEW)
    with pytest.raises(workflow.InvalidPublishTime):
        workflow.approve(article, users["editor_in_chief"], publish_at=NOON, now=NOON)
    workflow.approve(article, users["editor_in_chief"], publish_at=NOON, now=NOON - datetime.timedelta(seconds=1))
    assert timezone.is_aware(Article.objects.get(pk=article.pk).published_at)
