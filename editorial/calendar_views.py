"""The admin's editorial calendar (month and week), its drag-to-reschedule endpoint, and the
personal iCal address. Registered on the article admin (``ArticleAdmin.get_urls``)."""

import datetime
import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blog.models import Article, Author, Category

from . import assignments, calendar, workflow
from .models import CalendarFeed

WEEKDAYS = ["月", "火", "水", "木", "金", "土", "日"]


def urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [
        path("calendar/", wrap(lambda request: calendar_view(model_admin, request)), name="blog_article_calendar"),
        path(
            "calendar/reschedule/",
            wrap(lambda request: reschedule_view(model_admin, request)),
            name="blog_article_reschedule",
        ),
        path(
            "calendar/due/",
            wrap(lambda request: move_due_view(model_admin, request)),
            name="blog_article_move_due",
        ),
        path("calendar/feed/", wrap(lambda request: feed_token_view(model_admin, request)), name="blog_article_calendar_feed"),
    ]


class BadQuery(Exception):
    pass


def _int_or_none(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    if not value.isdigit() or len(value) > 12:
        raise BadQuery
    return int(value)


def _date(value: str | None, default: datetime.date) -> datetime.date:
    if not value:
        return default
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise BadQuery from None


def calendar_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    try:
        mode = request.GET.get("view", "month")
        if mode not in ("month", "week"):
            raise BadQuery
        day = _date(request.GET.get("date"), timezone.localdate())
        category_id = _int_or_none(request.GET.get("category"))
        author_id = _int_or_none(request.GET.get("author"))
    except BadQuery:
        return HttpResponseBadRequest("表示、日付、カテゴリー、著者の指定が正しくありません。")
    if mode == "month":
        weeks = calendar.month_weeks(day.year, day.month)
        previous = (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        following = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        heading = _("%(year)d年%(month)d月") % {"year": day.year, "month": day.month}
    else:
        weeks = [calendar.week_of(day)]
        previous, following = day - datetime.timedelta(days=7), day + datetime.timedelta(days=7)
        heading = _("%(first)s〜%(last)sの週") % {
            "first": weeks[0][0].strftime("%Y年%-m月%-d日"),
            "last": weeks[0][-1].strftime("%-m月%-d日"),
        }
    events = calendar.events_between(weeks[0][0], weeks[-1][-1], category_id=category_id, author_id=author_id)
    feed = CalendarFeed.objects.filter(user=request.user).first()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("編集カレンダー"),
        "opts": model_admin.opts,
        "heading": heading,
        "mode": mode,
        "day": day,
        "today": timezone.localdate(),
        "weekdays": WEEKDAYS,
        "weeks": [[(d, events.get(d, [])) for d in week] for week in weeks],
        "previous": previous,
        "following": following,
        "categories": Category.objects.order_by("name").only("id", "name"),
        "authors": Author.objects.order_by("name").only("id", "name"),
        "category_id": category_id,
        "author_id": author_id,
        "can_reschedule": request.user.has_perm(workflow.RESCHEDULE.permission),
        "can_move_due": assignments.can_assign(request.user),
        "feed_url": request.build_absolute_uri(reverse("editorial:calendar-feed", args=[feed.token])) if feed else None,
    }
    return TemplateResponse(request, "admin/editorial/calendar.html", context)


def _posted_move(request) -> tuple[int, datetime.date]:
    """The article id and target day of a calendar move (drag and drop, or the form)."""
    article_id = _int_or_none(request.POST.get("article"))
    day = _date(request.POST.get("date"), None)
    if article_id is None or day is None:
        raise BadQuery
    return article_id, day


def _moved(model_admin, request, day, message, ok: bool):
    """Answer a calendar move: JSON for the drag-and-drop script, a message and redirect otherwise."""
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"ok": ok, "message": str(message)}, status=200 if ok else 409, json_dumps_params={"ensure_ascii": False})
    model_admin.message_user(request, message, messages.SUCCESS if ok else messages.ERROR)
    return redirect(reverse("admin:blog_article_calendar") + f"?date={day.isoformat()}")


def reschedule_view(model_admin, request):
    """Move a scheduled article to another day, same time of day (drag and drop, or the form)."""
    if request.method != "POST":
        return redirect(reverse("admin:blog_article_calendar"))
    try:
        article_id, day = _posted_move(request)
    except BadQuery:
        return HttpResponseBadRequest("記事と日付を指定してください。")
    article = get_object_or_404(Article, pk=article_id)
    if article.status != Article.Status.SCHEDULED or article.published_at is None:
        message, ok = _("公開予約済みの記事だけを動かせます。"), False
    else:
        before = article.published_at
        after = calendar.moved_to(before, day)
        comment = _("公開予定日時を %(before)s から %(after)s に変更") % {
            "before": timezone.localtime(before).strftime("%Y-%m-%d %H:%M"),
            "after": after.strftime("%Y-%m-%d %H:%M"),
        }
        try:
            workflow.reschedule(article, request.user, publish_at=after, comment=str(comment))
        except workflow.WorkflowError as exc:
            message, ok = str(exc), False
        else:
            message, ok = _("「%(title)s」の公開予定を%(date)sに変更しました。") % {
                "title": article.title,
                "date": after.strftime("%Y年%-m月%-d日 %H:%M"),
            }, True
    return _moved(model_admin, request, day, message, ok)


def move_due_view(model_admin, request):
    """Move an article's due date to another day (drag and drop, or the form): an assignment
    change through ``assignments.move_due``, with its permission check — not a workflow edge."""
    if request.method != "POST":
        return redirect(reverse("admin:blog_article_calendar"))
    try:
        article_id, day = _posted_move(request)
    except BadQuery:
        return HttpResponseBadRequest("記事と日付を指定してください。")
    article = get_object_or_404(Article, pk=article_id)
    if not assignments.can_assign(request.user):
        raise PermissionDenied
    try:
        assignments.move_due(article, request.user, due_on=day)
    except assignments.NoDueDate as exc:
        message, ok = str(exc), False
    else:
        message, ok = _("「%(title)s」の締め切りを%(date)sに変更しました。") % {
            "title": article.title,
            "date": day.strftime("%Y年%-m月%-d日"),
        }, True
    return _moved(model_admin, request, day, message, ok)


def feed_token_view(model_admin, request):
    """Issue a new secret iCal address (revoking the old one), or revoke it."""
    if request.method != "POST":
        return redirect(reverse("admin:blog_article_calendar"))
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if request.POST.get("action") == "revoke":
        CalendarFeed.objects.filter(user=request.user).delete()
        model_admin.message_user(request, _("カレンダー配信のURLを無効にしました。"), messages.SUCCESS)
    else:
        CalendarFeed.objects.update_or_create(user=request.user, defaults={"token": secrets.token_urlsafe(32)})
        model_admin.message_user(
            request, _("新しいカレンダー配信のURLを発行しました（以前のURLは使えなくなりました）。"), messages.SUCCESS
        )
    return redirect(reverse("admin:blog_article_calendar") + "#calendar-feed")
