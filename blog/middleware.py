from django.http import HttpResponsePermanentRedirect

from .models import Redirect


def candidate_paths(path: str) -> list[str]:
    """The spellings of one old address: with or without ``index.html`` and the trailing slash."""
    candidates = [path]
    if path.endswith("/index.html"):
        candidates.append(path[: -len("index.html")])
    if path.endswith("/") and len(path) > 1:
        candidates += [path.rstrip("/"), path + "index.html"]
    elif not path.endswith(".html"):
        candidates.append(path + "/")
    return candidates


class RedirectFallbackMiddleware:
    """Answer old (Jekyll) addresses with a 301 to the article's new URL.

    Looks only at responses that are already 404s, so ordinary pages pay nothing and a miss costs
    one indexed query. Like ``django.contrib.redirects``, keep it last in ``MIDDLEWARE``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        if "\x00" in request.path_info:  # no stored path has one (PostgreSQL cannot even compare it)
            return response
        candidates = candidate_paths(request.path_info)
        found = Redirect.objects.select_related("article").filter(old_path__in=candidates)
        redirect = min(found, key=lambda r: candidates.index(r.old_path), default=None)
        location = redirect.location() if redirect else None
        if not location:
            return response
        return HttpResponsePermanentRedirect(location)
