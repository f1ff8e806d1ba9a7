"""Uploaded images carry their size in their name; the page's <img> gets width and height."""

import pytest

from blog.images import ALT_PLACEHOLDER, add_dimensions, dimensions_for, images_without_alt
from blog.rendering import render_markdown

UPLOAD = "/media/uploads/0123456789abcdef0123456789abcdef-640x480.png"


def test_dimensions_come_from_the_name_of_an_upload():
    assert dimensions_for(UPLOAD) == (640, 480)


@pytest.mark.parametrize(
    "url",
    [
        "/media/uploads/0123456789abcdef0123456789abcdef.png",  # uploaded before sizes were recorded
        "https://example.com/media/uploads/x-640x480.png",  # someone else's image
        "/static/img/og-default.png",
        "/media/uploads/x-0x480.png",
        "/media/uploads/x-640x480.png?w=1",
        "",
    ],
)
def test_other_images_have_no_known_size(url):
    assert dimensions_for(url) is None


def test_the_rendered_page_gives_uploads_width_and_height():
    html = render_markdown(f"本文\n\n![推論サーバーの構成図]({UPLOAD})\n").html
    assert f'src="{UPLOAD}"' in html
    assert 'width="640" height="480"' in html
    assert 'alt="推論サーバーの構成図"' in html


def test_other_images_are_left_alone_and_existing_sizes_win():
    html = '<p><img src="https://example.com/a.png" alt="a"><img src="%s" alt="b" width="10"></p>' % UPLOAD
    assert add_dimensions(html) == html


def test_images_without_alt_text_are_found_in_markdown_and_html():
    body = (
        f"![]({UPLOAD})\n\n"
        f"![{ALT_PLACEHOLDER}](/media/uploads/b-1x1.png)\n\n"
        "![GPUの写真](/media/uploads/c-1x1.png)\n\n"
        '<img src="/d.png">\n\n<img src="/e.png" alt="説明あり">\n\n<img alt="" src="/f.png">\n'
    )
    assert images_without_alt(body) == [UPLOAD, "/media/uploads/b-1x1.png", "/d.png", "/f.png"]


def test_text_without_images_has_nothing_missing():
    assert images_without_alt("画像はありません。[リンク](https://example.com)") == []
