from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.html import format_html
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blog.models import Article, Picture
from blog.picture_forms import PictureFields, picture_form_fields

from . import outbound, people, romaji, sharing
from .assignments import assignable_users
from .excerpts import validate_excerpt
from .models import Assignment, ReviewComment, Revision, WebhookEndpoint, WebhookEvent
from .revisions import version_of


class ArticleAdminForm(PictureFields, forms.ModelForm):
    """The article form (with its cover image: ``blog.picture_forms``), refusing a save made from a stale copy (optimistic concurrency).

    ``version`` carries the ``updated_at`` the editor started from. If the article was saved
    since, the save is refused, the editor's text stays in the form, and ``version`` moves to the
    current one so a deliberate second save overwrites.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    picture_fields = {"cover": Picture.Kind.COVER}
    cover_upload, cover_alt, cover_focal_x, cover_focal_y, cover_remove = picture_form_fields(
        Picture.Kind.COVER, _("アイキャッチ画像")
    )

    class Meta:
        model = Article
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = version_of(self.instance)
        if "title" in self.fields:
            self._limit_title(self.fields["title"])
        if "slug" in self.fields:
            self._suggest_slug(self.fields["slug"])

    def _limit_title(self, field):
        """Count instead of cutting: no ``maxlength`` (a browser silently drops the rest of a
        paste), a counter (change_form.js) and a refusal in :meth:`clean_title`."""
        field.widget.attrs.pop("maxlength", None)
        field.widget.attrs["data-max-chars"] = str(field.max_length)
        field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]

    def _suggest_slug(self, field):
        """Offer an ASCII (romaji) slug for a Japanese title; change_form.js adds a button."""
        title = self.data.get(self.add_prefix("title"), "") if self.is_bound else self.instance.title
        suggestion = romaji.romaji_slug(title or "")
        current = self.data.get(self.add_prefix("slug"), "") if self.is_bound else self.instance.slug
        if not suggestion or suggestion == current:
            return
        field.widget.attrs["data-suggestion"] = suggestion
        field.help_text = format_html(
            "{} <span class=\"slug-suggestion\">{}<code>{}</code></span>",
            field.help_text,
            _("ローマ字の候補："),
            suggestion,
        )

    def clean_title(self):
        title = self.cleaned_data.get("title", "")
        limit = self.fields["title"].max_length
        if limit and len(title) > limit:
            raise ValidationError(
                _("タイトルは%(limit)d文字以内にしてください（いまは%(count)d文字です）。"),
                code="max_length",
                params={"limit": limit, "count": len(title)},
            )
        return title

    def clean_excerpt(self):
        excerpt = self.cleaned_data.get("excerpt", "")
        validate_excerpt(excerpt)
        return excerpt

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        with transaction.atomic():
            # Inside the admin's request transaction this lock is held until the save commits.
            current = Article.objects.select_for_update().filter(pk=self.instance.pk).first()
        if current is None:
            return cleaned
        if cleaned.get("version") != version_of(current):
            self.data = self.data.copy()
            self.data["version"] = version_of(current)
            last = Revision.objects.filter(article=current).select_related("created_by").first()
            who = people.display_name(last.created_by) if last and last.created_by else _("別のユーザー")
            raise ValidationError(
                _(
                    "保存できませんでした。あなたが編集を始めた後に、%(who)sさんがこの記事を保存しています（%(when)s）。"
                    "あなたの入力内容は下のフォームにそのまま残っています。"
                    "「版の履歴」で最新版との違いを確かめてから、もう一度「保存」すると、あなたの内容で上書きします。"
                ),
                code="stale",
                params={"who": who, "when": timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M:%S")},
            )
        return cleaned


class TransitionForm(forms.Form):
    comment = forms.CharField(label=_("コメント"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    publish_at = forms.DateTimeField(
        label=_("公開予定日時"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, edge, **kwargs):
        super().__init__(*args, **kwargs)
        self.edge = edge
        self.fields["comment"].required = edge.needs_comment
        if edge.needs_time:
            self.fields["publish_at"].required = True
        else:
            del self.fields["publish_at"]

    def transition_kwargs(self) -> dict:
        kwargs = {"comment": self.cleaned_data.get("comment", "")}
        if self.edge.needs_time:
            kwargs["publish_at"] = self.cleaned_data["publish_at"]
        return kwargs


class ReviewCommentForm(forms.ModelForm):
    class Meta:
        model = ReviewComment
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}


class ShareLinkForm(forms.Form):
    days = forms.IntegerField(
        label=_("有効日数"), min_value=1, max_value=sharing.MAX_DAYS, initial=sharing.DEFAULT_DAYS
    )


class DeskCommentForm(forms.Form):
    """The change page's single box: a review comment, or the comment of the button pressed."""

    comment = forms.CharField(
        label=_("コメント"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("「コメントする」で投稿、ワークフローのボタンではその操作のコメントになります（修正依頼には必須）。"),
    )
    publish_at = forms.DateTimeField(
        label=_("公開予定日時"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("「承認して公開を予約する」ときに使います。"),
    )

    def __init__(self, *args, needs_time=False, **kwargs):
        # Its own ids: the article form on the same page has fields of its own.
        kwargs.setdefault("auto_id", "id_desk_%s")
        super().__init__(*args, **kwargs)
        if not needs_time:
            del self.fields["publish_at"]


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["assignee", "due_on"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_assign_%s")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users()
        self.fields["assignee"].label_from_instance = people.display_name


class WebhookEndpointForm(forms.ModelForm):
    """An endpoint: events as checkboxes, and the address checked against SSRF as it is saved."""

    events = forms.MultipleChoiceField(
        label=_("イベント"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "payload_format", "secret", "is_active"]
        widgets = {"secret": forms.TextInput(attrs={"size": 50, "autocomplete": "off", "spellcheck": "false"})}

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            outbound.check_url(url)
        except outbound.UnsafeURL as refused:
            raise forms.ValidationError(str(refused)) from None
        return url

    def clean_events(self):
        chosen = set(self.cleaned_data["events"])
        return [value for value in WebhookEvent.values if value in chosen]

    def clean(self):
        cleaned = super().clean()
        if not settings.SITE_URL:
            raise forms.ValidationError(
                _("DJANGO_SITE_URL が設定されていないため、記事の絶対URLを送れません。管理者に設定を依頼してください。")
            )
        return cleaned
