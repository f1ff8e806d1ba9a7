"""Each workflow edge answers in its own natural Japanese sentence, for success and for refusal."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from blog.models import Article

from .conftest import SOURCE, transition_post_data, transition_url

Status = Article.Status
pytestmark = pytest.mark.django_db

TITLE = "生成AIの最前線"

# edge: (success, refusal) exactly as the editor reads them.
TABLE = {
    "submit": ("「生成AIの最前線」をレビューに出しました。", "「生成AIの最前線」をレビューに出せません。"),
    "request_changes": ("「生成AIの最前線」の修正を依頼しました。", "「生成AIの最前線」の修正を依頼できません。"),
    "resubmit": ("「生成AIの最前線」をレビューに再提出しました。", "「生成AIの最前線」をレビューに再提出できません。"),
    "withdraw": ("「生成AIの最前線」のレビュー依頼を取り下げました。", "「生成AIの最前線」のレビュー依頼を取り下げられません。"),
    "approve": ("「生成AIの最前線」を承認し、2031年4月1日 09:30に公開を予約しました。", "「生成AIの最前線」を承認できません。"),
    "publish": ("「生成AIの最前線」を公開しました。", "「生成AIの最前線」を公開できません。"),
    "unschedule": ("「生成AIの最前線」の公開予約を取り消しました。", "「生成AIの最前線」の公開予約を取り消せません。"),
    "unpublish": ("「生成AIの最前線」の公開を取り下げ、アーカイブしました。", "「生成AIの最前線」の公開を取り下げられません。"),
    "restore": ("「生成AIの最前線」をアーカイブから下書きに戻しました。", "「生成AIの最前線」を下書きに戻せません。"),
}


def post(client, article, name):
    data = transition_post_data(name)
    if name == "approve":
        data["publish_at"] = "2031-04-01T09:30"
    response = client.post(transition_url(article, name), data)
    assert response.status_code == 302
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("name", TABLE)
def test_a_successful_edge_says_what_was_done_in_the_completed_form(name, client, users, article_in):
    article = article_in(SOURCE[name], title=TITLE)
    client.force_login(users["superuser"])
    assert post(client, article, name) == [TABLE[name][0]]


@pytest.mark.parametrize("name", TABLE)
def test_a_refused_edge_says_what_cannot_be_done_and_why(name, client, users, article_in):
    wrong_state = Status.ARCHIVED if SOURCE[name] != Status.ARCHIVED else Status.DRAFT
    article = article_in(wrong_state, title=TITLE)
    client.force_login(users["superuser"])
    [message] = post(client, article, name)
    refusal = TABLE[name][1]
    assert message.startswith(refusal)
    assert f"（この記事は「{article.get_status_display()}」です）" in message[len(refusal):]


def test_an_unready_article_is_refused_with_the_missing_fields_named(client, users, article_in):
    article = article_in(Status.DRAFT, title=TITLE, excerpt="")
    client.force_login(users["writer_own"])
    assert post(client, article, "submit") == ["「生成AIの最前線」をレビューに出せません。次の項目を入力してください：抜粋"]


def test_no_message_pastes_a_suffix_onto_a_button_label():
    from editorial.messages import MESSAGES
    from editorial.workflow import EDGES

    for name, texts in MESSAGES.items():
        for text in (texts.done, texts.refused, texts.done_many, texts.refused_many):
            assert str(EDGES[name].label) not in str(text)
            assert "するしました" not in str(text) and "」できません" not in str(text)
