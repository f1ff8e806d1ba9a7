"""担当編集者 and due dates: editors assign, the assignee is told, the desk lists mine and overdue."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from editorial import assignments
from editorial.models import Assignment

from .conftest import change_url

Status = Article.Status
pytestmark = pytest.mark.django_db


def assign_url(article):
    return reverse("admin:blog_article_assign", args=[article.pk])


def test_an_editor_assigns_a_reviewer_and_due_date_and_the_assignee_is_mailed_after_commit(
    client, users, article_in, django_capture_on_commit_callbacks
):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    due = timezone.localdate() + datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(assign_url(article), {"assignee": users["editor_in_chief"].pk, "due_on": due.isoformat()})
    assert response.status_code == 302
    assert mail.outbox == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert article.assignment.assignee == users["editor_in_chief"]
    assert article.assignment.due_on == due
    [message] = mail.outbox
    assert message.to == ["chief@example.com"]
    assert article.title in message.subject and "［担当］" in message.subject
    assert due.strftime("%Y-%m-%d") in message.body


def test_assigning_oneself_sends_no_mail(users, article_in, django_capture_on_commit_callbacks):
    article = article_in(Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        assignments.assign(article, users["editor"], assignee=users["editor"], due_on=None)
    assert mail.outbox == []


@pytest.mark.parametrize("role", ["writer_own", "writer_other", "staff_without_role"])
def test_only_reviewers_may_assign(role, client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users[role])
    assert client.post(assign_url(article), {"assignee": users[role].pk}).status_code == 403
    with pytest.raises(PermissionDenied):
        assignments.assign(article, users[role], assignee=users["editor"], due_on=None)
    assert 'id="assignment"' not in client.get(change_url(article)).content.decode()


def test_only_reviewers_can_be_picked_as_assignee(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    response = client.post(assign_url(article), {"assignee": users["writer_other"].pk})
    assert response.status_code == 302
    assert not Assignment.objects.filter(article=article).exists()
    assert set(assignments.assignable_users()) == {users["editor"], users["editor_in_chief"], users["superuser"]}


def test_a_bad_date_is_refused_with_a_message_not_an_error_page(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    response = client.post(assign_url(article), {"assignee": users["editor"].pk, "due_on": "2026-13-45"}, follow=True)
    assert response.status_code == 200
    assert "正しくありません" in response.content.decode()


def test_the_desk_lists_articles_assigned_to_me_and_overdue_ones(client, users, article_in):
    today = timezone.localdate()
    mine = article_in(Status.IN_REVIEW, title="担当の記事")
    late = article_in(Status.DRAFT, title="遅れている記事")
    done = article_in(Status.PUBLISHED, title="公開済みの記事")
    assignments.assign(mine, users["editor"], assignee=users["editor"], due_on=today + datetime.timedelta(days=2))
    assignments.assign(late, users["editor"], assignee=users["editor_in_chief"], due_on=today - datetime.timedelta(days=1))
    assignments.assign(done, users["editor"], assignee=users["editor"], due_on=today - datetime.timedelta(days=5))
    client.force_login(users["editor"])
    assigned = client.get("/admin/blog/article/?view=assigned").content.decode()
    assert "担当の記事" in assigned and "遅れている記事" not in assigned and "公開済みの記事" not in assigned
    overdue = client.get("/admin/blog/article/?view=overdue").content.decode()
    assert "遅れている記事" in overdue and "担当の記事" not in overdue and "公開済みの記事" not in overdue
    dashboard = client.get("/admin/").content.decode()
    panel = dashboard[dashboard.index('id="editorial-assignments"'):]
    mine_part, overdue_part = panel.split("締め切りを過ぎた記事")
    assert "担当の記事" in mine_part and "遅れている記事" in overdue_part
    assert "公開済みの記事" not in panel


def test_the_change_page_shows_who_looks_after_the_article(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    assignments.assign(article, users["editor"], assignee=users["editor_in_chief"], due_on=datetime.date(2026, 12, 24))
    client.force_login(users["writer_own"])
    content = client.get(change_url(article)).content.decode()
    assert "担当編集者：chief" in content and "2026年12月24日" in content
