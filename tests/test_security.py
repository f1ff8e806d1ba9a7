"""Production mode, security headers, CSP, admin path and password hashing."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import make_article, make_user

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "kq3T9v-prod-like-secret-for-the-deploy-check-0123456789abcdefghij",
    "DJANGO_ALLOWED_HOSTS": "www.allforces.example",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    # Everything production needs (config/checks.py), so the check has nothing to refuse.
    "DATABASE_URL": "postgres://allforces@db.allforces.example:5432/allforces",
    "REDIS_URL": "redis://cache.allforces.example:6379/0",
    "DJANGO_SITE_URL": "https://www.allforces.example",
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def run_python(args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_passes_with_warnings_as_failures():
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_stops_with_a_clear_message():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}
    result = run_python(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


ADMIN_PATH_SCRIPT = """
import django
django.setup()
from django.urls import Resolver404, resolve, reverse
print(reverse("admin:index"), resolve("/newsroom-7f3a/login/").view_name)
try:
    resolve("/admin/login/")
except Resolver404:
    print("404")
"""


def test_admin_path_comes_from_the_environment():
    result = run_python(["-c", ADMIN_PATH_SCRIPT], **PRODUCTION_ENV, DJANGO_ADMIN_PATH="/newsroom-7f3a/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["/newsroom-7f3a/", "admin:login", "404"]


def test_passwords_are_hashed_with_argon2_in_production():
    import config.settings as production
    from django.contrib.auth.hashers import Argon2PasswordHasher

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("正しいパスワード", hasher.salt())
    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify("正しいパスワード", encoded) and not hasher.verify("違うパスワード", encoded)


@pytest.mark.django_db
def test_public_pages_send_the_security_headers():
    article = make_article()
    for url in ["/", article.get_absolute_url(), "/search/?q=AI", "/healthz"]:
        response = Client().get(url, secure=True)
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", url
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload", url
        assert "Content-Security-Policy" in response, url
        if url != "/healthz":
            assert response["X-Frame-Options"] == "DENY", url


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_in_production(settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/")
    assert response.status_code == 301 and response["Location"].startswith("https://")


def script_src(policy: str) -> str:
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return directives["script-src"]


@pytest.mark.django_db
def test_content_security_policy_forbids_inline_scripts_on_public_pages():
    article = make_article(tags=["生成AI"])
    for url in ["/", article.get_absolute_url(), "/tags/生成ai/", "/search/?q=AI", "/archive/", "/no-such-page/"]:
        response = Client().get(url)
        policy = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in script_src(policy) and "'unsafe-eval'" not in script_src(policy)
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def inline_scripts(html: str) -> list[str]:
    """Script elements the browser would run that have no src (data blocks excluded)."""
    tags = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    return [attrs for attrs in tags if 'type="application/ld+json"' not in attrs and 'type="application/json"' not in attrs]


@pytest.mark.django_db
def test_public_pages_and_the_admin_have_no_inline_scripts_to_break_under_the_policy():
    article = make_article()
    pages = {url: Client().get(url).content.decode() for url in ["/", article.get_absolute_url(), "/search/?q=AI"]}
    assert 'type="application/ld+json"' in pages[article.get_absolute_url()]
    staff = Client()
    staff.force_login(make_user("chief", is_superuser=True))
    for url in ["/admin/", "/admin/blog/article/", f"/admin/blog/article/{article.pk}/change/", "/admin/auth/user/"]:
        pages[url] = staff.get(url).content.decode()
    for url, html in pages.items():
        assert inline_scripts(html) == [], url
        assert not re.search(r"\son[a-z]+=\"", html), url
