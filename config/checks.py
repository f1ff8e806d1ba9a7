"""Production refuses to start half-configured.

With ``DEBUG`` off, a missing database, cache, site address or real e-mail backend does not
silently fall back to SQLite, a per-process cache, relative links or a console that loses every
notification: ``manage.py check --deploy`` reports an error naming the variable, and gunicorn
(``gunicorn.conf.py``) runs the same check before it starts. ``DJANGO_ALLOW_LOCAL_SERVICES=1``
accepts the local fallbacks on purpose (``make serve`` and the benchmarks on one machine).
"""

import os
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

LOCAL_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


def half_configured() -> list[Error]:
    """The production settings that are missing, one error per environment variable."""
    if settings.DEBUG or os.environ.get("DJANGO_ALLOW_LOCAL_SERVICES", "").strip().lower() in {"1", "true", "yes", "on"}:
        return []
    errors = []
    if not os.environ.get("DATABASE_URL", "").strip():
        errors.append(Error(
            "DATABASE_URL is not set: production would run on a local SQLite file.",
            hint="Set DATABASE_URL=postgres://user:password@host:5432/allforces.",
            id="allforces.E001",
        ))  # fmt: skip
    if not os.environ.get("REDIS_URL", "").strip():
        errors.append(Error(
            "REDIS_URL is not set: each gunicorn worker would keep its own cache and serve stale pages.",
            hint="Set REDIS_URL=redis://host:6379/0.",
            id="allforces.E002",
        ))  # fmt: skip
    if not os.environ.get("DJANGO_SITE_URL", "").strip():
        errors.append(Error(
            "DJANGO_SITE_URL is not set: e-mails and feeds would carry relative links.",
            hint="Set DJANGO_SITE_URL=https://your-domain.example.",
            id="allforces.E003",
        ))  # fmt: skip
    if settings.EMAIL_BACKEND in LOCAL_EMAIL_BACKENDS:
        errors.append(Error(
            f"DJANGO_EMAIL_BACKEND is {settings.EMAIL_BACKEND}: every workflow notification would be lost.",
            hint="Set DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and DJANGO_EMAIL_HOST.",
            id="allforces.E004",
        ))  # fmt: skip
    if settings.TASKS_BACKEND == "immediate":
        errors.append(Error(
            "DJANGO_TASKS_BACKEND is immediate: e-mails and WebSub pings would run inside web requests, without retries.",
            hint="Unset DJANGO_TASKS_BACKEND (the database backend is the default) and run `manage.py db_worker`.",
            id="allforces.E005",
        ))  # fmt: skip
    if settings.WEBHOOK_ALLOW_PRIVATE:
        errors.append(Error(
            "DJANGO_WEBHOOK_ALLOW_PRIVATE is on: webhooks could be sent to the database, Redis or the cloud metadata service.",
            hint="Unset DJANGO_WEBHOOK_ALLOW_PRIVATE; it is for tests and a receiver on the same machine.",
            id="allforces.E008",
        ))  # fmt: skip
    return errors


def websub_misconfigured() -> list[Error]:
    """A hub needs absolute feed addresses, and is reached over HTTP(S) only."""
    if not settings.WEBSUB_HUB:
        return []
    errors = []
    if urlsplit(settings.WEBSUB_HUB).scheme not in {"http", "https"} or not urlsplit(settings.WEBSUB_HUB).netloc:
        errors.append(Error(
            f"DJANGO_WEBSUB_HUB is not an http(s) URL: {settings.WEBSUB_HUB!r}.",
            hint="Set DJANGO_WEBSUB_HUB=https://hub.example/ or leave it empty.",
            id="allforces.E006",
        ))  # fmt: skip
    if not settings.SITE_URL:
        errors.append(Error(
            "DJANGO_WEBSUB_HUB is set but DJANGO_SITE_URL is not: the hub would be told no feed address.",
            hint="Set DJANGO_SITE_URL=https://your-domain.example.",
            id="allforces.E007",
        ))  # fmt: skip
    return errors


@register(Tags.compatibility)
def check_websub(app_configs, **kwargs):
    return websub_misconfigured()


@register(Tags.compatibility, deploy=True)
def check_production_services(app_configs, **kwargs):
    return half_configured()
