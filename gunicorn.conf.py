"""gunicorn settings for production (Docker, `make serve`, `make bench`), from the environment.

GUNICORN_BIND     where to listen (default 127.0.0.1:8000; the Docker image sets 0.0.0.0:8000)
WEB_CONCURRENCY   worker processes (default 2: one per core on a 2-core machine)
GUNICORN_THREADS  threads per worker (default 1)
GUNICORN_TIMEOUT  seconds before a stuck worker is restarted (default 30)
GUNICORN_CONTROL_SOCKET  path of gunicorn's control socket (gunicorn >= 25.1; off unless set)
"""

import os

from gunicorn.config import KNOWN_SETTINGS

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that slow leaks cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Heartbeat files in memory, not on a (possibly slow, overlay) disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a load balancer: trust its X-Forwarded-* headers (Django decides with SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "allforces"
# gunicorn >= 25.1 opens a control socket under $HOME by default; the image's /app is read-only
# to its user, so it stays off unless a writable path is given. Older gunicorns lack the setting.
if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
    control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
    if not control_socket_disable:
        control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]


def on_starting(server):
    """Refuse to start half-configured: the same errors as ``manage.py check --deploy`` (config/checks.py)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from config.checks import half_configured

    if errors := half_configured():
        lines = [f"{error.msg} {error.hint}" for error in errors]
        raise SystemExit("ALLFORCES will not start in production mode:\n" + "\n".join(lines))
