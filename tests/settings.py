"""Test overlay: the real settings, with a throwaway key and fast hashing."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production")

from config.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Hashed static names need collectstatic; tests render templates without it.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The test client speaks plain HTTP; production's HTTPS redirect is checked by tests/test_security.py.
SECURE_SSL_REDIRECT = False
# Tests never touch the internet: link cards come from stored rows; tests/blog/test_linkcards.py
# turns fetching on against a local server.
LINK_CARD_FETCH = False
# A replica alias in every run, mirroring the primary's test database, so that the router and
# its middleware are tested on SQLite too; routing stays off unless a test turns it on
# (tests/test_replicas.py). With DATABASE_REPLICA_URLS (.ci/with-replica) the configured,
# real replicas are used and routing is on.
if not DATABASE_REPLICAS:  # noqa: F405
    import copy

    DATABASES["replica1"] = {**copy.deepcopy(DATABASES["default"]), "TEST": {"MIRROR": "default"}}  # noqa: F405
# Background tasks run in the test process, right after the commit (tests/test_tasks.py turns
# on the database backend and its worker).
TASKS_BACKEND = "immediate"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
