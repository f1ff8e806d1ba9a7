"""gunicorn settings for production (Docker, `make serve`, `make bench`), from the environment.

GUNICORN_BIND     where to listen (default 127.0.0.1:8000; the Docker image sets 0.0.0.0:8000)
WEB_CONCURRENCY   worker processes (default 2: one per core on a 2-core machine)
GUNICORN_THREADS  threads per worker (default 1)
GUNICORN_TIMEOUT  seconds before a stuck worker is restarted (default 30)
"""

import os

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


def on_starting(server):
    """Refuse to start half-configured: the same errors as ``manage.py check --deploy`` (config/checks.py)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from config.checks import half_configured

    if errors := half_configured():
        lines = [f"{error.msg} {error.hint}" for error in errors]
        raise SystemExit("ALLFORCES will not start in production mode:\n" + "\n".join(lines))
