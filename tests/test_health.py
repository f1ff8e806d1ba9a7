import json
import time
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_json_quickly():
    started = time.monotonic()
    response = Client().get("/healthz")
    assert time.monotonic() - started < 1
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["status"] == "ok" and body["database"] == "ok" and body["cache"] == "local"
    assert response["Cache-Control"] == "no-store"


def test_healthz_needs_no_allowed_host_and_no_https(settings):
    settings.ALLOWED_HOSTS = ["www.allforces.example"]
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200


def test_healthz_answers_503_when_the_database_does_not():
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "unavailable"
    assert Client().get("/healthz").status_code == 200


def test_healthz_answers_503_when_the_configured_cache_does_not(settings, closed_port):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["cache"] == "unavailable" and body["database"] == "ok"
