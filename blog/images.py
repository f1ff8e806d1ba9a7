"""Uploaded images: their size, carried in the stored file name, and their alt text.

An upload is stored as ``<MEDIA_URL><MARKDOWNX_MEDIA_PATH><uuid>-<width>x<height>.<ext>``, so
any renderer can give the ``<img>`` its ``width`` and ``height`` (no layout shift) from the URL
alone: no query, and still right for HTML rendered long ago and cached.
"""

import re

from django.conf import settings

# What the editor inserts for a fresh upload, selected so the writer types over it.
ALT_PLACEHOLDER = "画像の説明を入力"

_SIZED_NAME = re.compile(r"-(?P<w>[1-9][0-9]{0,4})x(?P<h>[1-9][0-9]{0,4})\.(?:jpg|png|gif|webp)$")
# ![alt](url "title") — alt without nested brackets, which is all an upload inserts.
_MARKDOWN_IMAGE = re.compile(r"!\[(?P<alt>[^\]\n]*)\]\(\s*<?(?P<src>[^\s)>]+)>?(?:\s+[\"'][^\n]*?[\"'])?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_HTML_ALT = re.compile(r"""\balt\s*=\s*(?:"\s*[^"\s][^"]*"|'\s*[^'\s][^']*'|[^\s"'>]+)""", re.IGNORECASE)
_HTML_SRC = re.compile(r"""\bsrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


def upload_prefix() -> str:
    return settings.MEDIA_URL + settings.MARKDOWNX_MEDIA_PATH


def sized_name(stem: str, width: int, height: int, extension: str) -> str:
    """The stored file name of an upload: its size is part of it."""
    return f"{stem}-{width}x{height}.{extension}"


def dimensions_for(url: str) -> tuple[int, int] | None:
    """``(width, height)`` of an image uploaded through the editor, or None for any other URL."""
    if not url or not url.startswith(upload_prefix()) or "?" in url or "#" in url:
        return None
    match = _SIZED_NAME.search(url)
    if match is None:
        return None
    return int(match["w"]), int(match["h"])


_IMG_TAG = re.compile(r'<img\b(?P<attrs>[^>]*?)\s*/?>')
_SRC_IN_CLEAN = re.compile(r'\ssrc="(?P<src>[^"]*)"')


def add_dimensions(sanitized_html: str) -> str:
    """Give each ``<img>`` of an upload its ``width`` and ``height``, unless it already has one.

    Runs on sanitized HTML (attributes double-quoted); it only adds two integer attributes.
    """

    def sized(match: re.Match) -> str:
        attrs = match["attrs"]
        src = _SRC_IN_CLEAN.search(attrs)
        if src is None or re.search(r"\s(?:width|height)=", attrs):
            return match[0]
        size = dimensions_for(src["src"].replace("&amp;", "&"))
        if size is None:
            return match[0]
        return f'<img{attrs} width="{size[0]}" height="{size[1]}">'

    if "<img" not in sanitized_html:
        return sanitized_html
    return _IMG_TAG.sub(sized, sanitized_html)


def images_without_alt(markdown: str) -> list[str]:
    """The sources of images in ``markdown`` that have no alt text (or still the placeholder)."""
    missing = []
    for match in _MARKDOWN_IMAGE.finditer(markdown or ""):
        alt = match["alt"].strip()
        if not alt or alt == ALT_PLACEHOLDER:
            missing.append(match["src"])
    for tag in _HTML_IMAGE.findall(markdown or ""):
        alt = _HTML_ALT.search(tag)
        if alt is None or ALT_PLACEHOLDER in alt[0]:
            src = _HTML_SRC.search(tag)
            missing.append(src[1] if src else "<img>")
    return missing
