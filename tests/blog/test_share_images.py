"""Every article gets a generated share image: its title set in the site's Japanese typeface,
broken by phrase without kinsoku violations, at an immutable URL that changes with the title."""

import datetime
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from blog import share_images
from blog.models import Article
from blog.share_images import NO_LINE_END, NO_LINE_START, break_lines
from tests.factories import make_article, make_category

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------- line breaking


def monospace(line: str) -> float:
    """One unit per character: every line width is predictable."""
    return len(line)


TRICKY_TITLES = [
    "「生成AI」とは何か？仕組みと使い方を解説します。",
    "GPT-4oで変わる「生成AI」の使い方：実践ガイド（2024年版）",
    "『深層学習』を読む——第3章「誤差逆伝播法」、ふたたび。",
    "大規模言語モデル（LLM）の推論コストを、半分にする方法！",
    "RAGって結局なに？？ベクトル検索・リランキング・評価まで",
    "ちょっと待って、そのプロンプト……本当に安全ですか？",
    "Claude 3.5 SonnetとGemini 1.5 Proを比べてみた【検証】",
    "「」「」「」『』『』（）（）",
    "ーーーー、、、、。。。。",
    "AIエージェント時代のソフトウェア開発（前編）：設計・実装・運用",
]


def assert_no_kinsoku_violation(lines):
    """Checked at each break: the title's own first and last characters are not breaks."""
    for before, after in zip(lines, lines[1:]):
        assert after[0] not in NO_LINE_START, lines
        assert before[-1] not in NO_LINE_END, lines


@pytest.mark.parametrize("title", TRICKY_TITLES)
@pytest.mark.parametrize("width", [6, 8, 11, 15])
def test_no_line_starts_with_closing_punctuation_or_ends_with_an_opening_bracket(title, width):
    lines = break_lines(title, monospace, width)
    assert_no_kinsoku_violation(lines)


@pytest.mark.parametrize("title", TRICKY_TITLES)
def test_breaking_only_cuts_the_title_and_drops_no_character(title):
    lines = break_lines(title, monospace, 9)
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")


def test_lines_break_between_phrases_not_inside_words():
    lines = break_lines("大規模言語モデルの推論を高速化する", monospace, 12)
    assert lines == ["大規模言語モデルの推論を", "高速化する"]


def test_a_kanji_compound_is_not_cut_where_another_break_will_do():
    # BudouX alone reads 「現在|地」.
    lines = break_lines("エッジAIチップの現在地：手元の端末で推論する意味", monospace, 10)
    assert "現在地：" in "\n".join(lines)
    assert_no_kinsoku_violation(lines)


def test_balanced_lines_move_whole_phrases_and_leave_no_short_last_line():
    title = "AIエージェントは業務をどう変えるか：小さく始める設計の考え方"
    greedy = break_lines(title, monospace, 15)
    balanced = share_images.balanced_lines(title, monospace, 15)
    assert greedy[-1] == "考え方"
    assert len(balanced) == len(greedy)
    assert min(map(len, balanced)) > len("考え方")
    assert "".join(balanced) == title
    # never narrower than the widest phrase: 「コーディングエージェントを」 stays whole
    assert share_images.balanced_lines("コーディングエージェントを安全に試す", monospace, 16) == ["コーディングエージェントを", "安全に試す"]


def test_latin_words_and_numbers_stay_whole():
    lines = break_lines("GPT-4oとClaude 3.5 Sonnetの（2024年版）比較", monospace, 10)
    joined = "\n".join(lines)
    for word in ("GPT-4o", "Claude", "3.5", "Sonnet", "2024"):
        assert word in joined
    assert_no_kinsoku_violation(lines)


def test_a_break_at_a_space_leaves_no_space_at_either_end():
    lines = break_lines("Claude 3.5 Sonnet を試す", monospace, 8)
    assert all(line == line.strip() for line in lines)


def test_a_closing_mark_stays_with_the_phrase_before_it():
    # Ten characters before 「。」: filling each line to the width would leave 「。」 alone.
    assert break_lines("推論の高速化を試した。", monospace, 10) == ["推論の高速化を", "試した。"]
    assert break_lines("「推論」の高速化", monospace, 4) == ["「推論」", "の高速化"]


def test_a_phrase_wider_than_a_line_breaks_between_characters_by_the_same_rules():
    lines = break_lines("ファインチューニング・プロンプトエンジニアリング", monospace, 5)
    assert all(len(line) <= 6 for line in lines)  # one character may hang rather than start a line
    assert_no_kinsoku_violation(lines)


def test_too_many_lines_end_with_an_ellipsis_within_the_width():
    title = "大規模言語モデルの推論を、量子化と投機的デコーディングと連続バッチ処理で、速く安くする方法"
    lines = break_lines(title, monospace, 10, max_lines=3)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert lines[-1][-2] not in "、。「（"
    assert all(len(line) <= 10 for line in lines)


def test_long_titles_get_a_smaller_size_before_they_are_cut():
    short_font, short_lines = share_images.title_lines("Transformer入門")
    long_font, long_lines = share_images.title_lines("生成AIの導入で、社内の問い合わせ対応はどう変わったか。三つの部署で半年間試した結果と、見えてきた課題をまとめる")
    assert short_lines == ["Transformer入門"]
    assert long_font.size < short_font.size
    assert 3 <= len(long_lines) <= 4
    assert_no_kinsoku_violation(long_lines)
    width = share_images.WIDTH - 2 * share_images.MARGIN
    assert all(long_font.getlength(line) <= width for line in long_lines)


def test_the_typeface_comes_with_the_project_and_has_japanese_glyphs():
    assert share_images.FONT_PATH.is_file()
    assert (share_images.FONT_PATH.parent / "LICENSE-IPAexGothic.txt").is_file()
    face = share_images.font(64)
    # A face without the glyph draws every character as the same .notdef box.
    widths = {face.getbbox(character) for character in "生成AIの使い方"}
    assert len(widths) > 3


# ---------------------------------------------------------------- the image and its URL


def image_url(article):
    return share_images.share_image_path(article)


def test_the_share_image_is_a_1200_by_630_png_with_immutable_caching(client):
    article = make_article("「生成AI」とは何か？仕組みと使い方", category=make_category("生成AI"))
    response = client.get(image_url(article))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    assert image.size == (1200, 630)


@pytest.mark.parametrize(
    "title",
    [
        "A" * 200,
        "supercalifragilisticexpialidocious-" * 5,
        "「" * 80,
        "。" * 80,
        "絵文字🚀と\u200b見えない文字\tタブ\n改行",
        "<script>alert(1)</script> & \"quotes\"",
    ],
)
def test_any_title_gives_an_image_within_the_frame(client, title):
    article = make_article(title)
    response = client.get(image_url(article))
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)
    title_font, lines = share_images.title_lines(article.title)
    assert len(lines) <= 4


def test_a_long_category_name_is_cut_inside_its_label():
    fields = {"title": "推論", "category": "とても長いカテゴリー名" * 6, "date": "", "site_name": "ALLFORCES", "tagline": ""}
    image = Image.open(io.BytesIO(share_images.render(fields)))
    right_edge = image.crop((share_images.WIDTH - share_images.MARGIN + 1, 40, share_images.WIDTH, 130))
    assert [colour for _, colour in right_edge.getcolors()] == [share_images.BACKGROUND]


def test_the_url_names_the_article_and_a_digest():
    article = make_article()
    assert re.fullmatch(rf"/og/{article.pk}-[0-9a-f]{{16}}\.png", image_url(article))


def test_the_url_changes_when_the_title_changes():
    article = make_article("推論サーバーの作り方")
    before = image_url(article)
    article.title = "推論サーバーの作り方（改訂版）"
    article.save()
    assert image_url(Article.objects.get(pk=article.pk)) != before


def test_the_url_changes_with_the_category_and_the_date_but_not_with_the_body():
    article = make_article("推論サーバーの作り方")
    before = image_url(article)
    article.body = "別の本文です。"
    article.save()
    assert image_url(article) == before
    article.category = make_category("MLOps")
    assert image_url(article) != before
    article.category = Article.objects.get(pk=article.pk).category
    article.published_at -= datetime.timedelta(days=3)
    assert image_url(article) != before


def test_the_image_is_drawn_once_and_then_served_from_the_cache(client, monkeypatch):
    article = make_article()
    drawn = []
    real_render = share_images.render
    monkeypatch.setattr(share_images, "render", lambda fields: drawn.append(fields) or real_render(fields))
    first = client.get(image_url(article))
    second = client.get(image_url(article))
    assert first.content == second.content
    assert len(drawn) == 1
    assert drawn[0]["title"] == article.title


def test_an_outdated_digest_is_sent_to_the_current_image(client):
    article = make_article("古いタイトル")
    old = image_url(article)
    article.title = "新しいタイトル"
    article.save()
    response = client.get(old)
    assert response.status_code == 302
    assert response["Location"] == image_url(article)
    assert "immutable" not in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    "status, published_at",
    [
        (Article.Status.DRAFT, None),
        (Article.Status.IN_REVIEW, None),
        (Article.Status.SCHEDULED, timezone.now() + datetime.timedelta(days=1)),
        (Article.Status.ARCHIVED, timezone.now() - datetime.timedelta(days=1)),
    ],
)
def test_articles_that_are_not_published_have_no_share_image(client, status, published_at):
    article = make_article(status=status, published_at=published_at)
    assert client.get(image_url(article)).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/og/999999-0123456789abcdef.png", "/og/99999999999999999999999-0123456789abcdef.png", "/og/1-XYZ.png", "/og/1-0123456789abcdef.jpg", "/og/-0123456789abcdef.png"],
)
def test_unknown_or_malformed_image_urls_are_404(client, path):
    assert client.get(path).status_code == 404


def test_only_get_and_head_are_answered(client):
    article = make_article()
    assert client.head(image_url(article)).status_code == 200
    assert client.post(image_url(article)).status_code == 405


def test_one_query_per_image_whatever_the_site_holds(client):
    def queries(article):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(image_url(article)).status_code == 200
        return len(captured)

    small = queries(make_article())
    for _ in range(20):
        make_article()
    assert queries(make_article(category=make_category("長いカテゴリー名の例"))) == small == 1


# ---------------------------------------------------------------- the article page points to it


def test_the_article_page_shares_the_generated_image(client):
    article = make_article("「生成AI」とは何か？", category=make_category("生成AI"))
    html = client.get(article.get_absolute_url()).content.decode()
    url = "http://testserver" + image_url(article)
    assert f'<meta property="og:image" content="{url}">' in html
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:height" content="630">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta name="twitter:image" content="{url}">' in html
    assert "og-default.png" not in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["image"] == [{"@type": "ImageObject", "url": url, "width": 1200, "height": 630}]


def test_the_image_linked_from_the_page_is_served(client):
    article = make_article()
    html = client.get(article.get_absolute_url()).content.decode()
    url = re.search(r'<meta property="og:image" content="http://testserver([^"]+)">', html).group(1)
    assert client.get(url).status_code == 200


def test_a_new_title_reaches_the_page_meta_tags(client):
    article = make_article("最初のタイトル")
    client.get(article.get_absolute_url())
    article.title = "書き直したタイトル"
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert image_url(article) in html
