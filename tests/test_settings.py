import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_production_without_a_secret_key_refuses_to_start():
    result = run_check(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_mode_starts_without_a_secret_key():
    result = run_check(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_settings_are_japanese_and_time_zone_aware(settings):
    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert settings.USE_TZ is True


def test_an_api_cors_origin_with_a_path_refuses_to_start():
    result = run_check(DJANGO_DEBUG="1", DJANGO_API_CORS_ORIGINS="https://app.example/, https://ok.example")
    assert result.returncode != 0
    assert "DJANGO_API_CORS_ORIGINS" in result.stderr and "https://app.example/" in result.stderr


def test_api_cors_origins_are_read_as_a_list():
    result = run_check(DJANGO_DEBUG="1", DJANGO_API_CORS_ORIGINS="https://app.example, http://localhost:3000")
    assert result.returncode == 0, result.stderr
