"""Site-wide middleware: health check, Content-Security-Policy, read replicas, database outages."""

import json
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseBadRequest
from django.template import loader

from config import routers

logger = logging.getLogger("config.middleware")

# An outage (refused, dropped or timed-out connection), as opposed to a bug in a query.
DATABASE_OUTAGE_ERRORS = (OperationalError, InterfaceError)

HEALTHZ_PATHS = {"/healthz", "/healthz/"}


def client_address(request) -> str:
    """The client's address: the socket peer, or the entry that the trusted proxies added."""
    if settings.NUM_PROXIES > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= settings.NUM_PROXIES:
            return forwarded[-settings.NUM_PROXIES]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except DatabaseError as error:
        # The broken connection is dropped at the end of the request (close_old_connections),
        # so the next check reconnects.
        logger.warning("Health check: database unavailable: %s", error)
        return False


def check_cache() -> bool | None:
    """``None`` when there is no shared cache to check (local memory)."""
    ping = getattr(cache, "ping", None)
    if ping is None:
        return None
    try:
        return ping()
    except Exception as error:  # any client error means "not answering"
        logger.warning("Health check: cache unavailable: %s", error)
        return False


def bad_request_response() -> HttpResponse:
    """The Japanese 400 page, rendered from settings alone: nothing about the request is trusted."""
    context = {"site_name": settings.SITE_NAME, "site_tagline": settings.SITE_TAGLINE}
    response = HttpResponseBadRequest(loader.render_to_string("400.html", context))
    response["Cache-Control"] = "no-store"
    return response


class AllowedHostMiddleware:
    """Answer a request for a host not in ``ALLOWED_HOSTS`` with a 400 before anything else runs.

    First in the stack, so no other middleware (the HTTPS redirect, sessions, the page cache) and
    no context processor ever sees a Host it cannot use. Such requests are routine scanner noise:
    one warning line each, without a traceback. ``/healthz`` stays exempt (load balancers probe
    it by address).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path not in HEALTHZ_PATHS or request.method not in ("GET", "HEAD"):
            try:
                request.get_host()
            except DisallowedHost:
                logger.warning("Refused a request for a host not in ALLOWED_HOSTS: %.100r", request.META.get("HTTP_HOST", ""))
                return bad_request_response()
        return self.get_response(request)


class HealthCheckMiddleware:
    """Answer ``GET /healthz`` with a small JSON body: 200 when the database (and the
    shared cache, when configured) answer, 503 otherwise.

    Early in the stack so that load balancers and ``HEALTHCHECK`` need neither an allowed
    host name nor HTTPS (``SECURE_REDIRECT_EXEMPT``), and the answer never comes from a cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path not in HEALTHZ_PATHS or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        started = time.monotonic()
        database = check_database()
        cache_ok = check_cache()
        healthy = database and cache_ok is not False
        body = {
            "status": "ok" if healthy else "unavailable",
            "database": "ok" if database else "unavailable",
            "cache": {None: "local", True: "ok", False: "unavailable"}[cache_ok],
            "ms": round((time.monotonic() - started) * 1000, 1),
        }
        response = HttpResponse(
            json.dumps(body), content_type="application/json", status=200 if healthy else 503
        )
        response["Cache-Control"] = "no-store"
        return response


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CONTENT_SECURITY_POLICY`` unless a view chose its own policy."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class ReplicaRoutingMiddleware:
    """Anonymous GET and HEAD requests read from a replica; everything else from the primary.

    After the authentication middleware: a signed-in user's request reads the primary, and so
    does any request from a browser that sent a write a moment ago (``config/routers.py``). A
    write by a signed-in user (or one that signs in or out) sets that pin. Without
    ``DATABASE_REPLICA_URLS`` it does nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        signed_in = request.user.is_authenticated
        if request.method in ("GET", "HEAD"):
            if signed_in or routers.is_pinned(request):
                return self.get_response(request)
            with routers.reading_from(routers.choose_replica()):
                return self.get_response(request)
        response = self.get_response(request)
        if signed_in or request.user.is_authenticated:
            routers.pin(response)
        return response


def database_unavailable_response(request=None) -> HttpResponse:
    """The friendly Japanese 503. Renders without a request context: no database needed."""
    content = loader.render_to_string("503.html")
    response = HttpResponse(content, status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a database error raised by a view into a 503 page instead of a 500.

    Errors raised outside views (a session lookup, say) reach ``config.views.server_error``,
    which answers the same page. Nothing is kept: Django drops the broken connection at the
    end of the request and the next one reconnects, so the site recovers by itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_OUTAGE_ERRORS):
            logger.error("Database unavailable for %s %s: %s", request.method, request.path, exception)
            return database_unavailable_response(request)
        return None
