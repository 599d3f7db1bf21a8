"""What every simulator's views share."""

from functools import wraps

from django.conf import settings
from django.http import Http404


def simulator_only(view):
    """A simulator answers nothing under production settings, where Kosh talks to the real outside system."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if settings.KOSH_ENVIRONMENT == "production":
            raise Http404
        return view(request, *args, **kwargs)

    return guarded
