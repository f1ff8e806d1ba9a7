import datetime

import pytest
from django.utils import timezone

from blog.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db

PAST = timezone.now() - datetime.timedelta(days=1)
FUTURE = timezone.now() + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("status", "published_at", "visible"),
    [
        (Article.Status.PUBLISHED, PAST, True),
        (Article.Status.PUBLISHED, FUTURE, False),
        (Article.Status.SCHEDULED, PAST, True),  # its time has come: public without a cron run
        (Article.Status.SCHEDULED, FUTURE, False),
        (Article.Status.DRAFT, PAST, False),
        (Article.Status.DRAFT, None, False),
        (Article.Status.IN_REVIEW, PAST, False),
        (Article.Status.CHANGES_REQUESTED, PAST, False),
        (Article.Status.ARCHIVED, PAST, False),
    ],
)
def test_published_shows_only_published_or_scheduled_articles_whose_time_has_come(status, published_at, visible):
    article = make_article(status=status, published_at=published_at)
    assert (article in Article.objects.published()) is visible
    assert article.is_published is visible


def test_published_status_requires_a_publication_time():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(title="日付なし", status=Article.Status.PUBLISHED, published_at=None)


def test_saving_never_changes_status():
    article = make_article(status=Article.Status.DRAFT)
    article.body = "## 更新\n\n本文を直しました。"
    article.save()
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
