"""Fetch a linked page's title, description and image for its link card, safely.

Fetched by a background task (``fetch_link_cards``), never while saving or serving: a save
renders with the cards already stored and, when a URL has none yet, enqueues the task once the
save is committed; the task fetches and stores the cards, then renders the article again. The fetch refuses any
host that resolves to a non-public address (loopback, private, link-local, reserved,
multicast), connects to the address it checked (no second DNS lookup an attacker could
answer differently), re-checks every redirect, and gives up after a short timeout or a small
body. ``LINK_CARD_ALLOW_PRIVATE`` lifts the address check for tests against a local server;
``LINK_CARD_FETCH = False`` (the test settings) uses stored cards only and never fetches.
"""

import http.client
from contextlib import contextmanager
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from config.tasks import enqueue_on_commit, retrying_task

TIMEOUT = 3.0
MAX_BYTES = 512 * 1024
MAX_REDIRECTS = 3
USER_AGENT = "ALLFORCES-LinkCard/1.0 (+https://allforces.example/)"


class FetchRefused(Exception):
    """The URL is not one we fetch (scheme, address, size, status)."""


def _public_address(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchRefused(f"名前解決できません: {host}") from exc
    addresses = [info[4][0] for info in infos]
    allow_private = getattr(settings, "LINK_CARD_ALLOW_PRIVATE", False)
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not allow_private and not ip.is_global:
            raise FetchRefused(f"公開されていないアドレスです: {host} → {ip}")
        if ip.is_multicast or ip.is_unspecified:
            raise FetchRefused(f"接続できないアドレスです: {ip}")
    return addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, address, **kw):
        super().__init__(host, **kw)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, address, **kw):
        super().__init__(host, **kw)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def fetch_html(url: str) -> tuple[str, str]:
    """Return (final URL, HTML text) of ``url``; raise ``FetchRefused`` or ``OSError``."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise FetchRefused(f"http(s) の URL ではありません: {url}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = _public_address(parts.hostname, port)
        if parts.scheme == "https":
            conn = _PinnedHTTPSConnection(parts.hostname, address, port=port, timeout=TIMEOUT,
                                          context=ssl.create_default_context())
        else:
            conn = _PinnedHTTPConnection(parts.hostname, address, port=port, timeout=TIMEOUT)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/html"})
            response = conn.getresponse()
            if response.status in {301, 302, 303, 307, 308}:
                url = urljoin(url, response.getheader("Location") or "")
                continue
            if response.status != 200:
                raise FetchRefused(f"HTTP {response.status}")
            if "html" not in (response.getheader("Content-Type") or "").lower():
                raise FetchRefused("HTML ではありません")
            body = response.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise FetchRefused("ページが大きすぎます")
            charset = response.headers.get_content_charset() or "utf-8"
            return url, body.decode(charset, errors="replace")
        finally:
            conn.close()
    raise FetchRefused("リダイレクトが多すぎます")


class _MetaParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or "").lower()
            if key in {"og:title", "og:description", "og:image", "description", "twitter:image"}:
                self.meta.setdefault(key, attrs.get("content", ""))
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _clean(value: str, limit: int) -> str:
    return " ".join(value.split())[:limit]


def parse_card(base_url: str, page: str) -> dict[str, str]:
    parser = _MetaParser()
    parser.feed(page)
    image = parser.meta.get("og:image") or parser.meta.get("twitter:image") or ""
    image = urljoin(base_url, image.strip()) if image else ""
    if urlsplit(image).scheme not in {"http", "https"}:
        image = ""
    return {
        "title": _clean(parser.meta.get("og:title") or parser.title, 300),
        "description": _clean(parser.meta.get("og:description") or parser.meta.get("description", ""), 500),
        "image": image[:2000],
    }


def fetch_card(url: str) -> dict[str, str] | None:
    """The card data of ``url``, or None when it cannot be fetched safely."""
    try:
        final_url, page = fetch_html(url)
    except (FetchRefused, OSError, http.client.HTTPException, ValueError):
        return None
    return parse_card(final_url, page)


def cards_for(urls: Iterable[str]) -> dict[str, dict[str, str]]:
    """Card data for ``urls``: stored cards as they are, missing ones fetched and stored."""
    from .dialect.embeds import needs_link_card
    from .models import LinkCard

    wanted = {url for url in urls if needs_link_card(url)}
    if not wanted:
        return {}
    stored = {card.url: card for card in LinkCard.objects.filter(url__in=wanted)}
    if not getattr(settings, "LINK_CARD_FETCH", True):
        wanted = set()
    for url in wanted - stored.keys():
        data = fetch_card(url)
        card, _ = LinkCard.objects.update_or_create(
            url=url,
            defaults={
                "title": (data or {}).get("title", ""),
                "description": (data or {}).get("description", ""),
                "image_url": (data or {}).get("image", ""),
                "is_fetched": data is not None,
            },
        )
        stored[url] = card
    return {url: card.as_card() for url, card in stored.items() if card.is_fetched}


def stored_cards(urls: Iterable[str]) -> tuple[dict[str, dict[str, str]], set[str]]:
    """Card data of ``urls`` already stored, and the URLs that need a card and have none yet
    (never fetched: a fetch that failed is stored too, and not tried again)."""
    from .dialect.embeds import needs_link_card
    from .models import LinkCard

    wanted = {url for url in urls if needs_link_card(url)}
    if not wanted:
        return {}, set()
    stored = {card.url: card for card in LinkCard.objects.filter(url__in=wanted)}
    return {url: card.as_card() for url, card in stored.items() if card.is_fetched}, wanted - stored.keys()


@contextmanager
def link_cards_for(source: str, article=None):
    """Provide the stored link cards ``source`` needs to the renders inside; when some are
    missing, note it on ``article`` (``Article.save`` then enqueues ``fetch_link_cards``)."""
    from .dialect.embeds import bare_urls, provided_link_cards
    from .markdown.pipeline import parser

    cards, missing = stored_cards(bare_urls(parser(), source))
    if article is not None:
        article._link_cards_missing = bool(missing) and getattr(settings, "LINK_CARD_FETCH", True)
    with provided_link_cards(cards):
        yield


def link_cards_wanted(article) -> None:
    """Enqueue ``fetch_link_cards`` for ``article`` once its save is committed, if its last
    render lacked a card."""
    if getattr(article, "_link_cards_missing", False):
        article._link_cards_missing = False
        enqueue_on_commit(fetch_link_cards, article.pk)


@retrying_task
def fetch_link_cards(article_id: int) -> int:
    """Fetch and store the missing link cards of article ``article_id``, then render it again
    with them (a partial save of its derived fields). Returns how many cards were fetched."""
    from .dialect.embeds import bare_urls
    from .markdown.pipeline import parser
    from .models import Article

    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return 0
    urls = bare_urls(parser(), article.body)
    _, missing = stored_cards(urls)
    if not missing:
        return 0
    cards_for(missing)
    article.render()
    article.save(update_fields=list(Article.DERIVED_FIELDS))
    return len(missing)
