"""The article form's title counter and romaji slug button, and dragging a due date across the
editorial calendar, in a real browser."""

import datetime

from playwright.sync_api import expect

from blog.models import Article
from editorial import assignments
from editorial.models import Assignment
from tests.e2e.test_editor_flows import (  # noqa: F401 (fixtures)
    assert_no_problems,
    change_url,
    newsroom,
    staff_page,
)
from tests.factories import make_article, make_author

Status = Article.Status


def test_the_title_counts_its_characters_and_the_slug_suggestion_fills_the_slug(site, new_page, newsroom):
    writer = newsroom["writer"]
    article = make_article(title="生成AIの衝撃", slug="", status=Status.DRAFT, authors=[make_author("佐藤美咲", user=writer)])
    page = staff_page(new_page, site, writer)
    page.goto(change_url(site, article))
    counter = page.locator("#title-counter")
    expect(counter).to_have_text("7 / 200 文字")
    title = page.locator("#id_title")
    title.fill("あ" * 205)
    expect(counter).to_have_text("205 / 200 文字（5 文字多すぎます）")
    expect(title).to_have_attribute("aria-invalid", "true")
    # Nothing was cut by the browser; the server refuses and keeps the text.
    page.locator('input[name="_continue"]').click()
    expect(page.locator(".errorlist")).to_contain_text("タイトルは200文字以内にしてください（いまは205文字です）。")
    expect(page.locator("#id_title")).to_have_value("あ" * 205)

    page.goto(change_url(site, article))
    page.get_by_role("button", name="候補を使う（seisei-ai-no-shougeki）").click()
    expect(page.locator("#id_slug")).to_have_value("seisei-ai-no-shougeki")
    page.locator('input[name="_continue"]').click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    article.refresh_from_db()
    assert article.slug == "seisei-ai-no-shougeki"
    page.dialogs.clear()  # the refused save above left the page with edits: the leave question
    assert_no_problems(page)


def test_an_editor_drags_a_due_date_to_another_day_on_the_calendar(site, new_page, newsroom):
    editor = newsroom["editor"]
    article = make_article(title="締め切りを動かす記事", status=Status.DRAFT)
    assignments.assign(article, editor, assignee=editor, due_on=datetime.date(2030, 6, 12))
    page = staff_page(new_page, site, editor)
    page.goto(site.url("/admin/blog/article/calendar/?date=2030-06-01"))
    item = page.locator('[data-date="2030-06-12"] [draggable="true"]', has_text="締め切りを動かす記事")
    expect(item).to_be_visible()
    item.drag_to(page.locator('td[data-date="2030-06-18"]'))
    expect(page.locator(".calendar-status")).to_contain_text("締め切りを2030年6月18日に変更しました")
    expect(page.locator('[data-date="2030-06-18"]')).to_contain_text("締め切りを動かす記事")
    assert Assignment.objects.get(article=article).due_on == datetime.date(2030, 6, 18)
    assert_no_problems(page)
