from django.core.management.base import BaseCommand

from simulators.jit import crypto


class Command(BaseCommand):
    help = "Create the JIT-FS simulator's RSA key pair if missing; print the public key file to give to Kosh."

    def handle(self, *args, **options):
        self.stdout.write(str(crypto.keys_ensure()))
