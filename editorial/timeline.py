"""One conversation per article: review comments, status changes and saved versions, merged.

Three queries whatever the history's length; the merge happens in Python, newest first.
Anyone who acted may be gone or may never have existed (the importer, ``publish_scheduled``):
``who`` is then 「システム」 rather than an error.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from blog.models import Article

from . import people
from .models import ReviewComment, Revision, Transition

SYSTEM = _("システム（取り込み・自動処理）")
# A comment always had an author: without one, that person's account was deleted.
DELETED_USER = _("（削除されたユーザー）")


def display_name(user, nobody=SYSTEM) -> str:
    """A person's full name, else their user name; ``nobody`` when there is no user."""
    if user is None:
        return str(nobody)
    return people.display_name(user)


@dataclass(frozen=True)
class Entry:
    kind: str  # "comment", "transition" or "revision"
    at: datetime.datetime
    who: str
    text: str = ""
    transition: Transition | None = None
    revision: Revision | None = None

    @property
    def is_change_request(self) -> bool:
        return self.transition is not None and self.transition.to_status == Article.Status.CHANGES_REQUESTED


def timeline_for(article: Article) -> list[Entry]:
    """Every comment, transition and revision of ``article``, newest first."""
    entries = [
        Entry("comment", c.created_at, display_name(c.created_by, DELETED_USER), c.body)
        for c in ReviewComment.objects.filter(article=article).select_related("created_by")
    ]
    entries += [
        Entry("transition", t.created_at, display_name(t.by), t.comment, transition=t)
        for t in Transition.objects.filter(article=article).select_related("by")
    ]
    entries += [
        Entry("revision", r.created_at, display_name(r.created_by), revision=r)
        for r in Revision.objects.filter(article=article).select_related("created_by").defer("body", "excerpt")
    ]
    # On equal times (one request saves and moves) the status change reads as the later event.
    order = {"revision": 0, "comment": 1, "transition": 2}
    entries.sort(key=lambda e: (e.at, order[e.kind]), reverse=True)
    return entries


def pending_change_request(article: Article) -> Transition | None:
    """The change request the authors still have to act on, while the article waits for them."""
    if article.status != Article.Status.CHANGES_REQUESTED:
        return None
    return (
        Transition.objects.filter(article=article, to_status=Article.Status.CHANGES_REQUESTED)
        .select_related("by")
        .order_by("-created_at", "-pk")
        .first()
    )
