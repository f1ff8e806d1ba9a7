"""The change page's workflow buttons act on what is on screen: save first, then move."""

import pytest
from django.core import mail
from django.urls import reverse

from blog.models import Article
from editorial.models import ReviewComment, Transition

from .conftest import change_form_data, change_url, future

Status = Article.Status
pytestmark = pytest.mark.django_db


def press(client, article, edge_name, **overrides):
    data = change_form_data(article, **overrides)
    del data["_save"]
    data["_transition"] = edge_name
    return client.post(change_url(article), data)


def test_pressing_submit_saves_the_edited_body_before_sending_it_to_review(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    response = press(client, article, "submit", body="## 画面上の最新の本文\n\n提出直前に直しました。")
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert "提出直前に直しました。" in article.body
    assert article.revisions.first().body == article.body


def test_the_transition_comment_comes_from_the_one_comment_box(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor"])
    press(client, article, "request_changes", comment="見出しを短くしてください。", body=article.body + "\n\n編集部注。")
    article.refresh_from_db()
    assert article.status == Status.CHANGES_REQUESTED
    assert article.body.endswith("編集部注。")
    assert Transition.objects.get(article=article, to_status=Status.CHANGES_REQUESTED).comment == "見出しを短くしてください。"
    # The comment went with the transition, not a second time into the thread.
    assert not ReviewComment.objects.filter(article=article).exists()


def test_a_stale_form_is_refused_with_the_text_and_the_comment_kept_and_nothing_moves(client, users, owner, article_in):
    article = article_in(Status.IN_REVIEW)
    stale = change_form_data(article)
    client.force_login(users["editor"])
    # The same page was saved from another window in between.
    client.post(change_url(article), change_form_data(article, body="別の編集者の版"))
    response = press(
        client, article, "request_changes", version=stale["version"], body="古い画面からの本文", comment="残っていてほしいコメント"
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "保存できませんでした" in content
    assert "古い画面からの本文" in content
    assert "残っていてほしいコメント" in content
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert article.body == "別の編集者の版"


def test_a_request_for_changes_without_a_comment_is_refused_before_anything_is_saved(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    before = article.body
    client.force_login(users["editor"])
    response = press(client, article, "request_changes", body="保存されてはいけない本文", comment="")
    assert response.status_code == 200
    content = response.content.decode()
    assert "修正を依頼する：" in content
    assert "保存されてはいけない本文" in content
    article.refresh_from_db()
    assert (article.status, article.body) == (Status.IN_REVIEW, before)


def test_approving_needs_a_publication_time_from_the_same_box(client, users, article_in):
    from django.utils import timezone

    article = article_in(Status.IN_REVIEW)
    client.force_login(users["editor_in_chief"])
    assert press(client, article, "approve").status_code == 200
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    when = timezone.localtime(future(days=3))
    assert press(client, article, "approve", publish_at=when.strftime("%Y-%m-%dT%H:%M")).status_code == 302
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED
    assert timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M") == when.strftime("%Y-%m-%d %H:%M")


def test_a_button_the_role_may_not_press_is_refused_and_nothing_is_saved(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    response = press(client, article, "publish", body="勝手に公開")
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.body != "勝手に公開"


def test_an_unknown_button_is_a_404(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    assert press(client, article, "teleport").status_code == 404


def test_an_article_not_ready_for_review_is_saved_and_the_missing_items_are_named(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    response = press(client, article, "submit", excerpt="")
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.DRAFT and article.excerpt == ""
    messages = [str(m) for m in client.get(change_url(article)).context["messages"]]
    assert any("変更を保存しました" in m and "抜粋" in m for m in messages)


def test_the_comment_button_saves_the_form_and_posts_the_comment(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    data = change_form_data(article, body="コメントと一緒に保存", comment="ここを見てください")
    del data["_save"]
    data["_comment"] = "1"
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.body == "コメントと一緒に保存"
    assert ReviewComment.objects.get(article=article).body == "ここを見てください"


def test_a_comment_typed_before_a_plain_save_is_not_lost(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    client.post(change_url(article), change_form_data(article, comment="保存と一緒に投稿"))
    assert ReviewComment.objects.get(article=article).body == "保存と一緒に投稿"


def test_buttons_belong_to_the_article_form_where_the_user_may_edit(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    content = client.get(change_url(article)).content.decode()
    assert '<button type="submit" form="article_form" name="_transition" value="submit"' in content
    assert 'form="article_form" aria-describedby="id_desk_comment_help"' in content
    # One comment box on the page.
    assert content.count('name="comment"') == 1


def test_on_a_read_only_article_the_buttons_post_to_the_transition_views(client, users, article_in):
    article = article_in(Status.SCHEDULED)
    client.force_login(users["editor"])  # may unschedule, may not edit a scheduled article
    content = client.get(change_url(article)).content.decode()
    assert '<form id="desk-actions" method="post"' in content
    assert 'formaction="%s"' % reverse("admin:blog_article_transition", args=[article.pk, "unschedule"]) in content
    response = client.post(
        reverse("admin:blog_article_transition", args=[article.pk, "unschedule"]), {"comment": "日程を再調整します"}
    )
    assert response.status_code == 302
    assert Transition.objects.filter(article=article, to_status=Status.IN_REVIEW, comment="日程を再調整します").exists()


def test_the_change_page_asks_before_leaving_with_unsaved_edits_through_a_self_hosted_script(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    content = client.get(change_url(article)).content.decode()
    assert 'src="/static/editorial/change_form.js"' in content


def test_no_mail_is_lost_when_the_button_saves_first(client, owner, users, article_in, django_capture_on_commit_callbacks):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        press(client, article, "submit")
    assert any("［レビュー依頼］" in m.subject for m in mail.outbox)


def test_review_lists_images_without_alt_text_and_refuses_until_they_have_one(client, owner, article_in):
    from blog.images import ALT_PLACEHOLDER

    body = f"## 構成\n\n![{ALT_PLACEHOLDER}](/media/uploads/a-10x10.png)\n\n![](/media/uploads/b-10x10.png)\n"
    article = article_in(Status.DRAFT, body=body)
    client.force_login(owner)
    content = client.get(change_url(article)).content.decode()
    assert "画像の代替テキスト（2枚）" in content.split('class="editorial-missing"')[1].split("</p>")[0]
    press(client, article, "submit")
    article.refresh_from_db()
    assert article.status == Status.DRAFT
    described = body.replace(f"![{ALT_PLACEHOLDER}]", "![GPUクラスタの構成図]").replace("![]", "![ラックの写真]")
    press(client, article, "submit", body=described)
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_the_editor_offers_an_upload_button_beside_drag_and_drop(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    content = client.get(change_url(article)).content.decode()
    assert 'src="/static/editorial/image_upload.js"' in content
    assert 'data-markdownx-upload-urls-path="/markdownx/upload/"' in content
