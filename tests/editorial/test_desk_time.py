"""The desk tells the truth about time: a scheduled article whose time has passed is 公開中."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from editorial import desk_time

Status = Article.Status
pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/blog/article/"


def ago(**delta):
    return timezone.now() - datetime.timedelta(**delta)


def ahead(**delta):
    return timezone.now() + datetime.timedelta(**delta)


@pytest.fixture
def timeline(article_in):
    return {
        "went_live": article_in(Status.SCHEDULED, title="時刻を過ぎた予約", published_at=ago(minutes=2)),
        "overdue": article_in(Status.SCHEDULED, title="処理されていない予約", published_at=ago(hours=1)),
        "upcoming": article_in(Status.SCHEDULED, title="明日の予約", published_at=ahead(days=1)),
        "published": article_in(Status.PUBLISHED, title="公開済みの記事"),
    }


def test_desk_status_is_published_once_the_scheduled_time_passed(timeline):
    assert desk_time.desk_status(timeline["went_live"]) == Status.PUBLISHED
    assert desk_time.desk_status(timeline["upcoming"]) == Status.SCHEDULED
    assert Article.objects.get(pk=timeline["went_live"].pk).status == Status.SCHEDULED  # the row is untouched


def test_the_status_column_shows_a_passed_schedule_as_published(client, users, timeline):
    client.force_login(users["editor"])
    content = client.get(CHANGELIST).content.decode()
    assert content.count("status-badge--published") == 3
    assert content.count("status-badge--scheduled") == 1


def test_the_status_filter_counts_a_passed_schedule_as_published(client, users, timeline):
    client.force_login(users["editor"])
    published = client.get(CHANGELIST, {"status__exact": "published"}).context["cl"].result_list
    scheduled = client.get(CHANGELIST, {"status__exact": "scheduled"}).context["cl"].result_list
    assert {a.title for a in published} == {"時刻を過ぎた予約", "処理されていない予約", "公開済みの記事"}
    assert [a.title for a in scheduled] == ["明日の予約"]


def test_the_scheduled_shortcut_lists_only_what_is_still_ahead(client, users, timeline):
    client.force_login(users["editor"])
    listed = client.get(CHANGELIST, {"view": "scheduled"}).context["cl"].result_list
    assert [a.title for a in listed] == ["明日の予約"]


def test_the_dashboard_counts_lists_and_warns_about_an_overdue_schedule(client, users, timeline):
    client.force_login(users["editor"])
    response = client.get(reverse("admin:index"))
    content = response.content.decode()
    counts = content[content.index("状態ごとの記事数"):content.index("</table>", content.index("状態ごとの記事数"))]
    assert "公開中</a></th><td>3</td>" in counts
    assert "予約済み</a></th><td>1</td>" in counts
    scheduled = content[content.index("次の公開予約"):]
    assert "明日の予約" in scheduled and "時刻を過ぎた予約" not in scheduled
    warning = content[content.index('class="editorial-warning"'):content.index("</div>", content.index('class="editorial-warning"'))]
    assert "予約公開が処理されていません。" in warning
    assert "処理されていない予約" in warning
    assert "時刻を過ぎた予約" not in warning  # two minutes late is publish_scheduled's normal delay


def test_no_warning_when_every_schedule_is_on_time(client, users, article_in):
    article_in(Status.SCHEDULED, published_at=ahead(hours=3))
    client.force_login(users["editor"])
    assert "予約公開が処理されていません" not in client.get(reverse("admin:index")).content.decode()


def test_the_change_page_says_published_for_a_passed_schedule(client, users, timeline):
    client.force_login(users["editor"])
    content = client.get(reverse("admin:blog_article_change", args=[timeline["went_live"].pk])).content.decode()
    assert "現在の状態は「公開中」" in content
