"""The editorial calendar: which articles go out, went out, or are due on which day.

Two queries per page whatever the range holds: articles with a publication time in the range,
and due dates in the range.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from blog.models import Article

from .models import Assignment

Status = Article.Status


@dataclass(frozen=True)
class Event:
    kind: str  # "scheduled", "published" or "due"
    article: Article
    at: datetime.datetime | None  # None for a due date (a whole day)

    @property
    def movable(self) -> bool:
        return self.kind == "scheduled"


def month_weeks(year: int, month: int) -> list[list[datetime.date]]:
    """The weeks (Monday first) covering the month, as lists of seven dates."""
    first = datetime.date(year, month, 1)
    start = first - datetime.timedelta(days=first.weekday())
    next_month = (first + datetime.timedelta(days=32)).replace(day=1)
    weeks = []
    day = start
    while day < next_month:
        weeks.append([day + datetime.timedelta(days=i) for i in range(7)])
        day += datetime.timedelta(days=7)
    return weeks


def week_of(day: datetime.date) -> list[datetime.date]:
    start = day - datetime.timedelta(days=day.weekday())
    return [start + datetime.timedelta(days=i) for i in range(7)]


def _bounds(first: datetime.date, last: datetime.date):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def events_between(
    first: datetime.date, last: datetime.date, *, category_id: int | None = None, author_id: int | None = None
) -> dict[datetime.date, list[Event]]:
    """Scheduled and published articles and due dates from ``first`` to ``last`` (inclusive), by local day."""
    start, end = _bounds(first, last)
    articles = Article.objects.filter(
        status__in=[Status.SCHEDULED, Status.PUBLISHED], published_at__gte=start, published_at__lt=end
    )
    due = Assignment.objects.filter(due_on__gte=first, due_on__lte=last).exclude(
        article__status__in=[Status.PUBLISHED, Status.ARCHIVED]
    )
    if category_id is not None:
        articles = articles.filter(category_id=category_id)
        due = due.filter(article__category_id=category_id)
    if author_id is not None:
        articles = articles.filter(authors__id=author_id)
        due = due.filter(article__authors__id=author_id)
    by_day: dict[datetime.date, list[Event]] = defaultdict(list)
    light = ["id", "title", "status", "published_at", "slug", "category_id"]
    for article in articles.only(*light).order_by("published_at").distinct():
        kind = "scheduled" if article.status == Status.SCHEDULED else "published"
        by_day[timezone.localdate(article.published_at)].append(Event(kind, article, article.published_at))
    for assignment in due.select_related("article").only(*(f"article__{f}" for f in light), "due_on").distinct():
        by_day[assignment.due_on].append(Event("due", assignment.article, None))
    return by_day


def moved_to(published_at: datetime.datetime, day: datetime.date) -> datetime.datetime:
    """The same local time of day as ``published_at``, on ``day``."""
    local = timezone.localtime(published_at)
    return local.replace(year=day.year, month=day.month, day=day.day)
