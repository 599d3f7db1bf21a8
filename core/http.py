import threading

import requests
from django.conf import settings


class ThreadSessions:
    """One pooled `requests.Session` per thread, so a worker's calls to an outside system reuse connections."""

    def __init__(self):
        self._local = threading.local()

    def get(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def close(self) -> None:
        """Close this thread's pooled connections (a worker shutting down, a test server going away)."""
        session = self._local.__dict__.pop("session", None)
        if session is not None:
            session.close()


def client_ip(request) -> str | None:
    """The caller's address: REMOTE_ADDR, or the X-Forwarded-For entry added by the trusted proxies in front."""
    proxies = settings.KOSH_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
