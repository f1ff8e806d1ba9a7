"""A person's editorial calendar as an iCalendar feed (RFC 5545), behind a secret, revocable token.

It carries the scheduled publications of the articles they write or look after, and their
due dates as 担当編集者. Nothing here is public: a wrong or revoked token is a 404.
"""

import datetime

import icalendar
from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from blog.models import Article

from .models import Assignment, CalendarFeed

Status = Article.Status


def build(user, *, site: str, now: datetime.datetime | None = None) -> bytes:
    """The feed's bytes for ``user``; ``site`` is the absolute origin links start with."""
    now = now or timezone.now()
    host = site.split("//")[-1].split("/")[0] or "allforces.local"
    cal = icalendar.Calendar()
    cal.add("prodid", "-//ALLFORCES//編集カレンダー//JA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "ALLFORCES 編集カレンダー")
    scheduled = (
        Article.objects.filter(status=Status.SCHEDULED, published_at__isnull=False)
        .filter(Q(authors__user=user) | Q(assignment__assignee=user))
        .only("id", "title", "published_at", "updated_at")
        .distinct()
        .order_by("published_at")
    )
    for article in scheduled:
        event = icalendar.Event()
        event.add("uid", f"publish-{article.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", article.published_at)
        event.add("dtend", article.published_at + datetime.timedelta(minutes=30))
        event.add("summary", f"公開予定：{article.title}")
        event.add("url", site + reverse("admin:blog_article_change", args=[article.pk]))
        cal.add_component(event)
    due = (
        Assignment.objects.filter(assignee=user, due_on__isnull=False)
        .exclude(article__status__in=[Status.PUBLISHED, Status.ARCHIVED])
        .select_related("article")
        .only("due_on", "article__id", "article__title")
        .order_by("due_on")
    )
    for assignment in due:
        event = icalendar.Event()
        event.add("uid", f"due-{assignment.article.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", assignment.due_on)
        event.add("dtend", assignment.due_on + datetime.timedelta(days=1))
        event.add("summary", f"締め切り：{assignment.article.title}")
        event.add("url", site + reverse("admin:blog_article_change", args=[assignment.article.pk]))
        cal.add_component(event)
    return cal.to_ical()


@require_safe
def feed(request, token: str):
    entry = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if entry is None or not entry.user.is_active or not entry.user.is_staff:
        raise Http404
    site = settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")
    response = HttpResponse(build(entry.user, site=site), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="allforces-calendar.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
