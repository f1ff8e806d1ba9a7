"""Cover images and author photos: the stored upload, its renditions, and their markup.

A ``Picture`` keeps the upload as ``blog.uploads.clean_image`` re-encoded it (EXIF and any
appended bytes gone) at ``pictures/<key>/original-<w>x<h>.<ext>``. ``generate_renditions`` cuts
each crop of its kind around the focal point — a cover's ``card`` (16:9, cards and the article's
lead image) and ``share`` (1200×630's 40:21, ``og:image``) at each of ``WIDTHS`` in AVIF, WebP
and JPEG, and its ``square`` (1:1) and ``standard`` (4:3) once, in JPEG, up to 1200 pixels wide
(only JSON-LD lists them, for search engines that pick by aspect ratio); a portrait's ``square``
at each of ``PORTRAIT_WIDTHS`` in the three formats — never wider than the crop (no upscaling),
as ``pictures/<key>/<crop>-<w>x<h>-<digest>.<ext>``. The digest covers the focal point and
``RENDITION_VERSION``, so a re-framed picture gets new URLs that caches cannot confuse with the
old ones. Everything goes through ``default_storage`` (object storage works the same), and the
names and sizes are recorded in ``Picture.renditions``: a page is rendered without opening a file.

Renditions are made by a background task (``make_renditions``, enqueued when the upload or the
new focal point is committed: ``picture_changed``), so saving an article never waits on the
encoders; ``manage.py regenerate_renditions`` makes them again in the foreground. Until they
exist, ``picture_html`` shows the stored original, with the crop's width, height and focal point,
so the page neither breaks nor shifts.
"""

import hashlib
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.html import format_html, format_html_join
from PIL import Image, ImageOps

from config.tasks import enqueue_on_commit, retrying_task

from .models import Picture
from .uploads import IMAGE_FORMATS

WIDTHS = (400, 800, 1200, 1600)
PORTRAIT_WIDTHS = (200, 400, 800)
# Crops only structured data lists: one JPEG each, at most this wide (Google asks for ≥ 50,000 pixels).
DATA_WIDTHS = (1200,)
# crop name → aspect ratio (width, height)
CROPS = {"card": (16, 9), "share": (40, 21), "square": (1, 1), "standard": (4, 3)}
# kind → {crop: (widths, extensions)}
CROPS_OF = {
    Picture.Kind.COVER: {
        "card": (WIDTHS, ("avif", "webp", "jpg")),
        "share": (WIDTHS, ("avif", "webp", "jpg")),
        "square": (DATA_WIDTHS, ("jpg",)),
        "standard": (DATA_WIDTHS, ("jpg",)),
    },
    Picture.Kind.PORTRAIT: {"square": (PORTRAIT_WIDTHS, ("avif", "webp", "jpg"))},
}
# The smallest upload of each kind: a cover fills a 1200-pixel-wide share card well from 800.
MIN_SIZE = {Picture.Kind.COVER: (800, 450), Picture.Kind.PORTRAIT: (200, 200)}
# extension → (Pillow format, encoder options, MIME type); <source> elements in this order.
FORMATS = {
    "avif": ("AVIF", {"quality": 55, "speed": 7}, "image/avif"),
    "webp": ("WEBP", {"quality": 78, "method": 4}, "image/webp"),
    "jpg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}, "image/jpeg"),
}
FALLBACK = "jpg"
RENDITION_VERSION = 2


# -- Geometry ---------------------------------------------------------------------------


def crop_box(width: int, height: int, ratio: tuple[int, int], focal_x: float, focal_y: float) -> tuple[int, int, int, int]:
    """The largest ``ratio`` box inside ``width``×``height`` centred on the focal point, moved
    inward where it would leave the image: ``(left, top, right, bottom)``."""
    rw, rh = ratio
    if width * rh > height * rw:  # wider than the ratio: keep the full height
        crop_w, crop_h = max(1, round(height * rw / rh)), height
    else:
        crop_w, crop_h = width, max(1, round(width * rh / rw))
    left = min(max(round(focal_x * width - crop_w / 2), 0), width - crop_w)
    top = min(max(round(focal_y * height - crop_h / 2), 0), height - crop_h)
    return left, top, left + crop_w, top + crop_h


def rendition_widths(crop_width: int, widths=WIDTHS) -> list[int]:
    """The widths to write for a crop ``crop_width`` pixels wide: the standard ones below it, then
    the crop's own width (capped at the largest standard one): never an upscale."""
    below = [w for w in widths if w < crop_width]
    largest = min(crop_width, widths[-1])
    return below + [largest] if largest not in below else below


def focal_position(width: int, height: int, ratio: tuple[int, int], focal_x: float, focal_y: float) -> tuple[float, float]:
    """The CSS ``object-position`` (0–1 each way) that shows the same box as ``crop_box``."""
    left, top, right, bottom = crop_box(width, height, ratio, focal_x, focal_y)
    spare_x, spare_y = width - (right - left), height - (bottom - top)
    return (left / spare_x if spare_x else 0.5), (top / spare_y if spare_y else 0.5)


# -- Storing ------------------------------------------------------------------------------


def store_original(picture: Picture, data: bytes, image_format: str, width: int, height: int) -> None:
    """Save the cleaned upload (``blog.uploads.clean_image``'s answer) as ``picture``'s original."""
    name = f"pictures/{picture.key.hex}/original-{width}x{height}.{IMAGE_FORMATS[image_format]}"
    picture.file.name = default_storage.save(name, ContentFile(data))
    picture.width, picture.height = width, height


def picture_changed(picture: Picture) -> None:
    """A new or re-framed picture: its renditions are made by a background task once this is
    committed (the one place an upload asks for them)."""
    enqueue_on_commit(make_renditions, picture.pk, rendition_digest(picture))


@retrying_task
def make_renditions(picture_id: int, digest: str) -> int:
    """The task behind ``picture_changed``: the renditions of picture ``picture_id`` as framed
    when it was enqueued (``digest``). Nothing to do when the picture is gone, has been re-framed
    since (a later task has the new framing) or already has them (a retried or repeated task)."""
    picture = Picture.objects.filter(pk=picture_id).first()
    if picture is None or rendition_digest(picture) != digest or has_current_renditions(picture):
        return 0
    return generate_renditions(picture)


def has_current_renditions(picture: Picture) -> bool:
    """Every crop of the picture's kind is there, made with its current framing and settings."""
    digest = rendition_digest(picture)
    names = rendition_names(picture)
    return (
        set(picture.renditions) == set(CROPS_OF[picture.kind])
        and bool(names)
        and all(f"-{digest}." in name for name in names)
    )


def rendition_digest(picture: Picture) -> str:
    basis = f"{picture.focal_x:.4f}:{picture.focal_y:.4f}:{RENDITION_VERSION}"
    return hashlib.sha256(basis.encode()).hexdigest()[:10]


def _encode(image: Image.Image, extension: str) -> bytes:
    pillow_format, options, _mime = FORMATS[extension]
    buffer = BytesIO()
    image.save(buffer, pillow_format, **options)
    return buffer.getvalue()


def _flattened(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def generate_renditions(picture: Picture) -> int:
    """Write every rendition of ``picture``, record them in ``picture.renditions`` (saved), and
    delete the files of the previous set once that is committed. Returns how many were written."""
    with default_storage.open(picture.file.name, "rb") as stored:
        with Image.open(BytesIO(stored.read())) as source:
            source.seek(0)  # an animated GIF or WebP: its first frame
            image = _flattened(source)
    digest = rendition_digest(picture)
    base = f"pictures/{picture.key.hex}"
    manifest, written = {}, 0
    for crop, (widths, extensions) in CROPS_OF[picture.kind].items():
        rw, rh = CROPS[crop]
        cropped = image.crop(crop_box(image.width, image.height, (rw, rh), picture.focal_x, picture.focal_y))
        entries = {extension: [] for extension in extensions}
        for width in rendition_widths(cropped.width, widths):
            height = max(1, round(width * rh / rw))
            resized = cropped.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            for extension in extensions:
                name = f"{base}/{crop}-{width}x{height}-{digest}.{extension}"
                if default_storage.exists(name):  # made again with the same settings: same bytes, same name
                    default_storage.delete(name)
                name = default_storage.save(name, ContentFile(_encode(resized, extension)))
                entries[extension].append([width, height, name])
                written += 1
        manifest[crop] = entries
    old = rendition_names(picture)
    picture.renditions = manifest
    picture.save(update_fields=["renditions", "updated_at"])
    stale = old - rendition_names(picture)
    transaction.on_commit(lambda: delete_files(stale))
    return written


def rendition_names(picture: Picture) -> set[str]:
    return {name for crop in picture.renditions.values() for rows in crop.values() for _w, _h, name in rows}


def delete_files(names) -> None:
    for name in names:
        default_storage.delete(name)


def delete_picture(picture: Picture | None) -> None:
    """Delete ``picture`` and, once that is committed, its files."""
    if picture is None or picture.pk is None:
        return
    names = rendition_names(picture) | ({picture.file.name} if picture.file.name else set())
    picture.delete()
    transaction.on_commit(lambda: delete_files(names))


# -- Markup -------------------------------------------------------------------------------


def srcset(rows) -> str:
    return ", ".join(f"{default_storage.url(name)} {width}w" for width, _height, name in rows)


def picture_html(picture: Picture | None, crop: str, *, sizes: str, loading: str = "lazy", css_class: str = "") -> str:
    """``<picture>`` with AVIF and WebP sources and a JPEG ``<img>`` (``width``/``height`` set);
    ``""`` without a picture. Before its renditions are made, the stored original in the crop's
    shape (``pending_picture_html``).

    ``loading``: ``"lazy"`` (below the fold), ``"eager"``, or ``"high"`` (eager and
    ``fetchpriority="high"``: the page's largest image).
    """
    if picture is None:
        return ""
    attributes = {"loading": "lazy"} if loading == "lazy" else {}
    if loading == "high":
        attributes["fetchpriority"] = "high"
    extra = format_html_join("", ' {}="{}"', attributes.items())
    if not picture.sources(crop).get(FALLBACK):
        return pending_picture_html(picture, crop, css_class=css_class, extra=extra)
    sources = picture.sources(crop)
    fallback = sources[FALLBACK]
    width, height, name = picture.largest(crop, FALLBACK, at_most=800)
    source_tags = format_html_join(
        "\n  ", '<source type="{}" srcset="{}" sizes="{}">',
        ((FORMATS[ext][2], srcset(sources[ext]), sizes) for ext in FORMATS if ext != FALLBACK and sources.get(ext)),
    )  # fmt: skip
    return format_html(
        '<picture{}>\n  {}\n  <img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" decoding="async"{}>\n</picture>',
        format_html(' class="{}"', css_class) if css_class else "",
        source_tags, default_storage.url(name), srcset(fallback), sizes, width, height, picture.alt, extra,
    )  # fmt: skip


def pending_picture_html(picture: Picture, crop: str, *, css_class: str, extra) -> str:
    """The original upload (a JPEG, PNG, GIF or WebP every browser shows) standing in for a crop
    whose renditions are not made yet: the crop's width and height (at most 800 wide, as the
    renditions' ``<img>``), its focal point as ``object-position`` (the stylesheet's
    ``object-fit: cover`` and ``aspect-ratio`` frame it). ``""`` when not even the original is there."""
    if not picture.file.name or not picture.width or not picture.height:
        return ""
    ratio = CROPS[crop]
    left, _top, right, _bottom = crop_box(picture.width, picture.height, ratio, picture.focal_x, picture.focal_y)
    width = min(800, right - left)
    height = max(1, round(width * ratio[1] / ratio[0]))
    x, y = focal_position(picture.width, picture.height, ratio, picture.focal_x, picture.focal_y)
    return format_html(
        '<picture{}>\n  <img src="{}" width="{}" height="{}" alt="{}" style="object-position: {}% {}%" decoding="async"{}>\n</picture>',
        format_html(' class="{}"', css_class) if css_class else "",
        default_storage.url(picture.file.name), width, height, picture.alt, f"{x * 100:.0f}", f"{y * 100:.0f}", extra,
    )  # fmt: skip


LAZY_IMG_END = ' decoding="async" loading="lazy">'  # how picture_html ends a lazy <img>


def with_loading(html: str, loading: str) -> str:
    """``html`` whose first lazy ``picture_html`` image loads as ``loading`` says instead:
    the stored card (``blog.stored_html``) is kept lazy and serves every position of a list."""
    if loading == "lazy":
        return html
    end = ' decoding="async" fetchpriority="high">' if loading == "high" else ' decoding="async">'
    return html.replace(LAZY_IMG_END, end, 1)


def share_rendition(picture: Picture | None) -> dict | None:
    """The JPEG share crop closest to 1200 pixels wide, as ``{"url", "width", "height"}``
    (a storage URL, maybe relative), or None."""
    if picture is None:
        return None
    found = picture.largest("share", FALLBACK, at_most=1200)
    if found is None:
        return None
    width, height, name = found
    return {"url": default_storage.url(name), "width": width, "height": height}
