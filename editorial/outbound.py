"""POST to an address staff typed in, without letting it reach inside our network (SSRF).

An endpoint's address is checked twice: when it is saved (``check_url``, the admin form) and at
every delivery (``post``), after resolving its host name — a name that pointed outside when it
was saved can point at 127.0.0.1 by the time it is used. ``post`` then connects to the very
address it checked (no second lookup a DNS answer could change in between), sends the host name
for TLS (SNI and certificate check) and in ``Host``, and follows no redirect.

Refused: every address that is not globally routable — loopback, private (10/8, 172.16/12,
192.168/16, fc00::/7), link-local (169.254/16 with the cloud metadata service, fe80::/10),
multicast, reserved, unspecified, shared (100.64/10) and the documentation ranges — in IPv4 and
IPv6, an IPv4-mapped IPv6 address judged as the IPv4 address it carries. Only ``https``, except
with ``DEBUG`` or ``WEBHOOK_ALLOW_PRIVATE`` (``DJANGO_WEBHOOK_ALLOW_PRIVATE=1``, for tests and
a receiver on the same machine), which also lifts the address rule.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class UnsafeURL(ValueError):
    """The address may not be sent to; the message says why, in Japanese."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    duration_ms: int


def allow_private() -> bool:
    return bool(settings.WEBHOOK_ALLOW_PRIVATE)


def is_forbidden_address(address: str) -> bool:
    """Whether ``address`` (an IPv4 or IPv6 literal) is one we never connect to."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (ip.version == 6 and ip.is_site_local)
        or not ip.is_global
    )


def _split(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    allowed = {"https", "http"} if settings.DEBUG or allow_private() else {"https"}
    if parts.scheme not in allowed:
        raise UnsafeURL(_("送信先は https:// で始まるURLにしてください。"))
    if not parts.hostname:
        raise UnsafeURL(_("送信先URLにホスト名がありません。"))
    if parts.username or parts.password:
        raise UnsafeURL(_("送信先URLにユーザー名やパスワードは含められません。"))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL(_("送信先URLのポート番号が正しくありません。")) from None
    return parts.scheme, parts.hostname, port


def resolve(host: str, port: int) -> list[tuple]:
    """``getaddrinfo`` results for a TCP connection to ``host``, every address checked.

    Raises ``UnsafeURL`` when the name does not resolve or when any address it resolves to is
    forbidden: one bad answer among good ones is still a name that can lead inside.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(_("ホスト名「%(host)s」のアドレスが見つかりません。") % {"host": host}) from None
    if not allow_private():
        for *_rest, sockaddr in infos:
            if is_forbidden_address(sockaddr[0]):
                raise UnsafeURL(
                    _("「%(host)s」は社内・ローカルのアドレス（%(address)s）を指しているため送信できません。")
                    % {"host": host, "address": sockaddr[0]}
                )
    return infos


def check_url(url: str) -> None:
    """Raise ``UnsafeURL`` unless ``url`` may be sent to now (scheme, and every address its host resolves to)."""
    _scheme, host, port = _split(url)
    resolve(host, port)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, infos, **kwargs):
        super().__init__(host, port, **kwargs)
        self._infos = infos

    def _connect_pinned(self) -> socket.socket:
        last_error = None
        for family, type_, proto, _canonname, sockaddr in self._infos:
            sock = socket.socket(family, type_, proto)
            sock.settimeout(self.timeout)
            try:
                sock.connect(sockaddr)
                return sock
            except OSError as error:
                sock.close()
                last_error = error
        raise last_error or OSError("no address")

    def connect(self):
        self.sock = self._connect_pinned()


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    def __init__(self, host, port, infos, *, context: ssl.SSLContext, **kwargs):
        super().__init__(host, port, infos, **kwargs)
        self._context = context

    def connect(self):
        self.sock = self._context.wrap_socket(self._connect_pinned(), server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, excerpt_bytes: int = 2048) -> Response:
    """POST ``body`` to ``url`` after the checks above; the answer's status and first bytes.

    Raises ``UnsafeURL`` for a refused address and ``OSError`` (timeouts included) or
    ``http.client.HTTPException`` when the exchange fails. A redirect is returned as it is,
    never followed.
    """
    scheme, host, port = _split(url)
    infos = resolve(host, port)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if scheme == "https":
        connection = _PinnedHTTPSConnection(host, port, infos, context=ssl.create_default_context(), timeout=timeout)
    else:
        connection = _PinnedHTTPConnection(host, port, infos, timeout=timeout)
    started = time.monotonic()
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(excerpt_bytes)
    finally:
        connection.close()
    return Response(response.status, excerpt, round((time.monotonic() - started) * 1000))
