"""Revisions: a snapshot on every save, a readable diff between any two, and restore."""

import difflib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
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


def record_if_changed(article: Article, user) -> Revision | None:
    """Snapshot the article unless its latest version already holds the same text and tags.

    A workflow button saves the form before it acts: pressing it without editing is no new version.
    """
    latest = article.revisions.order_by("-created_at", "-pk").first()
    if latest is not None and (latest.title, latest.excerpt, latest.body, sorted(latest.tags)) == (
        article.title,
        article.excerpt,
        article.body,
        sorted(article.tags.names()),
    ):
        return None
    return record(article, user)


@dataclass(frozen=True)
class Line:
    kind: str  # "add", "del", "ctx" or "hunk"
    text: str
    # The line cut into (changed, text) pieces: in a changed line, which characters changed.
    # Japanese has no spaces between words, so a word diff would mark the whole sentence.
    segments: tuple[tuple[bool, str], ...] = ()


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


def _char_pair(old: str, new: str) -> tuple[Line, Line]:
    """A removed and an added line with the characters that differ between them marked."""
    old_parts, new_parts = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if i2 > i1:
            old_parts.append((op != "equal", old[i1:i2]))
        if j2 > j1:
            new_parts.append((op != "equal", new[j1:j2]))
    return Line("del", old, tuple(old_parts)), Line("add", new, tuple(new_parts))


def _field_lines(old_text: str, new_text: str, context: int) -> list[Line]:
    old, new = old_text.splitlines(), new_text.splitlines()
    lines: list[Line] = []
    for group in difflib.SequenceMatcher(None, old, new, autojunk=False).get_grouped_opcodes(context):
        lines.append(Line("hunk", f"@@ -{group[0][1] + 1} +{group[0][3] + 1} @@"))
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                lines += [Line("ctx", text, ((False, text),)) for text in old[i1:i2]]
                continue
            removed, added = old[i1:i2], new[j1:j2]
            paired = min(len(removed), len(added)) if op == "replace" else 0
            pairs = [_char_pair(a, b) for a, b in zip(removed[:paired], added[:paired])]
            lines += [pair[0] for pair in pairs]
            lines += [Line("del", text, ((True, text),)) for text in removed[paired:]]
            lines += [pair[1] for pair in pairs]
            lines += [Line("add", text, ((True, text),)) for text in added[paired:]]
    return lines


def diff(old: Revision, new: Revision, *, context: int = 3) -> list[FieldDiff]:
    """Compare two revisions field by field: changed lines, and the changed characters inside them."""
    return [FieldDiff(field, label, _field_lines(_text(old, field), _text(new, field), context)) for field, label in FIELDS]


def with_numbers(queryset):
    """Annotate each revision with ``number``: 1 for its article's first version, then 2, 3…"""
    earlier = Revision.objects.filter(article=OuterRef("article")).filter(
        Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lte=OuterRef("pk"))
    )
    count = earlier.order_by().values("article").annotate(n=Count("pk")).values("n")
    return queryset.annotate(number=Subquery(count, output_field=IntegerField()))


def is_current(revision: Revision) -> bool:
    """Whether the revision is its article's latest one, which is what the article holds now."""
    latest = Revision.objects.filter(article_id=revision.article_id).order_by("-created_at", "-pk").values_list("pk", flat=True).first()
    return latest == revision.pk


class CurrentRevision(Exception):
    """The revision asked for is already the article's current version."""


def can_restore(revision: Revision, user) -> bool:
    """Whether ``user`` may put this revision back: never the current version, which needs no restoring."""
    return not is_current(revision) and user.has_perm("editorial.restore_revision") and workflow.can_edit(revision.article, user)


def restore(revision: Revision, user) -> Revision:
    """Put the revision's title, excerpt, body and tags back on its article; returns the new revision.

    Needs ``editorial.restore_revision`` and the right to edit the article in its current state;
    raises ``CurrentRevision`` for the article's latest revision.
    """
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=revision.article_id)
        if not (user.has_perm("editorial.restore_revision") and workflow.can_edit(article, user)):
            raise PermissionDenied(_("この記事を過去の版に戻す権限がありません。"))
        if is_current(revision):
            raise CurrentRevision(_("この版は記事の現在の内容です。戻す必要はありません。"))
        article.title, article.excerpt, article.body = revision.title, revision.excerpt, revision.body
        article.save()
        article.tags.set(revision.tags)
        return record(article, user, restored_from=revision)
