"""Background tasks: every network side effect (e-mail, WebSub pings) runs as one.

Tasks are ``django_tasks`` tasks (the backport of Django's ``django.tasks``). Which backend runs
them is a setting (``TASKS``, chosen by ``DJANGO_TASKS_BACKEND``): the database backend stores
each task as a row that ``manage.py db_worker`` picks up; the immediate backend runs it in the
same process (development and tests).

Two rules hold for every task here:

- **Enqueued on commit** (``enqueue_on_commit``): a rolled-back change sends nothing, and with
  the database backend the request that made the change never waits on the network.
- **Retried with exponential backoff** (``retrying_task``): django-tasks has no retries of its
  own, so a failed attempt is recorded as failed (its traceback in the admin) and, while
  attempts remain, the same task is enqueued again with ``run_after`` =
  now + ``TASK_RETRY_BASE_SECONDS`` × 2^(attempt − 1) and ``attempt`` + 1 in its arguments.
  After ``TASK_MAX_ATTEMPTS`` attempts the last failure stays, for a person to look at. A
  backend that cannot defer (the immediate one) gets no retries: trying again at once would
  only hit the same outage. A ``PermanentFailure`` (the far end refused the request itself,
  ``retryable_status``) is recorded as failed and not retried: asking again would get the
  same answer.
"""

import datetime
import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

logger = logging.getLogger(__name__)

ATTEMPT = "attempt"


class PermanentFailure(Exception):
    """Raised by a task when trying again cannot help (a 4xx answer other than 408 and 429)."""


def retryable_status(status: int) -> bool:
    """Whether an HTTP answer with ``status`` is worth asking again later: server errors, 408
    (timeout) and 429 (too many requests). Any other 4xx says the request itself is wrong; so
    does a redirect to a client that follows none (webhook deliveries)."""
    return status >= 500 or status in (408, 429)


def retry_delay(attempt: int) -> datetime.timedelta:
    """How long to wait after failed attempt number ``attempt`` (1, 2, …) before the next one."""
    return datetime.timedelta(seconds=settings.TASK_RETRY_BASE_SECONDS * 2 ** (attempt - 1))


def retrying_task(function: Callable) -> Task:
    """Make ``function`` a task that is enqueued again, later and later, when it raises.

    The task takes one extra keyword argument, ``attempt`` (1 for the first run), kept out of
    ``function``'s own arguments.
    """

    @functools.wraps(function)
    def run(*args, attempt: int = 1, **kwargs):
        try:
            return function(*args, **kwargs)
        except PermanentFailure:
            logger.error("task %s failed (attempt %d) and will not be retried", retried.name, attempt)
            raise
        except Exception:
            schedule_retry(retried, args, kwargs, attempt)
            raise

    # The worker finds the task by ``function``'s module path: the module-level name
    # ``function`` had is bound to this task.
    retried = task()(run)
    return retried


def schedule_retry(retried: Task, args, kwargs, attempt: int) -> None:
    backend = retried.get_backend()
    if attempt >= settings.TASK_MAX_ATTEMPTS:
        logger.error("task %s failed %d times; no further attempt", retried.name, attempt)
        return
    if not backend.supports_defer:
        logger.error("task %s failed; backend %s cannot retry later", retried.name, type(backend).__name__)
        return
    run_after = timezone.now() + retry_delay(attempt)
    retried.using(run_after=run_after).enqueue(*args, **{**kwargs, ATTEMPT: attempt + 1})
    logger.warning("task %s failed (attempt %d); next attempt after %s", retried.name, attempt, run_after.isoformat())


def enqueue_on_commit(task_: Task, *args, run_after: datetime.datetime | None = None, **kwargs) -> None:
    """Enqueue ``task_`` once the current transaction commits (at once outside a transaction).

    ``run_after`` defers it where the backend can; where it cannot, the task is not enqueued
    at all (the caller has another moment that does the same work).
    """

    def enqueue():
        if run_after is None:
            task_.enqueue(*args, **kwargs)
        elif task_.get_backend().supports_defer:
            task_.using(run_after=run_after).enqueue(*args, **kwargs)

    transaction.on_commit(enqueue, robust=True)
