"""Admin login throttling, per account and per client address, kept in the cache.

Each failed login counts against the account name and against the address it came from,
within ``LOGIN_FAILURE_WINDOW_SECONDS``. Past ``LOGIN_FAILURES_PER_ACCOUNT`` (or
``LOGIN_FAILURES_PER_ADDRESS``) a lock is set for ``LOGIN_LOCKOUT_SECONDS``: the login form
refuses with a clear message, without checking the password, until the lock expires or an
admin lifts it (the "ログイン制限を解除" action on the user list). A successful login clears
the account's count.

With Redis every worker and container shares the counts. If the cache is down the
counters cannot be kept and logins are not throttled (logged by config.cache) — admins can
still get in during an incident.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from blog import text


@dataclass(frozen=True)
class Lock:
    scope: str  # "account" or "address"
    until: float

    @property
    def minutes_left(self) -> int:
        return max(1, int((self.until - time.time()) // 60) + 1)


def client_address(request) -> str:
    """The client's address: the socket peer, or the entry that the trusted proxies added."""
    if settings.NUM_PROXIES > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= settings.NUM_PROXIES:
            return forwarded[-settings.NUM_PROXIES]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _account(username: str) -> str:
    normalized = text.normalize((username or "").strip())
    return hashlib.sha256(normalized.encode()).hexdigest()[:32]


def _keys(scope: str, ident: str) -> tuple[str, str]:
    return f"login:failures:{scope}:{ident}", f"login:lock:{scope}:{ident}"


def _scopes(username: str, address: str):
    yield "account", _account(username), settings.LOGIN_FAILURES_PER_ACCOUNT
    yield "address", address, settings.LOGIN_FAILURES_PER_ADDRESS


def current_lock(username: str, address: str) -> Lock | None:
    lock_keys = {_keys(scope, ident)[1]: scope for scope, ident, _ in _scopes(username, address)}
    found = cache.get_many(list(lock_keys))
    now = time.time()
    for key, scope in lock_keys.items():
        record = found.get(key)
        if record and record["until"] > now:
            return Lock(scope, record["until"])
    return None


def record_failure(username: str, address: str) -> None:
    for scope, ident, limit in _scopes(username, address):
        failures_key, lock_key = _keys(scope, ident)
        cache.add(failures_key, 0, settings.LOGIN_FAILURE_WINDOW_SECONDS)
        try:
            count = cache.incr(failures_key)
        except ValueError:  # expired in between, or the cache is unavailable
            count = 1
            cache.set(failures_key, count, settings.LOGIN_FAILURE_WINDOW_SECONDS)
        if count >= limit:
            until = time.time() + settings.LOGIN_LOCKOUT_SECONDS
            cache.set(lock_key, {"until": until, "address": address}, settings.LOGIN_LOCKOUT_SECONDS)
            cache.delete(failures_key)


def clear_account(username: str) -> None:
    cache.delete_many(list(_keys("account", _account(username))))


def unlock(username: str) -> bool:
    """Lift the account's lock and the lock on the address that caused it. ``True`` if locked."""
    failures_key, lock_key = _keys("account", _account(username))
    record = cache.get(lock_key)
    keys = [failures_key, lock_key]
    if record and record.get("address"):
        keys += list(_keys("address", record["address"]))
    cache.delete_many(keys)
    return bool(record)


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
