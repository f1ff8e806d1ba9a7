"""Zenn ``:::message`` / ``:::message alert`` / ``:::details タイトル`` and Qiita ``:::note``.

Containers nest when the outer one uses more colons (``::::details`` around ``:::message``), as
on Zenn. Asides are ``div role="note"`` with a Japanese ``aria-label`` (an ``<aside>`` inside
the article would be a misplaced complementary landmark).
"""

from html import escape

from mdit_py_plugins.container import container_plugin

MESSAGE_KINDS = {
    # kind: (css modifier, accessible label)
    "info": ("info", "補足"),
    "warn": ("warn", "注意"),
    "alert": ("alert", "警告"),
}


def _message(kind: str):
    def render(self, tokens, idx, options, env):
        token = tokens[idx]
        if token.nesting == -1:
            return "</div>\n"
        words = token.info.strip().split()[1:]
        default = "info"
        level = words[0] if words and words[0] in MESSAGE_KINDS else default
        modifier, label = MESSAGE_KINDS[level]
        return f'<div class="msg msg-{modifier}" role="note" aria-label="{label}">\n'

    return render


def _render_details(self, tokens, idx, options, env):
    token = tokens[idx]
    if token.nesting == -1:
        return "</div></details>\n"
    title = token.info.strip()[len("details"):].strip() or "詳細"
    return f'<details class="details"><summary>{escape(title)}</summary><div class="details-body">\n'


def containers_plugin(md) -> None:
    def starts_with(name):
        return lambda params, *args: params.strip().split(" ", 1)[0] == name

    container_plugin(md, "message", validate=starts_with("message"), render=_message("message"))
    container_plugin(md, "note", validate=starts_with("note"), render=_message("note"))
    container_plugin(md, "details", validate=starts_with("details"), render=_render_details)
