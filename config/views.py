import sys

from django.conf import settings
from django.http import Http404
from django.views import defaults, static

from .middleware import DATABASE_OUTAGE_ERRORS, database_unavailable_response


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """The 500 handler, except that a database outage raised outside a view is a 503 too."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_OUTAGE_ERRORS):
        return database_unavailable_response(request)
    return defaults.server_error(request, template_name)


def media(request, path):
    """Uploaded media, when this process is asked to serve it (``DJANGO_SERVE_MEDIA=1``)."""
    if not settings.SERVE_MEDIA:
        raise Http404("Media is served elsewhere")
    response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    # Names are random and never reused, so browsers and CDNs may keep them.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
