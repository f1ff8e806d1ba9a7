"""Move articles between Jekyll posts (YAML front matter + Markdown) and the database.

Three steps, each usable on its own:

* ``find_posts(paths)`` walks files and directories the way Jekyll reads ``_posts``;
* ``parse_post(path, key)`` reads one file into a ``Post`` without touching the database, or
  raises ``JekyllError`` naming the file and line;
* ``save_post(post)`` creates or updates the article in one transaction, its category, authors,
  tags and old-URL redirects, and records the import in the workflow history.

``export_post(article)`` is the way back: the file ``import_jekyll`` turns into the same article.
Real front matter is messy; the rules below follow what Jekyll itself does with it.
"""

from __future__ import annotations

import datetime
import hashlib
import posixpath
import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import yaml
from django.db import transaction
from django.utils import timezone

from blog import text
from blog.markdown import kramdown
from blog.models import Article, Author, Category, Redirect, unique_slug
from editorial import revisions, workflow

TEAM_BYLINE = "ALLFORCES編集部"
POST_EXTENSIONS = {".md", ".markdown", ".mkdn", ".mkd", ".mdown", ".mkdown", ".text", ".txt", ".html"}
# Jekyll's own rule for post file names: YYYY-MM-DD-title.ext (one-digit months and days allowed).
POST_NAME = re.compile(r"^(?P<date>\d{2,4}-\d{1,2}-\d{1,2})-(?P<slug>.+)$")
KNOWN_KEYS = {
    "layout", "title", "date", "category", "categories", "tag", "tags", "author", "authors",
    "excerpt", "reading_time", "permalink", "published", "slug", "redirect_from", "image",
}  # fmt: skip
# Known to Jekyll, meaningless here: dropped without a report.
DROPPED_KEYS = {"layout"}
TITLE_MAX = Article._meta.get_field("title").max_length
NAME_MAX = Category._meta.get_field("name").max_length


class JekyllError(Exception):
    """A file that cannot be imported, with the line to look at."""

    def __init__(self, path, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass
class Note:
    line: int
    message: str


@dataclass
class CoverImage:
    """The ``image:`` of a post as ``blog.uploads.clean_image`` cleaned it, ready to store."""

    source: Path
    data: bytes
    image_format: str
    width: int
    height: int
    alt: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Post:
    path: Path
    key: str
    title: str
    body: str
    excerpt: str = ""
    published_at: datetime.datetime | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    reading_time: int | None = None
    is_published: bool = True
    slug: str = ""  # from the ``slug`` key: also used to find the article again
    name_slug: str = ""  # the title part of the file name
    jekyll_url: str = ""
    redirect_from: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    cover: CoverImage | None = None  # the ``image:`` file, read and cleaned
    remote_image: str = ""  # an ``image:`` that is a URL: reported, never fetched
    image_line: int = 0
    notes: list[Note] = field(default_factory=list)

    def note(self, line: int, message: str):
        self.notes.append(Note(line, message))


# ---------------------------------------------------------------------------------------------
# Finding files


def find_posts(paths: Iterable[str | Path]) -> tuple[list[tuple[Path, str]], list[Path]]:
    """Return ``(posts, skipped)``: ``(file, key)`` pairs to import, and files passed over.

    A file named on the command line is always tried. In a directory, only files named like
    Jekyll posts (``YYYY-MM-DD-title.md``) are taken, plus everything in ``_drafts``; hidden
    folders, ``_site`` and other ``_``-folders are not entered. The key, which finds the article
    again on the next import, is the path relative to the directory named.
    """
    posts, skipped, seen = [], [], set()
    for raw in paths:
        root = Path(raw)
        if root.is_file():
            candidates = [(root, root.name)]
        elif root.is_dir():
            candidates = []
            for path in sorted(root.rglob("*")):
                relative = path.relative_to(root)
                folders = relative.parts[:-1]
                if any(part.startswith(".") or (part.startswith("_") and part not in ("_posts", "_drafts")) for part in folders):
                    continue
                if not path.is_file():
                    continue
                in_drafts = "_drafts" in folders
                if path.suffix.lower() in POST_EXTENSIONS and (in_drafts or POST_NAME.match(path.stem)):
                    candidates.append((path, relative.as_posix()))
                else:
                    skipped.append(path)
        else:
            raise FileNotFoundError(raw)
        for path, key in candidates:
            if path.resolve() not in seen:
                seen.add(path.resolve())
                posts.append((path, key))
    return posts, skipped


# ---------------------------------------------------------------------------------------------
# Parsing one file


def read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise JekyllError(path, line, "UTF-8 として読めません（文字コードを確認してください）") from None
    # NUL is never meant in Markdown, and PostgreSQL text cannot hold it.
    return content.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def split_front_matter(path: Path, content: str) -> tuple[str, str, int]:
    """Return ``(yaml, body, first body line)``; front matter is required, as Jekyll requires it of posts."""
    lines = content.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise JekyllError(path, 1, "front matter がありません（1行目は --- で始めてください）")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise JekyllError(path, 1, "front matter が閉じられていません（--- の行がありません）")


def load_yaml(path: Path, source: str) -> dict:
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise JekyllError(path, line, f"front matter の YAML が壊れています: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise JekyllError(path, 2, "front matter は「キー: 値」の形で書いてください")
    return {str(key): value for key, value in data.items()}


def key_line(front_matter: str, key: str) -> int:
    """The file line of ``key:`` in the front matter (line 1 when it is absent)."""
    for number, line in enumerate(front_matter.split("\n"), start=2):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return number
    return 1


_DATE = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d+))?)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{1,2})?$",
    re.IGNORECASE,
)


def parse_date(value, tz: datetime.tzinfo) -> datetime.datetime:
    """Read a Jekyll date: a YAML date or timestamp, or a string such as ``2025-12-15 20:38:57 +0000``.

    YAML 1.1 reads an offset without a colon (``+0900``) as a plain string, so strings are parsed
    here. A date without a zone is in ``tz`` (Jekyll's ``timezone`` setting). The result keeps the
    offset it was written with, because Jekyll builds the old URL's ``/:year/:month/:day/`` from it.
    """
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=tz)
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(), tzinfo=tz)
    if not isinstance(value, str):
        raise ValueError(f"日付として読めません: {value!r}")
    match = _DATE.match(value.strip())
    if not match:
        raise ValueError(f"日付として読めません: {value!r}（例: 2025-12-15 20:38:57 +0900）")
    parts = match.groupdict()
    offset = parts["tz"]
    if offset is None:
        zone = tz
    elif offset.upper() in ("Z", "UTC", "GMT"):
        zone = datetime.timezone.utc
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
        if hours > 23 or minutes > 59:
            raise ValueError(f"時差が読めません: {offset}")
        zone = datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))
    try:
        return datetime.datetime(
            int(parts["y"]), int(parts["mo"]), int(parts["d"]),
            int(parts["h"] or 0), int(parts["mi"] or 0), int(parts["s"] or 0),
            int((parts["f"] or "0")[:6].ljust(6, "0")),
            tzinfo=zone,
        )  # fmt: skip
    except ValueError:
        raise ValueError(f"日付として読めません: {value!r}（存在しない日時です）") from None


def names(meta: dict, singular: str, plural: str) -> list[str]:
    """Categories or tags as Jekyll reads them: ``category: AI 技術`` is one name, ``categories: a b`` two."""
    values = []
    for key in (plural, singular):
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            values += value.split() if key == plural else [value]
        elif isinstance(value, (list, tuple)):
            values += [item for item in value if item is not None]
        elif isinstance(value, dict):
            values += list(value)
        else:
            values.append(value)
    seen, result = set(), []
    for value in values:
        name = text.normalize_tag_name(str(value))
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    return result


def author_names(meta: dict) -> list[str]:
    values = []
    for key in ("author", "authors"):
        value = meta.get(key)
        if isinstance(value, (list, tuple)):
            values += value
        elif value is not None:
            values.append(value)
    result = []
    for value in values:
        name = value.get("name") if isinstance(value, dict) else value
        name = " ".join(str(name or "").split())[:NAME_MAX]
        if name and name not in result:
            result.append(name)
    return result


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_STRAY_HEADING = re.compile(r"^#{1,6}\s+")


def clean_title(value) -> str:
    """One line of plain text: no control characters, no stray Markdown ``# `` in front."""
    title = " ".join(_CONTROL.sub("", str(value)).split())
    return _STRAY_HEADING.sub("", title).strip()


def pretty_slug(value: str) -> str:
    """Jekyll's ``slugify(mode: "pretty", cased: true)``, which makes ``:title`` in old URLs."""
    slug = re.sub(r"[^\w.~!$&'()+,;=@]+", "-", value)
    return slug.strip("-")


def jsonable(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def clean_path(value: str) -> str:
    """An old URL as Django will see it in ``request.path``: decoded, rooted, no ``..``."""
    path = unquote(str(value).strip())
    if not path:
        return ""
    trailing = path.endswith("/")
    path = posixpath.normpath("/" + path.lstrip("/"))
    if trailing and path != "/":
        path += "/"
    return path


def jekyll_url(permalink: str, *, categories: list[str], date: datetime.datetime | None, title: str) -> str:
    """The post's address on the old site: its ``permalink`` (placeholders filled) or Jekyll's default
    ``/:categories/:year/:month/:day/:title.html``, with category slugs."""
    if not permalink and date is None:
        return ""  # an undated draft never had a public address
    template = permalink or "/:categories/:year/:month/:day/:title:output_ext"
    values = {
        "categories": "/".join(text.unicode_slugify(name, max_length=100) for name in categories),
        "title": title,
        "slug": text.unicode_slugify(title, max_length=100),
        "output_ext": ".html",
    }
    if date is not None:
        values.update(
            year=f"{date:%Y}", month=f"{date:%m}", day=f"{date:%d}", short_year=f"{date:%y}",
            i_month=str(date.month), i_day=str(date.day), hour=f"{date:%H}", minute=f"{date:%M}",
            second=f"{date:%S}", y_day=f"{date:%j}",
        )  # fmt: skip
    url = re.sub(r":(\w+)", lambda m: values.get(m.group(1), m.group(0)), template)
    url = re.sub(r"/{2,}", "/", url)
    return clean_path(url)


# --- Liquid -----------------------------------------------------------------------------------

_LIQUID = re.compile(r"\{%-?\s*(?P<tag>\w+)(?P<args>.*?)-?%\}|\{\{-?(?P<expr>.*?)-?\}\}", re.S)


def _end_tag(name: str) -> re.Pattern:
    return re.compile(r"\{%-?\s*" + name + r"\s*-?%\}", re.S)


_RAW_MARKERS = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}", re.S)


def convert_liquid(body: str, first_line: int, post: Post, resolve_post_url: Callable[[str], str | None] | None):
    """Turn the Liquid Jekyll would have run into Markdown; report what cannot be turned.

    ``{% highlight lang %}`` becomes a fenced code block, ``{% raw %}`` is unwrapped, and
    ``{% post_url name %}`` becomes the new URL of that post when it is already imported. Any other
    tag or ``{{ expression }}`` is left in the text, visible, and reported with its line.
    """
    out, position = [], 0

    def line_of(index: int) -> int:
        return first_line + body.count("\n", 0, index)

    while True:
        match = _LIQUID.search(body, position)
        if match is None:
            out.append(body[position:])
            break
        out.append(body[position : match.start()])
        tag, line = match.group("tag"), line_of(match.start())
        position = match.end()
        if tag == "raw":
            end = _end_tag("endraw").search(body, position)
            if end is None:
                post.note(line, "{% raw %} に対応する {% endraw %} がないため、以降をそのまま残しました")
                out.append(body[position:])
                break
            out.append(body[position : end.start()])
            position = end.end()
        elif tag == "highlight":
            end = _end_tag("endhighlight").search(body, position)
            if end is None:
                post.note(line, "{% highlight %} に対応する {% endhighlight %} がないため、そのまま残しました")
                out.append(match.group(0))
                continue
            args = match.group("args").split()
            language = args[0] if args and re.fullmatch(r"[\w+#.-]+", args[0]) else ""
            code = _RAW_MARKERS.sub("", body[position : end.start()]).strip("\n")
            for inner in _LIQUID.finditer(code):
                post.note(line, f"コードブロック内の Liquid {inner.group(0)!r} はそのまま残しました")
            fence = "```"
            while fence in code:
                fence += "`"
            before = "\n" if out and out[-1] and not out[-1].endswith("\n") else ""
            after = "" if body.startswith("\n", end.end()) or end.end() == len(body) else "\n"
            out.append(f"{before}{fence}{language}\n{code}\n{fence}{after}")
            position = end.end()
        elif tag == "post_url":
            name = match.group("args").strip()
            url = resolve_post_url(name) if resolve_post_url else None
            if url:
                out.append(url)
            else:
                post.note(line, f"{{% post_url {name} %}} の記事が見つからないため、そのまま残しました")
                out.append(match.group(0))
        elif tag:
            post.note(line, f"Liquid タグ {{% {tag} %}} は変換できないため、そのまま残しました")
            out.append(match.group(0))
        else:
            expression = " ".join(match.group("expr").split())
            post.note(line, f"Liquid の式 {{{{ {expression} }}}} は変換できないため、そのまま残しました")
            out.append(match.group(0))
    return "".join(out)


def convert_kramdown(body: str, first_line: int, post: Post) -> str:
    """Remove kramdown-only markup (attribute lists, ``{::options}``, ``{::comment}``, the
    ``{:toc}`` marker: the page has its own table of contents) and report what was dropped."""
    cleaned, dropped = kramdown.clean(body)
    for item in dropped:
        post.note(first_line + item.line - 1, f"kramdown の {item.construct} は表示に使えないため削除しました")
    return cleaned


# --- Body clean-up ----------------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")


def _comparable(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).casefold()
    value = re.sub(r"[*_`]", "", _STRAY_HEADING.sub("", value.strip()))
    return " ".join(value.split())


def drop_title_heading(body: str, title: str) -> str:
    """Remove the body's first heading (ATX or setext) when it only repeats the title."""
    lines, fence = body.split("\n"), None
    for index, line in enumerate(lines):
        opener = _FENCE.match(line)
        if opener:
            marker = opener.group(1)[0] * 3
            fence = None if fence and marker == fence else (fence or marker)
            continue
        if fence:
            continue
        atx = _ATX.match(line)
        if atx:
            heading, span = atx.group("text"), 1
        elif (
            line.strip()
            and index + 1 < len(lines)
            and _SETEXT_UNDERLINE.match(lines[index + 1])
            and (index == 0 or not lines[index - 1].strip())
        ):
            heading, span = line, 2
        else:
            continue
        if _comparable(heading) == _comparable(title):
            rest = lines[index + span :]
            while rest and not rest[0].strip():
                rest.pop(0)
            return "\n".join(lines[:index] + rest)
        return body
    return body


def parse_post(
    path: Path,
    key: str | None = None,
    *,
    tz: datetime.tzinfo | None = None,
    resolve_post_url: Callable[[str], str | None] | None = None,
) -> Post:
    """Read one Jekyll post. Raise ``JekyllError`` (file and line) when it cannot become an article."""
    tz = tz or timezone.get_default_timezone()
    key = key or path.name
    content = read_text(path)
    front_matter, body, body_line = split_front_matter(path, content)
    meta = load_yaml(path, front_matter)

    title = clean_title(meta["title"]) if meta.get("title") is not None else ""
    if not title:
        raise JekyllError(path, key_line(front_matter, "title"), "title がありません")

    in_drafts = "_drafts" in Path(key).parts or "_drafts" in path.parts
    name = POST_NAME.match(path.stem)
    if meta.get("date") is not None:
        try:
            date = parse_date(meta["date"], tz)
        except (ValueError, OverflowError) as error:
            raise JekyllError(path, key_line(front_matter, "date"), str(error)) from None
    elif name:
        try:
            date = parse_date(name.group("date"), tz)
        except (ValueError, OverflowError):
            raise JekyllError(path, 1, f"ファイル名の日付 {name.group('date')} が正しくありません") from None
    elif in_drafts:
        date = None
    else:
        raise JekyllError(path, 1, "日付がありません（date: を書くか、ファイル名を YYYY-MM-DD-タイトル.md にしてください）")

    if len(title) > TITLE_MAX:
        # Refused as the article form refuses it: a cut title reads as a different headline.
        raise JekyllError(
            path,
            key_line(front_matter, "title"),
            f"title が {len(title)} 文字あります。{TITLE_MAX} 文字以内にしてください",
        )
    post = Post(path=path, key=key, title=title, body="")
    post.published_at = date
    published = meta.get("published", True)
    post.is_published = not in_drafts and published not in (False, "false", "no", "off", 0)
    post.categories = [c[:NAME_MAX] for c in names(meta, "category", "categories")]
    if len(post.categories) > 1:
        post.note(key_line(front_matter, "categories"), f"カテゴリーは1つだけ持てるため「{post.categories[0]}」を使います（旧URLには全部を使います）")
    post.tags = [t[:100] for t in names(meta, "tag", "tags")]
    post.authors = author_names(meta)
    excerpt = meta.get("excerpt")
    post.excerpt = str(excerpt).strip() if excerpt is not None else ""

    reading_time = meta.get("reading_time")
    if reading_time is not None:
        digits = re.match(r"\s*(\d+)", str(reading_time))
        if digits and 0 < int(digits.group(1)) < 1000:
            post.reading_time = int(digits.group(1))
        else:
            post.note(key_line(front_matter, "reading_time"), f"reading_time {reading_time!r} を分数として読めないため無視しました")

    if meta.get("slug") is not None:
        post.slug = str(meta["slug"]).strip()
    post.name_slug = name.group("slug") if name else ""
    title_part = pretty_slug(post.slug or post.name_slug or path.stem)
    permalink = str(meta.get("permalink") or "").strip()
    post.jekyll_url = jekyll_url(permalink, categories=post.categories, date=date, title=title_part)
    redirect_from = meta.get("redirect_from") or []
    redirect_from = [redirect_from] if isinstance(redirect_from, str) else redirect_from
    post.redirect_from = [p for p in (clean_path(str(v)) for v in redirect_from if v) if p and p != post.jekyll_url]

    unknown = {k: v for k, v in meta.items() if k not in KNOWN_KEYS}
    if unknown:
        post.extra = jsonable(unknown)
        post.note(1, "未知のキーを保存しました: " + ", ".join(sorted(unknown)))
    if meta.get("image") not in (None, "", {}):
        # Kept in ``extra`` (an export gives it back) unless it becomes the cover.
        post.extra["image"] = jsonable(meta["image"])
        post.image_line = key_line(front_matter, "image")
        read_image(post, meta["image"], post.image_line, source_roots(path, key))

    body = convert_liquid(body, body_line, post, resolve_post_url)
    body = convert_kramdown(body, body_line, post)
    body = drop_title_heading(body, title)
    post.body = body.strip("\n") + "\n" if body.strip() else ""
    return post


# --- The cover image (``image:``) -----------------------------------------------------------

# ``{{ site.url }}/…`` and ``{{ site.baseurl }}/…``: Jekyll themes prefix paths with them.
_SITE_PREFIX = re.compile(r"^\{\{-?\s*site\.(?:url|baseurl)\s*-?\}\}")


def source_roots(path: Path, key: str) -> list[Path]:
    """Where an ``image:`` path may point: the Jekyll site (the folder holding ``_posts`` or
    ``_drafts``) and the directory the import was asked for, nothing outside them."""
    depth = len(PurePosixPath(key).parts)
    imported = path.parents[depth - 1] if depth <= len(path.parents) else path.parent
    roots = []
    parts = path.parts
    for folder in ("_posts", "_drafts"):
        if folder in parts[:-1]:
            index = len(parts) - 1 - parts[:-1][::-1].index(folder) - 1
            roots.append(Path(*parts[:index]) if index else Path("."))
    roots.append(imported)
    seen, result = set(), []
    for root in roots:
        resolved = root.resolve()
        if resolved not in seen:
            seen.add(resolved)
            result.append(resolved)
    return result


def image_value(value) -> tuple[str, str]:
    """``(path or URL, alt)`` of an ``image:`` value: a string, or jekyll-seo-tag's mapping
    ``{path: …, alt: …}`` (``url`` or ``src`` also read as the path)."""
    if isinstance(value, dict):
        where = next((value[k] for k in ("path", "url", "src") if value.get(k)), "")
        alt = value.get("alt") or ""
        return str(where).strip(), " ".join(str(alt).split())
    return str(value).strip(), ""


def read_image(post: Post, value, line: int, roots: list[Path]) -> None:
    """Read ``image:`` into ``post.cover``; anything unusable is a note naming the line (the
    value also stays in ``post.extra``, so an export gives it back)."""
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from blog.pictures import MIN_SIZE
    from blog.models import Picture
    from blog.uploads import clean_image

    where, alt = image_value(value)
    where = _SITE_PREFIX.sub("", where).strip()
    if not where:
        post.note(line, "image: に画像のパスがないため、アイキャッチ画像にしませんでした")
        return
    parts = urlsplit(where)
    if parts.scheme or where.startswith("//"):
        post.remote_image = where
        post.note(line, f"image: の {where} は外部の URL のため取得していません（アイキャッチ画像は手作業で設定してください）")
        return
    relative = unquote(parts.path)
    bases = roots if relative.startswith("/") else [post.path.parent.resolve(), *roots]
    candidates = [(base / relative.lstrip("/")).resolve() for base in bases]
    # Never a file outside the site or the imported folder (``../../etc/…``, a symlink out).
    candidates = [c for c in candidates if any(c.is_relative_to(root) for root in roots)]
    found = next((c for c in candidates if c.is_file()), None)
    if found is None:
        post.note(line, f"image: の画像ファイル {where} が取り込み元に見つからないため、アイキャッチ画像にしませんでした")
        return
    try:
        data, image_format, width, height = clean_image(SimpleUploadedFile(found.name, found.read_bytes()))
    except ValidationError as error:
        post.note(line, f"image: の {where} は使えません（{' '.join(error.messages)}）")
        return
    except OSError as error:
        post.note(line, f"image: の {where} を読めません（{error.strerror or error}）")
        return
    min_w, min_h = MIN_SIZE[Picture.Kind.COVER]
    if width < min_w or height < min_h:
        post.note(line, f"image: の {where} は小さすぎます（{width}×{height}px。幅{min_w}px・高さ{min_h}px以上が必要です）")
        return
    post.cover = CoverImage(found, data, image_format, width, height, (alt or post.title)[:200])
    post.extra.pop("image", None)


def cover_state(article: Article):
    """What decides whether an import changes the cover: its alt text and original's bytes."""
    if not article.cover_id:
        return None
    from django.core.files.storage import default_storage

    try:
        with default_storage.open(article.cover.file.name, "rb") as stored:
            digest = hashlib.sha256(stored.read()).hexdigest()
    except OSError:
        digest = ""
    return [article.cover.alt, digest]


def apply_cover(article: Article, cover: CoverImage, *, store_files: bool) -> None:
    from blog import pictures
    from blog.models import Picture

    picture = Picture(kind=Picture.Kind.COVER, alt=cover.alt)
    if not store_files:  # --dry-run: validated, not written
        return
    previous = article.cover if article.cover_id else None
    pictures.store_original(picture, cover.data, cover.image_format, cover.width, cover.height)
    picture.save()
    pictures.picture_changed(picture)  # renditions by the background task, after the commit
    article.cover = picture
    pictures.delete_picture(previous)


# ---------------------------------------------------------------------------------------------
# Writing to the database


def resolve_post_url(name: str) -> str | None:
    """The new URL of an imported post named as ``{% post_url %}`` names it (``2024-01-01-title``)."""
    stem = name.strip().strip("/").rsplit("/", 1)[-1]
    for article in Article.objects.filter(source_path__contains=stem).only("slug", "source_path"):
        if Path(article.source_path).stem == stem:
            return article.get_absolute_url()
    return None


def find_article(post: Post) -> Article | None:
    """The article an earlier import made from this post: by source path, old URL, or ``slug`` key."""
    article = Article.objects.filter(source_path=post.key).first()
    if article is None and post.jekyll_url:
        article = Article.objects.filter(jekyll_url=post.jekyll_url).first()
        # The same file reached through another directory, or an export read back in: not a
        # different post that merely collides on its old URL.
        if article and article.source_path and Path(article.source_path).name != post.path.name:
            article = None
    if article is None and post.slug:
        slugs = {text.unicode_slugify(post.slug), text.unicode_slugify(post.slug, max_length=100)}
        article = Article.objects.filter(slug__in=slugs).first()
    return article


def _state(article: Article) -> dict:
    return {
        "title": article.title,
        "body": article.body,
        "excerpt": article.excerpt,
        "category": article.category.name if article.category_id else None,
        "status": article.status,
        "published_at": article.published_at,
        "reading_time_override": article.reading_time_override,
        "source_path": article.source_path,
        "jekyll_url": article.jekyll_url,
        "extra": article.extra,
        "tags": sorted(tag.name.casefold() for tag in article.tags.all()),
        "authors": sorted(author.name for author in article.authors.all()),
        "redirects": sorted(article.redirects.values_list("old_path", flat=True)),
        "cover": cover_state(article),
    }


@dataclass
class Outcome:
    action: str  # "created", "updated" or "unchanged"
    article: Article
    notes: list[Note]


@transaction.atomic
def save_post(post: Post, *, as_draft: bool = False, by=None, store_files: bool = True) -> Outcome:
    """Create or update the article for ``post``, all or nothing.

    Writes the article, creates its category, authors and tags as needed, adds redirects from
    its old URLs, and moves it to the state its file declares through ``workflow.import_state``.
    The ``image:`` file becomes the cover (its renditions made by the background task); a post
    without one leaves a cover set here alone. ``store_files=False`` (``--dry-run``) writes no file.
    """
    article = find_article(post)
    created = article is None
    before = None if created else _state(article)
    if created:
        article = Article(slug=unique_slug(Article, post.slug or post.name_slug or post.title, fallback="article"))
        if post.slug and article.slug != text.unicode_slugify(post.slug):
            post.note(1, f"slug「{post.slug}」は使用中のため「{article.slug}」にしました")
    status = Article.Status.DRAFT if as_draft or not post.is_published else Article.Status.PUBLISHED
    category = None
    if post.categories:
        # "MixedCase" and "Mixedcase" are one category on Jekyll's URLs: one here too.
        name = post.categories[0]
        category = Category.objects.filter(name__iexact=name).first() or Category.objects.create(name=name)
    authors = [
        Author.objects.get_or_create(name=name, defaults={"is_team": name == TEAM_BYLINE})[0] for name in post.authors
    ]
    # An export of an article that never lived on Jekyll names its address on this site.
    own_url = unquote(article.get_absolute_url())
    jekyll_url = "" if post.jekyll_url == own_url else post.jekyll_url
    redirects = [p for p in [jekyll_url, *post.redirect_from] if p and p != own_url]

    wanted = {
        "title": post.title,
        "body": post.body,
        "excerpt": post.excerpt,
        "category": category.name if category else None,
        "status": status,
        "published_at": post.published_at,
        "reading_time_override": post.reading_time,
        "source_path": post.key,
        "jekyll_url": jekyll_url,
        "extra": post.extra,
        "tags": sorted(text.normalize_tag_name(t).casefold() for t in post.tags),
        "authors": sorted(a.name for a in authors),
    }
    if before is not None:
        wanted["redirects"] = sorted(set(before["redirects"]) | set(redirects))
        wanted["cover"] = [post.cover.alt, post.cover.digest] if post.cover else before["cover"]
        if before == wanted:
            return Outcome("unchanged", article, post.notes)

    article.title, article.body, article.excerpt = post.title, post.body, post.excerpt
    article.category = category
    if created:
        article.published_at = None  # a new row starts as a draft; the workflow sets state and date
    article.reading_time_override = post.reading_time
    article.source_path, article.jekyll_url, article.extra = post.key, jekyll_url, post.extra
    if post.cover and (before is None or before["cover"] != wanted["cover"]):
        apply_cover(article, post.cover, store_files=store_files)
    article.save()
    article.tags.set(post.tags)
    article.authors.set(authors)
    revisions.record(article, by)
    for old_path in redirects:
        redirect, made = Redirect.objects.get_or_create(old_path=old_path, defaults={"article": article})
        if not made and redirect.article_id != article.pk:
            post.note(1, f"旧URL {old_path} は別の転送先に使われているため、リダイレクトを作りませんでした")
    workflow.import_state(
        article, status=status, published_at=post.published_at, by=by, comment=f"Jekyll から取り込み: {post.key}", created=created
    )
    return Outcome("created" if created else "updated", article, post.notes)


# ---------------------------------------------------------------------------------------------
# Export


def export_post(article: Article, tz: datetime.tzinfo | None = None) -> tuple[str, str]:
    """Return ``(relative path, file text)`` of ``article`` as a Jekyll post that imports back the same.

    Published-dated articles go to ``_posts/YYYY-MM-DD-slug.md``; undated drafts to
    ``_drafts/slug.md``. Anything not published is written with ``published: false``.
    """
    tz = tz or timezone.get_default_timezone()
    meta: dict = {"layout": "post", "title": article.title, "slug": article.slug}
    local = article.published_at.astimezone(tz) if article.published_at else None
    if local:
        meta["date"] = local
    if article.category_id:
        meta["categories"] = [article.category.name]
    tags = sorted(tag.name for tag in article.tags.all())
    if tags:
        meta["tags"] = tags
    authors = [author.name for author in article.authors.all()]
    if len(authors) == 1:
        meta["author"] = authors[0]
    elif authors:
        meta["authors"] = authors
    if article.excerpt:
        meta["excerpt"] = article.excerpt
    if article.reading_time_override:
        meta["reading_time"] = article.reading_time_override
    # Its old address, or else its address here: a Jekyll build of the export keeps every link.
    meta["permalink"] = article.jekyll_url or unquote(article.get_absolute_url())
    others = sorted(r.old_path for r in article.redirects.all() if r.old_path != article.jekyll_url)
    if others:
        meta["redirect_from"] = others
    if article.status != Article.Status.PUBLISHED:
        meta["published"] = False
    for key, value in (article.extra or {}).items():
        meta.setdefault(key, value)

    body = article.body.replace("\r\n", "\n")
    # Keep text that looks like Liquid literal, for Jekyll and for our own importer alike.
    if ("{%" in body or "{{" in body) and not _end_tag("endraw").search(body):
        body = "{% raw %}\n" + body.rstrip("\n") + "\n{% endraw %}\n"
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    path = f"_posts/{local:%Y-%m-%d}-{article.slug}.md" if local else f"_drafts/{article.slug}.md"
    return path, f"---\n{front}---\n\n{body}"


def timezone_named(name: str) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"タイムゾーン {name!r} が見つかりません") from None
