"""Link cards are fetched at save time from public addresses only, and stored by URL.

A local ``http.server`` on 127.0.0.1 stands in for the web; tests that fetch from it turn on
``LINK_CARD_ALLOW_PRIVATE``, and the refusal tests leave it off.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest

from blog import linkcards
from blog.models import LinkCard

PAGES = {
    "/article": (200, "text/html; charset=utf-8", """<html><head><title>タグのタイトル</title>
        <meta property="og:title" content="OGタイトル：生成AIの今">
        <meta property="og:description" content="  日本語の説明文です。 ">
        <meta property="og:image" content="/og.png"></head><body>本文</body></html>"""),
    "/hostile": (200, "text/html", """<title>x</title>
        <meta property="og:title" content='"><script>alert(1)</script>'>
        <meta property="og:description" content="<img src=x onerror=alert(2)>">
        <meta property="og:image" content="javascript:alert(3)">"""),
    "/plain-title": (200, "text/html", "<title> タイトルだけ </title>"),
    "/image.png": (200, "image/png", "PNG"),
    "/missing": (404, "text/html", "not found"),
    "/huge": (200, "text/html", "<title>大きい</title>" + "あ" * (linkcards.MAX_BYTES // 3 + 10)),
}


class Handler(BaseHTTPRequestHandler):
    redirect_to = ""

    def do_GET(self):
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", self.server.redirect_to)
            self.end_headers()
            return
        status, content_type, body = PAGES.get(self.path, (404, "text/html", ""))
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.redirect_to = ""
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def allow_private(settings):
    settings.LINK_CARD_ALLOW_PRIVATE = True
    settings.LINK_CARD_FETCH = True


def test_open_graph_title_description_and_absolute_image_are_read(server, allow_private):
    _, base = server
    card = linkcards.fetch_card(base + "/article")
    assert card == {"title": "OGタイトル：生成AIの今", "description": "日本語の説明文です。", "image": base + "/og.png"}


def test_page_title_is_used_without_open_graph(server, allow_private):
    assert linkcards.fetch_card(server[1] + "/plain-title")["title"] == "タイトルだけ"


def test_hostile_values_are_kept_as_text_and_script_images_dropped(server, allow_private):
    card = linkcards.fetch_card(server[1] + "/hostile")
    assert card["title"] == '"><script>alert(1)</script>'  # escaped when rendered (test_dialect)
    assert card["image"] == ""


@pytest.mark.parametrize("path", ["/missing", "/image.png", "/huge"])
def test_errors_non_html_and_oversized_pages_give_no_card(server, allow_private, path):
    assert linkcards.fetch_card(server[1] + path) is None


def test_loopback_is_refused_without_the_test_setting(server):
    with pytest.raises(linkcards.FetchRefused, match="公開されていないアドレス"):
        linkcards.fetch_html(server[1] + "/article")
    assert linkcards.fetch_card(server[1] + "/article") is None


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.0.0.5", "192.168.1.1", "172.16.0.1", "169.254.169.254", "::1", "fc00::1", "0.0.0.0", "100.64.0.1"]
)
def test_hosts_resolving_to_non_public_addresses_are_refused(address):
    family = 10 if ":" in address else 2
    fake = [(family, 1, 6, "", (address, 80))]
    with mock.patch("socket.getaddrinfo", return_value=fake):
        with pytest.raises(linkcards.FetchRefused):
            linkcards.fetch_html("http://innocent.example/")


def test_a_redirect_to_a_private_address_is_refused(server, settings):
    httpd, base = server
    httpd.redirect_to = "http://10.0.0.1/secret"
    real = linkcards.socket.getaddrinfo
    real_connection = linkcards._PinnedHTTPConnection

    def resolve(host, port, *args, **kw):
        # The first hop resolves "public" (really our local server); the redirect target is checked for real.
        if host == "public.example":
            return [(2, 1, 6, "", ("93.184.216.34", port))]
        return real(host, port, *args, **kw)

    with mock.patch.object(linkcards, "_PinnedHTTPConnection") as conn:
        conn.side_effect = lambda host, address, **kw: real_connection(
            host, "127.0.0.1", **{**kw, "port": httpd.server_address[1]}
        )
        with mock.patch("socket.getaddrinfo", side_effect=resolve):
            with pytest.raises(linkcards.FetchRefused, match="10.0.0.1"):
                linkcards.fetch_html("http://public.example/redirect")
        assert conn.call_count == 1


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/", "javascript:alert(1)"])
def test_non_http_urls_are_refused(url):
    with pytest.raises(linkcards.FetchRefused):
        linkcards.fetch_html(url)


@pytest.mark.django_db
def test_cards_are_fetched_once_and_stored_by_url(server, allow_private):
    url = server[1] + "/article"
    first = linkcards.cards_for([url, "https://github.com/a/b"])
    assert first[url]["title"] == "OGタイトル：生成AIの今"
    assert list(LinkCard.objects.values_list("url", flat=True)) == [url]  # known services need no fetch
    with mock.patch.object(linkcards, "fetch_card") as fetch:
        assert linkcards.cards_for([url]) == first
    fetch.assert_not_called()


@pytest.mark.django_db
def test_a_failed_fetch_is_stored_and_renders_the_domain_card(server, allow_private):
    url = server[1] + "/missing"
    assert linkcards.cards_for([url]) == {}
    assert LinkCard.objects.get(url=url).is_fetched is False


@pytest.mark.django_db
def test_saving_an_article_never_fetches_a_task_does_and_renders_the_card(server, allow_private, django_capture_on_commit_callbacks):
    from tests.factories import make_article

    url = server[1] + "/article"
    with mock.patch.object(linkcards, "fetch_card", wraps=linkcards.fetch_card) as fetch:
        with django_capture_on_commit_callbacks() as callbacks:
            article = make_article(body=f"紹介します。\n\n{url}\n\n以上です。")
        # The save rendered the domain card and fetched nothing; the fetch waits for the commit.
        fetch.assert_not_called()
        assert '<span class="card-meta">127.0.0.1</span>' in article.body_html
        assert not LinkCard.objects.exists()
        for callback in callbacks:
            callback()  # the commit: the task runs (the immediate backend of the tests)
        fetch.assert_called_once_with(url)
    article.refresh_from_db()
    assert '<span class="card-title">OGタイトル：生成AIの今</span>' in article.body_html
    assert LinkCard.objects.filter(url=url, is_fetched=True).exists()


@pytest.mark.django_db
def test_a_url_whose_card_is_stored_or_failed_enqueues_no_fetch(server, allow_private):
    from tests.factories import make_article

    good, missing = server[1] + "/article", server[1] + "/missing"
    linkcards.cards_for([good, missing])  # one card stored, one fetch failed (stored as such)
    with mock.patch.object(linkcards, "enqueue_on_commit") as enqueue:
        article = make_article(body=f"{good}\n\n{missing}\n")
        enqueue.assert_not_called()
        make_article(body=server[1] + "/plain-title\n")  # never fetched: asked for
        enqueue.assert_called_once()
    assert '<span class="card-title">OGタイトル：生成AIの今</span>' in article.body_html


@pytest.mark.django_db
def test_without_fetching_an_article_renders_the_domain_card(server):
    from tests.factories import make_article

    article = make_article(body=server[1] + "/article\n")
    assert '<span class="card-meta">127.0.0.1</span>' in article.body_html
    assert not LinkCard.objects.exists()


@pytest.mark.django_db
def test_with_the_worker_the_card_is_a_queued_task_named_in_the_admin(server, allow_private, settings, client, django_capture_on_commit_callbacks):
    from django.core.management import call_command
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult

    from tests.factories import make_article, make_user

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    url = server[1] + "/article"
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(body=f"{url}\n")
    queued = DBTaskResult.objects.get(task_path="blog.linkcards.fetch_link_cards")
    assert queued.args_kwargs["args"] == [article.pk]
    client.force_login(make_user("root", is_superuser=True))
    listing = client.get(reverse("admin:editorial_backgroundtask_changelist")).content.decode()
    assert "リンクカードの取得" in listing and f"記事 #{article.pk}" in listing
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    article.refresh_from_db()
    assert '<span class="card-title">OGタイトル：生成AIの今</span>' in article.body_html
