import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from blog.models import Article, HttpsURLField


class Transition(models.Model):
    """One change of an article's status: who moved it, from where to where, when and why."""

    article = models.ForeignKey(Article, verbose_name=_("記事"), on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("変更前"), max_length=20, choices=Article.Status.choices, blank=True)
    to_status = models.CharField(_("変更後"), max_length=20, choices=Article.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("実行者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(_("コメント"), blank=True)
    # The workflow edge taken (editorial.workflow.EDGES, or "import" for the Jekyll importer).
    edge = models.CharField(_("操作"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)

    class Meta:
        ordering = ["article", "-created_at", "-pk"]
        indexes = [models.Index(fields=["article", "-created_at"], name="transition_article_recent")]
        verbose_name = _("状態の変更履歴")
        verbose_name_plural = _("状態の変更履歴")
        # The workflow's permissions. Groups get them in migration 0003; editorial.workflow checks them.
        permissions = [
            ("submit_article", _("記事をレビューに出す・取り下げる")),
            ("edit_any_article", _("他の人の記事を編集・操作する")),
            ("review_article", _("記事に修正を依頼する")),
            ("schedule_article", _("記事を承認して公開を予約する・予約を取り消す")),
            ("publish_article", _("記事を今すぐ公開する・公開を取り下げる・アーカイブから戻す")),
            ("edit_published_article", _("予約済み・公開中・アーカイブの記事を編集する")),
            ("restore_revision", _("記事を過去の版に戻す")),
            ("share_preview", _("社外レビュー用の共有リンクを作る")),
        ]

    def __str__(self):
        return f"{self.article}: {self.from_status or '—'} → {self.to_status}"


class Revision(models.Model):
    """A snapshot of an article's text and tags, taken on every save."""

    article = models.ForeignKey(Article, verbose_name=_("記事"), on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(_("タイトル"), max_length=200)
    excerpt = models.TextField(_("抜粋"), blank=True)
    body = models.TextField(_("本文"), blank=True)
    tags = models.JSONField(_("タグ"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("保存した人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("保存日時"), auto_now_add=True)
    restored_from = models.ForeignKey(
        "self",
        verbose_name=_("復元元の版"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]
        indexes = [models.Index(fields=["article", "-created_at"], name="revision_article_recent")]
        verbose_name = _("版")
        verbose_name_plural = _("版")

    def __str__(self):
        return f"{self.article_id}#{self.pk} {self.title}"

    @property
    def tags_text(self) -> str:
        return ", ".join(self.tags)


class ReviewComment(models.Model):
    """A message in an article's review thread."""

    article = models.ForeignKey(
        Article, verbose_name=_("記事"), on_delete=models.CASCADE, related_name="review_comments"
    )
    body = models.TextField(_("コメント"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("投稿者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("投稿日時"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["article", "created_at"], name="reviewcomment_article_time")]
        verbose_name = _("レビューコメント")
        verbose_name_plural = _("レビューコメント")

    def __str__(self):
        return f"{self.article}: {self.body[:30]}"


class ShareLinkQuerySet(models.QuerySet):
    def live(self, now=None):
        """Links not revoked and not yet expired (a later save of the article still makes them stale)."""

        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ShareLink(models.Model):
    """A read-only preview link given to someone outside the newsroom; its token is signed, not stored.

    Revoked by hand, by any status change of the article (editorial.workflow) and, implicitly, by
    any save of the article's text (the token carries the version it was made for).
    """

    article = models.ForeignKey(Article, verbose_name=_("記事"), on_delete=models.CASCADE, related_name="share_links")
    version = models.CharField(_("作成時の記事の版"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有効期限"))
    revoked_at = models.DateTimeField(_("取り消し日時"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("取り消した人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["article", "revoked_at", "expires_at"], name="sharelink_article_live")]
        verbose_name = _("共有リンク")
        verbose_name_plural = _("共有リンク")

    def __str__(self):
        return f"{self.article_id}: {self.expires_at:%Y-%m-%d %H:%M}"


class Assignment(models.Model):
    """The editor responsible for an article (担当編集者) and when the work is due."""

    article = models.OneToOneField(Article, verbose_name=_("記事"), on_delete=models.CASCADE, related_name="assignment")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("担当編集者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="editorial_assignments",
    )
    due_on = models.DateField(_("締め切り"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("割り当てた人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["assignee", "due_on"], name="assignment_assignee_due"),
            models.Index(fields=["due_on"], name="assignment_due"),
        ]
        verbose_name = _("担当")
        verbose_name_plural = _("担当")

    def __str__(self):
        return f"{self.article_id}: {self.assignee_id} {self.due_on or ''}"


class CalendarFeed(models.Model):
    """A user's secret iCal address; replacing the token revokes the old address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("ユーザー"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("トークン"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("発行日時"), auto_now=True)

    class Meta:
        verbose_name = _("カレンダー配信")
        verbose_name_plural = _("カレンダー配信")

    def __str__(self):
        return f"{self.user_id}"


class LoginAttempts(models.Model):
    """Failed admin logins of one account (hashed name) or one client address, and its lock.

    Kept in the database, not the cache: cache pressure (an LRU Redis full of pages) must never
    lift a lock-out. Rows are small and few; stale ones are deleted as new failures come in
    (``config.login_throttle``).
    """

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("アカウント")
        ADDRESS = "address", _("接続元")

    scope = models.CharField(_("対象"), max_length=8, choices=Scope.choices)
    ident = models.CharField(_("識別子"), max_length=64)
    failures = models.PositiveIntegerField(_("失敗回数"), default=0)
    window_started_at = models.DateTimeField(_("集計開始"), null=True)
    locked_until = models.DateTimeField(_("ロック期限"), null=True)
    locked_from = models.CharField(_("ロックの原因となった接続元"), max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "ident"], name="loginattempts_scope_ident")]
        indexes = [models.Index(fields=["window_started_at"], name="loginattempts_window")]
        verbose_name = _("ログイン失敗の記録")
        verbose_name_plural = _("ログイン失敗の記録")

    def __str__(self):
        return f"{self.scope}:{self.ident}"


class BackgroundTask(DBTaskResult):
    """A background task as staff see it (config/tasks.py): one row per attempt, read-only."""

    class Meta:
        proxy = True
        verbose_name = _("バックグラウンド処理")
        verbose_name_plural = _("バックグラウンド処理")


def new_webhook_secret() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class WebhookEvent(models.TextChoices):
    """What a webhook endpoint can hear about (editorial.webhooks sends them)."""

    PUBLISHED = "article.published", _("記事が公開された（article.published）")
    UPDATED = "article.updated", _("公開中の記事が更新された（article.updated）")
    UNPUBLISHED = "article.unpublished", _("記事の公開が取り下げられた（article.unpublished）")
    SCHEDULED = "article.scheduled", _("記事の公開が予約された（article.scheduled）")


class WebhookEndpoint(models.Model):
    """An address that hears about articles: signed JSON, or a Slack-compatible message."""

    class Format(models.TextChoices):
        GENERIC = "generic", _("汎用JSON")
        SLACK = "slack", _("Slack互換（Incoming Webhook）")

    name = models.CharField(_("名前"), max_length=100, help_text=_("例：編集部Slack、ニュースレター配信"))
    url = HttpsURLField(
        _("送信先URL"), max_length=500, help_text=_("https:// で始まる、インターネット上のアドレス（社内・ローカルのアドレスには送れません）")
    )
    secret = models.CharField(
        _("署名用シークレット"),
        max_length=200,
        default=new_webhook_secret,
        help_text=_("受信側で署名（X-Allforces-Signature）を検証するための共有シークレット。docs/webhooks.md を参照。"),
    )
    events = models.JSONField(_("イベント"), default=list, blank=True)
    payload_format = models.CharField(_("形式"), max_length=10, choices=Format.choices, default=Format.GENERIC)
    is_active = models.BooleanField(_("有効"), default=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("Webhook送信先")
        verbose_name_plural = _("Webhook送信先")
        permissions = [("manage_webhooks", _("Webhookの送信先と配信履歴を管理する"))]

    def __str__(self):
        return self.name

    def hears(self, event: str) -> bool:
        return self.is_active and event in self.events


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one endpoint: the delivery log, one row per delivery.

    ``payload`` is the article as it was when the event happened; the body sent adds the event,
    this delivery's id and time (editorial.webhooks.body). ``attempts`` counts tries so far;
    ``next_attempt_at`` is set while another try is planned.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("送信待ち")
        RETRYING = "retrying", _("再試行待ち")
        SUCCEEDED = "succeeded", _("成功")
        FAILED = "failed", _("失敗")

    delivery_id = models.UUIDField(_("配信ID"), default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, verbose_name=_("送信先"), on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("イベント"), max_length=32, choices=WebhookEvent.choices)
    article = models.ForeignKey(
        Article, verbose_name=_("記事"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(_("記事データ"), default=dict)
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("試行回数"), default=0)
    response_code = models.PositiveSmallIntegerField(_("応答コード"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("所要時間（ミリ秒）"), null=True, blank=True)
    response_excerpt = models.TextField(_("応答の冒頭"), blank=True)
    error = models.TextField(_("エラー"), blank=True)
    created_at = models.DateTimeField(_("発生日時"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("最終試行日時"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("次回試行予定"), null=True, blank=True)
    resent_from = models.ForeignKey(
        "self", verbose_name=_("再送元"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_recent")]
        verbose_name = _("Webhook配信履歴")
        verbose_name_plural = _("Webhook配信履歴")

    def __str__(self):
        return f"{self.event} → {self.endpoint_id} ({self.delivery_id})"
