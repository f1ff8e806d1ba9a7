"""Validators for the links of an author's profile: https only, and the right site for X and GitHub."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_https_url(value: str) -> None:
    parts = urlsplit(value or "")
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise ValidationError(
            _("https:// で始まるURLを入力してください（http:// やその他の形式は使えません）。"), code="https_only"
        )


def _validate_site(value: str, hosts: tuple[str, ...], message) -> None:
    validate_https_url(value)
    host = (urlsplit(value).hostname or "").lower()
    path = urlsplit(value).path.strip("/")
    if host not in hosts or not path:
        raise ValidationError(message, code="wrong_site")


def validate_x_url(value: str) -> None:
    _validate_site(
        value, ("x.com", "www.x.com", "twitter.com", "www.twitter.com"),
        _("XのプロフィールURLを https://x.com/ユーザー名 の形で入力してください。"),
    )  # fmt: skip


def validate_github_url(value: str) -> None:
    _validate_site(
        value, ("github.com", "www.github.com"),
        _("GitHubのプロフィールURLを https://github.com/ユーザー名 の形で入力してください。"),
    )  # fmt: skip
