"""The editorial calendar: month and week views, filters, rescheduling through the workflow."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from editorial import assignments, calendar
from editorial.models import Transition
from tests.factories import make_author, make_category

Status = Article.Status
pytestmark = pytest.mark.django_db
CALENDAR = "/admin/blog/article/calendar/"
RESCHEDULE = "/admin/blog/article/calendar/reschedule/"


def local(year, month, day, hour=9, minute=0):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


@pytest.fixture
def month(users, article_in):
    """December 2030: one scheduled, one published, one due date."""
    scheduled = article_in(Status.SCHEDULED, title="予約した記事", published_at=local(2030, 12, 10, 8, 30))
    published = article_in(Status.PUBLISHED, title="公開した記事", published_at=local(2030, 12, 3))
    due = article_in(Status.DRAFT, title="締め切りの記事")
    assignments.assign(due, users["editor"], assignee=users["editor"], due_on=datetime.date(2030, 12, 20))
    article_in(Status.SCHEDULED, title="翌月の記事", published_at=local(2031, 1, 15))
    return {"scheduled": scheduled, "published": published, "due": due}


def test_month_weeks_start_on_monday_and_cover_the_whole_month():
    weeks = calendar.month_weeks(2030, 12)
    assert weeks[0][0] == datetime.date(2030, 11, 25) and weeks[0][0].weekday() == 0
    assert weeks[-1][-1] >= datetime.date(2030, 12, 31)
    assert all(len(week) == 7 for week in weeks)


def test_the_month_view_shows_scheduled_published_and_due_articles_on_their_days(client, users, month):
    client.force_login(users["writer_other"])
    response = client.get(CALENDAR, {"date": "2030-12-01"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "2030年12月" in content
    day = lambda d: content.split(f'data-date="{d}"')[1].split("</td>")[0]  # noqa: E731
    assert "08:30 予約：予約した記事" in day("2030-12-10")
    assert "公開した記事" in day("2030-12-03")
    assert "締め切り：締め切りの記事" in day("2030-12-20")
    assert "翌月の記事" not in content


def test_the_week_view_shows_only_that_week(client, users, month):
    client.force_login(users["editor"])
    content = client.get(CALENDAR, {"view": "week", "date": "2030-12-11"}).content.decode()
    assert "予約した記事" in content and "公開した記事" not in content and "締め切りの記事" not in content
    assert content.count("data-date=") == 7


def test_the_calendar_filters_by_category_and_author(client, users, month):
    category = make_category("ロボティクス")
    author = make_author("山田花子")
    other = month["published"]
    other.category = category
    other.save()
    month["scheduled"].authors.add(author)
    client.force_login(users["editor"])
    by_category = client.get(CALENDAR, {"date": "2030-12-01", "category": category.pk}).content.decode()
    assert "公開した記事" in by_category and "予約した記事" not in by_category
    by_author = client.get(CALENDAR, {"date": "2030-12-01", "author": author.pk}).content.decode()
    assert "予約した記事" in by_author and "公開した記事" not in by_author


@pytest.mark.parametrize(
    "query", [{"date": "2030-02-30"}, {"date": "明日"}, {"view": "year"}, {"category": "abc"}, {"author": "-1"}]
)
def test_bad_calendar_queries_are_a_400(query, client, users):
    client.force_login(users["editor"])
    assert client.get(CALENDAR, query).status_code == 400


def test_the_calendar_reads_a_constant_number_of_queries(client, users, article_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(CALENDAR, {"date": "2030-12-01"}).status_code == 200
        return len(ctx)

    client.force_login(users["editor"])
    article_in(Status.SCHEDULED, published_at=local(2030, 12, 2))
    few = count()
    for day in range(3, 28):
        article_in(Status.SCHEDULED, published_at=local(2030, 12, day))
        due = article_in(Status.DRAFT)
        assignments.assign(due, users["editor"], assignee=users["editor"], due_on=datetime.date(2030, 12, day))
    assert count() == few


def test_an_editor_moves_a_scheduled_article_to_another_day_keeping_its_time(client, users, month):
    article = month["scheduled"]
    client.force_login(users["editor"])
    response = client.post(RESCHEDULE, {"article": article.pk, "date": "2030-12-12"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["ok"]
    article.refresh_from_db()
    assert timezone.localtime(article.published_at) == local(2030, 12, 12, 8, 30)
    assert article.status == Status.SCHEDULED
    record = Transition.objects.filter(article=article).first()
    assert (record.from_status, record.to_status, record.by) == (Status.SCHEDULED, Status.SCHEDULED, users["editor"])
    assert "2030-12-10 08:30" in record.comment and "2030-12-12 08:30" in record.comment


def test_the_no_script_form_reschedules_and_redirects_back_with_a_message(client, users, month):
    client.force_login(users["editor"])
    response = client.post(RESCHEDULE, {"article": month["scheduled"].pk, "date": "2030-12-15"}, follow=True)
    assert response.redirect_chain[-1][0] == CALENDAR + "?date=2030-12-15"
    assert "公開予定を2030年12月15日 08:30に変更しました" in response.content.decode()


def test_a_writer_cannot_reschedule_and_sees_no_handles(client, users, month):
    article = month["scheduled"]
    client.force_login(users["writer_own"])
    assert 'draggable="true"' not in client.get(CALENDAR, {"date": "2030-12-01"}).content.decode()
    response = client.post(RESCHEDULE, {"article": article.pk, "date": "2030-12-12"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    article.refresh_from_db()
    assert timezone.localtime(article.published_at) == local(2030, 12, 10, 8, 30)


def test_only_scheduled_articles_move_and_never_into_the_past(client, users, month):
    client.force_login(users["editor"])
    published = client.post(RESCHEDULE, {"article": month["published"].pk, "date": "2030-12-05"}, HTTP_ACCEPT="application/json")
    assert published.status_code == 409
    past = client.post(RESCHEDULE, {"article": month["scheduled"].pk, "date": "2001-01-01"}, HTTP_ACCEPT="application/json")
    assert past.status_code == 409 and "未来" in past.json()["message"]
    month["scheduled"].refresh_from_db()
    assert timezone.localtime(month["scheduled"].published_at) == local(2030, 12, 10, 8, 30)


@pytest.mark.parametrize("data", [{}, {"article": "x", "date": "2030-12-01"}, {"article": "1", "date": "13/01"}])
def test_bad_reschedule_requests_are_a_400(data, client, users):
    client.force_login(users["editor"])
    assert client.post(RESCHEDULE, data).status_code == 400


def test_rescheduling_an_unknown_article_is_a_404(client, users):
    client.force_login(users["editor"])
    assert client.post(RESCHEDULE, {"article": "999999", "date": "2030-12-01"}).status_code == 404


def test_the_calendar_needs_a_login(client):
    response = client.get(CALENDAR)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_the_calendar_script_is_self_hosted(client, users):
    client.force_login(users["editor"])
    content = client.get(CALENDAR).content.decode()
    assert '<script src="/static/editorial/calendar.js" defer></script>' in content
