"""Previews: staff see any article on the real public template; outsiders follow a signed link."""

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from blog.cache import fragments
from blog.guide import render_guide
from blog.models import Article

from . import sharing

NOINDEX = "noindex, nofollow, noarchive"


def _private(response):
    response["X-Robots-Tag"] = NOINDEX
    # The share token is in the URL: keep it out of Referer headers and shared caches.
    response["Referrer-Policy"] = "no-referrer"
    add_never_cache_headers(response)
    return response


def render_preview(request, article: Article, *, shared_until=None):
    """``blog/article_detail.html`` itself, with a preview banner and ``noindex``; related cards are
    the public page's cards, rendered afresh and kept nowhere."""
    fragments.keep_nothing(request)
    related = Article.objects.published().for_cards().related_to(article)
    context = {
        "article": article,
        "related_articles": [fragments.Card(card.pk, article=card) for card in related],
        "preview_shared_until": shared_until,
    }
    return _private(TemplateResponse(request, "editorial/article_preview.html", context))


ERRORS = {
    sharing.InvalidLink: (404, _("このリンクは無効です。")),
    sharing.ExpiredLink: (410, _("このプレビューリンクは有効期限が切れています。編集部に新しいリンクを依頼してください。")),
    sharing.RevokedLink: (410, _("記事が更新されたため、このプレビューリンクは無効になりました。編集部に新しいリンクを依頼してください。")),
    sharing.WithdrawnLink: (410, _("このプレビューリンクは取り消されました。編集部に新しいリンクを依頼してください。")),
}


@require_safe
def shared_preview(request, token: str):
    """Read-only preview for an outside reviewer holding a valid, unexpired, unrevoked link."""
    try:
        article, expires_at = sharing.resolve(token)
    except sharing.ShareLinkError as exc:
        status, message = ERRORS[type(exc)]
        response = TemplateResponse(request, "editorial/share_link_error.html", {"message": message}, status=status)
        return _private(response)
    return render_preview(request, article, shared_until=expires_at)


@require_safe
@staff_member_required
def markdown_guide(request):
    """The writers' Markdown guide, every example rendered by the article pipeline."""
    context = {**admin.site.each_context(request), "title": _("記法ガイド"), "parts": render_guide()}
    return TemplateResponse(request, "editorial/markdown_guide.html", context)
