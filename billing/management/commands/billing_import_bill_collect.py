from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing.services.bill_collect import bill_collect_import, bill_collect_max_bytes
from core.errors import ApplicationError
from core.models import User


class Command(BaseCommand):
    help = "Import a <bill-collect> Bill XML document into payable bills of the service it names."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="the city the bills belong to, e.g. pb.amritsar")
        parser.add_argument("--user", help="username recorded as the importer (default: system)")
        parser.add_argument("file", type=Path)

    def handle(self, *args, tenant, user, file, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"--user: no active user '{user}'")
        try:
            with file.open("rb") as handle:
                # One byte over the cap is enough for the import to refuse the document.
                document = handle.read(bill_collect_max_bytes() + 1)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        try:
            bills = bill_collect_import(tenant_id=tenant, document=document, actor=actor)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        for bill in bills:
            self.stdout.write(f"{bill.bill_number}  {bill.consumer_code}  {bill.total_amount}  {bill.status}")
