"""Generate the benchmark data set: deterministic Japanese articles, tags, categories, authors.

    python bench/generate.py --articles 10000        # DATABASE_URL picks the database

The same arguments always give the same rows (seeded random). Rows are bulk-inserted after
``Article.render()`` and ``blog.stored_html.render_into()``, so stored HTML (body, card, header), search text and reading time are exactly what the site
computes on save. Refuses to touch a database that already holds non-benchmark articles.
"""

import argparse
import concurrent.futures
import contextlib
import datetime
import itertools
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

MARKER_CATEGORY = "ベンチマーク"  # every category name starts with this; its presence marks a bench data set
SEED = 20261128

SUBJECTS = [
    "大規模言語モデル", "生成AI", "画像認識モデル", "音声合成エンジン", "推論サーバー", "エッジAIチップ",
    "検索拡張生成（RAG）", "自然言語処理の基盤", "マルチモーダルモデル", "強化学習エージェント",
    "オープンウェイトモデル", "GPUクラスター", "データパイプライン", "評価ベンチマーク", "AI規制の枠組み",
]
VERBS = [
    "の推論コストを大きく下げた", "の評価方法が見直されている", "を社内業務に導入する企業が増えた",
    "の学習データの扱いが議論を呼んでいる", "のメモリ帯域がボトルネックになっている",
    "を小さく始めるのが成功の近道だ", "に関する新しい論文が公開された", "の安全性テストが義務化されつつある",
    "は日本語の扱いで差が出やすい", "の運用には監視と記録が欠かせない",
]
DETAILS = [
    "特に量子化と蒸留の組み合わせが効果的で、精度をほとんど落とさずに推論を速くできる。",
    "自然言語処理の分野では、日本語特有の表記ゆれが精度に影響することが知られている。",
    "現場のエンジニアは、推論のレイテンシとスループットの両方を見ながら構成を決めている。",
    "一方で、評価データの偏りは見落とされがちで、本番で初めて問題が見つかることも多い。",
    "クラウドとオンプレミスの費用を比べると、利用量が一定を超えたところで逆転する。",
    "著作権と個人情報の観点から、学習データの出所を記録しておくことが重要になっている。",
    "小さなモデルを用途ごとに使い分ける設計が、コストと品質の釣り合いを取りやすい。",
    "GPUの確保が難しい時期には、推論の最適化がそのまま事業の競争力になる。",
    "検索と生成を組み合わせると、回答の根拠を示しやすくなり、社内の信頼も得やすい。",
    "ベンダーの発表をうのみにせず、自社のデータで再現してから判断したい。",
]


RARE = "米国の輸出管理規制の影響で、最新のGPUを調達できない研究機関も出ている。"
# Search terms the benchmark uses: "推論" (2 characters, in nearly every article) and
# "輸出管理規制" (6 characters, in roughly one article in seven).
SEARCH_SHORT, SEARCH_LONG = "推論", "輸出管理規制"


def paragraph(rng: random.Random) -> str:
    sentences = [RARE] if rng.random() < 0.01 else []
    for _ in range(rng.randint(3, 5)):
        sentences.append(f"{rng.choice(SUBJECTS)}{rng.choice(VERBS)}。")
        sentences.append(rng.choice(DETAILS))
    return "".join(sentences)


def body(rng: random.Random, target_chars: int = 6000) -> str:
    parts, length, section = [], 0, 1
    while length < target_chars:
        if length == 0 or rng.random() < 0.2:
            heading = f"## {section}. {rng.choice(SUBJECTS)}の現状"
            parts.append(heading)
            section += 1
        text = paragraph(rng)
        if rng.random() < 0.1:
            text = f"- {rng.choice(SUBJECTS)}\n- {rng.choice(SUBJECTS)}\n- {rng.choice(SUBJECTS)}"
        parts.append(text)
        length += len(text)
    return "\n\n".join(parts)


def existing_state():
    from blog.models import Article, Category

    total = Article.objects.count()
    bench = Article.objects.filter(category__name__startswith=MARKER_CATEGORY).count()
    return total, bench, Category.objects.filter(name__startswith=MARKER_CATEGORY).exists()


def drop_bench_data() -> None:
    from django.db import transaction

    from blog.models import Article, Author, Category, Tag

    with transaction.atomic():
        Article.objects.filter(category__name__startswith=MARKER_CATEGORY).delete()
        Category.objects.filter(name__startswith=MARKER_CATEGORY).delete()
        Tag.objects.filter(slug__startswith="bench-tag-").delete()
        Author.objects.filter(slug__startswith="bench-author-").delete()


def generate(
    articles: int, tags: int, categories: int, authors: int, batch: int = 500, quiet: bool = False, replace: bool = False,
    jobs: int = 1,
) -> None:
    from django.db import transaction
    from django.utils import timezone

    from blog.models import Article, Author, Category, Tag, TaggedArticle, unique_slug  # noqa: F401

    total, bench, marked = existing_state()
    if total and not marked:
        raise SystemExit("This database holds articles that are not benchmark data; use an empty database.")
    if bench == articles:
        if not quiet:
            print(f"data set already present: {articles} articles")
        return
    if total and replace and total == bench:
        print(f"dropping the benchmark data set of {bench} articles")
        drop_bench_data()
    elif total:
        raise SystemExit(
            f"This database holds a benchmark data set of {bench} articles; pass --replace (or use another "
            f"database) to generate {articles}."
        )

    rng = random.Random(SEED)
    started = time.monotonic()
    with transaction.atomic():
        category_rows = Category.objects.bulk_create(
            [Category(name=f"{MARKER_CATEGORY}{i + 1:02d}・{SUBJECTS[i % len(SUBJECTS)]}", slug=f"bench-category-{i + 1}") for i in range(categories)]
        )
        author_rows = Author.objects.bulk_create(
            [Author(name=f"記者{i + 1:03d}", slug=f"bench-author-{i + 1}") for i in range(authors)]
        )
        tag_names = ["推論", "LLM", "生成AI", "自然言語処理"] + [f"{SUBJECTS[i % len(SUBJECTS)]}-{i}" for i in range(4, tags)]
        tag_rows = Tag.objects.bulk_create([Tag(name=name, slug=f"bench-tag-{i + 1}") for i, name in enumerate(tag_names)])

    with search_indexes_set_aside(quiet, jobs):
        insert_articles(
            rng, articles, batch, quiet, started, category_rows, author_rows, tag_rows, categories, authors, jobs
        )
    analyze(quiet)


@contextlib.contextmanager
def search_indexes_set_aside(quiet: bool = False, jobs: int = 1):
    """On PostgreSQL, drop the GIN (search) indexes of blog_article while rows pour in, then rebuild.

    One build is several times cheaper than 100,000 insertions into them. Each index is
    recreated from its own definition (and per-column statistics target), even on failure;
    with ``jobs`` > 1 they are built side by side, each on its own connection.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef, a.attstattarget FROM pg_indexes i "
            "JOIN pg_attribute a ON a.attrelid = (quote_ident(i.indexname))::regclass AND a.attnum = 1 "
            "WHERE i.tablename = 'blog_article' AND i.indexdef LIKE '%USING gin%'"
        )
        saved = cursor.fetchall()
        for name, _, _ in saved:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    try:
        yield
    finally:
        started = time.monotonic()

        def rebuild(index):
            from django.db import connection

            name, definition, statistics = index
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
                cursor.execute("SET maintenance_work_mem = '256MB'")
                cursor.execute(definition)
                if statistics is not None and statistics >= 0:
                    cursor.execute(f'ALTER INDEX "{name}" ALTER COLUMN 1 SET STATISTICS {int(statistics)}')

        def on_own_connection(index):
            from django.db import connection

            try:
                rebuild(index)
            finally:
                connection.close()

        if jobs > 1 and len(saved) > 1:
            with concurrent.futures.ThreadPoolExecutor(min(jobs, len(saved))) as pool:
                for future in [pool.submit(on_own_connection, index) for index in saved]:
                    future.result()
        else:
            for index in saved:
                rebuild(index)
        if not quiet and saved:
            names = ", ".join(name for name, _, _ in saved)
            print(f"  rebuilt {names} ({time.monotonic() - started:.0f} s)", flush=True)


def sources(rng, articles, tag_count, authors):
    """(number, title, body, excerpt, (tag picks, author picks)) of each article, in seed order."""
    for number in range(articles):
        title = f"{rng.choice(SUBJECTS)}{rng.choice(VERBS)}（第{number + 1}回）"
        body_source = body(rng)
        excerpt = paragraph(rng)[:120]
        # Tag popularity is skewed, like a real site: a few tags on many articles.
        chosen = {min(int(rng.paretovariate(1.2)) - 1, tag_count - 1) for _ in range(rng.randint(2, 5))}
        yield number, title, body_source, excerpt, (chosen, rng.sample(range(authors), rng.randint(1, 2)))


def _setup_worker():
    import django

    django.setup()


def rendered(source):
    """``source`` with what ``Article.render()`` stores (run in a worker process)."""
    from blog.models import Article

    number, title, body_source, excerpt, picks = source
    article = Article(title=title, body=body_source, excerpt=excerpt)
    article.render()
    return number, title, body_source, excerpt, picks, {name: getattr(article, name) for name in Article.DERIVED_FIELDS}


def insert_articles(rng, articles, batch, quiet, started, category_rows, author_rows, tag_rows, categories, authors, jobs=1):
    """Render in ``jobs`` processes (rendering is nearly all the cost), insert here in batches.

    The random numbers are drawn in this process, in the same order whatever ``jobs`` is, so
    the rows are the same; each is rendered by ``Article.render()`` as a save would.
    """
    import multiprocessing

    from django.db import connection, transaction
    from django.utils import timezone

    from blog import stored_html
    from blog.models import Article, Author, TaggedArticle

    base = timezone.now() - datetime.timedelta(days=1)
    AuthorLink = Article.authors.through
    # The stored card and header list authors in the database's order of their names.
    author_rank = {pk: i for i, pk in enumerate(Author.objects.order_by("name").values_list("pk", flat=True))}
    stream = sources(rng, articles, len(tag_rows), authors)
    pool = None
    if jobs > 1:
        connection.close()  # the workers must not share this process's connection
        pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_setup_worker)
    try:
        done = 0
        while done < articles:
            rows, picks = [], []
            # one batch at a time: the sources of 100,000 articles would not fit in memory at once
            chunk = list(itertools.islice(stream, batch))
            results = pool.map(rendered, chunk, chunksize=max(1, len(chunk) // (jobs * 4))) if pool else map(rendered, chunk)
            for number, title, body_source, excerpt, chosen, derived in results:
                article = Article(
                    title=title,
                    slug=f"bench-{number + 1}",
                    body=body_source,
                    excerpt=excerpt,
                    category=category_rows[number % categories],
                    status=Article.Status.PUBLISHED,
                    published_at=base - datetime.timedelta(minutes=37 * number),
                    **derived,
                )
                tag_ids, author_ids = chosen
                stored_html.render_into(
                    article,
                    authors=sorted((author_rows[i] for i in author_ids), key=lambda a: author_rank[a.pk]),
                    tags=[tag_rows[t] for t in tag_ids],
                )
                rows.append(article)
                picks.append(chosen)
            with transaction.atomic():
                created = Article.objects.bulk_create(rows)
                TaggedArticle.objects.bulk_create(
                    [TaggedArticle(content_object=a, tag=tag_rows[t]) for a, (tag_ids, _) in zip(created, picks) for t in tag_ids]
                )
                AuthorLink.objects.bulk_create(
                    [AuthorLink(article=a, author=author_rows[i]) for a, (_, author_ids) in zip(created, picks) for i in author_ids]
                )
            done += len(rows)
            if not quiet:
                print(f"  {done}/{articles} articles ({time.monotonic() - started:.0f} s)", flush=True)
    finally:
        if pool is not None:
            pool.terminate()


def analyze(quiet: bool = False) -> None:
    """Give the planner statistics (and PostgreSQL its visibility map) for the new rows.

    Bulk inserts leave none: the planner then guesses, and picks a scan of every article.
    Autovacuum would get there eventually; a benchmark must not depend on when.
    """
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET statement_timeout = 0")  # the site's 15 s limit is for requests
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    if not quiet:
        print(f"  analyzed ({time.monotonic() - started:.0f} s)", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--tags", type=int, default=200)
    parser.add_argument("--categories", type=int, default=12)
    parser.add_argument("--authors", type=int, default=30)
    parser.add_argument("--replace", action="store_true", help="drop a benchmark data set of another size first")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="processes rendering articles (the rows are the same)"
    )
    args = parser.parse_args(argv)

    import django

    django.setup()
    generate(args.articles, args.tags, args.categories, args.authors, replace=args.replace, jobs=args.jobs)


if __name__ == "__main__":
    main()
