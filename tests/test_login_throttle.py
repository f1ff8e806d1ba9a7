"""Admin login: lock-out per account and per address, unlock by time or by an admin."""

import time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"


def attempt(username, password, address="203.0.113.5", **extra):
    return Client(REMOTE_ADDR=address, **extra).post(LOGIN, {"username": username, "password": password})


def logged_in(response):
    return response.status_code == 302


def fail(username, times, address="203.0.113.5"):
    for _ in range(times):
        response = attempt(username, "wrong-password", address)
        assert response.status_code == 200


@pytest.fixture
def editor():
    return make_user("editor")


def test_correct_password_logs_in(editor):
    assert logged_in(attempt("editor", "pw-editor"))


def test_account_is_locked_after_five_failures_even_with_the_right_password(editor):
    fail("editor", 5)
    response = attempt("editor", "pw-editor")
    assert not logged_in(response)
    assert "このアカウントは一時的にロックされています" in response.content.decode()
    assert "管理者に解除を依頼してください" in response.content.decode()


def test_account_lock_holds_from_any_address(editor):
    fail("editor", 5, address="203.0.113.5")
    assert not logged_in(attempt("editor", "pw-editor", address="198.51.100.9"))


def test_account_names_differing_in_case_or_width_share_the_count(editor):
    fail("EDITOR", 3)
    fail("ｅｄｉｔｏｒ", 2)
    assert not logged_in(attempt("editor", "pw-editor"))


def test_four_failures_then_success_resets_the_account_count(editor):
    fail("editor", 4)
    assert logged_in(attempt("editor", "pw-editor"))
    fail("editor", 4)
    assert logged_in(attempt("editor", "pw-editor"))


def test_the_lock_ends_by_itself_after_the_lockout_time(editor, settings):
    fail("editor", 5)
    later = time.time() + settings.LOGIN_LOCKOUT_SECONDS + 1
    with mock.patch("config.login_throttle.time.time", return_value=later):
        assert logged_in(attempt("editor", "pw-editor"))


def test_one_address_trying_many_accounts_is_locked_out(editor):
    for number in range(20):
        attempt(f"guess{number}", "wrong-password", address="192.0.2.66")
    response = attempt("editor", "pw-editor", address="192.0.2.66")
    assert not logged_in(response)
    assert "この接続元からのログインの失敗が多すぎる" in response.content.decode()
    assert logged_in(attempt("editor", "pw-editor", address="192.0.2.67"))


def test_forwarded_for_is_ignored_unless_proxies_are_configured(editor, settings):
    for number in range(20):
        attempt(f"guess{number}", "x", address="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    assert not logged_in(attempt("editor", "pw-editor", address="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.200"))


def test_behind_one_proxy_the_forwarded_client_address_counts(editor, settings):
    settings.NUM_PROXIES = 1
    for number in range(20):
        attempt(f"guess{number}", "x", address="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.66")
    assert not logged_in(attempt("editor", "pw-editor", address="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.66"))
    assert logged_in(attempt("editor", "pw-editor", address="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.67"))


def test_an_admin_unlocks_an_account_from_the_user_list(editor):
    fail("editor", 5, address="198.51.100.20")
    assert not logged_in(attempt("editor", "pw-editor", address="198.51.100.20"))
    chief = Client()
    chief.force_login(make_user("chief", is_superuser=True))
    response = chief.post(
        "/admin/auth/user/",
        {"action": "unlock_login", "_selected_action": [editor.pk]},
        follow=True,
    )
    assert "ログイン制限を解除しました: editor" in response.content.decode()
    assert logged_in(attempt("editor", "pw-editor", address="198.51.100.20"))


def test_unlocking_an_account_that_is_not_locked_says_so(editor):
    chief = Client()
    chief.force_login(make_user("chief", is_superuser=True))
    response = chief.post("/admin/auth/user/", {"action": "unlock_login", "_selected_action": [editor.pk]}, follow=True)
    assert "ログイン制限はありません" in response.content.decode()


def test_the_user_admin_keeps_its_own_features():
    from django.contrib import admin
    from django.contrib.auth.admin import UserAdmin

    model_admin = admin.site.get_model_admin(get_user_model())
    assert isinstance(model_admin, UserAdmin)
