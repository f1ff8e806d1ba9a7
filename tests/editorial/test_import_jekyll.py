import datetime
import io
import shutil
import zoneinfo
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from blog.models import Article, Author, Category, Redirect, Tag
from editorial import jekyll
from editorial.models import Revision, Transition
from tests.factories import make_user

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "jekyll"
SITE, BROKEN, SAMPLE = FIXTURES / "site", FIXTURES / "broken", FIXTURES / "single" / "000_sample.txt"
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
UTC = datetime.timezone.utc


def run(*args):
    """Run import_jekyll; return (stdout, stderr, error or None)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_jekyll", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def article(key):
    return Article.objects.get(source_path=key)


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2025-12-15 20:38:57 +0000", datetime.datetime(2025, 12, 15, 20, 38, 57, tzinfo=UTC)),
        ("2024-05-01 09:30:00 +0900", datetime.datetime(2024, 5, 1, 0, 30, tzinfo=UTC)),
        ("2024-05-01T09:30:00+09:00", datetime.datetime(2024, 5, 1, 0, 30, tzinfo=UTC)),
        ("2024-05-01 09:30 -0500", datetime.datetime(2024, 5, 1, 14, 30, tzinfo=UTC)),
        ("2024-05-01 09:30:00 Z", datetime.datetime(2024, 5, 1, 9, 30, tzinfo=UTC)),
        ("2024-5-1", datetime.datetime(2024, 5, 1, tzinfo=TOKYO)),
        ("2024-05-01 09:30:00", datetime.datetime(2024, 5, 1, 9, 30, tzinfo=TOKYO)),
        (datetime.date(2024, 5, 1), datetime.datetime(2024, 5, 1, tzinfo=TOKYO)),
        (datetime.datetime(2024, 5, 1, 9, 30), datetime.datetime(2024, 5, 1, 9, 30, tzinfo=TOKYO)),
        (datetime.datetime(2024, 5, 1, 9, 30, tzinfo=UTC), datetime.datetime(2024, 5, 1, 9, 30, tzinfo=UTC)),
    ],
)
def test_dates_are_read_with_or_without_time_and_zone(value, expected):
    assert jekyll.parse_date(value, TOKYO) == expected


@pytest.mark.parametrize("value", ["2024-13-45", "昨日", "2024/05/01", 20240501, "2024-05-01 09:30 +2500"])
def test_bad_dates_are_rejected(value):
    with pytest.raises(ValueError):
        jekyll.parse_date(value, TOKYO)


def test_offset_without_colon_arrives_from_yaml_as_a_string():
    # The reason parse_date reads strings at all: YAML 1.1 has no timestamp with "+0900".
    assert isinstance(jekyll.load_yaml(Path("x"), "date: 2024-05-01 09:30:00 +0900")["date"], str)


@pytest.mark.parametrize(
    "meta, expected",
    [
        ({"categories": ["AI技術ガイド", "LLM"]}, ["AI技術ガイド", "LLM"]),
        ({"categories": "ニュース 告知"}, ["ニュース", "告知"]),
        ({"category": "AI 技術"}, ["AI 技術"]),
        ({"category": 2024}, ["2024"]),
        ({"categories": None, "category": None}, []),
        ({"categories": ["LLM"], "category": "llm"}, ["LLM"]),
        ({"categories": ["", None, "  推論  "]}, ["推論"]),
    ],
)
def test_categories_are_read_as_jekyll_reads_them(meta, expected):
    assert jekyll.names(meta, "category", "categories") == expected


def test_stray_markdown_heading_is_cleaned_from_titles():
    assert jekyll.clean_title("# Llama 4の登場で、Metaが描く戦略とは？") == "Llama 4の登場で、Metaが描く戦略とは？"
    assert jekyll.clean_title("## 見出し\x0b付き\t タイトル ") == "見出し付き タイトル"
    assert jekyll.clean_title("C# 入門") == "C# 入門"


@pytest.mark.parametrize(
    "body, expected",
    [
        ("# 量子化の基礎\n\n本文\n", "本文\n"),
        ("## 量子化の**基礎** ##\n本文\n", "本文\n"),
        ("量子化の基礎\n=====\n\n本文\n", "本文\n"),
        ("量子化の基礎\n---\n\n本文\n", "本文\n"),
        ("# 別の見出し\n\n# 量子化の基礎\n", "# 別の見出し\n\n# 量子化の基礎\n"),
        ("```\n# 量子化の基礎\n```\n", "```\n# 量子化の基礎\n```\n"),
        ("導入文\n\n---\n\n本文\n", "導入文\n\n---\n\n本文\n"),
    ],
)
def test_a_first_heading_that_repeats_the_title_is_dropped(body, expected):
    assert jekyll.drop_title_heading(body, "量子化の基礎") == expected


def test_default_jekyll_url_uses_category_slugs_date_and_file_name():
    date = datetime.datetime(2024, 5, 1, 9, 30, tzinfo=TOKYO)
    url = jekyll.jekyll_url("", categories=["AI技術ガイド", "Deep Learning"], date=date, title="llm-inference")
    assert url == "/ai技術ガイド/deep-learning/2024/05/01/llm-inference.html"
    assert jekyll.jekyll_url("", categories=[], date=date, title="x") == "/2024/05/01/x.html"


def test_permalinks_fill_placeholders_and_cannot_climb_out_of_the_site():
    date = datetime.datetime(2024, 5, 3, tzinfo=TOKYO)
    assert jekyll.jekyll_url("/news/:year/:title/", categories=[], date=date, title="t") == "/news/2024/t/"
    assert jekyll.jekyll_url("my_category/permalinked-post", categories=[], date=date, title="t") == "/my_category/permalinked-post"
    assert jekyll.jekyll_url("/%2e%2e/%2e%2e/baddie.html", categories=[], date=date, title="t") == "/baddie.html"


def test_liquid_is_converted_or_reported_with_its_line(tmp_path):
    path = tmp_path / "2024-01-01-liquid.md"
    path.write_text(
        "---\ntitle: Liquid\n---\n\n本文\n{% highlight ruby linenos %}\nputs 1\n{% endhighlight %}\n"
        "{% raw %}{{ keep }}{% endraw %}\n{% comment %}メモ{% endcomment %}\n{{ site.url }}\n",
        encoding="utf-8",
    )
    post = jekyll.parse_post(path)
    assert "```ruby\nputs 1\n```" in post.body
    assert "{{ keep }}" in post.body
    assert "{% comment %}メモ{% endcomment %}" in post.body
    assert "{{ site.url }}" in post.body
    assert [n.line for n in post.notes] == [10, 10, 11]
    assert "{% comment %}" in post.notes[0].message and "{% endcomment %}" in post.notes[1].message
    assert "{{ site.url }}" in post.notes[2].message


# --- importing -------------------------------------------------------------------------------


def test_import_of_a_jekyll_site_creates_every_post(client):
    out, err, error = run(SITE)
    assert error is None, err
    assert "作成 5 件、更新 0 件、変更なし 0 件、失敗 0 件（対象 5 ファイル、対象外 1 ファイル）" in out
    assert Article.objects.count() == 5

    llm = article("_posts/2024-05-01-llm-inference.md")
    assert llm.title == "LLM推論コストの下げ方"
    assert llm.published_at == datetime.datetime(2024, 5, 1, 0, 30, tzinfo=UTC)
    assert llm.status == Article.Status.PUBLISHED
    assert llm.category.name == "AI技術ガイド"
    assert sorted(llm.tags.names()) == ["GPU", "LLM", "推論"]
    assert [a.name for a in llm.authors.all()] == ["佐藤 美咲"]
    assert llm.excerpt_html == "<p><strong>推論コスト</strong>を下げる三つの方法を紹介します。</p>"
    assert llm.minutes_to_read == 7
    assert llm.slug == "llm-inference"
    assert not llm.body.startswith("# LLM推論コストの下げ方")
    assert llm.body.startswith("大規模言語モデルの推論は")
    assert llm.extra == {"series": "推論入門"}
    assert llm.jekyll_url == "/ai技術ガイド/2024/05/01/llm-inference.html"
    assert '<div class="highlight"><pre tabindex="0">' in llm.body_html and "def" in llm.body_html
    assert "{{ user.name }}" in llm.body_html
    assert "{% include note.html %}" in llm.body_html  # left visible, reported
    assert "_posts/2024-05-01-llm-inference.md:24: Liquid タグ {% include %}" in out
    assert "未知のキー（記事の「その他の属性」に保存）: series（1件）" in out

    page = client.get(llm.get_absolute_url())
    assert page.status_code == 200


def test_crlf_setext_space_separated_tags_and_date_from_file_name():
    run(SITE)
    post = article("_posts/2024-05-02-quantization.md")
    assert post.title == "量子化の基礎"
    assert post.published_at == datetime.datetime(2024, 5, 2, tzinfo=TOKYO)
    assert "\r" not in post.body
    assert post.body.startswith("モデルの重みを")  # setext title heading dropped
    assert "<h2" in post.body_html and "まとめ" in post.body_html  # other setext heading kept
    assert sorted(post.tags.names()) == ["LLM", "量子化"]
    assert sorted(a.name for a in post.authors.all()) == ["佐藤 美咲", "田中 健"]
    assert post.category.name == "AI技術ガイド"


def test_unpublished_permalinked_post_with_stray_heading_in_title():
    out, _, _ = run(SITE)
    post = article("_posts/ニュース/2024-5-3-announcement.markdown")
    assert post.title == "お知らせ：サイトを移転しました"
    assert post.status == Article.Status.DRAFT
    assert post.published_at == datetime.datetime(2024, 5, 3, tzinfo=TOKYO)
    assert post.category.name == "ニュース"  # the first of two
    assert post.jekyll_url == "/news/2024/announcement/"
    assert list(post.tags.names()) == ["運営"]
    assert set(post.redirects.values_list("old_path", flat=True)) == {"/news/2024/announcement/", "/2024/05/03/old-announcement.html"}
    assert "カテゴリーは1つだけ持てるため「ニュース」を使います" in out


def test_post_url_is_resolved_and_other_liquid_is_reported():
    out, _, _ = run(SITE)
    followup = article("_posts/2024-05-04-followup.md")
    assert f"]({article('_posts/2024-05-01-llm-inference.md').get_absolute_url()})" in followup.body
    assert "{{ site.title }}" in followup.body
    assert "_posts/2024-05-04-followup.md:11: Liquid の式 {{ site.title }}" in out
    assert followup.category.name == "2024"
    assert list(followup.tags.all()) == []
    author = followup.authors.get()
    assert author.name == "ALLFORCES編集部" and author.is_team
    assert followup.published_at == datetime.datetime(2024, 5, 4, 1, 0, tzinfo=UTC)


def test_drafts_folder_gives_undated_drafts():
    run(SITE)
    draft = article("_drafts/エージェント入門.md")
    assert draft.status == Article.Status.DRAFT
    assert draft.published_at is None
    assert draft.jekyll_url == ""
    assert not draft.redirects.exists()


def test_as_draft_imports_everything_as_draft():
    run(SITE, "--as-draft")
    assert set(Article.objects.values_list("status", flat=True)) == {Article.Status.DRAFT}


def test_import_is_recorded_in_the_workflow_history():
    editor = make_user("importer")
    run(SITE, "--user", "importer")
    llm = article("_posts/2024-05-01-llm-inference.md")
    transition = llm.transitions.get()
    assert (transition.from_status, transition.to_status, transition.by) == ("", "published", editor)
    assert "_posts/2024-05-01-llm-inference.md" in transition.comment
    assert Transition.objects.count() == 5


def test_old_urls_answer_301_to_the_new_article(client):
    run(SITE)
    llm = article("_posts/2024-05-01-llm-inference.md")
    response = client.get("/ai%E6%8A%80%E8%A1%93%E3%82%AC%E3%82%A4%E3%83%89/2024/05/01/llm-inference.html")
    assert response.status_code == 301
    assert response["Location"] == llm.get_absolute_url()
    # the unpublished announcement's old URLs stay 404 until it is published
    assert client.get("/2024/05/03/old-announcement.html").status_code == 404


def test_reimport_changes_nothing_and_duplicates_nothing(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    run(site)
    updated_at = article("_posts/2024-05-01-llm-inference.md").updated_at
    counts = (Article.objects.count(), Category.objects.count(), Author.objects.count(), Tag.objects.count(), Redirect.objects.count(), Transition.objects.count(), Revision.objects.count())
    assert Revision.objects.count() == 5  # every imported article starts its revision history

    out, _, error = run(site)
    assert error is None
    assert "作成 0 件、更新 0 件、変更なし 5 件" in out
    assert counts == (Article.objects.count(), Category.objects.count(), Author.objects.count(), Tag.objects.count(), Redirect.objects.count(), Transition.objects.count(), Revision.objects.count())
    assert article("_posts/2024-05-01-llm-inference.md").updated_at == updated_at

    changed = site / "_posts" / "2024-05-01-llm-inference.md"
    changed.write_text(changed.read_text(encoding="utf-8").replace("まとめて処理すると", "まとめて処理すれば"), encoding="utf-8")
    announcement = site / "_posts" / "ニュース" / "2024-5-3-announcement.markdown"
    announcement.write_text(announcement.read_text(encoding="utf-8").replace("published: false\n", ""), encoding="utf-8")
    out, _, _ = run(site)
    assert "作成 0 件、更新 2 件、変更なし 3 件" in out
    assert "まとめて処理すれば" in article("_posts/2024-05-01-llm-inference.md").body
    assert "まとめて処理すれば" in article("_posts/2024-05-01-llm-inference.md").revisions.first().body
    published = article("_posts/ニュース/2024-5-3-announcement.markdown")
    assert published.status == Article.Status.PUBLISHED
    assert [(t.from_status, t.to_status) for t in published.transitions.all()] == [("draft", "published"), ("", "draft")]
    assert Article.objects.count() == 5


def test_the_same_file_reached_another_way_updates_the_same_article():
    run(SITE)
    out, _, _ = run(SITE / "_posts" / "2024-05-01-llm-inference.md")
    assert "作成 0 件、更新 1 件" in out  # found by its old URL; only the recorded source path changes
    assert Article.objects.filter(title="LLM推論コストの下げ方").count() == 1


def test_dry_run_reports_but_saves_nothing():
    out, _, error = run(SITE, "--dry-run")
    assert error is None
    assert "（--dry-run: 保存していません）作成 5 件" in out
    assert "作成: LLM推論コストの下げ方 ← _posts/2024-05-01-llm-inference.md" in out
    assert not Article.objects.exists() and not Category.objects.exists() and not Redirect.objects.exists()
    run(SITE)
    out, _, _ = run(SITE, "--dry-run")
    assert "作成 0 件、更新 0 件、変更なし 5 件" in out


def test_broken_files_are_reported_with_file_and_line_and_the_rest_still_import():
    out, err, error = run(BROKEN)
    assert error is not None and error.returncode == 1
    assert "5 件のファイルを取り込めませんでした" in str(error)
    expected = [
        "2024-06-01-bad-yaml.md:5: front matter の YAML が壊れています",
        "2024-06-02-bad-date.md:4: 日付として読めません",
        "2024-06-03-no-title.md:1: title がありません",
        "2024-06-04-no-front-matter.md:1: front matter がありません",
        "2024-06-05-shift-jis.md:5: UTF-8 として読めません",
    ]
    for message in expected:
        assert message in err, err
    assert "作成 1 件、更新 0 件、変更なし 0 件、失敗 5 件" in out
    assert list(Article.objects.values_list("title", flat=True)) == ["壊れたファイルの隣の正常な記事"]


def test_an_unexpected_failure_rolls_back_that_file_only(monkeypatch):
    real = jekyll.save_post

    def explode_on_quantization(post, **kwargs):
        if "quantization" in post.key:
            Category.objects.create(name="途中で作られたカテゴリー")
            raise RuntimeError("ディスクがいっぱいです")
        return real(post, **kwargs)

    monkeypatch.setattr(jekyll, "save_post", _atomic(explode_on_quantization))
    out, err, error = run(SITE)
    assert error is not None
    assert "2024-05-02-quantization.md:1: 予期しないエラー（RuntimeError）: ディスクがいっぱいです" in err
    assert Article.objects.count() == 4
    assert not Category.objects.filter(name="途中で作られたカテゴリー").exists()


def _atomic(function):
    from django.db import transaction

    return transaction.atomic(function)


def test_the_real_sample_shape_imports_cleanly_when_passed_explicitly():
    out, err, error = run(SAMPLE)
    assert error is None, err
    post = Article.objects.get()
    assert post.title == "生成AIの最前線：オープンモデルは何を変えたのか？"
    assert post.published_at == datetime.datetime(2025, 12, 15, 20, 38, 57, tzinfo=UTC)
    assert post.category.name == "AI技術ガイド"
    assert sorted(post.tags.names()) == sorted(["OpenAI", "Google", "Meta", "NVIDIA", "Anthropic", "LLM"])
    assert [a.name for a in post.authors.all()] == ["ALLFORCES編集部"]
    assert post.excerpt_html == "<p><strong>オープンモデルの台頭</strong>について詳細に分析します。</p>"
    assert post.minutes_to_read == 9
    assert post.body.startswith("オープンモデルの登場で")
    assert post.source_path == "000_sample.txt"


def test_a_missing_path_is_a_command_error():
    with pytest.raises(CommandError, match="見つかりません"):
        call_command("import_jekyll", str(FIXTURES / "存在しない"), stdout=io.StringIO())


# --- export and round trip ----------------------------------------------------------------------


def _snapshot():
    rows = []
    for a in Article.objects.select_related("category").prefetch_related("tags", "authors", "redirects").order_by("slug"):
        rows.append(
            {
                "title": a.title,
                "slug": a.slug,
                "body_html": a.body_html,
                "excerpt": a.excerpt,
                "category": a.category.name if a.category else None,
                "tags": sorted(a.tags.names()),
                "authors": sorted((x.name, x.is_team) for x in a.authors.all()),
                "status": a.status,
                "published_at": a.published_at,
                "minutes": a.minutes_to_read,
                "jekyll_url": a.jekyll_url,
                "redirects": sorted(r.old_path for r in a.redirects.all()),
                "extra": a.extra,
            }
        )
    return rows


def _empty_database():
    Redirect.objects.all().delete()
    Article.objects.all().delete()
    Category.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()


def test_export_then_import_into_an_empty_database_reproduces_the_articles(tmp_path):
    from tests.factories import make_article

    run(SITE)
    run(SAMPLE)
    make_article(
        "管理画面で書いた記事",
        body="## 見出し\n\nテンプレート {{ 変数 }} と {% タグ %} を含む本文。\n\n```python\nprint('こんにちは')\n```\n",
        excerpt="**太字**の抜粋",
        tags=["LLM", "新規"],
        published_at=datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        reading_time_override=4,
    )
    make_article("予約中の記事", status=Article.Status.DRAFT, published_at=None)
    before = _snapshot()

    out = io.StringIO()
    call_command("export_jekyll", str(tmp_path / "export"), stdout=out)
    assert "8 件の記事" in out.getvalue()
    assert (tmp_path / "export" / "_posts" / "2024-05-01-llm-inference.md").exists()
    assert (tmp_path / "export" / "_drafts" / "aiエージェント入門.md").exists()

    _empty_database()
    _, err, error = run(tmp_path / "export")
    assert error is None, err
    assert _snapshot() == before


def test_exported_file_is_plain_jekyll(tmp_path):
    run(SAMPLE)
    relative, content = jekyll.export_post(Article.objects.get())
    assert relative == "_posts/2025-12-16-生成aiの最前線オープンモデルは何を変えたのか.md"
    assert content.startswith("---\nlayout: post\ntitle: 生成AIの最前線：オープンモデルは何を変えたのか？\n")
    assert "date: 2025-12-16 05:38:57+09:00\n" in content
    assert "permalink: /ai技術ガイド/2025/12/15/000_sample.html\n" in content
    assert "reading_time: 9\n" in content



# --- one path for every state change -------------------------------------------------------------


def test_the_importer_moves_articles_through_the_workflow_system_edge():
    run(SAMPLE)
    transition = Transition.objects.get()
    assert (transition.edge, transition.from_status, transition.to_status, transition.by) == ("import", "", "published", None)
    assert transition.comment.startswith("Jekyll から取り込み")


def test_a_file_turned_draft_is_recorded_as_an_import_from_published(tmp_path):
    post = tmp_path / "000_sample.txt"
    shutil.copy(SAMPLE, post)
    run(post)
    post.write_text(post.read_text(encoding="utf-8").replace("reading_time: 9", "reading_time: 9\npublished: false"), encoding="utf-8")
    run(post)
    last = Transition.objects.order_by("-pk").first()
    assert (last.edge, last.from_status, last.to_status) == ("import", "published", "draft")


def test_the_importer_never_writes_status_itself(monkeypatch):
    from editorial import workflow

    calls = []
    real = workflow.import_state
    monkeypatch.setattr(workflow, "import_state", lambda *a, **kw: calls.append(kw["status"]) or real(*a, **kw))
    run(SAMPLE)
    assert calls == ["published"]
    assert Transition.objects.count() == 1


def test_the_import_system_edge_sets_only_draft_or_published():
    from editorial import workflow

    run(SAMPLE)
    with pytest.raises(workflow.InvalidTransition):
        workflow.import_state(Article.objects.get(), status="scheduled", published_at=timezone.now())
