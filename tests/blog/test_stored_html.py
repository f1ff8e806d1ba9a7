"""An article's card, search-card details and header are stored with it, and stay what the
templates would render now: whatever changes a row they show re-renders them (blog.stored_html)."""

import io

import pytest
from django.core.management import call_command

from blog import stored_html
from blog.models import Article, Picture, Tag
from editorial import workflow
from tests.factories import make_article, make_author, make_category, make_picture, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def stored(article) -> dict:
    return dict(Article.objects.filter(pk=article.pk).values(*stored_html.STORED_FIELDS).get())


def fresh(article) -> dict:
    """What the templates render for the article's rows as they are in the database now."""
    return stored_html.render(Article.objects.get(pk=article.pk))


def assert_current(*articles):
    for article in articles:
        assert stored(article) == fresh(article), article.title


def test_a_saved_article_stores_its_card_details_and_header():
    article = make_article("推論サーバーの選び方", authors=[make_author("山田花子")], tags=["LLM", "推論"])
    html = stored(article)
    assert '<article class="card">' in html["card_html"] and "推論サーバーの選び方" in html["card_html"]
    assert "山田花子" in html["card_html"] and "#推論" in html["card_html"]
    assert "山田花子" in html["card_details_html"] and "推論サーバーの選び方" not in html["card_details_html"]
    assert '<h1 class="article__title">推論サーバーの選び方</h1>' in html["header_html"]
    assert_current(article)


def test_list_and_article_pages_show_the_stored_html(client):
    article = make_article("量子化の基礎")
    # Written behind the ORM's back, the stored HTML is what the pages show (nothing re-rendered).
    Article.objects.filter(pk=article.pk).update(
        card_html='<article class="card"><h2>保存済みカード</h2></article>',
        header_html='<header class="article__header"><h1>保存済み見出し</h1></header>',
    )
    assert "保存済みカード" in client.get("/").content.decode()
    assert "保存済み見出し" in client.get(article.get_absolute_url()).content.decode()


def test_an_article_stored_without_its_html_is_rendered_on_the_fly(client):
    article = make_article("移行前の記事", tags=["LLM"])
    Article.objects.filter(pk=article.pk).update(card_html="", card_details_html="", header_html="")
    assert "移行前の記事" in client.get("/").content.decode()
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<h1 class="article__title">移行前の記事</h1>' in page and "#LLM" in page


@pytest.mark.parametrize("field", ["name", "slug"])
def test_renaming_a_category_rerenders_its_articles_only(field):
    news, other = make_category("ニュース"), make_category("解説")
    shown = [make_article(category=news) for _ in range(3)]
    elsewhere = make_article(category=other)
    untouched = stored(elsewhere)
    setattr(news, field, "速報" if field == "name" else "breaking")
    news.save()
    for article in shown:
        assert ("速報" if field == "name" else "/categories/breaking/") in stored(article)["header_html"]
    assert_current(*shown)
    assert stored(elsewhere) == untouched


def test_saving_a_category_without_changing_what_is_shown_renders_nothing(django_assert_max_num_queries):
    category = make_category("ニュース")
    make_article(category=category)
    category.description = "説明だけ変える"
    with django_assert_max_num_queries(2):  # the comparison and the update; no article read
        category.save()


def test_renaming_a_tag_rerenders_the_cards_that_show_it():
    article = make_article(tags=["LLM", "推論"])
    tag = Tag.objects.get(name="推論")
    tag.name = "推論処理"
    tag.save()
    assert "#推論処理" in stored(article)["card_html"]
    assert_current(article)


def test_merging_tags_rerenders_every_article_of_both():
    moved = make_article(tags=["エヌビディア"])
    both = make_article(tags=["エヌビディア", "NVIDIA"])
    Tag.objects.get(name="エヌビディア").merge_into(Tag.objects.get(name="NVIDIA"))
    for article in (moved, both):
        assert "#エヌビディア" not in stored(article)["card_html"]
        assert stored(article)["card_html"].count("#NVIDIA") == 1
    assert_current(moved, both)


def test_deleting_a_tag_removes_it_from_the_stored_html():
    article = make_article(tags=["LLM", "廃止予定"])
    Tag.objects.get(name="廃止予定").delete()
    assert "#廃止予定" not in stored(article)["header_html"]
    assert_current(article)


def test_an_authors_rename_and_deletion_reach_their_articles_bylines():
    author = make_author("佐藤一郎")
    article = make_article(authors=[author, make_author("鈴木二郎")])
    author.name = "佐藤 一郎"
    author.save()
    assert "佐藤 一郎" in stored(article)["card_details_html"]
    assert_current(article)
    author.delete()
    assert "佐藤" not in stored(article)["header_html"] and "鈴木二郎" in stored(article)["header_html"]
    assert_current(article)


def test_changing_an_articles_authors_or_tags_from_either_side_rerenders_it():
    article = make_article(authors=[make_author("山田花子")], tags=["LLM"])
    article.tags.add("量子化")
    assert "#量子化" in stored(article)["card_html"]
    article.tags.remove("LLM")
    assert "#LLM" not in stored(article)["card_html"]
    newcomer = make_author("新人記者")
    newcomer.articles.add(article)
    assert "新人記者" in stored(article)["header_html"]
    newcomer.articles.clear()
    assert "新人記者" not in stored(article)["header_html"]
    article.tags.clear()
    assert_current(article)


def test_a_covers_text_renditions_and_deletion_reach_the_cards(media):
    picture = make_picture(alt="サーバーラック")
    article = make_article()
    article.cover = picture
    article.save(update_fields=["cover"])  # how the demo sets covers: a partial save
    assert 'alt="サーバーラック"' in stored(article)["card_html"] and "card--cover" in stored(article)["card_html"]
    picture.alt = "データセンターの通路"
    picture.save(update_fields=["alt", "updated_at"])
    assert 'alt="データセンターの通路"' in stored(article)["header_html"]
    assert_current(article)
    Picture.objects.get(pk=picture.pk).delete()
    assert "<picture" not in stored(article)["card_html"] and "card--cover" not in stored(article)["card_html"]
    assert_current(article)


def test_a_first_card_loads_its_cover_eagerly_from_the_same_stored_card(media):
    article = make_article(cover=make_picture())
    article = Article.objects.get(pk=article.pk)
    lazy = stored_html.stored(article, "card_html")
    assert 'loading="lazy"' in lazy
    for loading, expected in [("eager", ' decoding="async">'), ("high", ' decoding="async" fetchpriority="high">')]:
        card = stored_html.stored(article, "card_html", loading)
        assert expected in card and 'loading="lazy"' not in card
        assert card == lazy.replace(' decoding="async" loading="lazy">', expected)


def test_publishing_through_the_workflow_stores_the_date_it_shows():
    article = make_article(status=Article.Status.IN_REVIEW, published_at=None)
    assert "<time" not in stored(article)["header_html"]
    workflow.publish(article, make_user(is_superuser=True))
    assert "<time" in stored(article)["header_html"] and "<time" in stored(article)["card_html"]
    assert_current(article)


def test_rerender_articles_refreshes_stale_stored_html():
    article = make_article("古いカードの記事")
    Article.objects.filter(pk=article.pk).update(card_html="古い", card_details_html="古い", header_html="古い")
    call_command("rerender_articles", stdout=io.StringIO(), stderr=io.StringIO())
    assert_current(article)
    assert "古いカードの記事" in stored(article)["card_html"]


def test_refresh_renders_many_articles_in_a_constant_number_of_queries(django_assert_max_num_queries):
    category = make_category()
    articles = [make_article(category=category, tags=["LLM", "推論"]) for _ in range(12)]
    Article.objects.update(card_html="", card_details_html="", header_html="")
    with django_assert_max_num_queries(6):  # articles, authors, tags, the update (in a transaction)
        assert stored_html.refresh(Article.objects.all()) == 12
    assert_current(*articles)
