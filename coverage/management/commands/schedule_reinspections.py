from django.core.management.base import BaseCommand

from coverage import services


class Command(BaseCommand):
    help = "为已完成整治、尚未安排回头看的小区安排回头看（可重复执行）"

    def handle(self, *args, **options):
        count = services.schedule_reinspections(actor=None)
        self.stdout.write(f"已安排 {count} 个小区的回头看")
