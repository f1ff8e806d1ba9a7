"""What a search costs the first time it is made after a change: its capped counts and its first
page of ids, which the search page then remembers until a public article changes (``blog.cache.fragments.search_memo``); and
the capped result set ranked by relevance, or newest first, with its facet counts (what the
search page computes, ``SearchResults.ranked``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/allforces_perf .venv/bin/python bench/search_cost.py
    ... bench/search_cost.py --repeat 50 推論 輸出管理規制 量子化 GPU

Runs in this process against the database as it is (generate it first: bench/generate.py), one
search at a time, nothing remembered: the time is the database's work plus the ORM's, per search.

New searches under load (``--connections 8 --duration 20``): that many processes, each with its
own database connection, make searches of 1, 2 and 5 terms for ``--duration`` seconds per term
count, each built at random from the data set's vocabulary (bench/generate.py), so the stream
is varied; nothing is remembered (no request, no cache): every search parses the query
(Sudachi, alias table), counts its capped matches, ranks them by relevance with their facet
counts and reads its first page of twelve articles — the search page's work but the template.
Reported per term count: searches/s, matches, p50 and p99 against the targets (p50 ≤ 50 ms,
p99 ≤ 200 ms).

Indexing cost (``--save 30``): a 6,000-character article rendered, then written (INSERT) and
rewritten (UPDATE of its text), in a transaction rolled back at the end: the write is what the
search indexes add to a save (the trigram and grams GIN indexes, and the grams function they
evaluate), rendering reported apart.
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

TARGET_P50_MS, TARGET_P99_MS = 50, 200
SAVE_CHARACTERS = 6000


def vocabulary() -> list[list[str]]:
    """The content words of each sentence the generator writes, as a reader would type them."""
    from bench import generate
    from blog.search.analysis import content_words

    sentences = [s + v for s in generate.SUBJECTS for v in generate.VERBS] + generate.DETAILS + [generate.RARE]
    sentences += [f"{s}の現状" for s in generate.SUBJECTS]
    words = []
    for sentence in sentences:
        kept = [spellings[0] for spellings in content_words(sentence) if len(spellings[0]) >= 2]
        if kept:
            words.append(list(dict.fromkeys(kept)))
    return words


def new_query(rng, words, terms: int, table) -> str:
    """A query of exactly ``terms`` terms: words of one sentence (more from others when short)."""
    from blog.search.query import parse

    while True:
        pool = list(rng.choice(words))
        while len(pool) < terms:
            pool += [w for w in rng.choice(words) if w not in pool]
        query = " ".join(rng.sample(pool, terms))
        if len(parse(query, table).terms) == terms:
            return query


def one_search(query: str, table) -> int:
    """What the search page does for a new query, but the template: the number of matches."""
    from blog.models import Article
    from blog.search import SearchResults
    from blog.search.query import parse

    parsed = parse(query, table)
    results = SearchResults(Article.objects.published().for_listing(with_text=True), parsed, order="relevance")
    count = results.count()
    if count:
        list(results[0:12])
    return count


def _searcher(number, terms, duration, words, start_at, out):
    import random

    from django.db import connection

    from blog.search import aliases

    rng = random.Random(f"{number}-{terms}")
    table = aliases.load()
    for _ in range(3):  # connection, dictionary, first plans
        one_search(new_query(rng, words, terms, table), table)
    while time.time() < start_at:
        time.sleep(0.01)
    timings, counts = [], []
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        query = new_query(rng, words, terms, table)
        started = time.perf_counter()
        counts.append(one_search(query, table))
        timings.append((time.perf_counter() - started) * 1000)
    connection.close()
    out.put((timings, counts))


def under_load(connections: int, duration: int, term_counts) -> list[dict]:
    import multiprocessing

    from django.db import connection

    words = vocabulary()
    context = multiprocessing.get_context("fork")
    rows = []
    for terms in term_counts:
        connection.close()  # each process opens its own
        out = context.Queue()
        start_at = time.time() + 5
        processes = [
            context.Process(target=_searcher, args=(i, terms, duration, words, start_at, out)) for i in range(connections)
        ]
        for process in processes:
            process.start()
        timings, counts = [], []
        for _ in processes:
            t, c = out.get()
            timings += t
            counts += c
        for process in processes:
            process.join()
        timings.sort()
        row = {
            "terms": terms,
            "searches": len(timings),
            "per_second": len(timings) / duration,
            "matches": statistics.median(counts) if counts else 0,
            "p50": statistics.median(timings) if timings else float("nan"),
            "p99": timings[min(len(timings) - 1, int(len(timings) * 0.99))] if timings else float("nan"),
        }
        rows.append(row)
        verdict = "ok" if row["p50"] <= TARGET_P50_MS and row["p99"] <= TARGET_P99_MS else "OVER TARGET"
        print(
            f"  {terms} term(s): {row['searches']} searches, {row['per_second']:.0f}/s, median {row['matches']:.0f} matches, "
            f"p50 {row['p50']:.1f} ms, p99 {row['p99']:.1f} ms ({verdict})",
            flush=True,
        )
    return rows


def save_cost(repeat: int) -> dict:
    """Milliseconds to render, insert and update a 6,000-character article (rolled back)."""
    import random

    from django.db import connection, models, transaction
    from django.utils import timezone

    from bench import generate
    from blog.models import Article, Category

    rng = random.Random(SAVE_CHARACTERS)
    renders, inserts, updates, grams = [], [], [], []

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            category = Category.objects.create(name="計測用", slug="bench-save-cost")
            for number in range(repeat):
                body = generate.body(rng, SAVE_CHARACTERS)[:SAVE_CHARACTERS]
                article = Article(
                    title=f"保存の計測{number}", slug=f"bench-save-cost-{number}", body=body, excerpt="",
                    category=category, status=Article.Status.PUBLISHED, published_at=timezone.now(),
                )
                started = time.perf_counter()
                article.render()
                renders.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                models.Model.save(article)  # the INSERT alone: Article.save would render again
                inserts.append((time.perf_counter() - started) * 1000)
                article.body = generate.body(rng, SAVE_CHARACTERS)[:SAVE_CHARACTERS]
                article.render()
                started = time.perf_counter()
                models.Model.save(article, update_fields=[*Article.SOURCE_FIELDS, *Article.DERIVED_FIELDS])
                updates.append((time.perf_counter() - started) * 1000)
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        started = time.perf_counter()
                        cursor.execute("SELECT cardinality(blog_search_grams(%s))", [article.search_document])
                        cursor.fetchone()
                        grams.append((time.perf_counter() - started) * 1000)
            raise Rollback
    except Rollback:
        pass
    median = lambda values: statistics.median(values) if values else float("nan")  # noqa: E731
    worst = lambda values: max(values) if values else float("nan")  # noqa: E731
    return {
        "characters": len(article.body), "render": (median(renders), worst(renders)),
        "insert": (median(inserts), worst(inserts)), "update": (median(updates), worst(updates)),
        "grams": (median(grams), worst(grams)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("terms", nargs="*", default=["推論", "輸出管理規制", "量子化", "GPU"])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--connections", type=int, default=0, help="new searches from this many processes at once")
    parser.add_argument("--duration", type=int, default=20, help="seconds per term count with --connections")
    parser.add_argument("--term-counts", default="1,2,5")
    parser.add_argument("--save", type=int, default=0, help="measure this many saves of a 6,000-character article")
    args = parser.parse_args()

    import django

    django.setup()
    from blog.models import Article

    print(f"{Article.objects.published().count()} published articles")
    if args.connections or args.save:
        if args.connections:
            print(f"new searches at {args.connections} connections, {args.duration} s per term count:", flush=True)
            rows = under_load(args.connections, args.duration, [int(n) for n in args.term_counts.split(",")])
            print("\n| terms | searches | searches/s | median matches | p50 ms | p99 ms |")
            print("| ---: | ---: | ---: | ---: | ---: | ---: |")
            for row in rows:
                print(
                    f"| {row['terms']} | {row['searches']} | {row['per_second']:.0f} | {row['matches']:.0f} | "
                    f"{row['p50']:.1f} | {row['p99']:.1f} |"
                )
        if args.save:
            cost = save_cost(args.save)
            print(f"\nsaving a {cost['characters']}-character article, {args.save} times (median / worst ms):")
            for name, label in [("render", "render (Markdown, text)"), ("insert", "INSERT with the search indexes"),
                                ("update", "UPDATE of its text"), ("grams", "blog_search_grams of the document")]:
                print(f"  {label}: {cost[name][0]:.1f} / {cost[name][1]:.1f}")
        return
    cost_of_each(args)


def cost_of_each(args):
    from blog.models import Article
    from blog.search import RESULT_LIMIT, SearchResults

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
