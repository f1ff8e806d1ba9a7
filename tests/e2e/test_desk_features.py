"""The desk in a real browser: buttons that save first, the leave warning, the upload button
with its alt text, and dragging an article across the editorial calendar."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from blog.models import Article
from tests.e2e.test_editor_flows import (  # noqa: F401 (fixtures)
    assert_no_problems,
    change_url,
    newsroom,
    png_bytes,
    staff_page,
)
from tests.factories import make_article, make_author

Status = Article.Status


def test_a_workflow_button_saves_the_edit_on_screen_and_leaving_with_edits_asks_first(site, new_page, newsroom):
    writer = newsroom["writer"]
    article = make_article(title="画面の内容で提出する記事", status=Status.DRAFT, authors=[make_author("佐藤美咲", user=writer)])
    page = staff_page(new_page, site, writer)
    page.goto(change_url(site, article))
    body = page.locator("#id_body")
    body.click()
    page.keyboard.press("Control+End")
    # Typed key by key: a browser asks before leaving only a page someone has interacted with.
    body.press_sequentially("\n\n提出直前に書き足した一文。\n")
    page.locator("#id_desk_comment").fill("最後に一文足しました。")

    # Leaving now asks first; the dismissed question keeps the page and the edit.
    page.locator(".breadcrumbs a").first.click()
    expect(page.locator("#id_body")).to_have_value(re.compile("提出直前に書き足した一文。"))
    assert len(page.dialogs) == 1
    assert page.url == change_url(site, article)

    page.locator("#workflow").get_by_role("button", name="レビューに出す").click()
    expect(page.locator(".messagelist .success")).to_contain_text("をレビューに出しました。")
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert "提出直前に書き足した一文。" in article.body
    assert article.transitions.first().comment == "最後に一文足しました。"
    expect(page.locator("#timeline")).to_contain_text("最後に一文足しました。")
    # Submitting the form itself never asked.
    assert len(page.dialogs) == 1
    page.dialogs.clear()
    assert_no_problems(page)


def test_the_upload_button_inserts_the_image_with_its_alt_text_selected(site, new_page, newsroom, media_root):
    writer = newsroom["writer"]
    article = make_article(title="画像を入れる記事", status=Status.DRAFT, body="本文。\n", authors=[make_author("佐藤美咲", user=writer)])
    page = staff_page(new_page, site, writer)
    page.goto(change_url(site, article))
    body = page.locator("#id_body")
    body.click()
    page.keyboard.press("End")
    button = page.get_by_role("button", name="画像をアップロード")
    expect(button).to_be_visible()
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(files=[{"name": "構成図.png", "mimeType": "image/png", "buffer": png_bytes()}])
    expect(body).to_have_value(re.compile(r"!\[画像の説明を入力\]\(/media/uploads/[0-9a-f]{32}-64x48\.png\)"))
    # The placeholder is selected: typing replaces it with the description.
    page.keyboard.type("推論サーバーの構成図")
    expect(body).to_have_value(re.compile(r"!\[推論サーバーの構成図\]\(/media/uploads/[0-9a-f]{32}-64x48\.png\)"))
    expect(page.locator('.markdownx-preview img[alt="推論サーバーの構成図"][width="64"][height="48"]')).to_have_count(1)
    page.locator('input[name="_continue"]').click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    article.refresh_from_db()
    assert "![推論サーバーの構成図](/media/uploads/" in article.body
    assert_no_problems(page)


def test_an_editor_drags_a_scheduled_article_to_another_day_on_the_calendar(site, new_page, newsroom):
    when = timezone.make_aware(datetime.datetime(2030, 6, 12, 9, 30))
    article = make_article(title="カレンダーで動かす記事", status=Status.SCHEDULED, published_at=when)
    page = staff_page(new_page, site, newsroom["editor"])
    page.goto(site.url("/admin/blog/article/calendar/?date=2030-06-01"))
    item = page.locator('[data-date="2030-06-12"] [draggable="true"]', has_text="カレンダーで動かす記事")
    expect(item).to_be_visible()
    item.drag_to(page.locator('td[data-date="2030-06-14"]'))
    expect(page.locator(".calendar-status")).to_contain_text("2030年6月14日 09:30に変更しました")
    expect(page.locator('[data-date="2030-06-14"]')).to_contain_text("カレンダーで動かす記事")
    article.refresh_from_db()
    assert timezone.localtime(article.published_at) == timezone.make_aware(datetime.datetime(2030, 6, 14, 9, 30))
    assert article.status == Status.SCHEDULED
    assert_no_problems(page)


def test_without_dragging_the_calendar_form_moves_an_article_by_keyboard(site, new_page, newsroom):
    when = timezone.make_aware(datetime.datetime(2030, 6, 12, 9, 30))
    article = make_article(title="キーボードで動かす記事", status=Status.SCHEDULED, published_at=when)
    page = staff_page(new_page, site, newsroom["editor"])
    page.goto(site.url("/admin/blog/article/calendar/?date=2030-06-01"))
    page.get_by_label("日付を変更").fill("2030-06-20")
    page.get_by_role("button", name="移動").click()
    expect(page.locator(".messagelist .success")).to_contain_text("2030年6月20日")
    article.refresh_from_db()
    assert timezone.localdate(article.published_at) == datetime.date(2030, 6, 20)
    assert_no_problems(page)
