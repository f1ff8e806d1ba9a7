import sys

from django.views import defaults

from .middleware import DATABASE_OUTAGE_ERRORS, database_unavailable_response


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """The 500 handler, except that a database outage raised outside a view is a 503 too."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_OUTAGE_ERRORS):
        return database_unavailable_response(request)
    return defaults.server_error(request, template_name)
