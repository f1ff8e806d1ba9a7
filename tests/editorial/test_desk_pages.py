"""Every desk page of every demo and imported article opens for every role: no error page.

The articles come from ``load_demo`` and from the Japanese Jekyll fixtures in tests/fixtures/jekyll
(imported published and, a second copy, as drafts), so their revisions and history were written by
the importer, with no user, as on the real site after migration.
"""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from editorial import sharing
from editorial.models import ReviewComment, Revision
from tests.factories import make_user

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "jekyll"

ROLES = {
    "writer": {"groups": ["Writer"]},
    "editor": {"groups": ["Editor"]},
    "chief": {"groups": ["Editor-in-chief"]},
    "superuser": {"is_superuser": True},
}


@pytest.fixture
def imported_articles(db, tmp_path):
    call_command("load_demo", "--without-pictures", verbosity=0)
    call_command("import_jekyll", str(FIXTURES / "site"), str(FIXTURES / "single"), verbosity=0)
    # A second copy of the site as drafts, under other paths so it does not update the first.
    drafts = tmp_path / "drafts"
    import shutil

    shutil.copytree(FIXTURES / "site", drafts)
    call_command("import_jekyll", str(drafts), "--as-draft", verbosity=0)
    # A comment whose writer has since left: the desk must still show it.
    first = Article.objects.order_by("pk").first()
    ReviewComment.objects.create(article=first, body="導入を短くしてください。", created_by=None)
    articles = list(Article.objects.order_by("pk"))
    assert len(articles) >= 5
    assert Revision.objects.filter(created_by=None).exists(), "the importer's revisions have no user"
    return articles


def desk_pages(article):
    revision_ids = list(article.revisions.values_list("pk", flat=True)[:2]) or [0]
    a, b = revision_ids[-1], revision_ids[0]
    token = sharing.make_token(article, expires_at=timezone.now() + datetime.timedelta(days=1))
    return {
        "change": reverse("admin:blog_article_change", args=[article.pk]),
        "history": reverse("admin:blog_article_history", args=[article.pk]),
        "preview": reverse("admin:blog_article_preview", args=[article.pk]),
        "diff": reverse("admin:blog_article_revision_diff", args=[article.pk]) + f"?a={a}&b={b}",
        "share": reverse("editorial:shared-preview", args=[token]),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_desk_page_of_every_demo_and_imported_article_opens_for_each_role(client, imported_articles, role):
    user = make_user(f"desk-{role}", **ROLES[role])
    client.force_login(user)
    failures = []
    for article in imported_articles:
        for page, url in desk_pages(article).items():
            response = client.get(url)
            if response.status_code != 200:
                failures.append((article.title, article.status, page, response.status_code))
    assert failures == []


@pytest.mark.parametrize("role", ["editor", "chief", "superuser"])
def test_staff_who_may_share_create_a_share_link_for_every_imported_article(client, imported_articles, role):
    client.force_login(make_user(f"sharer-{role}", **ROLES[role]))
    for article in imported_articles:
        response = client.post(reverse("admin:blog_article_share", args=[article.pk]), {"days": 3})
        assert response.status_code == 302, article.title


def test_the_desk_names_the_importer_for_revisions_without_a_user(client, imported_articles):
    client.force_login(make_user("desk-chief", groups=["Editor-in-chief"]))
    article = imported_articles[0]
    response = client.get(reverse("admin:blog_article_change", args=[article.pk]))
    assert "システム（取り込み・自動処理）" in response.content.decode()
    assert "（削除されたユーザー）" in response.content.decode()
