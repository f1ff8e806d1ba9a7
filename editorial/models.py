from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from blog.models import Article


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
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)

    class Meta:
        ordering = ["article", "-created_at", "-pk"]
        indexes = [models.Index(fields=["article", "-created_at"], name="transition_article_recent")]
        verbose_name = _("状態の変更履歴")
        verbose_name_plural = _("状態の変更履歴")

    def __str__(self):
        return f"{self.article}: {self.from_status or '—'} → {self.to_status}"
