from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from core.services.demo import DEMO_INTEGRATOR_CLIENT_ID, DEMO_INTEGRATOR_SECRET, DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Load the demo tenants, employees and API clients (idempotent; refused under production settings)."

    def handle(self, *args, **options):
        try:
            logins = demo_seed()
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Every demo login's password: {DEMO_PASSWORD}"))
        self.stdout.write(f"{'username':<26} {'tenant':<14} role")
        for login in logins:
            self.stdout.write(f"{login.username:<26} {login.tenant_id:<14} {login.roles}")
        self.stdout.write(f"Integrator OAuth client: {DEMO_INTEGRATOR_CLIENT_ID} / {DEMO_INTEGRATOR_SECRET}")
