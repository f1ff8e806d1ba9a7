from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from markdownx.admin import MarkdownxModelAdmin

from blog.models import Article


@admin.register(Article)
class ArticleAdmin(MarkdownxModelAdmin):
    """The editorial desk. Status and publication time are changed only by the workflow."""

    list_display = ["title", "status", "category", "published_at", "updated_at"]
    list_filter = ["status", "category", "authors"]
    search_fields = ["title", "slug"]
    list_select_related = ["category"]
    readonly_fields = ["status", "published_at", "reading_time", "created_at", "updated_at"]
    autocomplete_fields = ["category", "authors"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "excerpt", "body"]}),
        (_("分類"), {"fields": ["category", "tags", "authors"]}),
        (_("公開"), {"fields": ["status", "published_at", "reading_time_override", "reading_time", "created_at", "updated_at"]}),
    ]
