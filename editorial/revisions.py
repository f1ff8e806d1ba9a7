"""Revisions: a snapshot on every save, a readable diff between any two, and restore."""

import difflib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from blog.models import Article

from . import workflow
from .models import Revision

FIELDS = [("title", _("タイトル")), ("excerpt", _("抜粋")), ("body", _("本文")), ("tags", _("タグ"))]


def version_of(article: Article) -> str:
    """A token that changes whenever the article's text is saved (stale-form check, share links)."""
    return article.updated_at.isoformat() if article.updated_at else ""


def record(article: Article, user, *, restored_from: Revision | None = None) -> Revision:
    """Snapshot the article's title, excerpt, body and tags as saved by ``user``."""
    return Revision.objects.create(
        article=article,
        title=article.title,
        excerpt=article.excerpt,
        body=article.body,
        tags=sorted(article.tags.names()),
        created_by=user if user is not None and user.is_authenticated else None,
        restored_from=restored_from,
    )


@dataclass(frozen=True)
class Line:
    kind: str  # "add", "del", "ctx" or "hunk"
    text: str


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: Promise
    lines: list[Line]

    @property
    def changed(self) -> bool:
        return bool(self.lines)


def _text(revision: Revision, field: str) -> str:
    value = getattr(revision, field)
    return "\n".join(value) if field == "tags" else value


def diff(old: Revision, new: Revision, *, context: int = 3) -> list[FieldDiff]:
    """Compare two revisions field by field as line diffs (unchanged fields have no lines)."""
    result = []
    for field, label in FIELDS:
        raw = list(difflib.unified_diff(_text(old, field).splitlines(), _text(new, field).splitlines(), lineterm="", n=context))
        lines = []
        for line in raw[2:]:  # skip the ---/+++ file header
            kind = {"@": "hunk", "+": "add", "-": "del"}.get(line[:1], "ctx")
            lines.append(Line(kind, line if kind == "hunk" else line[1:]))
        result.append(FieldDiff(field, label, lines))
    return result


def can_restore(revision: Revision, user) -> bool:
    return user.has_perm("editorial.restore_revision") and workflow.can_edit(revision.article, user)


def restore(revision: Revision, user) -> Revision:
    """Put the revision's title, excerpt, body and tags back on its article; returns the new revision.

    Needs ``editorial.restore_revision`` and the right to edit the article in its current state.
    """
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=revision.article_id)
        if not (user.has_perm("editorial.restore_revision") and workflow.can_edit(article, user)):
            raise PermissionDenied(_("この記事を過去の版に戻す権限がありません。"))
        article.title, article.excerpt, article.body = revision.title, revision.excerpt, revision.body
        article.save()
        article.tags.set(revision.tags)
        return record(article, user, restored_from=revision)
