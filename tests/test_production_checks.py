"""Production refuses to start half-configured, naming each missing variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPLETE = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "test-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_ALLOWED_HOSTS": "allforces.example",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DATABASE_URL": "sqlite:///" + str(ROOT / "never-created.sqlite3"),
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "DJANGO_SITE_URL": "https://allforces.example",
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def env_with(**changes):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(COMPLETE)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(args, env):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def deploy_check(**changes):
    return run(["manage.py", "check", "--deploy", "--fail-level", "ERROR"], env_with(**changes))


def test_a_complete_production_environment_passes():
    result = deploy_check()
    assert "allforces.E00" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "changes, variable",
    [
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"REDIS_URL": None}, "REDIS_URL"),
        ({"DJANGO_SITE_URL": None}, "DJANGO_SITE_URL"),
        ({"DJANGO_EMAIL_BACKEND": None}, "DJANGO_EMAIL_BACKEND"),
        ({"DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}, "DJANGO_EMAIL_BACKEND"),
        ({"DJANGO_WEBHOOK_ALLOW_PRIVATE": "1"}, "DJANGO_WEBHOOK_ALLOW_PRIVATE"),
    ],
)
def test_check_deploy_fails_naming_the_missing_variable(changes, variable):
    result = deploy_check(**changes)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    errors = [line for line in output.splitlines() if "allforces.E00" in line]
    assert len(errors) == 1 and variable in errors[0]


def test_the_local_opt_in_accepts_the_fallbacks():
    result = deploy_check(DATABASE_URL=None, REDIS_URL=None, DJANGO_SITE_URL=None, DJANGO_EMAIL_BACKEND=None, DJANGO_ALLOW_LOCAL_SERVICES="1")
    assert "allforces.E00" not in result.stdout + result.stderr


def test_development_needs_none_of_them():
    result = deploy_check(DJANGO_DEBUG="1", DATABASE_URL=None, REDIS_URL=None, DJANGO_SITE_URL=None, DJANGO_EMAIL_BACKEND=None)
    assert "allforces.E00" not in result.stdout + result.stderr


def test_gunicorn_refuses_to_start_half_configured():
    env = env_with(REDIS_URL=None, DJANGO_SITE_URL=None, GUNICORN_BIND="127.0.0.1:0")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py", "config.wsgi:application"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "REDIS_URL is not set" in result.stderr and "DJANGO_SITE_URL is not set" in result.stderr
    assert "Booting worker" not in result.stderr
