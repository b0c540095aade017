"""Celery tasks of this app: each calls a service and is safe to run twice."""

from celery import shared_task

from coverage import services


@shared_task
def schedule_reinspections():
    """Weekly: give every renovated compound without a re-inspection due one."""
    return services.schedule_reinspections(actor=None)
