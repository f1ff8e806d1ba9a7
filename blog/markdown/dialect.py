"""Zenn/Qiita dialect: the extension point of the pipeline (contract in ``pipeline.py``).

Append markdown-it plugins to ``PLUGINS`` and post-sanitize steps to ``POST_SANITIZE``; widen
the allow-list with ``sanitize.allow(...)`` here, at import time.
"""

from collections.abc import Callable

from markdown_it import MarkdownIt

PLUGINS: list[Callable[[MarkdownIt], None]] = []
POST_SANITIZE: list[Callable[[str, dict], str]] = []
