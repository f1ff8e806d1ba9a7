"""A reader finds a known article by describing it: success@3 over a set of (query, article) pairs.

The articles are the sixteen AI-news pieces in ``tests/fixtures/search_quality/articles/``; the
queries (``queries.tsv``) are what a reader who remembers one of them might type: a sentence
that says it in other words, particles added or dropped, the words in another order, a verb
inflected otherwise, a カタカナ or English name for what the article spells the other way. Each
query goes through the search page (relevance order, the alias table as seeded) and counts as
found when its article is among the first three results. Failures are printed.
"""

import datetime
from pathlib import Path

import frontmatter
import pytest
from django.utils import timezone

from blog.models import Category
from tests.factories import make_article

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "search_quality"
KINDS = {"sentence", "particles", "order", "inflection", "variant"}
TARGET = 0.90  # success@3
TOP = 3


def known_items() -> list[tuple[str, str, str]]:
    """(expected article, kind, query) of every line of queries.tsv."""
    pairs = []
    for line in (FIXTURES / "queries.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            expected, kind, query = line.split("\t")
            pairs.append((expected, kind, query))
    return pairs


@pytest.fixture
def fixture_articles() -> dict:
    """The articles by file name, published ``days_ago`` days ago."""
    now = timezone.now()
    articles = {}
    for path in sorted((FIXTURES / "articles").glob("*.md")):
        post = frontmatter.load(path)
        category, _ = Category.objects.get_or_create(name=post["category"])
        articles[path.stem] = make_article(
            post["title"],
            slug=path.stem,
            excerpt=post["excerpt"],
            body=post.content,
            tags=post["tags"],
            category=category,
            published_at=now - datetime.timedelta(days=post["days_ago"]),
        )
    return articles


def top_results(client, query: str) -> list[str]:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return [article.slug for article in list(response.context["articles"])[:TOP]]


def test_the_known_item_set_covers_every_kind_of_rewording():
    pairs = known_items()
    assert len(pairs) >= 60
    articles = {path.stem for path in (FIXTURES / "articles").glob("*.md")}
    assert len(articles) >= 12
    assert {expected for expected, _, _ in pairs} == articles  # every article is looked for
    assert {kind for _, kind, _ in pairs} == KINDS
    assert len({query for _, _, query in pairs}) == len(pairs)


def test_a_described_article_is_among_the_first_three_results(client, fixture_articles):
    pairs = known_items()
    failures = []
    for expected, kind, query in pairs:
        top = top_results(client, query)
        if expected not in top:
            failures.append((kind, query, expected, top))
    rate = 1 - len(failures) / len(pairs)
    print(f"\nsuccess@{TOP}: {len(pairs) - len(failures)}/{len(pairs)} = {rate:.1%}")
    for kind, query, expected, top in failures:
        print(f"  not in top {TOP} [{kind}] 「{query}」 expected {expected}, got {top or 'nothing'}")
    assert rate >= TARGET, f"success@{TOP} {rate:.1%} is below {TARGET:.0%} ({len(failures)} failures above)"
