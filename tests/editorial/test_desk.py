"""The desk around the workflow: roles, changelist filters and queries, the dashboard."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from blog.models import Article
from tests.factories import make_article

from .conftest import future

Status = Article.Status
pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/blog/article/"


def test_the_three_newsroom_groups_exist_with_nested_powers(db):
    perms = {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        for group in Group.objects.filter(name__in=["Writer", "Editor", "Editor-in-chief"])
    }
    assert set(perms) == {"Writer", "Editor", "Editor-in-chief"}
    assert perms["Writer"] < perms["Editor"] < perms["Editor-in-chief"]
    assert "editorial.submit_article" in perms["Writer"]
    assert {"editorial.review_article", "editorial.schedule_article", "editorial.edit_any_article"} <= perms["Editor"]
    assert "editorial.publish_article" not in perms["Editor"]
    assert {"editorial.publish_article", "editorial.edit_published_article"} <= perms["Editor-in-chief"]


def test_the_admin_is_in_japanese(client, users):
    client.force_login(users["editor"])
    content = client.get(CHANGELIST).content.decode()
    assert "記事" in content and "フィルター" in content and "自分の記事" in content


@pytest.mark.parametrize(
    "view, expected",
    [("mine", {"own draft", "own review"}), ("awaiting", {"own review", "other review"}), ("scheduled", {"other scheduled"})],
)
def test_desk_filters_show_my_articles_awaiting_review_and_scheduled(view, expected, client, users, owner, article_in):
    other = users["writer_other"].author_profile
    titles = {
        "own draft": article_in(Status.DRAFT, title="own draft"),
        "own review": article_in(Status.IN_REVIEW, title="own review"),
        "other review": make_article("other review", status=Status.IN_REVIEW, authors=[other]),
        "other scheduled": make_article("other scheduled", status=Status.SCHEDULED, published_at=future(), authors=[other]),
    }
    assert titles
    client.force_login(owner)
    response = client.get(CHANGELIST, {"view": view})
    assert {a.title for a in response.context["cl"].result_list} == expected


def test_the_changelist_filters_by_state_category_author_and_tag_and_searches(client, users, article_in):
    article = article_in(Status.IN_REVIEW, title="ベクトル検索入門", tags=("RAG",))
    article_in(Status.DRAFT, title="別の記事", tags=("GPU",))
    client.force_login(users["editor"])
    tag = article.tags.get()
    author = article.authors.get()
    for params in (
        {"status__exact": "in_review"},
        {"category__id__exact": article.category_id},
        {"authors__id__exact": author.pk, "q": "ベクトル"},
        {"tags__id__exact": tag.pk},
        {"q": "ベクトル"},
    ):
        response = client.get(CHANGELIST, params)
        assert response.status_code == 200, params
        assert [a.title for a in response.context["cl"].result_list] == ["ベクトル検索入門"], params


def make_articles(n, owner):
    for i in range(n):
        make_article(f"記事{i}", status=Status.values[i % len(Status.values)], authors=[owner.author_profile],
                     published_at=future() if i % len(Status.values) == 3 else None)  # fmt: skip


# Session, user, groups/permissions, count, list, authors prefetch, filters' choices... The number
# must not grow with the number of articles.
CHANGELIST_QUERIES = 11


@pytest.mark.parametrize("size", [3, 30])
def test_the_changelist_runs_a_constant_number_of_queries(size, client, users, owner, django_assert_num_queries):
    make_articles(size, owner)
    client.force_login(users["editor"])
    with django_assert_num_queries(CHANGELIST_QUERIES):
        response = client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == size


def test_the_dashboard_on_the_admin_index_shows_counts_my_drafts_review_and_schedule(client, users, owner, article_in):
    article_in(Status.DRAFT, title="自分の下書き")
    article_in(Status.IN_REVIEW, title="レビュー待ちの記事")
    article_in(Status.SCHEDULED, title="予約済みの記事", published_at=future(hours=2))
    article_in(Status.PUBLISHED)
    client.force_login(owner)
    response = client.get(reverse("admin:index"))
    content = response.content.decode()
    dashboard = content[content.index('id="editorial-dashboard"'):]
    assert "編集デスク" in dashboard
    for text in ("自分の下書き", "レビュー待ちの記事", "予約済みの記事"):
        assert text in dashboard
    for label in ("下書き", "レビュー中", "予約済み", "公開中"):
        assert f">{label}</a></th><td>1</td>" in dashboard
    assert ">アーカイブ</a></th><td>0</td>" in dashboard
    assert f"{CHANGELIST}?view=mine" in dashboard


def test_staff_without_article_access_see_no_dashboard(client, users):
    client.force_login(users["staff_without_role"])
    assert 'id="editorial-dashboard"' not in client.get(reverse("admin:index")).content.decode()


def test_state_badges_are_styled_by_the_desk_stylesheet_not_inline_colours(client, users, article_in):
    # Inline dark-green text failed contrast on the admin's dark theme; the pill reads in both.
    article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    content = client.get(CHANGELIST).content.decode()
    assert '<span class="status-badge status-badge--in_review">レビュー中</span>' in content
    assert "editorial/admin.css" in content


def test_the_tag_merge_page_uses_the_desk_stylesheet(client, users):
    from tests.factories import make_article

    article = make_article(tags=("統合元", "統合先"))
    ids = ",".join(str(tag.pk) for tag in article.tags.all())
    client.force_login(users["editor_in_chief"])
    content = client.get("/admin/blog/tag/merge/", {"ids": ids}).content.decode()
    assert "editorial/admin.css" in content
