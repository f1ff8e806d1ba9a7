"""Slugs made from titles, and the title limit, as editors and the importer meet them."""

import io
import textwrap

import pytest
from django.core.management import call_command

from blog import text
from blog.models import Article
from editorial import jekyll
from tests.factories import make_article

TITLE_MAX = Article._meta.get_field("title").max_length


# --- the slug rule ---------------------------------------------------------------------------


def test_markup_is_removed_before_the_slug_is_made():
    slug = text.unicode_slugify("GPT-5の衝撃<script>alert(1)</script>LLM")
    assert slug == "gpt-5の衝撃llm"
    assert "script" not in slug and "alert" not in slug


def test_tags_go_but_their_text_stays():
    assert text.unicode_slugify("<em>生成AI</em>の<b>現在</b>") == "生成aiの現在"


def test_punctuation_is_removed():
    assert text.unicode_slugify("「生成AI」とは？――入門！（第1回）") == "生成aiとは入門第1回"


def test_a_long_japanese_title_gives_at_most_sixty_characters():
    title = "大規模言語モデルの推論コストを半分にする量子化と蒸留の実践ガイド" * 5
    slug = text.unicode_slugify(title)
    assert len(slug) == text.SLUG_MAX == 60
    assert title.startswith(slug)  # the title's own characters, not %-escapes


def test_the_cut_never_leaves_a_dash_at_the_end():
    title = "a" * 59 + " tail"
    assert text.unicode_slugify(title) == "a" * 59


def test_the_cut_counts_characters_after_composing_them():
    # Half-width ｶﾞ is two code points that make one character, ガ: it fits as the 60th.
    assert text.unicode_slugify("a" * 59 + "ｶﾞ続き") == "a" * 59 + "ガ"


@pytest.mark.django_db
def test_an_article_slug_from_its_title_follows_the_rule():
    article = make_article(title="GPT-5の衝撃<script>alert(1)</script>LLM" + "、その先へ" * 30, slug="")
    assert article.slug.startswith("gpt-5の衝撃llmその先へ")
    assert len(article.slug) <= 60


@pytest.mark.django_db
def test_a_second_article_with_the_same_long_title_gets_a_numbered_slug_within_the_limit():
    title = "長いタイトル" * 30
    first = make_article(title=title, slug="")
    second = make_article(title=title, slug="")
    assert first.slug != second.slug
    assert second.slug.endswith("-2")
    assert len(second.slug) <= 60


# --- the importer --------------------------------------------------------------------------


def write_post(tmp_path, title):
    posts = tmp_path / "_posts"
    posts.mkdir(exist_ok=True)
    path = posts / "2024-05-01-sample.md"
    path.write_text(
        textwrap.dedent(
            f"""\
            ---
            layout: post
            date: 2024-05-01 09:00:00 +0900
            title: "{title}"
            ---
            本文です。
            """
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.django_db
def test_the_importer_makes_slugs_by_the_same_rule(tmp_path):
    path = write_post(tmp_path, "GPT-5の衝撃<script>alert(1)</script>LLM")
    post = jekyll.parse_post(path, "_posts/2024-05-01-sample.md", tz=jekyll.timezone_named("Asia/Tokyo"))
    post.name_slug = ""
    outcome = jekyll.save_post(post)
    assert outcome.article.slug == "gpt-5の衝撃llm"


@pytest.mark.django_db
def test_the_importer_refuses_an_over_long_title_naming_file_and_line(tmp_path):
    path = write_post(tmp_path, "あ" * (TITLE_MAX + 1))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(Exception):
        call_command("import_jekyll", str(tmp_path), stdout=out, stderr=err)
    assert f"{path}:4:" in err.getvalue()  # the title: line
    assert f"{TITLE_MAX} 文字以内" in err.getvalue()
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_the_importer_keeps_a_title_at_the_limit_whole(tmp_path):
    title = "あ" * TITLE_MAX
    path = write_post(tmp_path, title)
    post = jekyll.parse_post(path, "_posts/2024-05-01-sample.md", tz=jekyll.timezone_named("Asia/Tokyo"))
    assert post.title == title
    assert not post.notes


# --- the article form ------------------------------------------------------------------------

from editorial.romaji import romaji_slug  # noqa: E402
from tests.editorial.conftest import change_form_data, change_url  # noqa: E402

Status = Article.Status


def test_the_romaji_suggestion_is_ascii_and_follows_the_slug_rule():
    assert romaji_slug("GPT-5の衝撃<script>alert(1)</script>LLM") == "gpt-5-no-shougeki-llm"
    long = romaji_slug("大規模言語モデルの推論コストを半分にする量子化と蒸留の実践ガイド、そして未来")
    assert long.isascii() and len(long) <= 60 and not long.endswith("-")
    assert long.startswith("daikibo-gengo-moderu-no-suiron")


def test_a_title_without_japanese_gets_no_romaji_suggestion():
    assert romaji_slug("Hello, LLM world") == ""


@pytest.mark.django_db
def test_the_change_page_offers_the_romaji_slug_for_the_editor_to_accept(client, users, article_in):
    article = article_in(Status.DRAFT, title="生成AIの衝撃")
    client.force_login(users["editor"])
    page = client.get(change_url(article)).content.decode()
    assert 'data-suggestion="seisei-ai-no-shougeki"' in page
    assert "ローマ字の候補" in page
    assert "editorial/change_form.js" in page

    response = client.post(change_url(article), change_form_data(article, slug="seisei-ai-no-shougeki"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.slug == "seisei-ai-no-shougeki"
    # Taken: no longer offered.
    assert "data-suggestion" not in client.get(change_url(article)).content.decode()


@pytest.mark.django_db
def test_the_title_field_carries_its_limit_for_the_counter_and_no_maxlength(client, users, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(users["editor"])
    page = client.get(change_url(article)).content.decode()
    assert f'data-max-chars="{TITLE_MAX}"' in page
    assert 'maxlength="200"' not in page.split('name="title"')[1].split(">")[0]


@pytest.mark.django_db
def test_a_title_over_the_limit_is_refused_with_a_message_not_cut(client, users, article_in):
    article = article_in(Status.DRAFT, title="元のタイトル")
    client.force_login(users["editor"])
    long_title = "あ" * (TITLE_MAX + 5)
    response = client.post(change_url(article), change_form_data(article, title=long_title))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["title"]
    assert errors == [f"タイトルは{TITLE_MAX}文字以内にしてください（いまは{TITLE_MAX + 5}文字です）。"]
    assert long_title in response.content.decode()  # kept in the form for the editor to shorten
    article.refresh_from_db()
    assert article.title == "元のタイトル"


@pytest.mark.django_db
def test_a_title_at_the_limit_is_saved_whole(client, users, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(users["editor"])
    title = "い" * TITLE_MAX
    assert client.post(change_url(article), change_form_data(article, title=title)).status_code == 302
    article.refresh_from_db()
    assert article.title == title
