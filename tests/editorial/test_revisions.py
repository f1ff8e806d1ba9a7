"""Every save keeps a revision; any two compare as a diff; editors restore one."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from blog.models import Article
from editorial import revisions
from editorial.models import Revision

from .conftest import change_form_data, change_url

Status = Article.Status
pytestmark = pytest.mark.django_db


def save_through_admin(client, article, **changes):
    article.refresh_from_db()
    response = client.post(change_url(article), change_form_data(article, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()


def test_every_admin_save_keeps_a_revision_of_text_and_tags_with_who_and_when(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    save_through_admin(client, article, title="第1稿", tags="LLM")
    save_through_admin(client, article, title="第2稿", tags="LLM, 推論, GPU")
    first, second = Revision.objects.filter(article=article).order_by("pk")
    assert (first.title, first.tags, first.created_by) == ("第1稿", ["LLM"], owner)
    assert (second.title, second.tags) == ("第2稿", ["GPU", "LLM", "推論"])
    assert second.created_at >= first.created_at


def test_the_change_page_lists_the_revisions(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    save_through_admin(client, article, title="第1稿")
    save_through_admin(client, article, title="第2稿")
    content = client.get(change_url(article)).content.decode()
    revision_list = content[content.index('id="revisions"'):]
    assert "第1稿" in revision_list and "第2稿" in revision_list
    assert "選んだ2つの版を比べる" in revision_list


def test_the_diff_shows_removed_and_added_lines_per_field(owner, article_in):
    article = article_in(Status.DRAFT, body="一行目\n二行目\n三行目")
    old = revisions.record(article, owner)
    article.body = "一行目\n二行目（改）\n三行目"
    article.title = article.title + "（改訂）"
    article.save()
    new = revisions.record(article, owner)
    diffs = {d.name: d for d in revisions.diff(old, new)}
    assert not diffs["excerpt"].changed and not diffs["tags"].changed
    body = [(line.kind, line.text) for line in diffs["body"].lines]
    assert ("del", "二行目") in body and ("add", "二行目（改）") in body and ("ctx", "一行目") in body
    assert [line.kind for line in diffs["title"].lines if line.kind != "hunk"] == ["del", "add"]


def test_the_admin_compares_any_two_revisions_as_a_readable_diff(client, users, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    save_through_admin(client, article, body="最初の本文です。")
    save_through_admin(client, article, body="二番目の本文です。")
    old, new = Revision.objects.filter(article=article).order_by("pk")
    url = reverse("admin:blog_article_revision_diff", args=[article.pk])
    response = client.get(url, {"a": new.pk, "b": old.pk})  # order does not matter
    content = response.content.decode()
    assert response.status_code == 200
    assert "版 1（" in content and "版 2（" in content
    assert '<div class="diff-del"><span aria-hidden="true">－ </span><del>最初</del>の本文です。</div>' in content
    assert '<div class="diff-add"><span aria-hidden="true">＋ </span><ins>二番目</ins>の本文です。</div>' in content
    assert "の内容に戻す" not in content  # a writer cannot restore


def test_comparing_needs_two_revisions_of_this_article(client, users, article_in):
    article, other = article_in(Status.DRAFT), article_in(Status.DRAFT)
    mine, foreign = revisions.record(article, None), revisions.record(other, None)
    client.force_login(users["editor"])
    url = reverse("admin:blog_article_revision_diff", args=[article.pk])
    assert client.get(url, {"a": mine.pk}).status_code == 302
    assert client.get(url, {"a": mine.pk, "b": foreign.pk}).status_code == 404


def test_an_editor_restores_a_revision_which_makes_a_new_revision(client, users, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    save_through_admin(client, article, title="良い版", body="良い本文", tags="LLM")
    save_through_admin(client, article, title="悪い版", body="悪い本文", tags="GPU")
    good = Revision.objects.get(article=article, title="良い版")
    client.force_login(users["editor"])
    response = client.post(reverse("admin:blog_article_revision_restore", args=[article.pk, good.pk]))
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body, list(article.tags.names())) == ("良い版", "良い本文", ["LLM"])
    assert "良い本文" in article.body_html
    latest = Revision.objects.filter(article=article).first()
    assert (latest.restored_from, latest.created_by, latest.title) == (good, users["editor"], "良い版")
    assert Revision.objects.filter(article=article).count() == 3


def test_the_diff_page_offers_restore_to_editors(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    a, b = revisions.record(article, None), revisions.record(article, None)
    client.force_login(users["editor"])
    content = client.get(reverse("admin:blog_article_revision_diff", args=[article.pk]), {"a": a.pk, "b": b.pk}).content.decode()
    assert reverse("admin:blog_article_revision_restore", args=[article.pk, a.pk]) in content
    assert "版 1 の内容に戻す" in content
    # The newer one is what the article holds now: there is nothing to restore.
    assert reverse("admin:blog_article_revision_restore", args=[article.pk, b.pk]) not in content
    assert "版 2 の内容に戻す" not in content


def test_a_writer_cannot_restore_a_revision(client, owner, article_in):
    article = article_in(Status.DRAFT)
    revision = revisions.record(article, owner)
    client.force_login(owner)
    response = client.post(reverse("admin:blog_article_revision_restore", args=[article.pk, revision.pk]))
    assert response.status_code == 403
    assert Revision.objects.count() == 1


def test_an_editor_cannot_restore_a_revision_of_a_published_article(users, article_in):
    article = article_in(Status.PUBLISHED)
    revision = revisions.record(article, None)
    revisions.record(article, None)
    with pytest.raises(PermissionDenied):
        revisions.restore(revision, users["editor"])
    revisions.restore(revision, users["editor_in_chief"])


def test_a_revision_of_another_article_is_not_restorable_through_this_one(client, users, article_in):
    article, other = article_in(Status.DRAFT), article_in(Status.DRAFT)
    foreign = revisions.record(other, None)
    client.force_login(users["editor"])
    assert client.post(reverse("admin:blog_article_revision_restore", args=[article.pk, foreign.pk])).status_code == 404


def test_revisions_are_read_only_in_their_own_admin(client, users, article_in):
    revision = revisions.record(article_in(Status.DRAFT), None)
    client.force_login(users["superuser"])
    assert client.get(reverse("admin:editorial_revision_changelist")).status_code == 200
    assert client.post(reverse("admin:editorial_revision_change", args=[revision.pk]), {"title": "x"}).status_code == 403
    assert client.get(reverse("admin:editorial_revision_add")).status_code == 403


def test_restoring_the_current_version_is_refused_and_writes_nothing(client, users, article_in):
    article = article_in(Status.DRAFT)
    revisions.record(article, None)
    current = revisions.record(article, None)
    client.force_login(users["editor"])
    response = client.post(reverse("admin:blog_article_revision_restore", args=[article.pk, current.pk]), follow=True)
    assert "この版は記事の現在の内容です。" in response.content.decode()
    assert Revision.objects.filter(article=article).count() == 2


def test_revisions_are_numbered_per_article_from_one(client, users, article_in):
    other = article_in(Status.DRAFT)
    for _ in range(3):
        revisions.record(other, None)
    article = article_in(Status.DRAFT)
    first, second = revisions.record(article, None), revisions.record(article, None)
    numbers = dict(revisions.with_numbers(Revision.objects.filter(article=article)).values_list("pk", "number"))
    assert numbers == {first.pk: 1, second.pk: 2}
    client.force_login(users["editor"])
    panel = client.get(change_url(article)).content.decode().split('id="revisions"')[1]
    assert "版 2（現在の版）" in panel and "版 1" in panel and f"#{first.pk}" not in panel


def test_the_diff_marks_the_changed_characters_inside_a_japanese_line(article_in):
    article = article_in(Status.DRAFT, body="前置き\n推論の費用が大きく下がりました。\n結び")
    old = revisions.record(article, None)
    article.body = "前置き\n推論の費用が少し下がりました。\n結び"
    article.save()
    new = revisions.record(article, None)
    body = {d.name: d for d in revisions.diff(old, new)}["body"].lines
    deleted, added = [line for line in body if line.kind in ("del", "add")]
    assert deleted.segments == ((False, "推論の費用が"), (True, "大きく"), (False, "下がりました。"))
    assert added.segments == ((False, "推論の費用が"), (True, "少し"), (False, "下がりました。"))
    assert [line.text for line in body if line.kind == "ctx"] == ["前置き", "結び"]


def test_a_line_added_without_a_partner_is_marked_whole(article_in):
    article = article_in(Status.DRAFT, body="一行目")
    old = revisions.record(article, None)
    article.body = "一行目\n新しい行"
    article.save()
    new = revisions.record(article, None)
    [added] = [line for line in revisions.diff(old, new)[2].lines if line.kind == "add"]
    assert added.segments == ((True, "新しい行"),)


def test_a_save_that_changes_nothing_keeps_no_new_revision(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    save_through_admin(client, article, title="第1稿", tags="LLM")
    save_through_admin(client, article, title="第1稿", tags="LLM")
    assert Revision.objects.filter(article=article).count() == 1
    save_through_admin(client, article, title="第1稿", tags="LLM, 推論")
    assert Revision.objects.filter(article=article).count() == 2


def test_a_workflow_button_pressed_without_edits_adds_no_revision(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    save_through_admin(client, article, title="提出前の版")
    article.refresh_from_db()
    data = {**change_form_data(article, title="提出前の版"), "comment": "", "_transition": "submit"}
    response = client.post(change_url(article), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert Revision.objects.filter(article=article).count() == 1
