from django.core.management.base import BaseCommand, CommandError

from bridge.services.clients import bridge_client_create
from core.errors import ApplicationError


class Command(BaseCommand):
    help = "Register a G2P Bridge client (a PBMS or a sponsor bank) in a tenant and print its token, once."

    def add_arguments(self, parser):
        parser.add_argument("tenant", help="tenant id, e.g. pb.amritsar")
        parser.add_argument("name", help="the client's name, e.g. 'State PBMS'")
        parser.add_argument("--network", action="append", default=[], help="allowed CIDR network (repeatable)")
        parser.add_argument("--public-key-file", help="PEM public key; the client must then sign every body (JWS)")

    def handle(self, *args, **options):
        key = ""
        if options["public_key_file"]:
            with open(options["public_key_file"], encoding="ascii") as handle:
                key = handle.read()
        try:
            client, token = bridge_client_create(
                tenant_id=options["tenant"],
                name=options["name"],
                allowed_networks=options["network"],
                signature_public_key=key,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"G2P client '{client.name}' in {client.tenant_id}."))
        self.stdout.write(f"Token (shown once; send as 'Authorization: Bearer <token>'): {token}")
