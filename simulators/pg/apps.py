from django.apps import AppConfig


class PgSimulatorConfig(AppConfig):
    """A payment gateway over HTTP: merchant orders, a hosted pay page (pay, fail, cancel), signed returns and a
    signed status API."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "simulators.pg"
    label = "simulators_pg"
    verbose_name = "Simulator: payment gateway"
