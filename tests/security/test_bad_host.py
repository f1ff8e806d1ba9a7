"""A request for a host the site does not serve is a plain 400, and every error page renders
for a request nothing has been learnt about (no ``request.user``)."""

import logging

import pytest
from django.test import Client, RequestFactory, override_settings
from django.views import defaults

from config import views as config_views
from config.middleware import database_unavailable_response

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/feed/", "/feed", "/存在しない/", "/admin/login/", "/search/?q=AI"])
@pytest.mark.parametrize("host", ["evil.example", "testserver.evil.example", "bad host", "[::1"])
def test_unknown_host_is_a_400_without_a_traceback(caplog, path, host):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 400
    assert "リクエストが正しくありません" in response.content.decode()
    assert "ALLFORCES" in response.content.decode()  # the site's own page, not a bare error
    assert all(record.exc_info is None for record in caplog.records)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@override_settings(SECURE_SSL_REDIRECT=True)
def test_unknown_host_is_refused_before_the_https_redirect_reads_it(caplog):
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Location" not in response


def bare_request(path="/"):
    """A request as the first middleware sees it: no user, no session, no messages."""
    request = RequestFactory().get(path)
    assert not hasattr(request, "user")
    return request


@pytest.mark.parametrize(
    "render",
    [
        lambda request: defaults.bad_request(request, Exception()),
        lambda request: defaults.permission_denied(request, Exception()),
        lambda request: defaults.page_not_found(request, Exception()),
        lambda request: config_views.server_error(request),
        database_unavailable_response,
    ],
    ids=["400", "403", "404", "500", "503"],
)
def test_every_error_page_renders_without_a_user(render):
    response = render(bare_request())
    assert response.status_code in {400, 403, 404, 500, 503}
    body = response.content.decode()
    assert "ALLFORCES" in body and "<html" in body


def test_only_the_health_check_itself_skips_host_validation(caplog):
    response = Client(raise_request_exception=False).post("/healthz", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert all(record.exc_info is None for record in caplog.records)
