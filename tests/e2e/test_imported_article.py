"""A migrated Jekyll article on the desk: the editor-in-chief opens it, edits it and publishes it."""

from pathlib import Path

from django.core.management import call_command
from playwright.sync_api import expect

from blog.models import Article
from tests.e2e.test_editor_flows import (  # noqa: F401 (newsroom is a fixture)
    assert_no_problems,
    change_url,
    expect_status,
    newsroom,
    staff_page,
    take_transition,
    watched,
)

Status = Article.Status
SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "jekyll" / "single" / "000_sample.txt"
ADDED = "移行後に編集部が追記した段落です。"


def test_chief_opens_an_imported_article_edits_it_and_publishes_it(new_page, site, newsroom, screenshot):
    before = set(Article.objects.values_list("pk", flat=True))
    call_command("import_jekyll", str(SAMPLE), "--as-draft", verbosity=0)
    [article] = Article.objects.exclude(pk__in=before)
    assert not article.revisions.exclude(created_by=None).exists()  # saved by the importer alone

    chief = staff_page(new_page, site, newsroom["chief"])
    chief.goto(change_url(site, article))
    expect_status(chief, Status.DRAFT)
    expect(chief.locator("#revisions")).to_contain_text("システム（取り込み・自動処理）")

    body = chief.locator("#id_body")
    body.fill(body.input_value() + "\n\n" + ADDED + "\n")
    chief.locator('input[name="_continue"]').click()
    expect(chief.locator(".messagelist .success")).to_be_visible()
    expect(chief.locator("#revisions tbody tr")).to_have_count(2)

    take_transition(chief, "レビューに出す")
    expect_status(chief, Status.IN_REVIEW)
    take_transition(chief, "今すぐ公開する")
    expect_status(chief, Status.PUBLISHED)
    screenshot(chief, "imported-article-published")

    reader = watched(new_page("desktop"))
    article.refresh_from_db()
    reader.goto(site.url(article.get_absolute_url()))
    expect(reader.locator(".article__body")).to_contain_text(ADDED)
    assert_no_problems(chief, reader)
