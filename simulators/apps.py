from django.apps import AppConfig


class SimulatorsConfig(AppConfig):
    """Stand-ins for outside systems, served over real HTTP."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "simulators"
