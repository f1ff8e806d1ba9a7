"""The desk's view of time: a scheduled article whose time has passed is live, whatever the row says.

Readers see a scheduled article the moment its ``published_at`` passes (``published()``), before
``publish_scheduled`` records the change. The desk must say the same, and must warn when that
command seems not to be running (an article still ``scheduled`` well after its time).
"""

import datetime

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils import timezone

from blog.models import Article

Status = Article.Status
# How late publish_scheduled may be (it runs every minute or so) before the desk warns.
OVERDUE_AFTER = datetime.timedelta(minutes=5)


def _live(now: datetime.datetime) -> Q:
    return Q(status=Status.SCHEDULED, published_at__lte=now)


def desk_status(article: Article, now: datetime.datetime | None = None) -> str:
    """The state the article is really in for readers: ``published`` once a scheduled time passed."""
    now = now or timezone.now()
    if article.status == Status.SCHEDULED and article.published_at is not None and article.published_at <= now:
        return Status.PUBLISHED
    return article.status


def with_desk_status(queryset: QuerySet, now: datetime.datetime | None = None) -> QuerySet:
    """Annotate ``desk_status`` (see ``desk_status``) in the database, for counts and filters."""
    now = now or timezone.now()
    return queryset.annotate(
        desk_status=Case(When(_live(now), then=Value(Status.PUBLISHED)), default=F("status"), output_field=CharField())
    )


def in_desk_status(queryset: QuerySet, status: str, now: datetime.datetime | None = None) -> QuerySet:
    """Filter to articles whose desk status is ``status``."""
    now = now or timezone.now()
    if status == Status.PUBLISHED:
        return queryset.filter(Q(status=Status.PUBLISHED) | _live(now))
    if status == Status.SCHEDULED:
        return queryset.filter(status=Status.SCHEDULED).exclude(published_at__lte=now)
    return queryset.filter(status=status)


def upcoming_scheduled(queryset: QuerySet, now: datetime.datetime | None = None) -> QuerySet:
    """Scheduled articles whose time is still ahead, soonest first."""
    return in_desk_status(queryset, Status.SCHEDULED, now).order_by("published_at")


def overdue_scheduled(queryset: QuerySet, now: datetime.datetime | None = None) -> QuerySet:
    """Articles still ``scheduled`` in the database more than ``OVERDUE_AFTER`` past their time."""
    now = now or timezone.now()
    return queryset.filter(status=Status.SCHEDULED, published_at__lte=now - OVERDUE_AFTER).order_by("published_at")
