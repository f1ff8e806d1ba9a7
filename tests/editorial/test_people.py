"""The desk names people one way everywhere: Japanese names family name first, else as written."""

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template

from editorial.people import display_name

pytestmark = pytest.mark.django_db


def user(username, first="", last=""):
    return get_user_model()(username=username, first_name=first, last_name=last)


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [
        ("美咲", "佐藤", "佐藤 美咲"),
        ("ケン", "ワタナベ", "ワタナベ ケン"),
        ("Ada", "Lovelace", "Ada Lovelace"),
        ("美咲", "", "美咲"),
        ("", "佐藤", "佐藤"),
        ("", "", "writer"),
        ("  ", " ", "writer"),
    ],
)
def test_display_name(first, last, shown):
    assert display_name(user("writer", first, last)) == shown


def test_the_staff_name_filter_names_a_person_or_says_who_stands_in():
    template = Template('{% load editorial_tags %}{{ a|staff_name }}/{{ b|staff_name }}/{{ b|staff_name:"未定" }}')
    assert template.render(Context({"a": user("editor", "健一", "田中"), "b": None})) == "田中 健一/システム/未定"


def test_the_stale_save_refusal_names_the_other_editor_by_full_name(client, article_in, users):
    from blog.models import Article

    from .conftest import change_form_data, change_url

    chief = users["editor_in_chief"]
    chief.first_name, chief.last_name = "誠", "高橋"
    chief.save()
    article = article_in(Article.Status.DRAFT)
    client.force_login(chief)
    stale = change_form_data(article, body="一人目より前に開いた版")
    first = client.post(change_url(article), change_form_data(article, body="一人目の追記"))
    assert first.status_code == 302
    second = client.post(change_url(article), stale)
    assert second.status_code == 200
    assert "高橋 誠さんがこの記事を保存しています" in second.content.decode()
