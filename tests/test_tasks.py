"""Background tasks: enqueued after the commit, run by the worker, retried with backoff, shown in the admin."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus, task_backends
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db.models import DBTaskResult

from blog.models import Article
from config.checks import half_configured
from config.tasks import enqueue_on_commit, retry_delay
from editorial import workflow
from editorial.notifications import send_notification
from tests.factories import make_article, make_author, make_user

pytestmark = pytest.mark.django_db
SEND = "editorial.notifications.send_notification"
MESSAGE = [["［公開］推論の記事", "香織さん\n\n公開されました。", None, ["kaori@example.com"]]]


@pytest.fixture
def database_tasks(settings):
    """Tasks go to the database, as in production, and run only when the worker runs."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_BACKEND = "database"
    settings.TASK_RETRY_BASE_SECONDS = 30
    settings.TASK_MAX_ATTEMPTS = 4


def run_worker():
    """``manage.py db_worker --batch``: run every due task, then stop.

    Between tasks the worker closes connections that are not in autocommit mode; here that is
    the test's own transaction, so that one check is left out.
    """
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)


def rows(status=None):
    queryset = DBTaskResult.objects.filter(task_path=SEND).order_by("enqueued_at")
    return list(queryset.filter(status=status) if status else queryset)


def make_due(row):
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now() - datetime.timedelta(seconds=1))


def test_the_tests_run_tasks_in_process():
    assert isinstance(task_backends["default"], ImmediateBackend)


def test_the_immediate_backend_sends_the_mail_only_once_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            enqueue_on_commit(send_notification, MESSAGE)
            assert mail.outbox == []
    assert [message.to for message in mail.outbox] == [["kaori@example.com"]]


def test_a_rolled_back_change_enqueues_nothing(database_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                enqueue_on_commit(send_notification, MESSAGE)
                raise RuntimeError
    assert callbacks == [] and rows() == []


def test_a_queued_task_is_a_row_until_the_worker_runs_it(database_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(send_notification, MESSAGE)
    [row] = rows()
    assert row.status == TaskResultStatus.READY and mail.outbox == []
    run_worker()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert mail.outbox[0].subject == "［公開］推論の記事"


def test_publishing_returns_before_the_mail_is_sent_and_the_worker_sends_it(database_tasks, django_capture_on_commit_callbacks):
    writer = make_user("kaori", email="kaori@example.com")
    article = make_article(status=Article.Status.IN_REVIEW, authors=[make_author("佐藤香織", user=writer)])
    chief = make_user("chief", groups=["Editor-in-chief"], email="chief@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(article, chief)
    assert mail.outbox == [] and [row.status for row in rows()] == [TaskResultStatus.READY]
    run_worker()
    assert [message.to for message in mail.outbox] == [["kaori@example.com"]]


def test_a_failed_task_is_tried_again_later_and_later(database_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(send_notification, MESSAGE)
    waits = []
    with mock.patch("editorial.notifications.send_mass_mail", side_effect=ConnectionRefusedError):
        for attempt in (1, 2, 3):
            before = timezone.now()
            run_worker()
            failed, [retry] = rows(TaskResultStatus.FAILED)[-1], rows(TaskResultStatus.READY)
            assert failed.exception_class_path == "builtins.ConnectionRefusedError"
            assert "ConnectionRefusedError" in failed.traceback
            assert retry.args_kwargs["kwargs"] == {"attempt": attempt + 1}
            assert retry.args_kwargs["args"] == [MESSAGE]
            waits.append(retry.run_after - before)
            run_worker()  # not due yet: nothing runs
            assert rows(TaskResultStatus.READY) == [retry]
            make_due(retry)
    assert [wait >= retry_delay(n) for n, wait in enumerate(waits, 1)] == [True, True, True]
    assert [round(wait.total_seconds() / 30) for wait in waits] == [1, 2, 4]
    run_worker()  # the mail server is back
    assert [row.status for row in rows()] == [TaskResultStatus.FAILED] * 3 + [TaskResultStatus.SUCCESSFUL]
    assert len(mail.outbox) == 1


def test_a_task_that_keeps_failing_stops_after_the_last_attempt(database_tasks, settings, django_capture_on_commit_callbacks, caplog):
    settings.TASK_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(send_notification, MESSAGE)
    with mock.patch("editorial.notifications.send_mass_mail", side_effect=ConnectionRefusedError):
        run_worker()
        make_due(rows(TaskResultStatus.READY)[0])
        run_worker()
    assert [row.status for row in rows()] == [TaskResultStatus.FAILED, TaskResultStatus.FAILED]
    assert "failed 2 times; no further attempt" in caplog.text


def test_a_failure_in_process_is_logged_and_not_retried(django_capture_on_commit_callbacks, caplog):
    with mock.patch("editorial.notifications.send_mass_mail", side_effect=ConnectionRefusedError) as send:
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit(send_notification, MESSAGE)
    assert send.call_count == 1
    assert "cannot retry later" in caplog.text


# -- The admin ------------------------------------------------------------------------------


@pytest.fixture
def task_rows(database_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(send_notification, MESSAGE)
    with mock.patch("editorial.notifications.send_mass_mail", side_effect=ConnectionRefusedError):
        run_worker()
    return rows()


def test_staff_with_the_permission_see_failed_and_waiting_tasks_in_japanese(client, task_rows):
    client.force_login(make_user("root", is_superuser=True))
    html = client.get(reverse("admin:editorial_backgroundtask_changelist")).content.decode()
    for label in ("バックグラウンド処理", "通知メール", "失敗", "待機中", "試行回数", "実行予定", "［公開］推論の記事（1通）"):
        assert label in html
    failed = next(row for row in task_rows if row.status == TaskResultStatus.FAILED)
    detail = client.get(reverse("admin:editorial_backgroundtask_change", args=[failed.pk])).content.decode()
    assert "ConnectionRefusedError" in detail and "エラーの詳細" in detail


def test_the_failed_filter_lists_only_failures(client, task_rows):
    client.force_login(make_user("root", is_superuser=True))
    response = client.get(reverse("admin:editorial_backgroundtask_changelist"), {"status": "FAILED"})
    assert [row.pk for row in response.context["cl"].result_list] == [
        row.pk for row in task_rows if row.status == TaskResultStatus.FAILED
    ]


def test_task_rows_cannot_be_added_changed_or_deleted(client, task_rows):
    client.force_login(make_user("root", is_superuser=True))
    assert client.get(reverse("admin:editorial_backgroundtask_add")).status_code == 403
    response = client.post(reverse("admin:editorial_backgroundtask_delete", args=[task_rows[0].pk]), {"post": "yes"})
    assert response.status_code == 403
    assert DBTaskResult.objects.count() == len(task_rows)


def test_writers_do_not_see_the_tasks(client, task_rows):
    client.force_login(make_user("kaori", groups=["Writer"]))
    assert client.get(reverse("admin:editorial_backgroundtask_changelist")).status_code == 403


def test_the_library_admin_is_replaced_by_the_japanese_one(client, task_rows):
    client.force_login(make_user("root", is_superuser=True))
    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code == 404


# -- Configuration ------------------------------------------------------------------------


PRODUCTION_ENV = {
    "DATABASE_URL": "postgres://u:p@db/allforces",
    "REDIS_URL": "redis://redis:6379/0",
    "DJANGO_SITE_URL": "https://allforces.example",
}


def test_production_refuses_to_run_tasks_inside_requests(settings, monkeypatch):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DJANGO_ALLOW_LOCAL_SERVICES", raising=False)
    settings.TASKS_BACKEND = "database"
    assert half_configured() == []
    settings.TASKS_BACKEND = "immediate"
    assert [error.id for error in half_configured()] == ["allforces.E005"]
