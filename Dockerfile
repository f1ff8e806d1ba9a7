# ALLFORCES production image: gunicorn with the settings read from the environment.
#   docker build -t allforces .
#   docker run -e DJANGO_SECRET_KEY=... -e DJANGO_ALLOWED_HOSTS=... -e DATABASE_URL=... -e REDIS_URL=... \
#     -e DJANGO_SITE_URL=... -e DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend -e DJANGO_EMAIL_HOST=... allforces
# gunicorn refuses to start while any of these is missing (config/checks.py).
# Migrations are not run here: `docker compose run --rm migrate` (see compose.yaml).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# gettext: compilemessages at build time. Debian's version is whatever the pinned base
# image ships; pinning it here too would break the build at every Debian point release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# Dependencies first, from the project's own pyproject.toml, so code edits reuse this layer.
COPY pyproject.toml README.md ./
RUN pip install --no-compile .
COPY . .
# Build-time only: settings refuse to load in production mode without a key.
RUN mkdir -p locale \
    && DJANGO_SECRET_KEY=build-only-not-secret DJANGO_DEBUG=0 python manage.py compilemessages \
    && DJANGO_SECRET_KEY=build-only-not-secret DJANGO_DEBUG=0 python manage.py collectstatic --noinput \
    && rm -rf .git tests bench .ci

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_DEBUG=0 \
    DJANGO_MEDIA_ROOT=/app/media \
    GUNICORN_BIND=0.0.0.0:8000 \
    WEB_CONCURRENCY=2
RUN groupadd --system --gid 10001 allforces \
    && useradd --system --uid 10001 --gid allforces --home-dir /app --no-create-home allforces
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=root:root /app /app
RUN mkdir -p /app/media && chown allforces:allforces /app/media
USER 10001:10001
EXPOSE 8000
# Probes /healthz where GUNICORN_BIND listens (config/healthcheck.py).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python3", "-m", "config.healthcheck"]
CMD ["gunicorn", "--config", "gunicorn.conf.py", "config.wsgi:application"]
