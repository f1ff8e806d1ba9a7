"""Publishing now stays with those who may publish now: approving "in a few seconds" is refused.

An Editor may approve and schedule, but not publish immediately. Without a lead time, approving
with a time a few seconds ahead would be publishing now by another name.
"""

import datetime

import pytest
from django.utils import timezone

from blog.models import Article
from editorial import workflow
from tests.editorial.conftest import article_in, owner, transition_url, users  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db
Status = Article.Status
NOON = datetime.datetime(2026, 4, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def five_minutes(settings):
    settings.MIN_SCHEDULE_LEAD_MINUTES = 5


def local_input(when: datetime.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def test_an_editor_cannot_approve_for_a_time_seconds_ahead(users, article_in):
    article = article_in(Status.IN_REVIEW)
    with pytest.raises(workflow.InvalidPublishTime, match="5分以上先"):
        workflow.approve(article, users["editor"], publish_at=NOON + datetime.timedelta(seconds=10), now=NOON)
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.IN_REVIEW, None)
    assert not article.transitions.exists()


def test_an_editor_may_approve_for_exactly_the_lead_time_ahead(users, article_in):
    article = article_in(Status.IN_REVIEW)
    when = NOON + datetime.timedelta(minutes=5)
    workflow.approve(article, users["editor"], publish_at=when, now=NOON)
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.SCHEDULED, when)


@pytest.mark.parametrize("role", ["editor_in_chief", "superuser"])
def test_who_may_publish_now_may_also_schedule_seconds_ahead(role, users, article_in):
    article = article_in(Status.IN_REVIEW)
    workflow.approve(article, users[role], publish_at=NOON + datetime.timedelta(seconds=10), now=NOON)
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED


def test_the_lead_time_is_a_setting(settings, users, article_in):
    settings.MIN_SCHEDULE_LEAD_MINUTES = 60
    article = article_in(Status.IN_REVIEW)
    with pytest.raises(workflow.InvalidPublishTime, match="60分以上先"):
        workflow.approve(article, users["editor"], publish_at=NOON + datetime.timedelta(minutes=30), now=NOON)
    assert workflow.earliest_schedule_time(article, users["editor"], now=NOON) == NOON + datetime.timedelta(hours=1)
    assert workflow.earliest_schedule_time(article, users["editor_in_chief"], now=NOON) == NOON


def test_a_writer_approving_is_refused_for_lack_of_permission_not_for_the_time(users, article_in):
    article = article_in(Status.IN_REVIEW)
    with pytest.raises(workflow.PermissionDenied):
        workflow.approve(article, users["writer_own"], publish_at=NOON + datetime.timedelta(seconds=10), now=NOON)


def test_the_admin_refuses_an_editor_approving_for_the_next_minute(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    soon = timezone.now() + datetime.timedelta(minutes=1, seconds=30)
    response = client.post(transition_url(article, "approve"), {"publish_at": local_input(soon)}, follow=True)
    assert response.status_code == 200
    assert "今すぐ公開する権限がないため" in response.content.decode()
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.IN_REVIEW, None)


def test_the_admin_lets_the_chief_approve_for_the_next_minute(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor_in_chief"])
    soon = timezone.now() + datetime.timedelta(minutes=2)
    client.post(transition_url(article, "approve"), {"publish_at": local_input(soon)})
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED


def test_the_admin_accepts_an_editor_approving_an_hour_ahead(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    later = timezone.now() + datetime.timedelta(hours=1)
    client.post(transition_url(article, "approve"), {"publish_at": local_input(later)})
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED
