"""A scheduled article whose time has passed is live: the desk offers taking it down, not
cancelling a reservation that has already happened."""

import datetime

import pytest
from django.utils import timezone

from blog.models import Article
from editorial import workflow
from editorial.models import Transition
from tests.editorial.conftest import change_url, transition_post_data, transition_url

Status = Article.Status


@pytest.fixture
def live(article_in):
    """Scheduled for a minute ago; ``publish_scheduled`` has not run yet."""
    return article_in(Status.SCHEDULED, published_at=timezone.now() - datetime.timedelta(minutes=1))


def names(article, user):
    return [edge.name for edge in workflow.available_transitions(article, user)]


def test_a_live_scheduled_article_offers_unpublish_and_not_unschedule(live, users):
    assert names(live, users["editor_in_chief"]) == ["unpublish"]
    assert "unschedule" not in names(live, users["editor"])


def test_a_scheduled_article_still_ahead_offers_unschedule(article_in, users):
    ahead = article_in(Status.SCHEDULED)
    assert names(ahead, users["editor"]) == ["unschedule"]


def test_the_change_page_of_a_live_article_has_no_unschedule_button(client, live, users):
    client.force_login(users["editor_in_chief"])
    page = client.get(change_url(live)).content.decode()
    assert "公開予約を取り消す" not in page
    assert transition_url(live, "unschedule") not in page
    assert "公開を取り下げる（アーカイブ）" in page


def test_posting_unschedule_for_a_live_article_is_refused_and_changes_nothing(client, live, users):
    client.force_login(users["editor"])
    response = client.post(transition_url(live, "unschedule"), transition_post_data("unschedule"), follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "公開予約を取り消せません" in text
    assert "すでに公開されています" in text
    live.refresh_from_db()
    assert live.status == Status.SCHEDULED and live.published_at is not None
    assert not Transition.objects.filter(article=live, edge="unschedule").exists()


def test_unpublishing_a_live_article_records_its_publication_then_the_takedown(client, live, users):
    client.force_login(users["editor_in_chief"])
    response = client.post(transition_url(live, "unpublish"), transition_post_data("unpublish"), follow=True)
    assert "公開を取り下げ、アーカイブしました" in response.content.decode()
    live.refresh_from_db()
    assert live.status == Status.ARCHIVED
    edges = list(Transition.objects.filter(article=live).order_by("pk").values_list("edge", "to_status"))
    assert edges[-2:] == [("publish_due", Status.PUBLISHED), ("unpublish", Status.ARCHIVED)]


def test_an_editor_who_may_not_unpublish_gets_no_button_and_no_silent_publication(client, live, users):
    assert names(live, users["editor"]) == []
    client.force_login(users["editor"])
    response = client.post(transition_url(live, "unpublish"), transition_post_data("unpublish"))
    assert response.status_code == 403
    live.refresh_from_db()
    assert live.status == Status.SCHEDULED
    assert not Transition.objects.filter(article=live, edge="publish_due").exists()


def test_the_bulk_unschedule_action_refuses_a_live_article(client, live, users):
    client.force_login(users["editor"])
    response = client.post(
        "/admin/blog/article/", {"action": "unschedule_selected", "_selected_action": [live.pk]}, follow=True
    )
    assert response.status_code == 200
    live.refresh_from_db()
    assert live.status == Status.SCHEDULED
