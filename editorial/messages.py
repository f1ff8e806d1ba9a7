"""What the desk tells an editor after a workflow edge: its own sentence for success and refusal.

Japanese verbs do not conjugate by pasting 「しました」 onto a button label, so each edge has its
sentences written out: the completed form for success, the potential negative for a refusal.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from blog.models import Article


@dataclass(frozen=True)
class EdgeMessages:
    done: Promise  # one article, %(title)s
    refused: Promise  # one article, %(title)s; the reason follows
    done_many: Promise  # bulk action, %(count)d
    refused_many: Promise  # bulk action, %(count)d; the list of articles and reasons follows


MESSAGES: dict[str, EdgeMessages] = {
    "submit": EdgeMessages(
        _("「%(title)s」をレビューに出しました。"),
        _("「%(title)s」をレビューに出せません。"),
        _("%(count)d件の記事をレビューに出しました。"),
        _("%(count)d件はレビューに出せませんでした："),
    ),
    "request_changes": EdgeMessages(
        _("「%(title)s」の修正を依頼しました。"),
        _("「%(title)s」の修正を依頼できません。"),
        _("%(count)d件の記事の修正を依頼しました。"),
        _("%(count)d件は修正を依頼できませんでした："),
    ),
    "resubmit": EdgeMessages(
        _("「%(title)s」をレビューに再提出しました。"),
        _("「%(title)s」をレビューに再提出できません。"),
        _("%(count)d件の記事をレビューに再提出しました。"),
        _("%(count)d件はレビューに再提出できませんでした："),
    ),
    "withdraw": EdgeMessages(
        _("「%(title)s」のレビュー依頼を取り下げました。"),
        _("「%(title)s」のレビュー依頼を取り下げられません。"),
        _("%(count)d件の記事のレビュー依頼を取り下げました。"),
        _("%(count)d件はレビュー依頼を取り下げられませんでした："),
    ),
    "approve": EdgeMessages(
        _("「%(title)s」を承認し、%(when)sに公開を予約しました。"),
        _("「%(title)s」を承認できません。"),
        _("%(count)d件の記事を承認し、公開を予約しました。"),
        _("%(count)d件は承認できませんでした："),
    ),
    "publish": EdgeMessages(
        _("「%(title)s」を公開しました。"),
        _("「%(title)s」を公開できません。"),
        _("%(count)d件の記事を公開しました。"),
        _("%(count)d件は公開できませんでした："),
    ),
    "unschedule": EdgeMessages(
        _("「%(title)s」の公開予約を取り消しました。"),
        _("「%(title)s」の公開予約を取り消せません。"),
        _("%(count)d件の記事の公開予約を取り消しました。"),
        _("%(count)d件は公開予約を取り消せませんでした："),
    ),
    "unpublish": EdgeMessages(
        _("「%(title)s」の公開を取り下げ、アーカイブしました。"),
        _("「%(title)s」の公開を取り下げられません。"),
        _("%(count)d件の記事の公開を取り下げ、アーカイブしました。"),
        _("%(count)d件は公開を取り下げられませんでした："),
    ),
    "restore": EdgeMessages(
        _("「%(title)s」をアーカイブから下書きに戻しました。"),
        _("「%(title)s」を下書きに戻せません。"),
        _("%(count)d件の記事をアーカイブから下書きに戻しました。"),
        _("%(count)d件は下書きに戻せませんでした："),
    ),
}


def done(name: str, article: Article) -> str:
    when = timezone.localtime(article.published_at).strftime("%Y年%-m月%-d日 %H:%M") if article.published_at else ""
    return MESSAGES[name].done % {"title": article.title, "when": when}


def refused(name: str, article: Article, reason: str) -> str:
    return f"{MESSAGES[name].refused % {'title': article.title}}{reason}"


def done_many(name: str, count: int) -> str:
    return MESSAGES[name].done_many % {"count": count}


def refused_many(name: str, count: int) -> str:
    return MESSAGES[name].refused_many % {"count": count}
