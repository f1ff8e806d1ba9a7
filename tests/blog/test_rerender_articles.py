"""`manage.py rerender_articles` brings stored HTML up to the current pipeline."""

from io import StringIO

import pytest
from django.core.management import call_command

from blog.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def _stale(article, html="<p>古い HTML</p>"):
    Article.objects.filter(pk=article.pk).update(body_html=html)


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("rerender_articles", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_rerender_updates_stale_articles_and_reports_how_many_changed():
    stale, fresh = make_article(body="~~取り消し~~"), make_article(body="本文")
    _stale(stale)
    status_before = Article.objects.get(pk=stale.pk).status
    out, err = run()
    assert "2 件中 1 件の記事を更新しました" in out
    assert "2/2" in err
    reloaded = Article.objects.get(pk=stale.pk)
    assert reloaded.body_html == "<p><s>取り消し</s></p>" and reloaded.status == status_before
    assert Article.objects.get(pk=fresh.pk).body_html == "<p>本文</p>"


def test_dry_run_counts_without_saving():
    article = make_article(body="本文")
    _stale(article)
    out, _ = run("--dry-run")
    assert "1 件中 1 件の記事が変わります" in out
    assert Article.objects.get(pk=article.pk).body_html == "<p>古い HTML</p>"
