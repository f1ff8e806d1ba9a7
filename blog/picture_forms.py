"""Admin form fields for a picture (an article's cover, an author's photo).

``PictureFields`` adds, for each name in ``picture_fields``, four form fields — the file, its
alt text (required whenever there is a picture), the focal point (two hidden 0–1 numbers that
``static/editorial/focal_point.js`` sets from a click on the preview) and "remove" — and saves
them: a new upload is validated and re-encoded by ``blog.uploads.clean_image``, stored, and gets
its renditions (``blog.pictures.picture_changed``); a moved focal point gets new renditions.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import pictures
from .models import Picture
from .pictures import MIN_SIZE
from .uploads import clean_image

ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


class PictureInput(forms.ClearableFileInput):
    """A file input with the current picture, its focal point, and how each crop will look."""

    def __init__(self, *, kind: str, crops, attrs=None):
        super().__init__(attrs={"accept": ACCEPT, **(attrs or {})})
        self.kind, self.crops, self.picture = kind, crops, None

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "data-focal-input": name}
        file_input = forms.FileInput.render(self, name, None, attrs, renderer)
        picture = self.picture
        original = default_storage.url(picture.file.name) if picture and picture.file.name else ""
        crops = format_html(
            "".join('<figure class="focal-crop"><div class="focal-crop__frame" style="aspect-ratio: {} / {}"><img alt=""></div><figcaption>{}</figcaption></figure>' for _c in self.crops),
            *[part for crop in self.crops for part in (*pictures.CROPS[crop], CROP_LABELS[crop])],
        )  # fmt: skip
        return format_html(
            '{file_input}<div class="focal-picker" data-focal-picker="{name}" data-width="{w}" data-height="{h}"{hidden}>'
            '<p class="help">{help}</p>'
            '<div class="focal-picker__stage"><img class="focal-picker__image" src="{src}" alt="{alt}" width="{w}" height="{h}">'
            '<span class="focal-picker__marker" aria-hidden="true"></span></div>'
            '<div class="focal-picker__crops">{crops}</div></div>',
            name=name, w=picture.width if picture else 0, h=picture.height if picture else 0,
            hidden=" hidden" if not original else "", src=original or "data:,", alt=_("現在の画像"),
            help=_("画像の中で必ず見せたい場所をクリック（またはタップ）すると、そこを中心に切り抜きます。矢印キーでも動かせます。"),
            crops=crops, file_input=file_input,
        )  # fmt: skip


CROP_LABELS = {
    "card": _("カード・記事冒頭（16:9）"),
    "share": _("SNSでの共有（1.91:1）"),
    "square": _("正方形（1:1）"),
    "standard": _("4:3（検索結果向け）"),
}


def picture_form_fields(kind: str, label: str) -> tuple:
    """The five form fields of one picture, to unpack in a form's class body as
    ``<name>_upload, <name>_alt, <name>_focal_x, <name>_focal_y, <name>_remove``."""
    minimum = MIN_SIZE[kind]
    upload = forms.FileField(
        label=label, required=False, widget=PictureInput(kind=kind, crops=pictures.CROPS_OF[kind]),
        help_text=_("JPEG・PNG・WebP・GIF、幅%(w)dpx・高さ%(h)dpx以上。位置情報などのメタデータは削除して保存します。")
        % {"w": minimum[0], "h": minimum[1]},
    )  # fmt: skip
    alt = forms.CharField(
        label=_("代替テキスト（alt）"), required=False, max_length=200,
        help_text=_("画像に何が写っているかを短く書きます。画像を見られない読者には、これが読み上げられます。"),
    )  # fmt: skip
    focal_x, focal_y = (
        forms.FloatField(required=False, min_value=0, max_value=1, initial=0.5, widget=forms.HiddenInput(attrs={"data-focal-axis": axis}))
        for axis in ("x", "y")
    )  # fmt: skip
    remove = forms.BooleanField(label=_("この画像を外す"), required=False)
    return upload, alt, focal_x, focal_y, remove


def picture_preview(picture, crop: str) -> str:
    """A read-only view of a picture in the admin: one crop, small, with its alt text."""
    if picture is None:
        return _("なし")
    found = picture.largest(crop, pictures.FALLBACK, at_most=400)
    if found is None:
        return format_html("{}<br>{}", _("派生画像を作成中です。"), picture.alt)
    width, height, name = found
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="" style="max-width: 240px; height: auto; border-radius: 4px"><br>{}：{}',
        default_storage.url(name), width, height, _("代替テキスト"), picture.alt,
    )  # fmt: skip


class PictureAdminMixin:
    """For a ``ModelAdmin`` whose form uses ``PictureFields``: a reader without the right to change
    the row sees each picture (``<name>_preview``) instead of its five form fields."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        names = {f"{attr}_{part}": attr for attr in self.form.picture_fields for part in ("upload", "alt", "focal_x", "focal_y", "remove")}
        result = []
        for title, options in fieldsets:
            fields, seen = [], set()
            for field in options["fields"]:
                attr = names.get(field) if isinstance(field, str) else None
                if attr is None:
                    fields.append(field)
                elif attr not in seen:
                    seen.add(attr)
                    fields.append(f"{attr}_preview")
            result.append((title, {**options, "fields": fields}))
        return result


class PictureFields(forms.ModelForm):
    """Mixin for a ``ModelForm`` whose model has ``Picture`` foreign keys: ``picture_fields``
    maps each to its kind; the form declares its fields with ``picture_form_fields``."""

    picture_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for attr in self.picture_fields:
            current = getattr(self.instance, attr) if getattr(self.instance, f"{attr}_id", None) else None
            if f"{attr}_upload" not in self.fields:
                continue
            self.fields[f"{attr}_upload"].widget.picture = current
            if current:
                self.fields[f"{attr}_alt"].initial = current.alt
                self.fields[f"{attr}_focal_x"].initial = current.focal_x
                self.fields[f"{attr}_focal_y"].initial = current.focal_y
        self._pictures = {}

    def clean(self):
        cleaned = super().clean()
        for attr, kind in self.picture_fields.items():
            if f"{attr}_upload" not in self.fields:
                continue
            upload = cleaned.get(f"{attr}_upload")
            remove = cleaned.get(f"{attr}_remove")
            has_current = bool(getattr(self.instance, f"{attr}_id", None))
            cleaned_upload = None
            if upload:
                try:
                    cleaned_upload = clean_image(upload)
                except ValidationError as error:
                    self.add_error(f"{attr}_upload", error)
                    continue
                width, height = cleaned_upload[2], cleaned_upload[3]
                min_w, min_h = MIN_SIZE[kind]
                if width < min_w or height < min_h:
                    self.add_error(
                        f"{attr}_upload",
                        ValidationError(
                            _("画像が小さすぎます（%(width)d×%(height)dpx）。幅%(min_w)dpx・高さ%(min_h)dpx以上の画像を選んでください。"),
                            code="too_small",
                            params={"width": width, "height": height, "min_w": min_w, "min_h": min_h},
                        ),
                    )
                    continue
            keeps_picture = bool(cleaned_upload) or (has_current and not remove)
            if keeps_picture and not (cleaned.get(f"{attr}_alt") or "").strip():
                self.add_error(
                    f"{attr}_alt",
                    ValidationError(_("画像の代替テキスト（alt）を入力してください。画像を見られない読者にも内容が伝わります。"), code="alt_required"),
                )
            self._pictures[attr] = (kind, cleaned_upload, remove)
        return cleaned

    def save(self, commit=True):
        instance = super().save(commit=False)
        for attr, (kind, cleaned_upload, remove) in self._pictures.items():
            self._apply_picture(instance, attr, kind, cleaned_upload, remove)
        if commit:
            instance.save()
            self._save_m2m()
        return instance

    def _apply_picture(self, instance, attr, kind, cleaned_upload, remove):
        current = getattr(instance, attr) if getattr(instance, f"{attr}_id", None) else None
        alt = (self.cleaned_data.get(f"{attr}_alt") or "").strip()
        focal = [self.cleaned_data.get(f"{attr}_focal_{axis}") for axis in ("x", "y")]
        focal = [0.5 if value is None else value for value in focal]
        if cleaned_upload:
            picture = Picture(kind=kind, alt=alt, focal_x=focal[0], focal_y=focal[1])
            pictures.store_original(picture, *cleaned_upload)
            picture.save()
            pictures.picture_changed(picture)
            setattr(instance, attr, picture)
            pictures.delete_picture(current)
        elif current and remove:
            setattr(instance, attr, None)
            pictures.delete_picture(current)
        elif current:
            moved = (current.focal_x, current.focal_y) != tuple(focal)
            if moved or current.alt != alt:
                current.alt, current.focal_x, current.focal_y = alt, focal[0], focal[1]
                current.save(update_fields=["alt", "focal_x", "focal_y", "updated_at"])
                if moved:
                    pictures.picture_changed(current)
