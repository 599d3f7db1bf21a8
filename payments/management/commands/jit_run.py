from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from payments.models import JitService


class Command(BaseCommand):
    help = (
        "Run a JIT-FS service now, as its schedule would: VA, FD, PI/COR (re-push), PIS, PAG, PD, FTPS or FTFPS; "
        "or, with --pi, the call one PI is waiting for (Refresh)."
    )

    def add_arguments(self, parser):
        parser.add_argument("service", nargs="?", choices=JitService.values)
        parser.add_argument("--pi", help="a PI number: refresh that PI only")
        parser.add_argument("--tenant", help="only this city (scheduled runs of PI services and VA)")

    def handle(self, *args, service=None, pi=None, tenant=None, **options):
        from payments.models import PaymentInstruction
        from payments.services.failures import fd_run
        from payments.services.funds import va_run
        from payments.services.polling import jit_poll_run, pi_refresh

        try:
            if pi:
                instruction = PaymentInstruction.objects.filter(pi_number=pi).first()
                if instruction is None:
                    raise CommandError(f"No payment instruction {pi}")
                result = pi_refresh(pi=instruction, actor=None)
                instruction.refresh_from_db()
                self.stdout.write(f"{pi}: {result.message} → {instruction.get_status_display()}")
                return
            if service is None:
                raise CommandError("Name a service, or a PI with --pi.")
            if service == JitService.VA:
                summary = va_run(tenant_id=tenant)
                self.stdout.write(
                    f"VA: {summary.calls} calls, {summary.allotments_added} allotments, {summary.errors} errors"
                )
            elif service == JitService.FD:
                summary = fd_run()
                self.stdout.write(f"FD: {summary.message} ({summary.pis_covered} PIs, {summary.pis_changed} changed)")
            else:
                summary = jit_poll_run(service=service, tenant_id=tenant)
                self.stdout.write(f"{service}: {summary.polled} PIs polled {summary.outcomes}")
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
