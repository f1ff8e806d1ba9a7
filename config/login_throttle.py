"""Admin login throttling, per account and per client address, kept in the database.

Each failed login counts against the account name and against the address it came from,
within ``LOGIN_FAILURE_WINDOW_SECONDS``. Past ``LOGIN_FAILURES_PER_ACCOUNT`` (or
``LOGIN_FAILURES_PER_ADDRESS``) a lock is set for ``LOGIN_LOCKOUT_SECONDS``: the login form
refuses with a clear message, without checking the password, until the lock expires or an
admin lifts it (the "ログイン制限を解除" action on the user list). A successful login clears
the account's count.

The counts and locks live in the database (``editorial.LoginAttempts``), never in the cache:
the cache may drop anything under memory pressure (Redis with ``allkeys-lru``), and a flood of
page requests must not lift a lock-out. Every worker and container shares them, and no extra
service is needed.
"""

import datetime
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blog import text
from config.middleware import client_address
from editorial.models import LoginAttempts


@dataclass(frozen=True)
class Lock:
    scope: str  # "account" or "address"
    until: float

    @property
    def minutes_left(self) -> int:
        return max(1, int((self.until - time.time()) // 60) + 1)


def _account(username: str) -> str:
    normalized = text.normalize((username or "").strip())
    return hashlib.sha256(normalized.encode()).hexdigest()[:32]


def _now() -> datetime.datetime:
    return datetime.datetime.fromtimestamp(time.time(), tz=datetime.UTC)


def _scopes(username: str, address: str):
    yield "account", _account(username), settings.LOGIN_FAILURES_PER_ACCOUNT
    yield "address", address[:64], settings.LOGIN_FAILURES_PER_ADDRESS


def current_lock(username: str, address: str) -> Lock | None:
    """The lock on the account or the address, if any is still running (one query)."""
    wanted = Q()
    for scope, ident, _limit in _scopes(username, address):
        wanted |= Q(scope=scope, ident=ident)
    row = LoginAttempts.objects.filter(wanted, locked_until__gt=_now()).order_by("scope").first()
    return Lock(row.scope, row.locked_until.timestamp()) if row else None


def record_failure(username: str, address: str) -> None:
    """Count a failed login against the account and the address; lock either at its limit."""
    now = _now()
    window_start = now - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    for scope, ident, limit in _scopes(username, address):
        with transaction.atomic():
            row, _created = LoginAttempts.objects.select_for_update().get_or_create(scope=scope, ident=ident)
            if row.window_started_at is None or row.window_started_at <= window_start:
                row.failures, row.window_started_at = 0, now
            row.failures += 1
            if row.failures >= limit:
                row.locked_until = now + datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
                row.locked_from = address[:64]
                row.failures, row.window_started_at = 0, None
            row.save()
    # Counts whose window has passed and that lock nothing are of no further use.
    LoginAttempts.objects.filter(
        Q(window_started_at__lte=window_start) | Q(window_started_at__isnull=True),
        Q(locked_until__isnull=True) | Q(locked_until__lte=now),
    ).delete()


def clear_account(username: str) -> None:
    LoginAttempts.objects.filter(scope="account", ident=_account(username)).delete()


def unlock(username: str) -> bool:
    """Lift the account's lock and the lock on the address that caused it. ``True`` if locked."""
    row = LoginAttempts.objects.filter(scope="account", ident=_account(username)).first()
    if row is None:
        return False
    locked = row.locked_until is not None and row.locked_until > _now()
    if row.locked_from:
        LoginAttempts.objects.filter(scope="address", ident=row.locked_from).delete()
    row.delete()
    return locked


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "account_locked": _(
            "ログインの失敗が続いたため、このアカウントは一時的にロックされています。"
            "約%(minutes)s分後にもう一度お試しいただくか、管理者に解除を依頼してください。"
        ),
        "address_locked": _(
            "この接続元からのログインの失敗が多すぎるため、一時的にログインを制限しています。"
            "約%(minutes)s分後にもう一度お試しください。"
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else "unknown"
        lock = current_lock(username, address)
        if lock:
            raise ValidationError(
                self.error_messages[f"{lock.scope}_locked"],
                code=f"{lock.scope}_locked",
                params={"minutes": lock.minutes_left},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            record_failure(username, address)
            raise
        clear_account(username)
        return cleaned


@admin.action(description=_("ログイン制限を解除する"), permissions=["change"])
def unlock_login(modeladmin, request, queryset):
    unlocked = [user.get_username() for user in queryset if unlock(user.get_username())]
    if unlocked:
        modeladmin.message_user(
            request, _("ログイン制限を解除しました: %(names)s") % {"names": "、".join(unlocked)}, messages.SUCCESS
        )
    else:
        modeladmin.message_user(request, _("選択したユーザーにログイン制限はありません。"), messages.INFO)


def install(site: admin.AdminSite) -> None:
    """Throttle the site's login form and add the unlock action to whatever user admin is registered."""
    site.login_form = ThrottledAdminAuthenticationForm
    User = get_user_model()
    if not site.is_registered(User):
        return
    base = type(site.get_model_admin(User))
    if unlock_login in (base.actions or []):
        return

    class UserAdmin(base):
        actions = [*(base.actions or []), unlock_login]

    site.unregister(User)
    site.register(User, UserAdmin)
