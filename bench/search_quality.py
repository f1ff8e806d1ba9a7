"""Search quality on real content: known-item queries built from the articles' own titles and headings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/allforces_corpus .venv/bin/python bench/search_quality.py
    ... bench/search_quality.py --articles 200 --failures 40

For each published article in the configured database (import some first: ``manage.py
import_jekyll``), its title and its headings are each turned into queries a reader who
remembers them might type:

* ``words``     — the content words only, particles and auxiliaries dropped, space-separated;
* ``reordered`` — the same words in reverse order;
* ``inflected`` — the text as written, with each verb and adjective in another form
  (Sudachi's dictionary form for an inflected one, the polite past otherwise);
* ``alias``     — the text with a name swapped for another spelling of its alias group
  (NVIDIA → エヌビディア), when it holds one.

A text with fewer than two content words (「まとめ」, 「はじめに」) gives no query, and a query
that more than one article would produce (a heading they share) is dropped: it has no single
right answer. Each query goes through the site's own search (``query.parse`` with the alias
table, ``SearchResults`` in relevance order, as the search page runs it), and counts as found at
k when its article is among the first k results. Reported: success@1, @3 and @10, overall and
per kind, and the failures (query, expected article, what came first), also written to
``bench/results/search_quality_failures.txt``.
"""

import argparse
import collections
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

KS = (1, 3, 10)
MAX_WORDS = 6  # readers type a few words, not a whole heading
_HEADING_RE = re.compile(r"<h([1-6])[^>]*>(.*?)</h\1>", re.S)
_TAG_RE = re.compile(r"<[^>]+>")
_KEPT = {"名詞", "動詞", "形容詞", "形状詞"}
# u-row kana → i-row, for the polite form of a godan verb (書く → 書きます)
_U_TO_I = dict(zip("うくぐすつぬぶむる", "いきぎしちにびみり"))


def sources(article) -> list[str]:
    """The article's title and the text of each of its headings."""
    import html

    headings = [html.unescape(_TAG_RE.sub("", inner)).strip() for _, inner in _HEADING_RE.findall(article.body_html)]
    return [article.title, *[h for h in headings if h]]


def _morphemes(value: str):
    from blog.search.analysis import _tokenizer

    return list(_tokenizer().tokenize(value))


def other_form(morpheme) -> str | None:
    """Another form of an inflected verb or adjective: its dictionary form, or, typed in that
    form, the polite past (verbs) or the adverbial form (adjectives)."""
    pos = morpheme.part_of_speech()
    surface, lemma = morpheme.surface(), morpheme.dictionary_form()
    if pos[0] not in ("動詞", "形容詞") or pos[1] == "非自立可能":
        return None
    if surface != lemma:
        return lemma
    if pos[0] == "形容詞" and lemma.endswith("い"):
        return lemma[:-1] + "く"
    conjugation = pos[4]
    if lemma.endswith("する"):
        return lemma[:-2] + "しました"
    if conjugation.startswith("五段") and lemma[-1] in _U_TO_I:
        return lemma[:-1] + _U_TO_I[lemma[-1]] + "ました"
    if ("一段" in conjugation) and lemma.endswith("る"):
        return lemma[:-1] + "ました"
    return None


def content_words(value: str) -> list[str]:
    words = []
    for morpheme in _morphemes(value):
        pos = morpheme.part_of_speech()
        if pos[0] in _KEPT and pos[1] not in ("非自立可能", "代名詞") and morpheme.surface().strip():
            words.append(morpheme.surface())
    return words


def variants(value: str, table) -> dict[str, str]:
    """The queries (by kind) a reader might type for ``value``."""
    words = content_words(value)[:MAX_WORDS]
    if len(words) < 2:
        return {}
    queries = {"words": " ".join(words), "reordered": " ".join(reversed(words))}
    morphemes = _morphemes(value)
    changed = [other_form(m) for m in morphemes]
    if any(changed):
        queries["inflected"] = "".join(c or m.surface() for c, m in zip(changed, morphemes))
    for spelling in sorted(table.index, key=len, reverse=True):
        if len(spelling) < 3 or spelling not in value.casefold():
            continue
        others = [s for s in table.group(spelling) if s.casefold() != spelling]
        if others:
            start = value.casefold().index(spelling)
            queries["alias"] = value[:start] + others[0] + value[start + len(spelling) :]
            break
    return queries


def search_ids(query: str, table, limit: int) -> list[int]:
    """The first ``limit`` ids the search page shows for ``query`` (relevance order)."""
    from blog import text
    from blog.models import Article
    from blog.search import SearchResults
    from blog.search.query import parse
    from blog.views import MAX_QUERY_LENGTH

    parsed = parse(text.clean_user_text(query, MAX_QUERY_LENGTH), table)
    if not parsed:
        return []
    results = SearchResults(Article.objects.published().for_listing(with_text=True), parsed, order="relevance")
    return results.ranked()["ids"][:limit] if results.count() else []


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=0, help="only the first N published articles (0: all)")
    parser.add_argument("--failures", type=int, default=30, help="failures printed (all are written to the file)")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from blog.models import Article
    from blog.search import aliases

    table = aliases.load()
    articles = Article.objects.published().order_by("pk")
    articles = list(articles[: args.articles] if args.articles else articles)
    print(f"{len(articles)} published articles; building queries from titles and headings", flush=True)
    wanted = collections.defaultdict(set)  # query → articles it was built for
    kinds = {}
    for article in articles:
        for source in sources(article):
            for kind, query in variants(source, table).items():
                wanted[query].add(article.pk)
                kinds.setdefault(query, kind)
    pairs = [(query, next(iter(pks)), kinds[query]) for query, pks in wanted.items() if len(pks) == 1]
    print(f"{len(pairs)} queries ({len(wanted) - len(pairs)} shared by several articles dropped)", flush=True)

    titles = dict(Article.objects.values_list("pk", "title"))
    found = collections.Counter()
    by_kind = collections.defaultdict(collections.Counter)
    failures = []
    started = time.monotonic()
    for number, (query, expected, kind) in enumerate(pairs, 1):
        ids = search_ids(query, table, max(KS))
        rank = ids.index(expected) + 1 if expected in ids else None
        by_kind[kind]["total"] += 1
        for k in KS:
            if rank is not None and rank <= k:
                found[k] += 1
                by_kind[kind][k] += 1
        if rank is None or rank > 3:
            failures.append((kind, query, titles[expected], rank, [titles[pk] for pk in ids[:3]]))
        if number % 200 == 0:
            print(f"  {number}/{len(pairs)} queries ({time.monotonic() - started:.0f} s)", flush=True)

    total = len(pairs) or 1
    print("\n| kind | queries | success@1 | success@3 | success@10 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kind in ("words", "reordered", "inflected", "alias"):
        counts = by_kind.get(kind)
        if counts:
            n = counts["total"]
            print(f"| {kind} | {n} | " + " | ".join(f"{counts[k] / n:.1%}" for k in KS) + " |")
    print(f"| all | {len(pairs)} | " + " | ".join(f"{found[k] / total:.1%}" for k in KS) + " |")

    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    lines = [
        f"[{kind}] 「{query}」 expected 「{title}」 at {rank or '>10'}; top 3: {' / '.join(top) or 'nothing'}"
        for kind, query, title, rank, top in failures
    ]
    (results / "search_quality_failures.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\n{len(failures)} queries whose article is not in the first 3 (all in bench/results/search_quality_failures.txt):")
    for line in lines[: args.failures]:
        print("  " + line)


if __name__ == "__main__":
    main()
