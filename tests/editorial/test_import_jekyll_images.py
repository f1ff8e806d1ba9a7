"""``image:`` front matter becomes the article's cover when the file is in the imported site: a
plain path (site-rooted or relative to the post), jekyll-seo-tag's ``{path:, alt:}``, a
``{{ site.baseurl }}`` prefix. A remote URL is never fetched, only reported; a missing, broken,
too small or out-of-site file is a warning naming the file and line, never a failed import."""

import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from blog import pictures
from blog.models import Article, Picture
from editorial import jekyll
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def site(tmp_path):
    """A Jekyll site: ``_posts/`` and ``assets/images/`` with pictures drawn here."""
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    (root / "assets" / "images").mkdir(parents=True)
    (root / "assets" / "images" / "gpu.jpg").write_bytes(image_bytes(1200, 675, color=(20, 60, 120)))
    (root / "assets" / "images" / "rack.png").write_bytes(image_bytes(1000, 600, format="PNG", color=(120, 20, 60)))
    (root / "assets" / "images" / "gpu copy.jpg").write_bytes(image_bytes(1200, 675, color=(20, 60, 120)))
    (root / "assets" / "images" / "tiny.jpg").write_bytes(image_bytes(120, 90))
    (root / "assets" / "images" / "broken.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    (root / "assets" / "images" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (root / "_posts" / "near.jpg").write_bytes(image_bytes(900, 600, color=(10, 120, 60)))
    (tmp_path / "outside.jpg").write_bytes(image_bytes(1200, 675))
    return root


def post(site: Path, name: str, image_lines: str, title: str = "GPU サーバーの選び方") -> Path:
    path = site / "_posts" / f"2024-05-01-{name}.md"
    path.write_text(f"---\ntitle: {title}\ncategory: ハードウェア\n{image_lines}\n---\n\n本文です。\n", encoding="utf-8")
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_jekyll", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def imported(name: str) -> Article:
    return Article.objects.get(source_path=f"_posts/2024-05-01-{name}.md")


@pytest.mark.parametrize(
    "lines, alt, size",
    [
        ("image: /assets/images/gpu.jpg", "GPU サーバーの選び方", (1200, 675)),  # the title stands in for alt
        ('image: "{{ site.baseurl }}/assets/images/gpu.jpg"', "GPU サーバーの選び方", (1200, 675)),
        ("image:\n  path: /assets/images/rack.png\n  alt: サーバーラックの写真", "サーバーラックの写真", (1000, 600)),
        ("image: assets/images/gpu.jpg", "GPU サーバーの選び方", (1200, 675)),  # relative to the site
        ("image: near.jpg", "GPU サーバーの選び方", (900, 600)),  # next to the post
        ("image: /assets/images/gpu%20copy.jpg", "GPU サーバーの選び方", (1200, 675)),  # URL-encoded
    ],
)
def test_image_front_matter_becomes_the_cover(site, media, django_capture_on_commit_callbacks, lines, alt, size):
    post(site, "cover", lines)
    with django_capture_on_commit_callbacks(execute=True):  # the renditions' task, after the commit
        out, err, error = run(site)
    assert error is None, err
    article = imported("cover")
    assert article.cover is not None, out
    assert (article.cover.alt, article.cover.kind) == (alt, Picture.Kind.COVER)
    assert (article.cover.width, article.cover.height) == size
    assert default_storage.exists(article.cover.file.name)
    assert pictures.has_current_renditions(article.cover)
    assert "image" not in article.extra  # used, so not kept among the unknown keys
    assert "アイキャッチ画像（image:）: 1 件" in out


def test_reimporting_the_same_image_changes_nothing_and_a_new_file_replaces_the_cover(site, media):
    path = post(site, "again", "image: /assets/images/gpu.jpg")
    run(site)
    first = imported("again").cover
    out, _, _ = run(site)
    assert "変更なし 1 件" in out
    assert imported("again").cover_id == first.pk
    (site / "assets" / "images" / "gpu.jpg").write_bytes(image_bytes(1600, 900, color=(200, 200, 20)))
    out, _, _ = run(site)
    assert "更新 1 件" in out
    article = imported("again")
    assert article.cover_id != first.pk and (article.cover.width, article.cover.height) == (1600, 900)
    assert not Picture.objects.filter(pk=first.pk).exists()
    path.write_text(path.read_text(encoding="utf-8").replace("image: /assets/images/gpu.jpg\n", ""), encoding="utf-8")
    run(site)
    assert imported("again").cover_id == article.cover_id  # a post without image: leaves the cover alone


def test_a_remote_image_is_never_fetched_and_is_reported_in_the_summary(site):
    post(site, "remote", "image: https://cdn.example.com/covers/gpu.jpg")
    out, err, error = run(site)
    assert error is None, err
    article = imported("remote")
    assert article.cover is None
    assert article.extra["image"] == "https://cdn.example.com/covers/gpu.jpg"  # kept: an export gives it back
    assert "外部 URL の image: 1 件（取得していません" in out
    assert f"{site / '_posts' / '2024-05-01-remote.md'}:4: https://cdn.example.com/covers/gpu.jpg" in out


@pytest.mark.parametrize(
    "lines, message",
    [
        ("image: /assets/images/missing.jpg", "画像ファイル /assets/images/missing.jpg が取り込み元に見つからない"),
        ("image: /assets/images/broken.jpg", "/assets/images/broken.jpg は使えません"),
        ("image: /assets/images/logo.svg", "SVG"),
        ("image: /assets/images/tiny.jpg", "小さすぎます（120×90px"),
        ("image: ../../outside.jpg", "取り込み元に見つからない"),  # outside the site: not even looked at
        ("image:\n  alt: 代替テキストだけ", "画像のパスがない"),
    ],
)
def test_an_unusable_image_is_a_warning_with_file_and_line_and_the_post_is_imported(site, lines, message):
    path = post(site, "bad", lines)
    out, err, error = run(site)
    assert error is None and err == ""
    article = imported("bad")
    assert article.cover is None and article.status == Article.Status.PUBLISHED
    assert "作成 1 件" in out and "失敗 0 件" in out
    (warning,) = [line for line in out.splitlines() if message in line]
    assert warning.strip().startswith(f"{path}:4: image: ")
    assert "image" in article.extra


def test_dry_run_checks_the_image_but_writes_no_file(site, media):
    post(site, "dry", "image: /assets/images/gpu.jpg")
    out, _, error = run(site, "--dry-run")
    assert error is None and "作成 1 件" in out and "アイキャッチ画像（image:）: 1 件" in out
    assert not Article.objects.exists() and not Picture.objects.exists()
    assert not (media.exists() and [p for p in media.rglob("*") if p.is_file()])


def test_parse_post_reads_the_image_without_touching_the_database(site):
    path = post(site, "parse", "image:\n  path: /assets/images/rack.png\n  alt: ラック")
    parsed = jekyll.parse_post(path, "_posts/2024-05-01-parse.md")
    assert parsed.cover.alt == "ラック" and parsed.cover.source == (site / "assets" / "images" / "rack.png").resolve()
    assert (parsed.cover.width, parsed.cover.height) == (1000, 600) and parsed.image_line == 4
