"""Narrowing a search by category, tag, author and date, with counts per facet for the query.

Filters combine with the query and with each other, live in the URL (so a filtered search can
be shared, paged and cached), and a value that names nothing is left out with a notice.
"""

import datetime
import re
from urllib.parse import parse_qsl

import pytest
from django.utils import timezone

from blog import search
from blog.models import Article
from tests.factories import make_article, make_author, make_category

pytestmark = pytest.mark.django_db

JST = datetime.timezone(datetime.timedelta(hours=9))


@pytest.fixture
def site():
    news, guide = make_category("ニュース"), make_category("解説")
    sato, suzuki = make_author("佐藤"), make_author("鈴木")

    def article(title, category, authors, tags, when, body="推論の話です。"):
        return make_article(title, excerpt="", body=body, category=category, authors=authors, tags=tags, published_at=when)

    return {
        "news": news,
        "guide": guide,
        "sato": sato,
        "suzuki": suzuki,
        "a": article("推論ニュース1", news, [sato], ["NVIDIA", "GPU"], datetime.datetime(2025, 3, 31, 23, 30, tzinfo=JST)),
        "b": article("推論ニュース2", news, [suzuki], ["NVIDIA"], datetime.datetime(2025, 4, 1, 0, 30, tzinfo=JST)),
        "c": article("推論の解説", guide, [sato, suzuki], ["GPU"], datetime.datetime(2024, 6, 1, 12, 0, tzinfo=JST)),
        "other": article("学習の解説", guide, [sato], ["GPU"], datetime.datetime(2025, 5, 1, tzinfo=JST), body="学習の話です。"),
        "draft": make_article(
            "推論の下書き", status=Article.Status.DRAFT, body="推論", category=news, authors=[sato], tags=["極秘タグ"]
        ),
    }


def search_page(client, **params):
    response = client.get("/search/", {"q": "推論", **params})
    assert response.status_code == 200
    return response


def found(client, **params):
    return {article.title for article in search_page(client, **params).context["articles"]}


def facet(response, label):
    group = next(g for g in response.context["search"].facet_groups if g["label"] == label)
    return {link.label: link.count for link in group["links"]}


def test_each_filter_narrows_the_results_of_the_query(client, site):
    assert found(client) == {"推論ニュース1", "推論ニュース2", "推論の解説"}
    assert found(client, category=site["news"].slug) == {"推論ニュース1", "推論ニュース2"}
    assert found(client, tag="gpu") == {"推論ニュース1", "推論の解説"}
    assert found(client, author=site["suzuki"].slug) == {"推論ニュース2", "推論の解説"}


def test_filters_combine_with_each_other(client, site):
    assert found(client, category=site["news"].slug, tag="gpu") == {"推論ニュース1"}
    assert found(client, author=site["sato"].slug, tag="gpu", category=site["guide"].slug) == {"推論の解説"}
    assert found(client, category=site["guide"].slug, tag="nvidia") == set()


def test_a_date_range_counts_whole_days_of_japan_time_both_ends_included(client, site):
    assert found(client, **{"from": "2025-04-01"}) == {"推論ニュース2"}
    assert found(client, to="2025-03-31") == {"推論ニュース1", "推論の解説"}
    assert found(client, **{"from": "2025-03-31", "to": "2025-03-31"}) == {"推論ニュース1"}
    assert found(client, **{"from": "2024-01-01", "to": "2024-12-31"}, author=site["suzuki"].slug) == {"推論の解説"}


def test_facets_count_the_results_of_the_current_query(client, site):
    response = search_page(client)
    assert facet(response, "カテゴリー") == {"ニュース": 2, "解説": 1}
    assert facet(response, "タグ") == {"NVIDIA": 2, "GPU": 2}
    assert facet(response, "著者") == {"佐藤": 2, "鈴木": 2}
    assert facet(response, "公開年") == {"2025年": 2, "2024年": 1}


def test_facets_count_within_the_filtered_results(client, site):
    response = search_page(client, tag="nvidia")
    assert facet(response, "カテゴリー") == {"ニュース": 2}
    assert facet(response, "著者") == {"佐藤": 1, "鈴木": 1}


def test_no_facet_counts_drafts(client, site):
    html = search_page(client).content.decode()
    assert "極秘タグ" not in html


def test_facet_links_add_their_filter_to_the_query_and_a_chosen_one_takes_it_off(client, site):
    html = search_page(client, sort="new").content.decode()
    link = re.search(r'href="\?([^"]*)"[^>]*>ニュース</a>', html).group(1).replace("&amp;", "&")
    assert dict(parse_qsl(link)) == {"q": "推論", "sort": "new", "category": site["news"].slug}
    assert found(client, sort="new", category=site["news"].slug) == {"推論ニュース1", "推論ニュース2"}

    narrowed = search_page(client, category=site["news"].slug)
    chosen = next(link for group in narrowed.context["search"].facet_groups for link in group["links"] if link.active)
    assert chosen.label == "ニュース" and "category" not in chosen.query


def test_the_filters_in_use_are_shown_with_a_link_removing_each(client, site):
    response = search_page(client, tag="gpu", **{"from": "2025-01-01"})
    active = {link.label: link.query for link in response.context["search"].active_filters}
    assert set(active) == {"タグ：GPU", "期間：2025-01-01〜"}
    assert "from=" not in active["期間：2025-01-01〜"] and "tag=gpu" in active["期間：2025-01-01〜"]
    assert "tag=" not in active["タグ：GPU"] and "from=2025-01-01" in active["タグ：GPU"]
    assert "すべて外す" in response.content.decode()


def test_paging_keeps_the_filters(client, site):
    for n in range(13):
        make_article(f"推論の追加{n}", excerpt="", body="推論。", category=site["news"], tags=["GPU"])
    html = search_page(client, tag="gpu").content.decode()
    assert "tag=gpu&amp;page=2" in html
    assert len(search_page(client, tag="gpu", page="2").context["articles"]) == 3  # 13 + 2 matches


def test_the_date_form_carries_the_query_the_order_and_the_other_filters(client, site):
    html = search_page(client, sort="new", tag="gpu").content.decode()
    form = html[html.index('class="facet facet--dates"') :]
    form = form[: form.index("</form>")]
    for hidden in ['name="q" value="推論"', 'name="sort" value="new"', 'name="tag" value="gpu"']:
        assert hidden in form
    assert 'type="date" name="from"' in form and 'type="date" name="to"' in form


def test_an_unknown_value_is_left_out_with_a_notice_and_the_results_kept(client, site):
    response = search_page(client, category="存在しない", tag="gpu")
    assert {a.title for a in response.context["articles"]} == {"推論ニュース1", "推論の解説"}
    assert "カテゴリー「存在しない」は見つからないため" in response.content.decode()


def test_a_tag_used_only_on_drafts_is_not_revealed_by_filtering(client, site):
    response = search_page(client, tag="極秘タグ")
    assert "タグ「極秘タグ」は見つからないため" in response.content.decode()
    assert len(response.context["articles"]) == 3


@pytest.mark.parametrize("value", ["2025-13-01", "2025-02-30", "yesterday", "2025/04/01", "20250401", "0001-01-01"])
def test_a_date_that_cannot_be_used_is_left_out_with_a_notice(client, site, value):
    response = search_page(client, **{"from": value})
    assert len(response.context["articles"]) == 3
    assert "開始日「" in response.content.decode()


def test_a_range_given_backwards_is_turned_round(client, site):
    response = search_page(client, **{"from": "2025-12-31", "to": "2025-01-01"})
    assert {a.title for a in response.context["articles"]} == {"推論ニュース1", "推論ニュース2"}
    assert "入れ替えました" in response.content.decode()


def test_empty_filter_fields_from_the_form_mean_no_filter(client, site):
    response = search_page(client, category="", tag="", author="", to="", **{"from": ""})
    assert {a.title for a in response.context["articles"]} == {"推論ニュース1", "推論ニュース2", "推論の解説"}
    assert response.context["notices"] == []


def test_a_filtered_search_is_cached_apart_from_the_unfiltered_one(client, site):
    for _ in range(3):  # asked for twice: kept; the third is a hit
        unfiltered = client.get("/search/", {"q": "推論"})
    assert unfiltered["X-Page-Cache"] == "hit"
    filtered = [client.get("/search/", {"q": "推論", "tag": "nvidia"}) for _ in range(3)]
    assert filtered[-1]["X-Page-Cache"] == "hit"
    guide_article = site["c"].get_absolute_url()
    assert guide_article not in filtered[-1].content.decode()
    assert guide_article in unfiltered.content.decode()


def test_facet_counts_stop_at_the_capped_result_set(client, site, monkeypatch):
    monkeypatch.setattr(search, "RESULT_LIMIT", 2)
    response = search_page(client)
    assert sum(facet(response, "カテゴリー").values()) == 2
    assert "件数は表示できる検索結果（2件）の内訳です" in response.content.decode()


def test_filters_alone_without_a_query_show_the_search_form(client, site):
    response = client.get("/search/", {"tag": "gpu"})
    assert response.status_code == 200
    assert list(response.context["articles"]) == []


def test_filtering_happens_before_the_cap(client, site, monkeypatch):
    monkeypatch.setattr(search, "RESULT_LIMIT", 1)
    now = timezone.now()
    make_article("推論の最新", excerpt="", body="推論。", category=site["news"], published_at=now)
    assert found(client, category=site["guide"].slug) == {"推論の解説"}
