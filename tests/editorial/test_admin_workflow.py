"""The workflow through real admin requests: buttons, direct POSTs, bypass attempts, bulk actions."""

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from blog.models import Article
from editorial.models import Transition

from .conftest import MATRIX, SOURCE, TARGET, change_form_data, change_url, transition_post_data, transition_url

Status = Article.Status
pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/blog/article/"


@pytest.mark.parametrize("name, role, allowed", MATRIX)
def test_admin_post_takes_a_transition_only_when_the_role_allows_it(name, role, allowed, client, users, article_in):
    article = article_in(SOURCE[name])
    client.force_login(users[role])
    response = client.post(transition_url(article, name), transition_post_data(name))
    article.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert response["Location"] == change_url(article)
        assert article.status == TARGET[name]
        assert Transition.objects.filter(article=article, to_status=TARGET[name], by=users[role]).exists()
    else:
        assert response.status_code == 403
        assert article.status == SOURCE[name]
        assert not Transition.objects.filter(article=article).exists()


@pytest.mark.parametrize("role", ["writer_own", "editor", "editor_in_chief"])
def test_change_page_shows_a_button_for_exactly_the_allowed_transitions(role, client, users, article_in):
    client.force_login(users[role])
    for status in Status.values:
        article = article_in(status)
        response = client.get(change_url(article))
        assert response.status_code == 200
        shown = {
            name for name in SOURCE if f'name="_transition" value="{name}"' in response.content.decode()
        }
        expected = {name for name, r, allowed in MATRIX if r == role and allowed and SOURCE[name] == status}
        assert shown == expected, status


def test_anonymous_post_is_sent_to_the_login_page_and_changes_nothing(client, article_in):
    article = article_in(Status.IN_REVIEW)
    response = client.post(transition_url(article, "publish"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_a_get_request_to_a_transition_url_changes_nothing(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor_in_chief"])
    response = client.get(transition_url(article, "publish"))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_an_unknown_or_system_only_transition_is_not_found(client, users, article_in):
    article = article_in(Status.SCHEDULED)
    client.force_login(users["superuser"])
    assert client.post(transition_url(article, "publish_due")).status_code == 404
    assert client.post(transition_url(article, "delete_everything")).status_code == 404
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED


def test_posting_a_transition_from_the_wrong_state_explains_and_changes_nothing(client, users, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(users["editor_in_chief"])
    response = client.post(transition_url(article, "publish"), follow=True)
    assert "「今すぐ公開する」は「レビュー中」の記事にしかできません" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_submitting_an_unready_article_from_the_admin_lists_what_is_missing(client, owner, article_in):
    article = article_in(Status.DRAFT, excerpt="", tags=())
    client.force_login(owner)
    response = client.post(transition_url(article, "submit"), follow=True)
    assert "次の項目を入力してください：抜粋、タグ（1つ以上）" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_request_changes_without_a_comment_is_refused(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    response = client.post(transition_url(article, "request_changes"), {"comment": ""}, follow=True)
    assert "このフィールドは必須です" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_the_writer_sees_the_change_request_at_the_top_of_the_panel(client, users, owner, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    client.post(transition_url(article, "request_changes"), {"comment": "導入部を短くしてください。"})
    client.force_login(owner)
    html = client.get(change_url(article)).content.decode()
    panel = html[html.index('id="workflow"') : html.index("</div>", html.index('class="editorial-request"'))]
    assert "修正依頼" in panel and "導入部を短くしてください。" in panel
    client.post(transition_url(article, "resubmit"))
    assert 'class="editorial-request"' not in client.get(change_url(article)).content.decode()


def test_approve_without_a_time_is_refused(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    client.post(transition_url(article, "approve"), {"comment": "OK"})
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_approve_with_a_past_time_is_refused(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    response = client.post(transition_url(article, "approve"), {"publish_at": "2000-01-01T10:00"}, follow=True)
    assert "未来の日時" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


# --- bypass attempts ---------------------------------------------------------------------


def test_status_and_published_at_in_the_change_form_post_are_ignored(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    data = change_form_data(article, title="新しいタイトル", status="published", published_at="2020-01-01 00:00:00")
    response = client.post(change_url(article), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "新しいタイトル"
    assert (article.status, article.published_at) == (Status.DRAFT, None)
    assert not Transition.objects.exists()


def test_status_in_the_add_form_post_is_ignored(client, owner, category):
    client.force_login(owner)
    data = {
        "title": "新規記事", "slug": "", "excerpt": "", "body": "本文", "category": category.pk, "tags": "LLM",
        "reading_time_override": "", "status": "published", "published_at": "2020-01-01 00:00:00", "_save": "保存",
    }  # fmt: skip
    response = client.post(reverse("admin:blog_article_add"), data)
    assert response.status_code == 302
    article = Article.objects.get(title="新規記事")
    assert (article.status, article.published_at) == (Status.DRAFT, None)


def test_a_writer_cannot_save_someone_elses_article(client, users, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(users["writer_other"])
    response = client.post(change_url(article), change_form_data(article, title="乗っ取り"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title != "乗っ取り"


def test_a_writer_cannot_edit_their_own_article_once_in_review(client, owner, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(owner)
    response = client.get(change_url(article))
    assert response.status_code == 200
    assert 'name="title"' not in response.content.decode()  # view-only
    response = client.post(change_url(article), change_form_data(article, title="こっそり修正"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title != "こっそり修正"


def test_a_writer_cannot_change_the_byline(client, users, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    other = users["writer_other"].author_profile
    client.post(change_url(article), change_form_data(article, authors=[other.pk]))
    assert list(article.authors.all()) == [owner.author_profile]


def test_a_new_article_gets_its_creator_as_author(client, users, category):
    writer = users["writer_other"]
    client.force_login(writer)
    data = {"title": "初めての記事", "excerpt": "", "body": "", "category": "", "tags": "", "reading_time_override": "", "_save": "1"}
    assert client.post(reverse("admin:blog_article_add"), data).status_code == 302
    assert list(Article.objects.get(title="初めての記事").authors.all()) == [writer.author_profile]


def test_a_staff_member_without_a_byline_gets_one_on_their_first_article(client, db, category):
    from tests.factories import make_user

    user = make_user("newbie", groups=["Writer"], first_name="花子", last_name="山田")
    client.force_login(user)
    data = {"title": "新人の記事", "excerpt": "", "body": "", "category": "", "tags": "", "reading_time_override": "", "_save": "1"}
    client.post(reverse("admin:blog_article_add"), data)
    author = Article.objects.get(title="新人の記事").authors.get()
    assert author.user == user


def test_the_status_field_is_read_only_in_the_admin_form(client, users, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(users["superuser"])
    content = client.get(change_url(article)).content.decode()
    assert 'name="status"' not in content
    assert 'name="published_at"' not in content


# --- bulk actions ------------------------------------------------------------------------


def post_action(client, action, articles):
    return client.post(
        CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: [a.pk for a in articles], "index": 0}, follow=True
    )


def test_a_writer_is_not_offered_publishing_bulk_actions(client, owner):
    client.force_login(owner)
    response = client.get(CHANGELIST)
    actions = {value for value, label in response.context["action_form"].fields["action"].choices}
    assert actions == {"", "submit_selected", "withdraw_selected"}


def test_an_editor_is_offered_review_but_not_publishing_bulk_actions(client, users):
    client.force_login(users["editor"])
    actions = {v for v, _ in client.get(CHANGELIST).context["action_form"].fields["action"].choices}
    assert actions == {"", "submit_selected", "withdraw_selected", "unschedule_selected"}


def test_the_chief_is_offered_every_bulk_action(client, users):
    client.force_login(users["editor_in_chief"])
    actions = {v for v, _ in client.get(CHANGELIST).context["action_form"].fields["action"].choices}
    assert actions == {
        "", "delete_selected", "submit_selected", "withdraw_selected", "unschedule_selected",
        "publish_selected", "unpublish_selected", "restore_selected",
    }  # fmt: skip


@pytest.mark.parametrize("role", ["writer_own", "editor"])
def test_posting_a_bulk_publish_without_the_permission_changes_nothing(role, client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users[role])
    post_action(client, "publish_selected", [article])
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert not Transition.objects.exists()


def test_bulk_submit_moves_own_ready_drafts_and_reports_the_rest(client, users, owner, article_in):
    ready = article_in(Status.DRAFT)
    unready = article_in(Status.DRAFT, body="")
    published = article_in(Status.PUBLISHED)
    from tests.factories import make_article

    someone_elses = make_article(status=Status.DRAFT, authors=[users["writer_other"].author_profile])
    client.force_login(owner)
    response = post_action(client, "submit_selected", [ready, unready, published, someone_elses])
    content = response.content.decode()
    assert "1件の記事をレビューに出しました" in content
    assert "3件はレビューに出せませんでした" in content
    assert "次の項目が足りません：本文" in content
    assert "権限がありません" in content
    statuses = {a.pk: Article.objects.get(pk=a.pk).status for a in (ready, unready, published, someone_elses)}
    assert statuses == {ready.pk: "in_review", unready.pk: "draft", published.pk: "published", someone_elses.pk: "draft"}


def test_bulk_withdraw_takes_articles_out_of_review(client, owner, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(owner)
    post_action(client, "withdraw_selected", [article])
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_bulk_unschedule_cancels_scheduled_publications(client, users, article_in):
    articles = [article_in(Status.SCHEDULED), article_in(Status.SCHEDULED)]
    client.force_login(users["editor"])
    response = post_action(client, "unschedule_selected", articles)
    assert "2件の記事の公開予約を取り消しました" in response.content.decode()
    assert set(Article.objects.filter(pk__in=[a.pk for a in articles]).values_list("status", flat=True)) == {"in_review"}


def test_bulk_publish_publishes_only_articles_in_review(client, users, article_in):
    in_review, draft = article_in(Status.IN_REVIEW), article_in(Status.DRAFT)
    client.force_login(users["editor_in_chief"])
    post_action(client, "publish_selected", [in_review, draft])
    in_review.refresh_from_db()
    draft.refresh_from_db()
    assert (in_review.status, draft.status) == (Status.PUBLISHED, Status.DRAFT)
    assert Transition.objects.filter(article=in_review, to_status="published", by=users["editor_in_chief"]).exists()


def test_bulk_unpublish_and_restore(client, users, article_in):
    article = article_in(Status.PUBLISHED)
    client.force_login(users["editor_in_chief"])
    post_action(client, "unpublish_selected", [article])
    article.refresh_from_db()
    assert article.status == Status.ARCHIVED
    post_action(client, "restore_selected", [article])
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_bulk_delete_is_only_for_the_chief(client, users, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(users["editor"])
    post_action(client, "delete_selected", [article])
    assert Article.objects.filter(pk=article.pk).exists()
    client.force_login(users["editor_in_chief"])
    client.post(CHANGELIST, {"action": "delete_selected", ACTION_CHECKBOX_NAME: [article.pk], "post": "yes"})
    assert not Article.objects.filter(pk=article.pk).exists()


# --- review comments and history -----------------------------------------------------------


def test_staff_discuss_an_article_in_its_review_comment_thread(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    response = client.post(reverse("admin:blog_article_comment", args=[article.pk]), {"comment": "数字の出典を入れてください。"})
    assert response.status_code == 302
    client.force_login(users["writer_own"])
    client.post(reverse("admin:blog_article_comment", args=[article.pk]), {"comment": "追記しました。"})
    content = client.get(change_url(article)).content.decode()
    # One conversation, newest first.
    assert content.index("追記しました。") < content.index("数字の出典を入れてください。")
    assert [c.created_by for c in article.review_comments.all()] == [users["editor"], users["writer_own"]]


def test_an_empty_review_comment_is_not_posted(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    client.post(reverse("admin:blog_article_comment", args=[article.pk]), {"comment": ""})
    assert not article.review_comments.exists()


def test_staff_without_a_role_cannot_comment(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["staff_without_role"])
    response = client.post(reverse("admin:blog_article_comment", args=[article.pk]), {"comment": "横から失礼"})
    assert response.status_code == 403
    assert not article.review_comments.exists()


def test_change_page_shows_the_transition_history_with_who_and_why(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    client.post(transition_url(article, "request_changes"), {"comment": "図を1枚追加してください"})
    content = client.get(change_url(article)).content.decode()
    history = content[content.index('id="timeline"'):]
    assert "レビュー中 → 修正依頼" in history
    assert "図を1枚追加してください" in history
    assert "editor" in history


def test_change_page_uses_the_markdownx_editor_with_live_preview(client, users, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(users["editor"])
    content = client.get(change_url(article)).content.decode()
    assert "markdownx" in content
    assert reverse("markdownx_markdownify") in content


def test_change_page_ids_are_unique_and_the_comment_box_is_labelled(client, users, article_in):
    # The article form has a `body` field: the one comment box keeps ids of its own, so each
    # label points at exactly one box.
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    content = client.get(change_url(article)).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', content)
    assert [i for i in set(ids) if ids.count(i) > 1] == []
    assert '<label for="id_desk_comment">' in content and 'id="id_desk_comment"' in content


def test_admin_pages_name_the_site_icon(client, users):
    # Without it the browser asks for /favicon.ico on every admin page and logs a 404.
    client.force_login(users["writer_own"])
    assert 'rel="icon" href="/static/img/favicon.svg"' in client.get("/admin/").content.decode()


def test_category_autocomplete_pages_through_categories_in_name_order(client, users, recwarn):
    from tests.factories import make_category

    for name in ("機械学習", "LLM", "画像生成"):
        make_category(name)
    client.force_login(users["writer_own"])
    response = client.get(
        "/admin/autocomplete/", {"app_label": "blog", "model_name": "article", "field_name": "category"}
    )
    names = [item["text"] for item in response.json()["results"]]
    assert names == sorted(names) and "LLM" in names
    # Django warns when it paginates an unordered queryset (the article count drops the order).
    assert not [w for w in recwarn if "UnorderedObjectListWarning" in type(w.message).__name__]
