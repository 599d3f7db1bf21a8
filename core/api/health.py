from django.conf import settings
from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.selectors import worker_last_seen


class HealthApi(APIView):
    """`GET /health/`: is the database reachable, which broker is configured, and when a worker last ran."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(tags=["Kosh: platform"], responses={200: dict, 503: dict})
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            database = "ok"
        except DatabaseError:
            database = "unavailable"
        last_seen = worker_last_seen() if database == "ok" else None
        body = {
            "status": "ok" if database == "ok" else "unavailable",
            "database": database,
            "databaseVendor": connection.vendor,
            "broker": settings.CELERY_BROKER_URL.split(":", 1)[0],
            "workerLastSeen": last_seen.isoformat() if last_seen else None,
        }
        return Response(body, status=200 if database == "ok" else 503)
