from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .models import Author, Category, Picture, Redirect, Tag
from .picture_forms import PictureAdminMixin, PictureFields, picture_form_fields, picture_preview


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
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    actions = ["merge_tags"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("tagged_articles"))

    @admin.display(description=_("記事数"), ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

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
