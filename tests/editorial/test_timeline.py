"""One conversation per article: comments, status changes and versions, newest first."""

import datetime

import pytest
from django.utils import timezone

from blog.models import Article
from editorial import revisions, timeline, workflow
from editorial.models import ReviewComment, Revision, Transition

from .conftest import change_url

Status = Article.Status
pytestmark = pytest.mark.django_db


def at(minutes):
    return timezone.now() - datetime.timedelta(minutes=100 - minutes)


def test_the_timeline_merges_comments_transitions_and_revisions_newest_first(users, article_in):
    article = article_in(Status.DRAFT)
    rev = revisions.record(article, users["writer_own"])
    comment = ReviewComment.objects.create(article=article, body="出典は？", created_by=users["editor"])
    transition = Transition.objects.create(article=article, from_status=Status.DRAFT, to_status=Status.IN_REVIEW, by=None)
    Revision.objects.filter(pk=rev.pk).update(created_at=at(1))
    ReviewComment.objects.filter(pk=comment.pk).update(created_at=at(3))
    Transition.objects.filter(pk=transition.pk).update(created_at=at(2))
    entries = timeline.timeline_for(article)
    assert [e.kind for e in entries] == ["comment", "transition", "revision"]
    assert entries[0].who == "editor" and entries[0].text == "出典は？"
    assert entries[1].who == "システム（取り込み・自動処理）"
    assert entries[2].revision.pk == rev.pk


def test_entries_by_no_one_read_as_the_system_or_a_deleted_user_on_the_change_page(client, users, article_in):
    # The importer and publish_scheduled act as nobody; deleted users leave None behind too.
    article = article_in(Status.DRAFT)
    Revision.objects.create(article=article, title=article.title, body=article.body, created_by=None)
    ReviewComment.objects.create(article=article, body="退職した人のコメント", created_by=None)
    Transition.objects.create(article=article, from_status="", to_status=Status.DRAFT, by=None, comment="取り込み")
    client.force_login(users["editor"])
    response = client.get(change_url(article))
    assert response.status_code == 200
    part = response.content.decode().split('id="timeline"')[1].split('id="revisions"')[0]
    assert part.count("システム（取り込み・自動処理）") == 2
    assert part.count("（削除されたユーザー）") == 1
    assert "退職した人のコメント" in part and "取り込み" in part


def test_a_pending_change_request_is_shown_at_the_top_until_it_is_resolved(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    workflow.request_changes(article, users["editor"], comment="図表の出典を明記してください。")
    client.force_login(users["writer_own"])
    content = client.get(change_url(article)).content.decode()
    top = content[: content.index('id="article_form"')]
    assert 'class="editorial-request" role="alert"' in top
    assert "図表の出典を明記してください。" in top
    workflow.resubmit(article, users["writer_own"])
    content = client.get(change_url(article)).content.decode()
    assert "editorial-request" not in content
    # The request stays in the conversation.
    assert "図表の出典を明記してください。" in content.split('id="timeline"')[1]


def test_the_change_page_reads_the_timeline_in_a_constant_number_of_queries(client, users, article_in, django_assert_max_num_queries):
    def queries_for(n):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        article = article_in(Status.IN_REVIEW)
        for i in range(n):
            ReviewComment.objects.create(article=article, body=f"コメント{i}", created_by=users["editor"])
            Transition.objects.create(article=article, from_status=Status.DRAFT, to_status=Status.IN_REVIEW, by=users["writer_own"])
            revisions.record(article, users["writer_own"] if i % 2 else None)
        client.force_login(users["editor"])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(change_url(article)).status_code == 200
        return len(ctx)

    assert queries_for(2) == queries_for(12)
