"""No lost updates: a save from a stale copy is refused and the text is shown back."""

import pytest

from blog.models import Article

from .conftest import change_form_data, change_url

Status = Article.Status
pytestmark = pytest.mark.django_db


def test_the_second_stale_save_is_refused_and_the_text_is_shown_back(client, users, owner, article_in):
    article = article_in(Status.IN_REVIEW)
    editor = users["editor"]
    # Both open the form at the same version.
    first = change_form_data(article, body="編集者Aの本文")
    second = change_form_data(article, body="編集者Bの本文：消えてはいけない")
    client.force_login(users["editor_in_chief"])
    assert client.post(change_url(article), first).status_code == 302

    client.force_login(editor)
    response = client.post(change_url(article), second)
    assert response.status_code == 200
    content = response.content.decode()
    assert "保存できませんでした" in content
    assert "chief" in content  # who saved in between
    assert "編集者Bの本文：消えてはいけない" in content  # the text is shown back
    article.refresh_from_db()
    assert article.body == "編集者Aの本文"


def test_after_a_refusal_a_deliberate_second_save_overwrites(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    stale = change_form_data(article, body="古い版からの編集")
    article.body = "他の人の編集"
    article.save()
    client.force_login(users["editor"])
    response = client.post(change_url(article), stale)
    assert response.status_code == 200
    refreshed_version = response.context["adminform"].form.data["version"]
    assert client.post(change_url(article), {**stale, "version": refreshed_version}).status_code == 302
    article.refresh_from_db()
    assert article.body == "古い版からの編集"


def test_a_save_without_a_version_is_refused(client, owner, article_in):
    article = article_in(Status.DRAFT)
    client.force_login(owner)
    data = change_form_data(article, title="版なし")
    del data["version"]
    assert client.post(change_url(article), data).status_code == 200
    article.refresh_from_db()
    assert article.title != "版なし"


def test_a_state_change_does_not_make_an_open_form_stale(client, users, article_in):
    article = article_in(Status.IN_REVIEW)
    data = change_form_data(article, title="承認待ちの間の修正")
    from editorial import workflow

    workflow.request_changes(article, users["editor"], comment="直してください")
    client.force_login(users["writer_own"])
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.status) == ("承認待ちの間の修正", Status.CHANGES_REQUESTED)
