from django.apps import AppConfig


class SimulatorBankConfig(AppConfig):
    """A sponsor bank over HTTP: accounts, fund blocks, payments booked once per idempotency key, MT940 statements."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "simulators.bank"
    label = "simulators_bank"
    verbose_name = "Simulator: sponsor bank"
