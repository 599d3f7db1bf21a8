from django.core.management.base import BaseCommand

from ledger.services import SEEDED_STATE_CODES, ledger_seed


class Command(BaseCommand):
    help = (
        "Open the books of the states "
        + ", ".join(SEEDED_STATE_CODES)
        + ": chart of accounts and voucher number format (idempotent). Run it after creating those states."
    )

    def handle(self, *args, **options):
        ledger_seed()
        self.stdout.write(self.style.SUCCESS("Chart of accounts and voucher number format ready."))
