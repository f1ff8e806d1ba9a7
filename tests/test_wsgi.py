"""The WSGI worker as gunicorn loads it (``config.wsgi``)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import gc
import config.wsgi
print(gc.get_freeze_count(), gc.isenabled())
"""


def test_the_start_up_heap_is_frozen_and_the_collector_stays_on():
    # Frozen objects are left out of every collection: full collections no longer re-scan
    # Django and the libraries, which live as long as the worker anyway.
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    frozen, enabled = result.stdout.split()
    assert int(frozen) > 10_000
    assert enabled == "True"
