from django.conf import settings


def client_ip(request) -> str | None:
    """The caller's address: REMOTE_ADDR, or the X-Forwarded-For entry added by the trusted proxies in front."""
    proxies = settings.KOSH_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
