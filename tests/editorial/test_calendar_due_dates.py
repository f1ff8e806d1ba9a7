"""Due dates on the editorial calendar move to another day like scheduled articles do: through
``assignments`` (an assignment change with its permission check), not through the workflow."""

import datetime

import pytest
from django.core import mail

from blog.models import Article
from editorial import assignments
from editorial.models import Assignment, Transition

Status = Article.Status
pytestmark = pytest.mark.django_db
CALENDAR = "/admin/blog/article/calendar/"
MOVE_DUE = "/admin/blog/article/calendar/due/"
JSON = {"HTTP_ACCEPT": "application/json"}
DUE = datetime.date(2030, 12, 20)


@pytest.fixture
def due(users, article_in):
    article = article_in(Status.DRAFT, title="締め切りの記事")
    assignments.assign(article, users["editor_in_chief"], assignee=users["editor"], due_on=DUE)
    mail.outbox.clear()
    return article


def due_on(article):
    return Assignment.objects.get(article=article).due_on


def test_an_editor_sees_a_draggable_due_date_with_a_no_script_form(client, users, due):
    client.force_login(users["editor"])
    content = client.get(CALENDAR, {"date": "2030-12-01"}).content.decode()
    cell = content.split('data-date="2030-12-20"')[1].split("</td>")[0]
    assert f'draggable="true" data-article="{due.pk}" data-kind="due"' in cell
    assert f'action="{MOVE_DUE}"' in cell and "締め切りを変更" in cell
    assert f'data-due-url="{MOVE_DUE}"' in content


def test_a_writer_sees_the_due_date_but_cannot_move_it(client, users, due):
    client.force_login(users["writer_own"])
    content = client.get(CALENDAR, {"date": "2030-12-01"}).content.decode()
    cell = content.split('data-date="2030-12-20"')[1].split("</td>")[0]
    assert "締め切り：締め切りの記事" in cell
    assert "draggable" not in cell and MOVE_DUE not in cell


def test_dropping_a_due_date_on_another_day_moves_it_and_keeps_the_assignee(client, users, due, django_capture_on_commit_callbacks):
    client.force_login(users["editor_in_chief"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MOVE_DUE, {"article": due.pk, "date": "2030-12-24"}, **JSON)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "message": "「締め切りの記事」の締め切りを2030年12月24日に変更しました。"}
    assignment = Assignment.objects.get(article=due)
    assert assignment.due_on == datetime.date(2030, 12, 24)
    assert assignment.assignee == users["editor"]
    assert assignment.assigned_by == users["editor_in_chief"]
    due.refresh_from_db()
    assert due.status == Status.DRAFT
    # The assignee hears of the new date.
    assert [message.to for message in mail.outbox] == [["editor@example.com"]]
    assert "2030-12-24" in mail.outbox[0].body


def test_no_transition_is_recorded_for_a_due_date_move(client, users, due):
    before = Transition.objects.filter(article=due).count()
    client.force_login(users["editor"])
    client.post(MOVE_DUE, {"article": due.pk, "date": "2030-12-22"}, **JSON)
    assert Transition.objects.filter(article=due).count() == before
    assert due_on(due) == datetime.date(2030, 12, 22)


def test_the_no_script_form_moves_the_due_date_and_redirects_back_with_a_message(client, users, due):
    client.force_login(users["editor"])
    response = client.post(MOVE_DUE, {"article": due.pk, "date": "2030-12-27"}, follow=True)
    assert response.redirect_chain[-1][0] == CALENDAR + "?date=2030-12-27"
    assert "締め切りを2030年12月27日に変更しました" in response.content.decode()
    assert due_on(due) == datetime.date(2030, 12, 27)


@pytest.mark.parametrize("role", ["writer_own", "writer_other", "staff_without_role"])
def test_people_who_may_not_assign_are_refused(client, users, due, role):
    client.force_login(users[role])
    response = client.post(MOVE_DUE, {"article": due.pk, "date": "2030-12-24"}, **JSON)
    assert response.status_code == 403
    assert due_on(due) == DUE


def test_an_article_without_a_due_date_is_a_409_with_a_message(client, users, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(users["editor"])
    response = client.post(MOVE_DUE, {"article": article.pk, "date": "2030-12-24"}, **JSON)
    assert response.status_code == 409
    assert response.json() == {"ok": False, "message": "この記事には締め切りがありません。"}
    assert not Assignment.objects.filter(article=article, due_on__isnull=False).exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"article": "x", "date": "2030-12-24"}, {"article": "1", "date": "2030-13-01"}, {"article": "1"}, {"date": "2030-12-01"}],
)
def test_bad_requests_are_a_400(client, users, data):
    client.force_login(users["editor"])
    assert client.post(MOVE_DUE, data).status_code == 400


def test_an_unknown_article_is_a_404(client, users):
    client.force_login(users["editor"])
    assert client.post(MOVE_DUE, {"article": "999999", "date": "2030-12-24"}).status_code == 404


def test_a_get_goes_back_to_the_calendar(client, users):
    client.force_login(users["editor"])
    response = client.get(MOVE_DUE)
    assert response.status_code == 302 and response.url == CALENDAR


def test_anonymous_visitors_are_sent_to_the_login_page(client, due):
    response = client.post(MOVE_DUE, {"article": due.pk, "date": "2030-12-24"})
    assert response.status_code == 302 and "/login/" in response.url
    assert due_on(due) == DUE
