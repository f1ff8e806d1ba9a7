"""The editorial state machine: the only code that changes an article's ``status``.

The allowed graph is the ``EDGES`` literal below; each edge has one public function. Every
function checks the user's permission (``PermissionDenied`` — "not allowed for you"), locks the
article row, checks the edge starts from the current state (``InvalidTransition`` — "not allowed
from this state") and the article's readiness (``ArticleNotReady``), then changes the state,
writes a ``Transition`` record and queues the e-mail, all in one transaction.

Roles are Django groups holding the ``editorial.*`` permissions (migration 0003, README
"Editorial workflow").
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from blog.images import images_without_alt
from blog.models import Article

from . import desk_time, notifications, sharing, webhooks
from .models import Transition

Status = Article.Status
User = AbstractBaseUser | AnonymousUser

WRITER, EDITOR, EDITOR_IN_CHIEF = "Writer", "Editor", "Editor-in-chief"


class WorkflowError(Exception):
    """The transition cannot happen as asked, for a reason other than the user's permission."""


class InvalidTransition(WorkflowError):
    """The article is not in the state this transition starts from."""


class ArticleNotReady(WorkflowError):
    """The article lacks what review needs; ``missing`` lists it."""

    def __init__(self, missing: list[Promise | str]):
        self.missing = missing
        super().__init__(
            _("次の項目が足りません：%(missing)s") % {"missing": "、".join(str(item) for item in missing)}
        )


class CommentRequired(WorkflowError):
    """This transition needs a comment explaining it."""


class InvalidPublishTime(WorkflowError):
    """The publication time is missing, not in the future, or too soon for the user's role."""


@dataclass(frozen=True)
class Edge:
    name: str
    source: str
    target: str
    permission: str | None  # None: only the system (publish_scheduled) takes this edge
    label: Promise
    own: bool = False  # an author may take it on their own article without edit_any_article
    needs_ready: bool = False
    needs_comment: bool = False
    needs_time: bool = False


EDGES: dict[str, Edge] = {
    edge.name: edge
    for edge in (
        Edge("submit", Status.DRAFT, Status.IN_REVIEW, "editorial.submit_article", _("レビューに出す"), own=True, needs_ready=True),
        Edge("request_changes", Status.IN_REVIEW, Status.CHANGES_REQUESTED, "editorial.review_article", _("修正を依頼する"), needs_comment=True),
        Edge("resubmit", Status.CHANGES_REQUESTED, Status.IN_REVIEW, "editorial.submit_article", _("修正してレビューに再提出する"), own=True, needs_ready=True),
        Edge("withdraw", Status.IN_REVIEW, Status.DRAFT, "editorial.submit_article", _("レビュー依頼を取り下げる"), own=True),
        Edge("approve", Status.IN_REVIEW, Status.SCHEDULED, "editorial.schedule_article", _("承認して公開を予約する"), needs_ready=True, needs_time=True),
        Edge("publish", Status.IN_REVIEW, Status.PUBLISHED, "editorial.publish_article", _("今すぐ公開する"), needs_ready=True),
        Edge("publish_due", Status.SCHEDULED, Status.PUBLISHED, None, _("予約時刻になったので公開する")),
        Edge("unschedule", Status.SCHEDULED, Status.IN_REVIEW, "editorial.schedule_article", _("公開予約を取り消す")),
        Edge("unpublish", Status.PUBLISHED, Status.ARCHIVED, "editorial.publish_article", _("公開を取り下げる（アーカイブ）")),
        Edge("restore", Status.ARCHIVED, Status.DRAFT, "editorial.publish_article", _("アーカイブから下書きに戻す")),
    )
}  # fmt: skip

# Which states a role may edit the text of (the README matrix). Authors edit their own drafts.
OWN_EDITABLE = {Status.DRAFT, Status.CHANGES_REQUESTED}
ANY_EDITABLE = {Status.DRAFT, Status.CHANGES_REQUESTED, Status.IN_REVIEW}


def _is_staff(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def is_author(article: Article, user: User) -> bool:
    """Whether ``user`` is one of the article's authors (through ``Author.user``)."""
    if not user.is_authenticated or article.pk is None:
        return False
    return article.authors.filter(user=user).exists()


def may(user: User, edge: Edge, article: Article) -> bool:
    """Whether ``user``'s role allows taking ``edge`` on ``article``, whatever its current state."""
    if edge.permission is None or not _is_staff(user):
        return False
    if user.is_superuser:
        return True
    if not user.has_perm(edge.permission):
        return False
    if edge.own and not user.has_perm("editorial.edit_any_article"):
        return is_author(article, user)
    return True


def can_edit(article: Article, user: User) -> bool:
    """Whether ``user`` may change the article's text, tags and classification in its current state."""
    if not _is_staff(user):
        return False
    if user.is_superuser:
        return True
    if not user.has_perm("blog.change_article"):
        return False
    if user.has_perm("editorial.edit_published_article"):
        return True
    if article.status in ANY_EDITABLE and user.has_perm("editorial.edit_any_article"):
        return True
    return article.status in OWN_EDITABLE and is_author(article, user)


def missing_for_review(article: Article) -> list[Promise]:
    """List what the article lacks before review: title, body, excerpt, category, one tag, alt texts."""
    missing = []
    if not article.title.strip():
        missing.append(_("タイトル"))
    if not article.body.strip():
        missing.append(_("本文"))
    if not article.excerpt.strip():
        missing.append(_("抜粋"))
    if article.category_id is None:
        missing.append(_("カテゴリー"))
    if article.pk is None or not article.tags.exists():
        missing.append(_("タグ（1つ以上）"))
    if unlabelled := images_without_alt(article.body):
        missing.append(_("画像の代替テキスト（%(count)d枚）") % {"count": len(unlabelled)})
    return missing


def available_transitions(article: Article, user: User) -> list[Edge]:
    """The edges ``user`` may take from the article's current state (the admin's buttons).

    A scheduled article whose time has passed is live (``desk_time``): it offers what a published
    one offers (unpublish), not the cancelling of a reservation that has already happened.
    """
    state = desk_time.desk_status(article)
    return [edge for edge in EDGES.values() if edge.source == state and may(user, edge, article)]


def _move(
    edge: Edge,
    article: Article,
    user: User | None,
    *,
    comment: str = "",
    published_at: datetime.datetime | None = None,
    clear_published_at: bool = False,
    due_by: datetime.datetime | None = None,
    not_live_at: datetime.datetime | None = None,
) -> Article:
    """Take ``edge`` on ``article``: check, lock, change, record, notify — in one transaction."""
    actor = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if edge.permission is not None and not may(user, edge, locked):
            raise PermissionDenied(_("「%(action)s」を行う権限がありません。") % {"action": edge.label})
        if locked.status != edge.source:
            raise InvalidTransition(
                _("「%(action)s」は「%(source)s」の記事にしかできません（この記事は「%(current)s」です）。")
                % {"action": edge.label, "source": Status(edge.source).label, "current": locked.get_status_display()}
            )
        if due_by is not None and (locked.published_at is None or locked.published_at > due_by):
            raise InvalidTransition(_("予約時刻がまだ来ていません。"))
        if not_live_at is not None and locked.published_at is not None and locked.published_at <= not_live_at:
            raise InvalidTransition(
                _("予約時刻を過ぎ、すでに公開されています。取り下げるには「%(unpublish)s」を使ってください。")
                % {"unpublish": EDGES["unpublish"].label}
            )
        if edge.needs_ready and (missing := missing_for_review(locked)):
            raise ArticleNotReady(missing)
        if edge.needs_comment and not comment.strip():
            raise CommentRequired(_("「%(action)s」にはコメントが必要です。") % {"action": edge.label})

        fields = ["status"]
        locked.status = edge.target
        if published_at is not None or clear_published_at:
            locked.published_at = published_at
            fields.append("published_at")
        # Only status (and the date) are written: a state change is not an edit of the text, so
        # it neither bumps updated_at nor makes someone's open form stale.
        locked.save(update_fields=fields)
        # A share link shows the article as it was when made: any change of state (a takedown
        # above all) ends every link, whoever made it.
        sharing.revoke_all(locked, actor)
        record = Transition.objects.create(
            article=locked, from_status=edge.source, to_status=edge.target, by=actor, comment=comment.strip(), edge=edge.name
        )
        notifications.transition_made(locked, record)
        webhooks.transition_made(locked, record)
    article.status, article.published_at = locked.status, locked.published_at
    return locked


def submit(article: Article, user: User, *, comment: str = "") -> Article:
    """Send a draft for review. Checks the writer owns it (or may edit any) and it is ready; notifies editors."""
    return _move(EDGES["submit"], article, user, comment=comment)


def request_changes(article: Article, user: User, *, comment: str) -> Article:
    """Send an article in review back to its authors; the comment (required) tells them what to change."""
    return _move(EDGES["request_changes"], article, user, comment=comment)


def resubmit(article: Article, user: User, *, comment: str = "") -> Article:
    """Send a revised article back to review. Checks ownership and readiness; notifies editors."""
    return _move(EDGES["resubmit"], article, user, comment=comment)


def withdraw(article: Article, user: User, *, comment: str = "") -> Article:
    """Take an article out of review, back to draft (the author's own, or any for editors)."""
    return _move(EDGES["withdraw"], article, user, comment=comment)


def approve(
    article: Article,
    user: User,
    *,
    publish_at: datetime.datetime,
    comment: str = "",
    now: datetime.datetime | None = None,
) -> Article:
    """Approve an article in review and schedule it for ``publish_at``, which must be in the future.

    Someone who may not publish now must schedule at least ``earliest_schedule_time()`` ahead:
    otherwise approving "in a few seconds" would be publishing now by another name.
    """
    now = now or timezone.now()
    if publish_at is None or publish_at <= now:
        raise InvalidPublishTime(_("公開予定日時には未来の日時を指定してください。"))
    earliest = earliest_schedule_time(article, user, now=now)
    if publish_at < earliest and may(user, EDGES["approve"], article):
        raise InvalidPublishTime(
            _("今すぐ公開する権限がないため、公開予定日時は%(minutes)d分以上先（%(earliest)s以降）にしてください。")
            % {
                "minutes": settings.MIN_SCHEDULE_LEAD_MINUTES,
                "earliest": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M"),
            }
        )
    return _move(EDGES["approve"], article, user, comment=comment, published_at=publish_at)


def earliest_schedule_time(article: Article, user: User, *, now: datetime.datetime | None = None) -> datetime.datetime:
    """The earliest publication time ``user`` may schedule: any future time for those who may
    publish now, ``MIN_SCHEDULE_LEAD_MINUTES`` ahead for everyone else."""
    now = now or timezone.now()
    if may(user, EDGES["publish"], article):
        return now
    return now + datetime.timedelta(minutes=settings.MIN_SCHEDULE_LEAD_MINUTES)


def publish(article: Article, user: User, *, comment: str = "", now: datetime.datetime | None = None) -> Article:
    """Publish an article in review immediately (``published_at`` = now); notifies its authors."""
    return _move(EDGES["publish"], article, user, comment=comment, published_at=now or timezone.now())


def unschedule(article: Article, user: User, *, comment: str = "", now: datetime.datetime | None = None) -> Article:
    """Cancel a scheduled publication: back to review, publication time cleared. Refused once
    the time has passed: readers already see the article, so it is live, not reserved."""
    return _move(
        EDGES["unschedule"], article, user, comment=comment, clear_published_at=True, not_live_at=now or timezone.now()
    )


def unpublish(article: Article, user: User, *, comment: str = "", now: datetime.datetime | None = None) -> Article:
    """Take a published article off the site (archive it); ``published_at`` is kept as history.

    A scheduled article whose time has passed is live: its publication is recorded first (the
    ``publish_due`` edge ``publish_scheduled`` would have taken), then it is taken down.
    """
    now = now or timezone.now()
    if not may(user, EDGES["unpublish"], article):
        raise PermissionDenied(_("「%(action)s」を行う権限がありません。") % {"action": EDGES["unpublish"].label})
    with transaction.atomic():
        live = Article.objects.filter(pk=article.pk, status=Status.SCHEDULED, published_at__lte=now).exists()
        if live:
            try:
                _move(EDGES["publish_due"], article, None, comment=str(_("予約時刻に公開")), due_by=now)
            except InvalidTransition:
                pass  # published or unscheduled meanwhile: the unpublish below checks the state again
        return _move(EDGES["unpublish"], article, user, comment=comment)


def restore(article: Article, user: User, *, comment: str = "") -> Article:
    """Bring an archived article back as a draft."""
    return _move(EDGES["restore"], article, user, comment=comment)


def publish_due(*, now: datetime.datetime | None = None) -> list[Article]:
    """Move every scheduled article whose time has passed to ``published`` and record it.

    Idempotent and safe to run concurrently: each row is locked and re-checked, so an article
    is moved (and its authors e-mailed) once.
    """
    now = now or timezone.now()
    edge = EDGES["publish_due"]
    due = Article.objects.filter(status=Status.SCHEDULED, published_at__lte=now).values_list("pk", flat=True)
    moved = []
    for pk in list(due):
        try:
            moved.append(_move(edge, Article(pk=pk, status=Status.SCHEDULED), None, comment=str(_("予約時刻に公開")), due_by=now))
        except InvalidTransition:
            continue  # someone unscheduled it, or another run published it, after the query above
    return moved


# Moving a scheduled article to another time (the calendar's drag and drop). Not in ``EDGES``:
# it keeps the state, so it is no button of its own, but it is checked, locked and recorded alike.
RESCHEDULE = Edge(
    "reschedule", Status.SCHEDULED, Status.SCHEDULED, "editorial.schedule_article", _("公開予定日時を変更する"), needs_time=True
)


def reschedule(
    article: Article,
    user: User,
    *,
    publish_at: datetime.datetime,
    comment: str = "",
    now: datetime.datetime | None = None,
) -> Article:
    """Move a scheduled article's publication to ``publish_at``, which must be in the future."""
    now = now or timezone.now()
    if publish_at is None or publish_at <= now:
        raise InvalidPublishTime(_("公開予定日時には未来の日時を指定してください。"))
    return _move(RESCHEDULE, article, user, comment=comment, published_at=publish_at, not_live_at=now)

# The importer's system edge: from whatever state (or none, for a new article) to the state the
# Jekyll file declares. Not in EDGES: no person takes it, and it has no fixed source state.
IMPORT = "import"
IMPORT_TARGETS = {Status.DRAFT, Status.PUBLISHED}


def import_state(
    article: Article,
    *,
    status: str,
    published_at: datetime.datetime | None,
    by: User | None = None,
    comment: str = "",
    created: bool = False,
) -> Article:
    """Give an imported article the state its file declares (draft or published) and its date.

    The system edge for ``import_jekyll``: locks the row, writes ``status`` and ``published_at``
    only, and records a ``Transition`` with edge ``import`` when the article is new or its state
    changed. Sends no e-mail (an import is not news to the newsroom). Raises ``InvalidTransition``
    for a target other than draft or published.
    """
    if status not in IMPORT_TARGETS:
        raise InvalidTransition(_("取り込みで設定できる状態は下書きと公開中だけです。"))
    actor = by if by is not None and by.is_authenticated else None
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        source = "" if created else locked.status
        if locked.status != status or locked.published_at != published_at:
            locked.status, locked.published_at = status, published_at
            locked.save(update_fields=["status", "published_at"])
        if created or source != status:
            Transition.objects.create(
                article=locked, from_status=source, to_status=status, by=actor, comment=comment, edge=IMPORT
            )
    article.status, article.published_at = locked.status, locked.published_at
    return locked


# The admin's transition view and bulk actions dispatch through this table.
ACTIONS: dict[str, Callable[..., Article]] = {
    "submit": submit,
    "request_changes": request_changes,
    "resubmit": resubmit,
    "withdraw": withdraw,
    "approve": approve,
    "publish": publish,
    "unschedule": unschedule,
    "unpublish": unpublish,
    "restore": restore,
}
