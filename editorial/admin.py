"""The editorial desk: the article admin, its workflow buttons, review thread, history and revisions.

Status and publication time are read-only here; every state change goes through
``editorial.workflow`` (the buttons and bulk actions call its functions).
"""

import datetime
from urllib.parse import unquote

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from markdownx.admin import MarkdownxModelAdmin

from blog.models import Article, Author
from config.tasks import ATTEMPT
from blog.picture_forms import PictureAdminMixin, picture_preview

from . import assignments, calendar_views, desk, desk_time, people, revisions, sharing, timeline, workflow
from . import messages as desk_messages
from . import webhooks
from .forms import ArticleAdminForm, AssignmentForm, DeskCommentForm, ShareLinkForm, TransitionForm, WebhookEndpointForm
from .models import BackgroundTask, ReviewComment, Revision, ShareLink, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .views import render_preview

Status = Article.Status
COVER_FIELDS = ["cover_upload", "cover_alt", "cover_focal_x", "cover_focal_y", "cover_remove"]


class DeskViewFilter(admin.SimpleListFilter):
    """The desk's shortcuts: my articles, awaiting review, scheduled."""

    title = _("表示")
    parameter_name = "view"

    def lookups(self, request, model_admin):
        return [
            ("mine", _("自分の記事")),
            ("awaiting", _("レビュー待ち")),
            ("scheduled", _("公開予約済み")),
            ("assigned", _("自分が担当")),
            ("overdue", _("締め切り超過")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(authors__user=request.user)
        if self.value() == "awaiting":
            return queryset.filter(status=Status.IN_REVIEW)
        if self.value() == "scheduled":
            return desk_time.upcoming_scheduled(queryset)
        if self.value() == "assigned":
            return queryset.filter(pk__in=assignments.assigned_to(request.user).values("pk"))
        if self.value() == "overdue":
            return queryset.filter(pk__in=assignments.overdue().values("pk"))
        return queryset



class DeskStatusFilter(admin.SimpleListFilter):
    """Filter by state as readers see it: a scheduled article whose time has passed is 公開中."""

    title = _("状態")
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return desk_time.in_desk_status(queryset, self.value())
        return queryset


def author_profile_for(user) -> Author:
    """The user's byline, created on their first article (a writer must be an author of their own work)."""
    try:
        return user.author_profile
    except Author.DoesNotExist:
        pass
    base = people.display_name(user)
    name, n = base, 2
    while Author.objects.filter(name=name).exists():
        name, n = f"{base} ({n})", n + 1
    return Author.objects.create(name=name, user=user)


class DeskChangeList(ChangeList):
    """The article list leaves the heavy text columns in the database."""

    def get_queryset(self, request, exclude_parameters=None):
        heavy = ["body", "body_html", "body_text", "toc_html", "search_document", "excerpt_html"]
        return super().get_queryset(request, exclude_parameters).defer(*heavy)


@admin.register(Article)
class ArticleAdmin(PictureAdminMixin, MarkdownxModelAdmin):
    form = ArticleAdminForm
    change_form_template = "admin/editorial/article/change_form.html"
    list_display = ["title", "status_badge", "category", "author_names", "published_at", "updated_at"]
    list_filter = [DeskViewFilter, DeskStatusFilter, "category", "authors", "tags"]
    search_fields = ["title", "slug", "excerpt"]
    list_select_related = ["category"]
    list_per_page = 50
    readonly_fields = ["status", "published_at", "reading_time", "created_at", "updated_at"]
    autocomplete_fields = ["category", "authors"]
    fieldsets = [
        (None, {"fields": ["version", "title", "slug", "excerpt", "body"]}),
        (_("アイキャッチ画像"), {"fields": COVER_FIELDS, "classes": ["cover-fieldset"]}),
        (_("分類"), {"fields": ["category", "tags", "authors"]}),
        (_("公開"), {"fields": ["status", "published_at", "reading_time_override", "reading_time", "created_at", "updated_at"]}),
    ]
    class Media:
        css = {"all": ["editorial/admin.css", "css/highlight.css"]}
        js = ["editorial/change_form.js", "editorial/image_upload.js", "editorial/focal_point.js"]

    actions = [
        "submit_selected",
        "withdraw_selected",
        "unschedule_selected",
        "publish_selected",
        "unpublish_selected",
        "restore_selected",
    ]

    # --- list ---------------------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authors")

    def get_changelist(self, request, **kwargs):
        return DeskChangeList

    @admin.display(description=_("状態"), ordering="status")
    def status_badge(self, obj):
        # Colours in editorial/admin.css: white on a dark pill reads in both light and dark mode.
        status = Status(desk_time.desk_status(obj))
        return format_html('<span class="status-badge status-badge--{}">{}</span>', status.value, status.label)

    @admin.display(description=_("アイキャッチ画像"))
    def cover_preview(self, obj):
        return picture_preview(obj.cover if obj.cover_id else None, "card")

    @admin.display(description=_("著者"))
    def author_names(self, obj):
        return "、".join(author.name for author in obj.authors.all())

    def view_on_site(self, obj):
        # "サイト上で表示" leads to the public page once readers can see it, to the preview before.
        if obj.is_published:
            return obj.get_absolute_url()
        return reverse("admin:blog_article_preview", args=[obj.pk])

    # --- permissions --------------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return workflow.can_edit(obj, request.user)

    def has_submit_permission(self, request):
        return request.user.has_perm("editorial.submit_article")

    def has_schedule_permission(self, request):
        return request.user.has_perm("editorial.schedule_article")

    def has_publish_permission(self, request):
        return request.user.has_perm("editorial.publish_article")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("editorial.edit_any_article"):
            fields.append("authors")  # a writer cannot drop themselves from, or add others to, a byline
        return fields

    def get_deleted_objects(self, objs, request):
        # Whoever may delete an article deletes its history with it: revisions, status changes,
        # review comments and share links cascade. The revision admin stays read-only on its own,
        # so its missing delete permission must not block the cascade.
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, perms_needed - {str(Revision._meta.verbose_name)}, protected

    # --- saving -------------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and request.method == "POST":
            form = desk.with_transition_check(form, request, obj)
        return form

    def response_change(self, request, obj):
        if desk.act_after_save(self, request, obj):
            return redirect(self._change_url(obj, "#workflow"))
        return super().response_change(request, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        if not change and not article.authors.exists():
            article.authors.add(author_profile_for(request.user))
        revisions.record_if_changed(article, request.user)

    # --- change page --------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        if article is not None and self.has_view_permission(request, article):
            extra_context = {**(extra_context or {}), **self.desk_context(request, article)}
        return super().change_view(request, object_id, form_url, extra_context)

    def desk_context(self, request, article):
        user = request.user
        return {
            "desk_status_label": Status(desk_time.desk_status(article)).label,
            "transition_forms": [
                (edge, TransitionForm(edge=edge, auto_id=f"id_{edge.name}_%s"))
                for edge in workflow.available_transitions(article, user)
            ],
            "missing_for_review": workflow.missing_for_review(article)
            if article.status in (Status.DRAFT, Status.CHANGES_REQUESTED, Status.IN_REVIEW)
            else [],
            # The request the writer has to act on, shown at the top rather than only in the history.
            "changes_requested": timeline.pending_change_request(article),
            "timeline": timeline.timeline_for(article),
            # One box for comments and for the transitions' comments; what was typed survives a refused save.
            "desk_form": DeskCommentForm(
                initial={"comment": request.POST.get("comment", ""), "publish_at": request.POST.get("publish_at", "")},
                needs_time=any(edge.needs_time for edge in workflow.available_transitions(article, user)),
            ),
            # Editable: the buttons submit the article form itself, so what is on screen is saved first.
            "desk_form_id": "article_form" if self.has_change_permission(request, article) else "desk-actions",
            "can_comment": self.can_comment(request),
            "assignment": assignments.assignment_of(article),
            "assign_form": AssignmentForm(instance=assignments.assignment_of(article))
            if assignments.can_assign(user)
            else None,
            "revisions": revisions.with_numbers(article.revisions.select_related("created_by").defer("body", "excerpt")),
            "can_restore_revisions": user.has_perm("editorial.restore_revision") and workflow.can_edit(article, user),
            "share_form": ShareLinkForm() if user.has_perm("editorial.share_preview") else None,
            "share_links": sharing.live_links(article) if user.has_perm("editorial.share_preview") else [],
        }

    def can_comment(self, request):
        return request.user.has_perm("editorial.add_reviewcomment")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/transition/<str:name>/", wrap(self.transition_view), name="%s_%s_transition" % info),
            path("<int:object_id>/comment/", wrap(self.comment_view), name="%s_%s_comment" % info),
            path("<int:object_id>/assign/", wrap(self.assign_view), name="%s_%s_assign" % info),
            *calendar_views.urls(self),
            path("<int:object_id>/preview/", wrap(self.preview_view), name="%s_%s_preview" % info),
            path("<int:object_id>/share/", wrap(self.share_view), name="%s_%s_share" % info),
            path(
                "<int:object_id>/share/<int:link_id>/revoke/",
                wrap(self.share_revoke_view),
                name="%s_%s_share_revoke" % info,
            ),
            path("<int:object_id>/revisions/compare/", wrap(self.revision_diff_view), name="%s_%s_revision_diff" % info),
            path(
                "<int:object_id>/revisions/<int:revision_id>/restore/",
                wrap(self.revision_restore_view),
                name="%s_%s_revision_restore" % info,
            ),
        ] + super().get_urls()

    def _article_for(self, request, object_id) -> Article:
        article = get_object_or_404(Article, pk=object_id)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def _change_url(self, article, anchor=""):
        return reverse("admin:blog_article_change", args=[article.pk]) + anchor

    def _report(self, request, exc: workflow.WorkflowError):
        self.message_user(request, str(exc), messages.ERROR)

    # --- workflow views ------------------------------------------------------------------

    def transition_view(self, request, object_id, name):
        """Take one transition (a button on the change page). ``PermissionDenied`` becomes a 403."""
        if request.method != "POST":
            return redirect(reverse("admin:blog_article_change", args=[object_id]))
        article = self._article_for(request, object_id)
        edge = workflow.EDGES.get(name)
        if edge is None or name not in workflow.ACTIONS:
            raise Http404
        if not workflow.may(request.user, edge, article):
            raise PermissionDenied
        form = TransitionForm(request.POST, edge=edge)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, f"{edge.label}：{error}", messages.ERROR)
            return redirect(self._change_url(article))
        desk.take(self, request, article, edge, form.transition_kwargs())
        return redirect(self._change_url(article))

    def comment_view(self, request, object_id):
        if request.method != "POST":
            return redirect(reverse("admin:blog_article_change", args=[object_id]))
        article = self._article_for(request, object_id)
        if not self.can_comment(request):
            raise PermissionDenied
        text = desk.comment_text(request)
        if text:
            ReviewComment.objects.create(article=article, body=text, created_by=request.user)
            self.message_user(request, _("コメントを投稿しました。"), messages.SUCCESS)
        else:
            self.message_user(request, _("コメントが空です。"), messages.ERROR)
        return redirect(self._change_url(article, "#timeline"))

    def assign_view(self, request, object_id):
        if request.method != "POST":
            return redirect(reverse("admin:blog_article_change", args=[object_id]))
        article = self._article_for(request, object_id)
        if not assignments.can_assign(request.user):
            raise PermissionDenied
        form = AssignmentForm(request.POST)
        if form.is_valid():
            assignments.assign(article, request.user, **form.cleaned_data)
            self.message_user(request, _("担当編集者と締め切りを保存しました。"), messages.SUCCESS)
        else:
            self.message_user(request, _("担当編集者か締め切りの指定が正しくありません。"), messages.ERROR)
        return redirect(self._change_url(article, "#assignment"))

    def preview_view(self, request, object_id):
        article = self._article_for(request, object_id)
        return render_preview(request, article)

    def share_view(self, request, object_id):
        if request.method != "POST":
            return redirect(reverse("admin:blog_article_change", args=[object_id]))
        article = self._article_for(request, object_id)
        if not request.user.has_perm("editorial.share_preview"):
            raise PermissionDenied
        form = ShareLinkForm(request.POST)
        if not form.is_valid():
            self.message_user(request, _("有効日数は1〜%(max)d日で指定してください。") % {"max": sharing.MAX_DAYS}, messages.ERROR)
            return redirect(self._change_url(article))
        expires_at = timezone.now() + datetime.timedelta(days=form.cleaned_data["days"])
        url = request.build_absolute_uri(
            reverse("editorial:shared-preview", args=[sharing.make_token(article, expires_at=expires_at, user=request.user)])
        )
        self.message_user(
            request,
            _("共有リンクを作りました（%(until)sまで有効。記事の保存・状態の変更・取り消しで無効になります）：%(url)s")
            % {"until": timezone.localtime(expires_at).strftime("%Y-%m-%d %H:%M"), "url": url},
            messages.SUCCESS,
        )
        return redirect(self._change_url(article))

    def share_revoke_view(self, request, object_id, link_id):
        """Revoke one of the article's share links (the list on the change page)."""
        if request.method != "POST":
            return redirect(reverse("admin:blog_article_change", args=[object_id]))
        article = self._article_for(request, object_id)
        if not request.user.has_perm("editorial.share_preview"):
            raise PermissionDenied
        link = get_object_or_404(ShareLink, pk=link_id, article=article)
        sharing.revoke(link, request.user)
        self.message_user(request, _("共有リンクを取り消しました。"), messages.SUCCESS)
        return redirect(self._change_url(article, "#share"))

    # --- revisions ------------------------------------------------------------------------

    def revision_diff_view(self, request, object_id):
        article = self._article_for(request, object_id)
        try:
            ids = [int(request.GET[key]) for key in ("a", "b")]
        except (KeyError, ValueError):
            self.message_user(request, _("比べる版を2つ選んでください。"), messages.WARNING)
            return redirect(self._change_url(article, "#revisions"))
        chosen = Revision.objects.filter(article=article, pk__in=ids).select_related("created_by")
        found = {rev.pk: rev for rev in revisions.with_numbers(chosen)}
        if len(found) != len(set(ids)):
            raise Http404
        old, new = sorted((found[ids[0]], found[ids[1]]), key=lambda rev: (rev.created_at, rev.pk))
        context = {
            **self.admin_site.each_context(request),
            "title": _("版の比較：%(title)s") % {"title": article.title},
            "opts": self.opts,
            "original": article,
            "old": old,
            "new": new,
            "diffs": revisions.diff(old, new),
            "can_restore_old": revisions.can_restore(old, request.user),
            "can_restore_new": revisions.can_restore(new, request.user),
        }
        return TemplateResponse(request, "admin/editorial/article/revision_diff.html", context)

    def revision_restore_view(self, request, object_id, revision_id):
        if request.method != "POST":
            return redirect(reverse("admin:blog_article_change", args=[object_id]))
        article = self._article_for(request, object_id)
        revision = get_object_or_404(Revision, pk=revision_id, article=article)
        try:
            new = revisions.restore(revision, request.user)
        except revisions.CurrentRevision as exc:
            self.message_user(request, str(exc), messages.WARNING)
            return redirect(self._change_url(article, "#revisions"))
        numbers = dict(revisions.with_numbers(article.revisions.filter(pk__in=[revision.pk, new.pk])).values_list("pk", "number"))
        self.message_user(
            request,
            _("版 %(old)d の内容に戻しました（版 %(new)d として保存）。") % {"old": numbers[revision.pk], "new": numbers[new.pk]},
            messages.SUCCESS,
        )
        return redirect(self._change_url(article))

    # --- bulk actions -------------------------------------------------------------------

    def _bulk(self, request, queryset, name):
        """Take the transition on each selected article; report what moved and what was refused why."""
        action = workflow.ACTIONS[name]
        moved, refused = 0, []
        for article in queryset:
            try:
                action(article, request.user)
            except PermissionDenied:
                refused.append((article, _("権限がありません")))
            except workflow.WorkflowError as exc:
                refused.append((article, str(exc)))
            else:
                moved += 1
        if moved:
            self.message_user(request, desk_messages.done_many(name, moved), messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                format_html(
                    "{}<ul>{}</ul>",
                    desk_messages.refused_many(name, len(refused)),
                    format_html_join("", "<li>{}：{}</li>", ((a.title, reason) for a, reason in refused)),
                ),
                messages.WARNING,
            )

    @admin.action(description=_("選択した記事をレビューに出す"), permissions=["submit"])
    def submit_selected(self, request, queryset):
        self._bulk(request, queryset, "submit")

    @admin.action(description=_("選択した記事のレビュー依頼を取り下げる"), permissions=["submit"])
    def withdraw_selected(self, request, queryset):
        self._bulk(request, queryset, "withdraw")

    @admin.action(description=_("選択した記事の公開予約を取り消す"), permissions=["schedule"])
    def unschedule_selected(self, request, queryset):
        self._bulk(request, queryset, "unschedule")

    @admin.action(description=_("選択した記事を今すぐ公開する"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish")

    @admin.action(description=_("選択した記事の公開を取り下げる（アーカイブ）"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, "unpublish")

    @admin.action(description=_("選択した記事をアーカイブから下書きに戻す"), permissions=["publish"])
    def restore_selected(self, request, queryset):
        self._bulk(request, queryset, "restore")


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Read-only: revisions are made by saving articles and restored from the article page."""

    list_display = ["article", "title", "created_by", "created_at"]
    list_select_related = ["article", "created_by"]
    search_fields = ["title", "article__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False



# -- Background tasks -----------------------------------------------------------------------

TASK_STATUS_LABELS = {
    TaskResultStatus.READY: _("待機中"),
    TaskResultStatus.RUNNING: _("実行中"),
    TaskResultStatus.FAILED: _("失敗"),
    TaskResultStatus.SUCCESSFUL: _("完了"),
}
TASK_LABELS = {
    "editorial.notifications.send_notification": _("通知メール"),
    "blog.websub.ping_hub": _("WebSub ハブへの通知"),
    "editorial.webhooks.deliver": _("Webhook の配信"),
    "blog.pictures.make_renditions": _("画像の書き出し"),
    "blog.linkcards.fetch_link_cards": _("リンクカードの取得"),
}


class LabelledValueFilter(admin.SimpleListFilter):
    """Filter on one field by the values of a ``{value: Japanese label}`` mapping; other values are ignored."""

    field_name = ""
    labels: dict = {}

    def lookups(self, request, model_admin):
        return list(self.labels.items())

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field_name: self.value()}) if self.value() in self.labels else queryset


class TaskStatusFilter(LabelledValueFilter):
    title = _("状態")
    parameter_name = "status"
    field_name = "status"
    labels = TASK_STATUS_LABELS


class TaskKindFilter(LabelledValueFilter):
    title = _("処理")
    parameter_name = "task"
    field_name = "task_path"
    labels = TASK_LABELS


admin.site.unregister(DBTaskResult)


@admin.register(BackgroundTask)
class BackgroundTaskAdmin(admin.ModelAdmin):
    """Read-only: what the worker did, is doing and will try again (config/tasks.py)."""

    list_display = ["kind", "state", "attempt", "subject", "enqueued", "scheduled_for", "finished"]
    list_filter = [TaskStatusFilter, TaskKindFilter]
    ordering = ["-enqueued_at"]
    fields = ["kind", "state", "attempt", "subject", "enqueued", "scheduled_for", "started", "finished", "error", "failure"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("処理"), ordering="task_path")
    def kind(self, obj):
        return TASK_LABELS.get(obj.task_path, obj.task_path)

    @admin.display(description=_("状態"), ordering="status")
    def state(self, obj):
        return TASK_STATUS_LABELS.get(obj.status, obj.status)

    @admin.display(description=_("試行回数"))
    def attempt(self, obj):
        return (obj.args_kwargs or {}).get("kwargs", {}).get(ATTEMPT, 1)

    @admin.display(description=_("対象"))
    def subject(self, obj):
        """The feed pinged, or the e-mail's subject and how many people it goes to."""
        args = (obj.args_kwargs or {}).get("args", [])
        if obj.task_path == "blog.websub.ping_hub" and len(args) == 2:
            return unquote(args[1])  # Japanese slugs readable
        if obj.task_path == "editorial.webhooks.deliver" and args:
            return _("配信 #%(pk)s") % {"pk": args[0]}
        if obj.task_path == "blog.linkcards.fetch_link_cards" and args:
            return _("記事 #%(pk)s") % {"pk": args[0]}
        if obj.task_path == "blog.pictures.make_renditions" and args:
            return _("画像 #%(pk)s") % {"pk": args[0]}
        if obj.task_path == "editorial.notifications.send_notification" and args and args[0]:
            messages_ = args[0]
            return _("%(subject)s（%(count)d通）") % {"subject": messages_[0][0], "count": len(messages_)}
        return "—"

    @admin.display(description=_("登録日時"), ordering="enqueued_at")
    def enqueued(self, obj):
        return obj.enqueued_at

    @admin.display(description=_("開始日時"), ordering="started_at")
    def started(self, obj):
        return obj.started_at

    @admin.display(description=_("終了日時"), ordering="finished_at")
    def finished(self, obj):
        return obj.finished_at

    @admin.display(description=_("実行予定"), ordering="run_after")
    def scheduled_for(self, obj):
        return "—" if obj.run_after == get_date_max() else obj.run_after

    @admin.display(description=_("エラーの種類"))
    def error(self, obj):
        return obj.exception_class_path or "—"

    @admin.display(description=_("エラーの詳細"))
    def failure(self, obj):
        return format_html("<pre>{}</pre>", obj.traceback) if obj.traceback else "—"


# -- Webhooks (editorial/webhooks.py) ---------------------------------------------------------

MANAGE_WEBHOOKS = "editorial.manage_webhooks"


class WebhookPermissionMixin:
    """Endpoints hold secrets and reach outside: only ``manage_webhooks`` sees or changes them."""

    def has_module_permission(self, request):
        return request.user.has_perm(MANAGE_WEBHOOKS)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE_WEBHOOKS)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(WebhookPermissionMixin, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "event_list", "payload_format", "is_active", "last_delivery"]
    list_filter = ["is_active", "payload_format"]
    search_fields = ["name", "url"]
    fields = ["name", "url", "events", "payload_format", "secret", "is_active"]

    def has_add_permission(self, request):
        return request.user.has_perm(MANAGE_WEBHOOKS)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE_WEBHOOKS)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE_WEBHOOKS)

    def get_queryset(self, request):
        from django.db.models import Max

        return super().get_queryset(request).annotate(last_delivery_at=Max("deliveries__created_at"))

    @admin.display(description=_("イベント"))
    def event_list(self, obj):
        return "、".join(obj.events) or "—"

    @admin.display(description=_("最新の配信"), ordering="last_delivery_at")
    def last_delivery(self, obj):
        if obj.last_delivery_at is None:
            return "—"
        url = reverse("admin:editorial_webhookdelivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, timezone.localtime(obj.last_delivery_at).strftime("%Y-%m-%d %H:%M"))


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(WebhookPermissionMixin, admin.ModelAdmin):
    """The delivery log, read-only, with a button to send a delivery again."""

    list_display = ["created_at", "event", "endpoint", "article_title", "status", "response_code", "duration", "attempts", "next_attempt_at"]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint", "article"]
    search_fields = ["delivery_id", "article__title"]
    date_hierarchy = "created_at"
    fields = [
        "delivery_id", "endpoint", "event", "article", "status", "attempts", "response_code", "duration",
        "response_excerpt_block", "error", "created_at", "last_attempt_at", "next_attempt_at", "give_up_at", "resent_from",
        "body_block",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm(MANAGE_WEBHOOKS)

    def get_urls(self):
        return [
            path(
                "<int:pk>/resend/",
                self.admin_site.admin_view(self.resend_view),
                name="editorial_webhookdelivery_resend",
            ),
        ] + super().get_urls()

    def resend_view(self, request, pk):
        if not self.has_resend_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return redirect("admin:editorial_webhookdelivery_change", pk)
        delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=pk)
        again = webhooks.resend(delivery)
        self.message_user(
            request,
            _("「%(endpoint)s」に %(event)s を再送します（配信ID %(id)s）。") % {"endpoint": delivery.endpoint, "event": delivery.event, "id": again.delivery_id},
            messages.SUCCESS,
        )
        return redirect("admin:editorial_webhookdelivery_change", again.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_resend": self.has_resend_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("記事"), ordering="article__title")
    def article_title(self, obj):
        return obj.payload.get("title") or (obj.article.title if obj.article else "—")

    @admin.display(description=_("所要時間"), ordering="duration_ms")
    def duration(self, obj):
        return _("%(ms)d ミリ秒") % {"ms": obj.duration_ms} if obj.duration_ms is not None else "—"

    @admin.display(description=_("応答の冒頭"))
    def response_excerpt_block(self, obj):
        return format_html("<pre>{}</pre>", obj.response_excerpt) if obj.response_excerpt else "—"

    @admin.display(description=_("再試行の期限"))
    def give_up_at(self, obj):
        return webhooks.give_up_at(obj)

    @admin.display(description=_("送信内容（再送では配信IDと日時が変わります）"))
    def body_block(self, obj):
        return format_html("<pre>{}</pre>", webhooks.body(obj).decode())
