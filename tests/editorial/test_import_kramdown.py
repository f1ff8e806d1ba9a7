"""A kramdown post imports as the old site showed it, and the importer says what it dropped."""

from editorial.jekyll import parse_post

POST = """---
title: リリースノート
date: 2024-05-01
---
* TOC
{:toc}

## 変更点 {#changes}

重要なお知らせ
{: .note}

[ダウンロード](https://example.com/vim.tar.bz2){:target="_blank"}

{::comment}
公開前に確認
{:/comment}

1. チェックサムを確認します。

       sha256sum vim.tar.bz2
"""


def test_kramdown_markup_is_removed_and_each_drop_is_reported_with_its_line(tmp_path):
    path = tmp_path / "2024-05-01-release.md"
    path.write_text(POST, encoding="utf-8")
    post = parse_post(path)
    assert "{:" not in post.body and "公開前に確認" not in post.body and "* TOC" not in post.body
    assert "## 変更点 {#changes}" in post.body
    assert "       sha256sum vim.tar.bz2" in post.body
    reports = [(note.line, note.message) for note in post.notes]
    assert (11, "kramdown の {: .note} は表示に使えないため削除しました") in reports
    assert (13, 'kramdown の {:target="_blank"} は表示に使えないため削除しました') in reports
