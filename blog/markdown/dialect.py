"""Zenn/Qiita dialect: the extension point of the pipeline (contract in ``pipeline.py``).

Append markdown-it plugins to ``PLUGINS`` and post-sanitize steps to ``POST_SANITIZE``; widen
the allow-list with ``sanitize.allow(...)`` here, at import time. The plugins themselves live
in ``blog.dialect``.
"""

from collections.abc import Callable

from markdown_it import MarkdownIt

from blog.dialect import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, use_dialect

from . import sanitize

PLUGINS: list[Callable[[MarkdownIt], None]] = [use_dialect]
POST_SANITIZE: list[Callable[[str, dict], str]] = []

sanitize.allow(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES)
