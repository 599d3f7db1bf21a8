from django.core.management.base import BaseCommand

from core.services.schedules import periodic_tasks_sync


class Command(BaseCommand):
    help = "Write Kosh's periodic jobs (core/schedules.py) to django-celery-beat, keeping admins' enable/disable."

    def handle(self, *args, **options):
        for name, created in periodic_tasks_sync():
            self.stdout.write(f"{'created' if created else 'updated'}: {name}")
