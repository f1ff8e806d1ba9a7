import functools
import operator
import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from . import text
from .models import Alias, AliasGroup, Article, Author, Category, Picture, Redirect, Series, SeriesEntry, Tag
from .picture_forms import PictureAdminMixin, PictureFields, picture_form_fields, picture_preview
from .search import aliases
from .uploads import IMAGE_FORMATS, clean_image


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name", "slug"]
    # The article count's GROUP BY drops the model's default order; the article form's
    # autocomplete pages through this queryset and needs a stable one.
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description=_("記事数"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


class AuthorAdminForm(PictureFields, forms.ModelForm):
    picture_fields = {"photo": Picture.Kind.PORTRAIT}
    photo_upload, photo_alt, photo_focal_x, photo_focal_y, photo_remove = picture_form_fields(Picture.Kind.PORTRAIT, _("写真"))

    class Meta:
        model = Author
        fields = "__all__"


@admin.register(Author)
class AuthorAdmin(PictureAdminMixin, admin.ModelAdmin):
    form = AuthorAdminForm
    list_display = ["name", "role", "slug", "is_team", "user"]
    list_filter = ["is_team"]
    search_fields = ["name", "slug", "role"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "role", "bio", "is_team", "user"]}),
        (_("写真"), {"fields": ["photo_upload", "photo_alt", "photo_focal_x", "photo_focal_y", "photo_remove"]}),
        (_("リンク"), {"fields": ["x_url", "github_url", "website_url"]}),
    ]

    class Media:
        css = {"all": ["editorial/admin.css"]}
        js = ["editorial/focal_point.js"]

    @admin.display(description=_("写真"))
    def photo_preview(self, obj):
        return picture_preview(obj.photo if obj.photo_id else None, "square")


class MergeTagsForm(forms.Form):
    target = forms.ModelChoiceField(queryset=Tag.objects.none(), label=_("統合先のタグ"), widget=forms.RadioSelect, empty_label=None)

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = tags


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article_count", "other_names"]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    actions = ["merge_tags"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("tagged_articles"))

    @admin.display(description=_("記事数"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

    @admin.display(description=_("別名"))
    def other_names(self, obj):
        # one read of the alias table per changelist, not one per row
        table = getattr(self, "_alias_table", None) or aliases.load()
        return "、".join(s for s in table.group(obj.name) if text.normalize(s) != text.normalize(obj.name)) or "—"

    def changelist_view(self, request, extra_context=None):
        self._alias_table = aliases.load()
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        """Find a tag by any spelling of its alias group too: エヌビディア finds NVIDIA."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        spellings = aliases.load().group(search_term.strip()) if search_term.strip() else ()
        if spellings:
            named = functools.reduce(operator.or_, [Q(name__iexact=s) for s in spellings])
            queryset |= self.get_queryset(request).filter(named)
        return queryset, may_have_duplicates

    def has_merge_permission(self, request):
        return self.has_change_permission(request) and self.has_delete_permission(request)

    def get_urls(self):
        return [
            path("merge/", self.admin_site.admin_view(self.merge_view), name="blog_tag_merge"),
        ] + super().get_urls()

    @admin.action(description=_("選択したタグを1つに統合する"), permissions=["merge"])
    def merge_tags(self, request, queryset):
        if queryset.count() < 2:
            self.message_user(request, _("統合するタグを2つ以上選んでください。"), messages.WARNING)
            return None
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return redirect(reverse("admin:blog_tag_merge") + "?" + urlencode({"ids": ids}))

    def merge_view(self, request):
        if not self.has_merge_permission(request):
            raise PermissionDenied
        raw_ids = request.GET.get("ids", "").split(",")
        ids = [int(pk) for pk in raw_ids if pk.isdigit()]
        tags = Tag.objects.filter(pk__in=ids).annotate(article_count=Count("tagged_articles"))
        changelist = reverse("admin:blog_tag_changelist")
        if tags.count() < 2:
            self.message_user(request, _("統合するタグを2つ以上選んでください。"), messages.WARNING)
            return redirect(changelist)
        form = MergeTagsForm(request.POST or None, tags=tags)
        if request.method == "POST" and form.is_valid():
            target = form.cleaned_data["target"]
            merged = [tag for tag in tags if tag.pk != target.pk]
            for tag in merged:
                tag.merge_into(target)
            self.message_user(
                request,
                _("%(names)s を「%(target)s」に統合しました。")
                % {"names": "、".join(f"「{t.name}」" for t in merged), "target": target.name},
                messages.SUCCESS,
            )
            return redirect(changelist)
        context = {
            **self.admin_site.each_context(request),
            "title": _("タグの統合"),
            "opts": self.model._meta,
            "form": form,
            "tags": tags,
        }
        return TemplateResponse(request, "admin/blog/tag/merge.html", context)


class AliasFormSet(forms.BaseInlineFormSet):
    """Refuse the same spelling twice in one group, or the group's own name as an alias."""

    def clean(self):
        super().clean()
        seen = {text.normalize(text.normalize_tag_name(self.instance.name or ""))}
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            spelling = form.cleaned_data.get("spelling", "")
            normalized = text.normalize(text.normalize_tag_name(spelling))
            if normalized in seen:
                form.add_error("spelling", _("「%(name)s」はこのグループに同じ表記があります。") % {"name": spelling})
            seen.add(normalized)


class AliasInline(admin.TabularInline):
    model = Alias
    formset = AliasFormSet
    fields = ["spelling"]
    extra = 3


@admin.register(AliasGroup)
class AliasGroupAdmin(admin.ModelAdmin):
    """The spellings a search treats as one word, and the names a tag is found by."""

    list_display = ["name", "other_spellings", "updated_at"]
    search_fields = ["name", "aliases__spelling"]
    inlines = [AliasInline]
    fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description=_("別表記"))
    def other_spellings(self, obj):
        return "、".join(alias.spelling for alias in obj.aliases.all()) or "—"


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    """Old addresses answered with a 301 (imported from Jekyll, or added by editors)."""

    list_display = ["old_path", "target", "created_at"]
    search_fields = ["old_path", "target_url", "article__title", "article__slug"]
    list_select_related = ["article"]
    raw_id_fields = ["article"]
    fields = ["old_path", "article", "target_url"]

    @admin.display(description=_("転送先"))
    def target(self, obj):
        return obj.target_display


LAST_POSITION = 2**31 - 1  # the largest value every database's PositiveIntegerField holds


class SeriesAdminForm(forms.ModelForm):
    # A plain file field: blog.uploads.clean_image reads the bytes and says why it refuses them
    # (SVG, too many pixels, not an image), where ImageField would only say "invalid image".
    cover = forms.FileField(
        label=_("カバー画像"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        help_text=Series._meta.get_field("cover").help_text,
    )

    class Meta:
        model = Series
        fields = ["title", "slug", "description", "cover", "cover_alt"]

    def clean_cover(self):
        upload = self.cleaned_data.get("cover")
        if not upload or not hasattr(upload, "content_type"):  # unchanged, or cleared (False)
            return upload
        data, image_format, _width, _height = clean_image(upload)
        return ContentFile(data, name=f"{uuid.uuid4().hex}.{IMAGE_FORMATS[image_format]}")


class SeriesEntryForm(forms.ModelForm):
    # Blank means "at the end": SeriesAdmin.renumber turns the placeholder into the next number.
    position = forms.IntegerField(
        label=_("順番"), required=False, min_value=0, max_value=LAST_POSITION,
        help_text=_("小さい順に並びます。空欄なら最後に入ります。"),
        widget=forms.NumberInput(attrs={"style": "width: 5em"}),
    )  # fmt: skip

    class Meta:
        model = SeriesEntry
        fields = ["position", "article"]

    def clean_position(self):
        position = self.cleaned_data.get("position")
        return LAST_POSITION if position is None else position


class SeriesEntryInline(admin.TabularInline):
    model = SeriesEntry
    form = SeriesEntryForm
    extra = 1
    fields = ["position", "article", "article_status"]
    readonly_fields = ["article_status"]
    autocomplete_fields = ["article"]
    ordering = ["position", "pk"]
    verbose_name = _("連載の記事")
    verbose_name_plural = _("連載の記事（順番の小さい順。公開中の記事だけが読者に見え、その中で第1回から数えます）")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "article":
            # Articles are written and edited on their own desk, not from inside a series.
            field.widget.can_add_related = field.widget.can_change_related = field.widget.can_view_related = False
        return field

    @admin.display(description=_("状態"))
    def article_status(self, obj):
        if not obj.pk:
            return "—"
        return _("公開中") if obj.article.is_published else obj.article.get_status_display()


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    """Series (連載): editors and the editor-in-chief create them and order their articles."""

    form = SeriesAdminForm
    inlines = [SeriesEntryInline]
    list_display = ["title", "slug", "article_count", "published_count", "updated_at"]
    search_fields = ["title", "slug", "description"]
    ordering = ["title"]

    def get_queryset(self, request):
        public = Q(entries__article__in=Article.objects.published())
        return (
            super()
            .get_queryset(request)
            .annotate(article_count=Count("entries"), published_count=Count("entries", filter=public))
        )

    @admin.display(description=_("記事数"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

    @admin.display(description=_("公開中"), ordering="published_count")
    def published_count(self, obj):
        return obj.published_count

    def view_on_site(self, obj):
        return obj.get_absolute_url()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.renumber(form.instance)

    @staticmethod
    def renumber(series: Series) -> None:
        """Rewrite positions as 1, 2, 3… in their current order, so an inserted 15 between
        10 and 20 (or two equal numbers) reads tidily on the next visit."""
        for number, entry in enumerate(series.entries.order_by("position", "pk"), start=1):
            if entry.position != number:
                entry.position = number
                entry.save(update_fields=["position"])
