import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, their libraries) lives as long as the worker. Frozen,
# the cyclic garbage collector stops re-scanning it: a full collection then costs about a
# millisecond instead of tens, which every request (and every article render) used to risk.
gc.collect()
gc.freeze()
