"""The daily jobs in one run: `trygg run_scheduled [--backup-root DIR]` (a systemd timer or cron, see docs/deploy.md).

Each job is an ordinary command that is safe to run twice a day; one failing job does not stop the others, and
the run ends with an error naming every job that failed, so the timer's unit shows as failed in the journal.
"""

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

logger = logging.getLogger(__name__)

# In this order: retention first, so that no e-mail or backup carries data that is due to go.
DAILY_JOBS = [
    "purge_survey_drafts",
    "purge_rate_limits",
    "purge_personal_data",
    "purge_comment_emails",
    "purge_signups",
    "cleanup_media",
    "send_reminders",
    "send_digests",
    "harvest",
    "export_open_data",
    "prune_db_task_results",
]
# Jobs that keep personal traces short: `run_scheduled --hourly` (trygg-hourly.timer) runs only these. They are
# in the daily list too, so a site with only a daily timer still runs them.
HOURLY_JOBS = ["purge_survey_drafts", "purge_rate_limits"]
# Finished tasks keep their arguments (addresses and texts of e-mails) in the database: a day is enough to see
# what went wrong.
ARGUMENTS = {"prune_db_task_results": ["--min-age-days", "1"]}


class Command(BaseCommand):
    help = "Kör de dagliga jobben: gallring, påminnelser, sammanfattningar och (med --backup-root) säkerhetskopia."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only", action="append", choices=DAILY_JOBS, help="Kör bara det här jobbet (kan upprepas)."
        )
        parser.add_argument(
            "--hourly",
            action="store_true",
            help="Kör bara de jobb som körs varje timme (övergivna enkätsvar, räknare för begränsningar).",
        )
        parser.add_argument(
            "--backup-root",
            type=Path,
            help="Katalog där en ny säkerhetskopia (trygg-ÅÅÅÅMMDD-TTMMSS) skapas efter jobben.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed: list[str] = []
        for name in options["only"] or (HOURLY_JOBS if options["hourly"] else DAILY_JOBS):
            if name == "prune_db_task_results" and not _tasks_in_database():
                continue
            self.stdout.write(f"== {name}")
            try:
                call_command(name, *ARGUMENTS.get(name, []), stdout=self.stdout, stderr=self.stderr)
            except (Exception, SystemExit):  # one job's failure must not keep the others from running
                logger.exception("Scheduled job %s failed", name)
                failed.append(name)
        if options["backup_root"] is not None:
            target = options["backup_root"] / timezone.localtime().strftime("trygg-%Y%m%d-%H%M%S")
            self.stdout.write(f"== backup {target}")
            try:
                call_command("backup", str(target), stdout=self.stdout, stderr=self.stderr)
            except (Exception, SystemExit):
                logger.exception("Scheduled backup failed")
                failed.append("backup")
        if failed:
            raise CommandError(f"Jobb som misslyckades: {', '.join(failed)}")


def _tasks_in_database() -> bool:
    # In development tasks run at once: there is no queue to prune.
    return str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db.")
