from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing.services.masters import MASTERS_FIXTURE, masters_fixture_read, masters_load
from core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Load billing masters (MDMS-shaped JSON: BusinessService, TaxHeadMaster, TaxPeriod) into a state; rows that "
        "exist are left as they are. Without a file, Kosh's standard WS, PT and BPA masters."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="the state, e.g. pb")
        parser.add_argument("files", nargs="*", type=Path, help=f"JSON files (default {MASTERS_FIXTURE.name})")

    def handle(self, *args, tenant, files, **options):
        for path in files or [MASTERS_FIXTURE]:
            try:
                loaded = masters_load(state_id=tenant, document=masters_fixture_read(path))
            except ApplicationError as exc:
                raise CommandError(f"{path}: {exc.message}") from None
            self.stdout.write(
                f"{path.name}: {loaded.business_services} business services, {loaded.tax_heads} tax heads, "
                f"{loaded.tax_periods} tax periods, {loaded.id_formats} id formats added to {tenant}"
            )
