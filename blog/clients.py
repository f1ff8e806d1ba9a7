"""Who is asking: the client address that rate limits and login throttling count by."""

from django.conf import settings


def client_address(request) -> str:
    """The client's address: the socket peer, or the entry that the trusted proxies added."""
    if settings.NUM_PROXIES > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= settings.NUM_PROXIES:
            return forwarded[-settings.NUM_PROXIES]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
