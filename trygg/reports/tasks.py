"""Background tasks of residents' reports (run by `trygg db_worker`; see trygg/core/tasks.py)."""

from django.utils import timezone
from django_tasks import task


@task()
def report_photo_process_task(*, photo_id: int) -> str:
    # A failed decode is an outcome (the photo is marked failed, staff see it), not an error of the task.
    from .services import report_photo_process

    return report_photo_process(photo_id=photo_id, now=timezone.now())
