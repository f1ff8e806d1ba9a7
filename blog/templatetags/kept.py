"""``{% kept %}``: a fragment kept under the cache tags of what it shows (blog/cache/fragments.py)."""

from ..cache.fragments import register  # noqa: F401
