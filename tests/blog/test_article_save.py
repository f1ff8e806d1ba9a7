"""Article.save() renders the Markdown only when its source changed, and keeps partial saves partial."""

from unittest import mock

import pytest

from blog.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_a_new_article_is_rendered():
    article = make_article(body="## 見出し\n\n本文です。")
    assert "本文です。" in article.body_html


def test_saving_an_unchanged_article_does_not_render_again():
    article = Article.objects.get(pk=make_article().pk)
    with mock.patch.object(Article, "render") as render:
        article.save()
    render.assert_not_called()


def test_changing_the_body_renders_again():
    article = Article.objects.get(pk=make_article(body="古い本文").pk)
    article.body = "新しい**本文**"
    article.save()
    assert "<strong>本文</strong>" in Article.objects.get(pk=article.pk).body_html


def test_changing_the_excerpt_or_title_renders_again():
    article = Article.objects.get(pk=make_article().pk)
    article.excerpt = "新しい*抜粋*"
    article.save()
    article = Article.objects.get(pk=article.pk)
    assert "<em>抜粋</em>" in article.excerpt_html
    article.title = "まったく別のタイトル"
    article.save()
    assert "まったく別のタイトル" in Article.objects.get(pk=article.pk).search_document


def test_a_status_only_save_neither_renders_nor_widens_update_fields():
    article = Article.objects.get(pk=make_article(status=Article.Status.DRAFT).pk)
    article.status = Article.Status.IN_REVIEW
    with mock.patch.object(Article, "render") as render, mock.patch("django.db.models.Model.save") as model_save:
        article.save(update_fields=["status"])
    render.assert_not_called()
    assert model_save.call_args.kwargs["update_fields"] == ["status"]


def test_a_partial_save_of_the_body_writes_its_rendered_columns_too():
    article = Article.objects.get(pk=make_article(body="古い本文").pk)
    article.body = "部分保存の本文"
    article.save(update_fields=["body"])
    assert "部分保存の本文" in Article.objects.get(pk=article.pk).body_html


def test_an_article_loaded_without_its_body_renders_when_saved_in_full():
    article = Article.objects.defer("body").get(pk=make_article(body="遅延読み込みの本文").pk)
    article.save()
    assert "遅延読み込みの本文" in Article.objects.get(pk=article.pk).body_html
