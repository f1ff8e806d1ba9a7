"""Share images: a 1200×630 PNG per article with its title, category, date and the site name.

The URL carries a digest of everything drawn (and of the renderer's version), so it can be
cached forever: a new title gives a new URL, and social sites fetch the new image. The PNG is
drawn on the first request and kept in the cache; nothing is written when an article is saved.
"""

import functools
import hashlib
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import budoux
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from PIL import Image, ImageDraw, ImageFont

from .models import Article

# Bump when the drawing changes: every URL changes with it, so no stale image is kept anywhere.
RENDERER_VERSION = "1"
WIDTH, HEIGHT = 1200, 630
DIGEST_LENGTH = 16
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "ipaexg.ttf"
# The bytes outlive a title change only as long as this; the URL they answer has moved on.
CACHE_SECONDS = 60 * 60 * 24 * 30
IMMUTABLE = "public, max-age=31536000, immutable"

# Kinsoku shori (JIS X 4051): characters that may not start a line, and those that may not end one.
NO_LINE_START = frozenset(
    "、。，．,.・：；:;？！?!‼⁇⁈⁉ー‐゠–—―～〜…‥％%‰℃°′″"
    "」』）)］]｝}〕〉》】〙〗〟’”»›"
    "ゝゞヽヾ々〻ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
)
NO_LINE_END = frozenset("「『（(［[｛{〔〈《【〘〖〝‘“«‹")
ELLIPSIS = "…"
OPENING_BRACKETS = frozenset("「『（［｛〔〈《【〘〖〝")

# Colours: white on deep blue is about 13:1, the light blue on it about 7:1.
BACKGROUND = (16, 42, 86)
BAND = (31, 95, 191)
TITLE = (255, 255, 255)
MUTED = (199, 217, 255)
PILL = (138, 180, 255)
PILL_TEXT = (11, 31, 64)
MARGIN = 80
# (font size, at most this many lines): the largest setting the title fits in is used.
TITLE_SETTINGS = ((72, 3), (64, 3), (58, 4), (52, 4))


@functools.cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size)


@functools.cache
def _phrase_parser():
    return budoux.load_default_japanese_parser()


def _is_word_char(char: str) -> bool:
    # Latin words, numbers and their joiners stay on one line: GPT-4o, v2.1, Node.js, 2024年.
    return char.isascii() and not char.isspace()


def _is_kanji(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or char in "々〆ヶ"


def _joined(before: str, after: str, *, keep_words: bool = True, keep_kanji: bool = False) -> bool:
    """Whether a line may not break between these two pieces."""
    if not before or not after:
        return True
    if before[-1] in NO_LINE_END or after[0] in NO_LINE_START:
        return True
    if before[-1].isspace() or after[0].isspace():
        return False
    if keep_kanji and _is_kanji(before[-1]) and _is_kanji(after[0]):
        return True
    return keep_words and _is_word_char(before[-1]) and _is_word_char(after[0])


def _merge(pieces: list[str], **rules) -> list[str]:
    merged: list[str] = []
    for piece in pieces:
        if merged and _joined(merged[-1], piece, **rules):
            merged[-1] += piece
        else:
            merged.append(piece)
    return merged


def _split(text: str) -> list[str]:
    pieces: list[str] = []
    for phrase in _phrase_parser().parse(text):
        pieces.extend(part for part in re.split(r"(?<=\s)", phrase) if part)
    return pieces


def phrases(text: str) -> list[str]:
    """The title cut where a line may break: between phrases (BudouX) and at spaces, never
    inside a Latin word, never against the kinsoku rules, and not between two kanji (BudouX
    sometimes cuts a compound: 現在|地)."""
    return _merge(_split(text), keep_kanji=True)


def _narrower(piece: str) -> list[str]:
    """A piece too wide for a line, cut finer: between kanji if BudouX saw a phrase boundary
    there, else between any two characters the kinsoku rules allow."""
    pieces = _merge(_split(piece))
    return pieces if len(pieces) > 1 else _merge(list(piece), keep_words=False)


def break_lines(text: str, measure: Callable[[str], float], max_width: float, max_lines: int | None = None) -> list[str]:
    """Lines of ``text`` no wider than ``max_width`` (as ``measure`` says), broken between
    phrases; a phrase wider than a line is cut finer, still by the kinsoku rules. Past
    ``max_lines`` the last line ends with an ellipsis."""
    text = " ".join(text.split())
    queue = phrases(text)
    lines: list[str] = []
    line = ""
    while queue:
        piece = queue.pop(0)
        candidate = line + piece
        if measure(candidate.rstrip()) <= max_width:
            line = candidate
            continue
        if line:
            lines.append(line.rstrip())
            line = ""
            queue.insert(0, piece.lstrip())
            continue
        finer = _narrower(piece)
        if len(finer) == 1:
            line = piece  # nothing shorter is allowed; let it overflow rather than break a rule
            continue
        queue[:0] = finer
    if line.strip():
        lines.append(line.rstrip())
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _with_ellipsis(lines[-1], measure, max_width)
    return lines


def balanced_lines(text: str, measure: Callable[[str], float], max_width: float) -> list[str]:
    """As many lines as ``break_lines`` needs, but as even as they can be (CSS's
    ``text-wrap: balance``): no last line of one word under two full ones."""
    lines = break_lines(text, measure, max_width)
    # Never so narrow that a phrase has to be cut: balancing only moves whole phrases.
    widest = max((measure(piece.strip()) for piece in phrases(" ".join(text.split()))), default=0)
    if len(lines) < 2 or widest >= max_width:
        return lines
    low, high = max(widest, max_width / 2), max_width
    while high - low > max_width / 200:
        middle = (low + high) / 2
        if len(break_lines(text, measure, middle)) == len(lines):
            high = middle
        else:
            low = middle
    return break_lines(text, measure, high)


def _with_ellipsis(line: str, measure: Callable[[str], float], max_width: float) -> str:
    line = line.rstrip()
    # No 「…」 after an opening bracket or a comma: 「評価まで、…」 reads as a stutter.
    while line and (measure(line + ELLIPSIS) > max_width or line[-1] in NO_LINE_END or line[-1] in "、。，．,. \u3000"):
        line = line[:-1]
    return line + ELLIPSIS


def _date_text(article: Article) -> str:
    if not article.published_at:
        return ""
    day = timezone.localtime(article.published_at)
    return f"{day.year}年{day.month}月{day.day}日"


def drawn_fields(article: Article) -> dict[str, str]:
    """What the image shows: the digest is taken over exactly this."""
    return {
        "title": " ".join(article.title.split()),
        "category": article.category.name if article.category_id else "",
        "date": _date_text(article),
        "site_name": settings.SITE_NAME,
        "tagline": settings.SITE_TAGLINE,
    }


def digest_of(article: Article) -> str:
    payload = json.dumps([RENDERER_VERSION, drawn_fields(article)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:DIGEST_LENGTH]


def share_image_path(article: Article) -> str:
    return reverse("blog:share-image", kwargs={"pk": article.pk, "digest": digest_of(article)})


def title_lines(title: str) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest title setting the title fits in, and its lines."""
    width = WIDTH - 2 * MARGIN
    for size, max_lines in TITLE_SETTINGS:
        lines = balanced_lines(title, font(size).getlength, width)
        if len(lines) <= max_lines:
            return font(size), lines
    return font(size), break_lines(title, font(size).getlength, width, max_lines)


def render(fields: dict[str, str]) -> bytes:
    """The PNG for these fields (``drawn_fields``)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 14), fill=BAND)

    top = 72
    if fields["category"]:
        label = font(30)
        category = fields["category"]
        if label.getlength(category) > WIDTH - 2 * MARGIN - 48:
            category = _with_ellipsis(category, label.getlength, WIDTH - 2 * MARGIN - 48)
        box = draw.textbbox((MARGIN + 24, top), category, font=label, anchor="lt")
        draw.rounded_rectangle((MARGIN, top - 14, box[2] + 24, box[3] + 14), radius=28, fill=PILL)
        draw.text((MARGIN + 24, top), category, font=label, fill=PILL_TEXT, anchor="lt")

    # The title, centred in the space between the category and the footer.
    title_font, lines = title_lines(fields["title"] or fields["site_name"])
    line_height = round(title_font.size * 1.42)
    area_top, area_bottom = 150, 500
    y = area_top + max(0, (area_bottom - area_top - line_height * len(lines)) // 2)
    for line in lines:
        # An opening bracket's glyph is blank on its left half: it starts half an em out, so
        # that the bracket, not the blank, lines up with the margin.
        x = MARGIN - (title_font.size // 2 if line[0] in OPENING_BRACKETS else 0)
        # A one-pixel stroke in the same colour: the typeface has a single weight.
        draw.text((x, y + line_height // 2), line, font=title_font, fill=TITLE, anchor="lm",
                  stroke_width=1, stroke_fill=TITLE)  # fmt: skip
        y += line_height

    footer = 552
    draw.line((MARGIN, footer - 34, WIDTH - MARGIN, footer - 34), fill=BAND, width=2)
    name = font(40)
    draw.text((MARGIN, footer), fields["site_name"], font=name, fill=TITLE, anchor="lm", stroke_width=1, stroke_fill=TITLE)
    tagline_x = MARGIN + name.getlength(fields["site_name"]) + 20
    draw.text((tagline_x, footer + 2), fields["tagline"], font=font(28), fill=MUTED, anchor="lm")
    if fields["date"]:
        draw.text((WIDTH - MARGIN, footer + 2), fields["date"], font=font(30), fill=MUTED, anchor="rm")

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def image_bytes(article: Article, current: str) -> bytes:
    key = f"share-image:{article.pk}:{current}"
    data = cache.get(key)
    if data is None:
        data = render(drawn_fields(article))
        cache.set(key, data, CACHE_SECONDS)
    return data


@require_safe
def share_image(request, pk: str, digest: str):
    """The share image of a published article; an outdated digest is sent to the current one."""
    queryset = Article.objects.published().select_related("category").only(
        "pk", "title", "published_at", "status", "category__name"
    )
    article = get_object_or_404(queryset, pk=int(pk))
    current = digest_of(article)
    if digest != current:
        return HttpResponseRedirect(share_image_path(article))
    response = HttpResponse(image_bytes(article, current), content_type="image/png")
    response["Cache-Control"] = IMMUTABLE
    response["ETag"] = f'"{current}"'
    return response

