"""The personal iCal feed: one's deadlines and scheduled publications, behind a revocable token."""

import datetime

import icalendar
import pytest
from django.utils import timezone

from blog.models import Article
from editorial import assignments
from editorial.models import CalendarFeed
from tests.factories import make_article

Status = Article.Status
pytestmark = pytest.mark.django_db
FEED_ADMIN = "/admin/blog/article/calendar/feed/"


def issue(client, user):
    client.force_login(user)
    client.post(FEED_ADMIN, {"action": "issue"})
    return CalendarFeed.objects.get(user=user).token


def feed_url(token):
    return f"/editorial/calendar/{token}.ics"


def test_a_writer_gets_the_scheduled_publications_of_their_articles_and_their_deadlines(client, users, article_in):
    mine = article_in(Status.SCHEDULED, title="私の予約記事、「改行\nと;記号」を含む", published_at=timezone.now() + datetime.timedelta(days=2))
    others = make_article(title="他人の記事", status=Status.SCHEDULED, authors=[users["writer_other"].author_profile])
    assigned = make_article(title="担当の下書き", status=Status.DRAFT, authors=[users["writer_other"].author_profile])
    assignments.assign(assigned, users["editor"], assignee=users["editor"], due_on=datetime.date(2030, 12, 24))
    token = issue(client, users["editor"])
    client.logout()  # calendar apps have no session
    response = client.get(feed_url(token))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    calendar = icalendar.Calendar.from_ical(response.content)
    summaries = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    # The editor writes none of these; they look after one.
    assert set(summaries) == {"締め切り：担当の下書き"}
    assert summaries["締め切り：担当の下書き"].decoded("DTSTART") == datetime.date(2030, 12, 24)

    token = issue(client, users["writer_own"])
    calendar = icalendar.Calendar.from_ical(client.get(feed_url(token)).content)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == f"公開予定：{mine.title}"
    assert event.decoded("DTSTART") == mine.published_at.replace(microsecond=0)
    assert str(event["URL"]) == f"http://testserver/admin/blog/article/{mine.pk}/change/"
    assert others.title not in client.get(feed_url(token)).content.decode()


def test_the_feed_is_valid_rfc_5545(client, users, article_in):
    article_in(Status.SCHEDULED, title="長いタイトル" * 20)
    token = issue(client, users["writer_own"])
    raw = client.get(feed_url(token)).content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
    assert b"\n" not in raw.replace(b"\r\n", b"")
    calendar = icalendar.Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    for event in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART"):
            assert required in event


def test_a_new_token_revokes_the_old_address_and_revoking_stops_the_feed(client, users):
    first = issue(client, users["editor"])
    second = issue(client, users["editor"])
    assert first != second and len(second) >= 40
    assert client.get(feed_url(first)).status_code == 404
    assert client.get(feed_url(second)).status_code == 200
    client.post(FEED_ADMIN, {"action": "revoke"})
    assert client.get(feed_url(second)).status_code == 404


def test_a_wrong_token_or_a_deactivated_user_is_a_404(client, users):
    assert client.get(feed_url("guessed-token")).status_code == 404
    token = issue(client, users["editor"])
    users["editor"].is_active = False
    users["editor"].save()
    assert client.get(feed_url(token)).status_code == 404


def test_the_calendar_page_shows_the_address_only_to_its_owner(client, users):
    token = issue(client, users["editor"])
    assert token in client.get("/admin/blog/article/calendar/").content.decode()
    client.force_login(users["editor_in_chief"])
    assert token not in client.get("/admin/blog/article/calendar/").content.decode()
