"""Who looks after an article (担当編集者) and by when: assigned by editors, the assignee is told.

Not a state change, so it lives beside ``workflow`` rather than in it; it still checks the
permission, writes in one transaction and sends its e-mail only after commit.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blog.models import Article

from . import notifications
from .models import Assignment

Status = Article.Status
ASSIGN_PERMISSION = "editorial.review_article"
# Due dates stop mattering once an article is out of the newsroom's hands.
OPEN_STATUSES = [Status.DRAFT, Status.IN_REVIEW, Status.CHANGES_REQUESTED]


def can_assign(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff and user.has_perm(ASSIGN_PERMISSION))


def assignable_users() -> QuerySet:
    """Active staff who review: the editors and the editor-in-chief (and superusers)."""
    User = get_user_model()
    reviewers = Q(groups__permissions__codename="review_article") | Q(user_permissions__codename="review_article")
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(reviewers | Q(is_superuser=True))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def assign(article: Article, user, *, assignee, due_on: datetime.date | None) -> Assignment:
    """Set (or clear, with ``assignee=None``) the article's editor and due date.

    Checks ``user`` may review (``PermissionDenied``); the new assignee is e-mailed after commit
    unless they assigned themselves or nothing changed for them.
    """
    if not can_assign(user):
        raise PermissionDenied(_("担当編集者を決める権限がありません。"))
    with transaction.atomic():
        assignment, _created = Assignment.objects.select_for_update().get_or_create(article=article)
        previous = (assignment.assignee_id, assignment.due_on)
        assignment.assignee, assignment.due_on, assignment.assigned_by = assignee, due_on, user
        assignment.save()
        if assignee is not None and assignee.pk != user.pk and previous != (assignee.pk, due_on):
            notifications.assigned(article, assignment)
    return assignment


class NoDueDate(Exception):
    """The article has no due date to move."""


def move_due(article: Article, user, *, due_on: datetime.date) -> Assignment:
    """Move the article's due date to ``due_on``, keeping its 担当編集者 (the calendar's drag and drop).

    An assignment change, not a workflow edge: the same permission check, lock and e-mail as
    :func:`assign`. Raises ``NoDueDate`` when the article has none to move.
    """
    if not can_assign(user):
        raise PermissionDenied(_("締め切りを変える権限がありません。"))
    with transaction.atomic():
        current = Assignment.objects.select_for_update(of=("self",)).filter(article=article).select_related("assignee").first()
        if current is None or current.due_on is None:
            raise NoDueDate(_("この記事には締め切りがありません。"))
        return assign(article, user, assignee=current.assignee, due_on=due_on)


def assignment_of(article: Article) -> Assignment | None:
    return Assignment.objects.filter(article=article).select_related("assignee").first()


def assigned_to(user) -> QuerySet:
    """Open articles whose editor is ``user``, soonest due first."""
    return Article.objects.filter(assignment__assignee=user, status__in=OPEN_STATUSES).order_by(
        "assignment__due_on", "-updated_at"
    )


def overdue(today: datetime.date | None = None) -> QuerySet:
    """Open articles whose due date has passed."""
    today = today or timezone.localdate()
    return Article.objects.filter(assignment__due_on__lt=today, status__in=OPEN_STATUSES).order_by("assignment__due_on")
