"""What a search costs the first time it is made after a change: its capped counts and its first
page of ids, which the search page then remembers per content version (``blog.search``); and
the capped result set ranked by relevance, or newest first, with its facet counts (what the
search page computes, ``SearchResults.ranked``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/allforces_perf .venv/bin/python bench/search_cost.py
    ... bench/search_cost.py --repeat 50 推論 輸出管理規制 量子化 GPU

Runs in this process against the database as it is (generate it first: bench/generate.py), one
search at a time, nothing remembered: the time is the database's work plus the ORM's, per search.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("terms", nargs="*", default=["推論", "輸出管理規制", "量子化", "GPU"])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from blog.models import Article
    from blog.search import RESULT_LIMIT, SearchResults

    print(f"{Article.objects.published().count()} published articles")
    print(
        "| term | title hits | all hits | counts + first page of ids: p50 ms | p90 ms "
        "| counts + ranked set (関連度): p50 ms | p90 ms | counts + newest set (新しい順): p50 ms | p90 ms |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")

    def timed(order, term):
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            results = SearchResults(Article.objects.published().for_listing(with_text=True), [term], order=order)
            counts = results._count_both()
            if results.count():
                if order is None:
                    results._page_ids(0, min(12, results.count()))
                else:
                    results.ranked()
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        return counts, f"{statistics.median(timings):.1f} | {timings[int(len(timings) * 0.9)]:.1f}"

    for term in args.terms:
        (titles, total), first_page = timed(None, term)
        ranked, newest = timed("relevance", term)[1], timed("new", term)[1]
        capped = lambda n: f"{RESULT_LIMIT}+" if n > RESULT_LIMIT else str(n)  # noqa: E731
        print(f"| {term} | {capped(titles)} | {capped(total)} | {first_page} | {ranked} | {newest} |")


if __name__ == "__main__":
    main()
