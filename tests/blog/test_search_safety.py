"""Hostile input to the search page: every kind, in the query and in every other parameter.

Each gets a normal page (or a 400), never a 500; nothing typed comes back unescaped; nothing
is lost.
"""

import pytest

from blog.models import Article
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db

KINDS = {
    "unbalanced quotes": '"推論 "GPU',
    "only operators": "OR - \"\" -\"\" OR",
    "10,000 characters": "推" * 10_000,
    "control characters": "\x00\x01推論\x1b[31m\u202e\x7f",
    "sql": "' OR 1=1; DROP TABLE blog_article; --",
    "like wildcards": "%_\\%",
    "html": "<script>alert(1)</script>",
    "attribute breakout": '"><img src=x onerror=alert(1)>',
    "url": "javascript:alert(1)",
}
PARAMETERS = ["q", "sort", "category", "tag", "author", "from", "to"]


@pytest.fixture
def site():
    category, author = make_category("ニュース"), make_author("佐藤")
    make_article("推論の記事", excerpt="", body="推論とGPUの話。", category=category, authors=[author], tags=["GPU"])
    make_article("学習の記事", excerpt="", body="学習の話。", category=category, authors=[author], tags=["GPU"])
    return Article.objects.count()


def assert_safe(response, articles_before):
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert "\x00" not in html and "\x1b" not in html
    assert Article.objects.count() == articles_before


@pytest.mark.parametrize("value", KINDS.values(), ids=KINDS.keys())
@pytest.mark.parametrize("name", PARAMETERS)
def test_hostile_values_get_a_normal_page_in_every_parameter(client, site, name, value):
    params = {"q": "推論", name: value} if name != "q" else {"q": value}
    assert_safe(client.get("/search/", params), site)


@pytest.mark.parametrize("value", KINDS.values(), ids=KINDS.keys())
def test_hostile_values_in_every_parameter_at_once(client, site, value):
    assert_safe(client.get("/search/", {name: value for name in PARAMETERS}), site)


def test_a_value_that_is_reflected_is_escaped(client, site):
    html = client.get("/search/", {"q": "推論", "tag": "<b>x</b>", "sort": "<i>y</i>"}).content.decode()
    assert "タグ「&lt;b&gt;x&lt;/b&gt;」は見つからないため" in html
    assert "並び順「&lt;i&gt;y&lt;/i&gt;」は使えないため" in html


def test_a_long_value_is_cut_before_it_is_reflected(client, site):
    html = client.get("/search/", {"q": "推論", "category": "あ" * 10_000}).content.decode()
    assert "あ" * 31 not in html
    assert "カテゴリー「" + "あ" * 30 + "…」" in html


def test_the_query_in_the_title_heading_and_form_is_escaped(client, site):
    html = client.get("/search/", {"q": '推論"><script>alert(1)</script>'}).content.decode()
    assert "&lt;script&gt;" in html
    assert "<script>alert(1)" not in html


def test_parameters_that_are_not_utf8_get_a_normal_page(client, site):
    for name in PARAMETERS:
        response = client.get(f"/search/?q=%E6%8E%A8%E8%AB%96&{name}=%ED%A0%80%FF")
        assert response.status_code in (200, 400), name


def test_repeated_parameters_use_the_last_value(client, site):
    response = client.get("/search/?q=%E6%8E%A8%E8%AB%96&sort=bad&sort=new&tag=nothing&tag=gpu")
    assert response.status_code == 200
    assert response.context["notices"] == []
    assert [a.title for a in response.context["articles"]] == ["推論の記事"]


def test_only_operators_say_that_nothing_was_asked(client, site):
    response = client.get("/search/", {"q": KINDS["only operators"]})
    assert response.status_code == 200
    assert list(response.context["articles"]) == []


def test_an_unbalanced_quote_runs_to_the_end_of_the_query(client, site):
    response = client.get("/search/", {"q": '"推論とGPU'})
    assert [a.title for a in response.context["articles"]] == ["推論の記事"]
