"""A bare URL alone on a line becomes an embed or a link card.

YouTube is a click-to-load facade: a thumbnail linking to the video; ``static/js/embeds.js``
swaps in a ``youtube-nocookie.com`` iframe on click. X/Twitter, GitHub and Speaker Deck get
server-rendered cards (no third-party script). Any other URL gets a link card from
``link_cards`` (fetched at save time, ``blog.linkcards``), or a card with its domain and URL.
Rendering never touches the network.
"""

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from html import escape
from urllib.parse import parse_qs, urlsplit

from markdown_it.token import Token

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_URL = re.compile(r"https?://[^\s<>\"']+")
_provided: ContextVar[Mapping[str, Mapping[str, str]]] = ContextVar("link_cards", default={})


@contextmanager
def provided_link_cards(cards: Mapping[str, Mapping[str, str]]) -> Iterator[None]:
    """Make ``cards`` (URL → title/description/image) the link cards of renders in this block."""
    token = _provided.set(cards)
    try:
        yield
    finally:
        _provided.reset(token)


def youtube_id(url: str) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    candidate = None
    if host == "youtu.be":
        candidate = parts.path.strip("/").split("/")[0]
    elif host in {"youtube.com", "youtube-nocookie.com"}:
        if parts.path == "/watch":
            candidate = (parse_qs(parts.query).get("v") or [""])[0]
        elif parts.path.startswith(("/embed/", "/shorts/", "/live/")):
            candidate = parts.path.split("/")[2]
    return candidate if candidate and _YOUTUBE_ID.fullmatch(candidate) else None


def _card(kind: str, url: str, title: str, meta: str, description: str = "", image: str = "") -> str:
    image_html = (
        f'<img class="card-image" src="{escape(image)}" alt="" loading="lazy">' if image else ""
    )
    description_html = f'<span class="card-description">{escape(description)}</span>' if description else ""
    return (
        f'<div class="embed-card embed-{kind}"><a class="card-link" href="{escape(url)}">'
        f'<span class="card-body"><span class="card-title">{escape(title)}</span>'
        f'{description_html}<span class="card-meta">{escape(meta)}</span></span>'
        f"{image_html}</a></div>\n"
    )


def _safe_http(url: str) -> bool:
    return urlsplit(url).scheme in {"http", "https"}


def _service(url: str) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = [p for p in parts.path.split("/") if p]
    if youtube_id(url):
        return "youtube"
    if host in {"twitter.com", "x.com", "mobile.twitter.com"} and len(path) >= 3 and path[1] == "status":
        return "x"
    if host == "github.com" and len(path) >= 2:
        return "github"
    if host == "speakerdeck.com" and len(path) >= 2:
        return "speakerdeck"
    return None


def needs_link_card(url: str) -> bool:
    """Whether ``url`` alone on a line is shown with fetched page data (not a known service)."""
    return _service(url) is None and _URL.fullmatch(url) is not None


def bare_urls(md, source: str) -> list[str]:
    """The URLs that stand alone on a line in ``source`` (parsed, not rendered)."""
    if "http" not in source and "&" not in source:
        # every such URL starts with http(s)://, spelled out or through an entity: nothing to parse for
        return []
    env: dict = {}
    md.parse(source, env)
    return env.get("embedded_urls", [])


def render_embed(url: str, link_cards) -> str:
    parts = urlsplit(url)
    path = [p for p in parts.path.split("/") if p]
    service = _service(url)
    if service == "youtube":
        video = youtube_id(url)
        return (
            f'<div class="embed-youtube"><a class="youtube-facade" href="https://www.youtube.com/watch?v={video}" '
            f'aria-label="YouTube 動画を再生">'
            f'<img src="https://i.ytimg.com/vi/{video}/hqdefault.jpg" alt="YouTube 動画のサムネイル" '
            f'width="480" height="360" loading="lazy">'
            f'<span class="youtube-play" aria-hidden="true"></span></a></div>\n'
        )
    if service == "x":
        return _card("x", url, f"@{path[0]} さんの投稿", "X（旧Twitter）")
    if service == "github":
        return _card("github", url, "/".join(path[:2]), "GitHub", "/".join(path[2:]))
    if service == "speakerdeck":
        return _card("speakerdeck", url, path[1], f"Speaker Deck · {path[0]}")
    data = link_cards.get(url) or {}
    image = data.get("image") or ""
    return _card(
        "link",
        url,
        data.get("title") or url,
        parts.hostname or url,
        data.get("description") or "",
        image if _safe_http(image) else "",
    )


def _bare_url(inline: Token) -> str | None:
    kids = inline.children or []
    if len(kids) == 1 and kids[0].type == "text" and _URL.fullmatch(kids[0].content.strip()):
        return kids[0].content.strip()
    if (
        len(kids) == 3
        and kids[0].type == "link_open"
        and kids[0].markup == "linkify"  # a bare URL, not a <…> autolink or [text](url)
        and kids[2].type == "link_close"
        and kids[1].type == "text"
        and kids[1].content == kids[0].attrGet("href")
    ):
        href = str(kids[0].attrGet("href"))
        return href if _URL.fullmatch(href) else None
    return None


def embeds_plugin(md, link_cards) -> None:
    def replace_bare_urls(state) -> None:
        tokens = state.tokens
        i = 0
        while i < len(tokens) - 2:
            opening, inline, closing = tokens[i : i + 3]
            if (
                opening.type == "paragraph_open"
                and not opening.hidden
                and closing.type == "paragraph_close"
                and (url := _bare_url(inline))
            ):
                embed = Token("embed", "", 0, content=url, block=True, map=opening.map)
                tokens[i : i + 3] = [embed]
                state.env.setdefault("embedded_urls", []).append(url)
            i += 1

    def render(self, tokens, idx, options, env):
        return render_embed(tokens[idx].content, _provided.get() if link_cards is None else link_cards)

    md.core.ruler.push("embeds", replace_bare_urls)
    md.add_render_rule("embed", render)
