from django.apps import AppConfig


class JitSimulatorConfig(AppConfig):
    """The treasury's JIT-FS, simulated over real HTTP: its encrypted protocol, PI lifecycle and scenarios."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "simulators.jit"
    label = "simulators_jit"
    verbose_name = "JIT-FS simulator"
