from django.conf import settings
from django.shortcuts import render


def lockout_response(request, original_response, credentials):
    """What a locked-out login gets. APIs have already answered in their own shape; the web gets a page."""
    if original_response is not None and original_response.get("Content-Type", "").startswith("application/json"):
        return original_response
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "core/locked_out.html", {"cooloff_minutes": minutes}, status=403)
