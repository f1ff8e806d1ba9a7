"""The benchmark's own logic: which pages readers ask for, how answers are counted, when targets hold.

Nothing here is timed; the numbers themselves come from ``bench/run.py`` (bench/README.md).
"""

from collections import Counter

import pytest

from bench.newsroom import (
    ReaderPath,
    check_targets,
    hit_rates,
    lua_script,
    parse_counts,
    planned_publishes,
    reader_paths,
)
from bench.run import PEER_LABELS, peer_paths, replace_articles, sizes


def test_reader_paths_cover_every_page_once_and_mark_what_a_publication_touches():
    pages = {
        "article": ["/articles/a/", "/articles/b/"],
        "tag": ["/tags/x/", "/tags/y/"],
        "list": ["/", "/?page=2"],
        "author": ["/authors/k/", "/articles/a/"],  # a path listed twice is asked for as its first kind
    }
    paths = reader_paths(pages, touched={"/tags/y/"})

    assert [p.path for p in paths] == ["/articles/a/", "/articles/b/", "/tags/x/", "/tags/y/", "/authors/k/", "/", "/?page=2"]
    assert {p.path for p in paths if p.touched} == {"/tags/y/", "/", "/?page=2"}  # list pages always shift
    assert next(p for p in paths if p.path == "/articles/a/").kind == "article"


def test_reader_paths_refuse_an_unknown_kind():
    with pytest.raises(ValueError, match="feed"):
        reader_paths({"feed": ["/feed/"]}, touched=set())


def test_lua_script_lists_each_path_with_its_kind_and_state():
    script = lua_script([ReaderPath("article", "/articles/a/", False), ReaderPath("list", "/?page=2", True)], seed=7)

    assert '{"/articles/a/", "article", "untouched"}' in script
    assert '{"/?page=2", "list", "touched"}' in script
    assert "math.randomseed(7 + id * 7919)" in script
    assert 'string.lower(name) == "x-page-cache"' in script


def test_lua_script_takes_only_percent_encoded_paths():
    with pytest.raises(ValueError, match="percent-encoded"):
        lua_script([ReaderPath("tag", "/tags/推論/", False)])
    escaped = lua_script([ReaderPath("tag", '/tags/a"b/', False)])
    assert r'"/tags/a\"b/"' in escaped


WRK_OUTPUT = """Running 20s test @ http://127.0.0.1:8106
  16 threads and 16 connections
  1613 requests in 20.03s, 55.10MB read
Requests/sec:     80.53
newsroom-count article untouched hit 90
newsroom-count article untouched miss 10
newsroom-count tag touched hit 3
newsroom-count tag untouched error 1
newsroom-count list touched miss 4
newsroom-count list touched none 1
"""


def test_parse_counts_reads_the_scripts_lines_only():
    counts = parse_counts(WRK_OUTPUT)

    assert counts == {
        ("article", False): Counter(hit=90, miss=10),
        ("tag", True): Counter(hit=3),
        ("tag", False): Counter(error=1),
        ("list", True): Counter(miss=4, none=1),
    }


def test_hit_rates_split_untouched_and_touched_pages_and_count_every_answer():
    rates = hit_rates(parse_counts(WRK_OUTPUT))

    assert rates["article"] == {
        "requests": 100,
        "errors": 0,
        "untouched_requests": 100,
        "untouched_hit_rate": 0.9,
        "touched_requests": 0,
        "touched_hit_rate": None,
    }
    assert rates["tag"]["untouched_hit_rate"] == 0.0  # an error is not a hit
    assert rates["tag"]["touched_hit_rate"] == 1.0
    assert rates["tag"]["errors"] == 1
    assert rates["list"]["touched_hit_rate"] == 0.0  # answered without the header: not from the cache
    assert "category" not in rates  # nobody asked for one


def run(rps, p50, errors=0):
    return {"rps": rps, "p50_ms": p50, "errors": errors}


def rates(article_rate, tag_rate=1.0):
    return {
        "article": {"untouched_requests": 100, "untouched_hit_rate": article_rate},
        "tag": {"untouched_requests": 10, "untouched_hit_rate": tag_rate},
        "list": {"untouched_requests": 0, "untouched_hit_rate": None},
    }


STAFF_OK = {"save_errors": 0, "publish_errors": 0, "publishes": 1, "planned_publishes": 1}


def test_targets_hold_within_one_and_a_half_times_the_quiet_run():
    checks = check_targets(run(900, 17), run(601, 25.5), rates(0.96), STAFF_OK)

    assert all(ok for _, ok, _ in checks), checks
    assert not any("list" in name for name, _, _ in checks)  # no untouched list page: no hit-rate target


def test_targets_fail_on_a_collapse():
    checks = dict((name, ok) for name, ok, _ in check_targets(run(852, 17), run(58, 281), rates(0.3, 0.2), STAFF_OK))

    assert checks == {
        "reader req/s ≥ quiet / 1.5": False,
        "reader p50 ≤ 1.5 × quiet": False,
        "hit rate ≥ 95% on untouched article pages": False,
        "hit rate ≥ 95% on untouched tag pages": False,
        "0 errors (readers, writer, editor)": True,
        "every planned publication happened": True,
    }


def test_targets_count_reader_and_staff_errors_and_missed_publications():
    staff = {"save_errors": 1, "publish_errors": 0, "publishes": 0, "planned_publishes": 1}
    checks = dict((name, ok) for name, ok, _ in check_targets(run(900, 17), run(900, 17, errors=0), rates(1.0), staff))

    assert checks["0 errors (readers, writer, editor)"] is False
    assert checks["every planned publication happened"] is False
    reader_errors = check_targets(run(900, 17, errors=2), run(900, 17), rates(1.0), STAFF_OK)
    assert dict((n, ok) for n, ok, _ in reader_errors)["0 errors (readers, writer, editor)"] is False


@pytest.mark.parametrize(
    ("duration", "every", "expected"),
    [(60, 60, 1), (20, 10, 2), (120, 60, 2), (150, 60, 3), (29, 60, 0), (60, 0, 0)],
)
def test_publications_start_half_an_interval_in(duration, every, expected):
    assert planned_publishes(duration, every) == expected


def test_peer_paths_use_the_peer_benchmarks_labels():
    urls = {
        "home /": "/",
        "list page 2": "/?page=2",
        "article": "/articles/bench-500/",
        "tag": "/tags/bench-tag-1/",
        "search 2 chars": "/search/?q=%E6%8E%A8%E8%AB%96",
        "search 6 chars": "/search/?q=x",
        "feed /feed/": "/feed/",
        "static css": "/static/css/site.css",
    }
    paths = peer_paths(urls)

    assert paths == {
        "home": "/",
        "index": "/?page=2",
        "detail": "/articles/bench-500/",
        "tag": "/tags/bench-tag-1/",
        "feed": "/feed/",
        "search": "/search/?q=%E6%8E%A8%E8%AB%96",
        "static": "/static/css/site.css",
    }
    # The peer's own pages (peer-bench README) are all paired; "static…" gets its static-file settings.
    assert {"home", "index", "detail", "tag", "feed", "static"} <= set(PEER_LABELS.values())


def test_sizes_and_one_size_per_child_run():
    assert sizes("1000,10_000") == [1000, 10000]
    with pytest.raises(Exception, match="positive"):
        sizes("0")
    assert replace_articles(["--articles", "1000,10000", "--duration", "5"], 1000) == ["--duration", "5", "--articles", "1000"]
    assert replace_articles(["--articles=1000,10000", "--modes", "nocache"], 10000) == ["--modes", "nocache", "--articles", "10000"]
