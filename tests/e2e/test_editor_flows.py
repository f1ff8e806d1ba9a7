"""The newsroom in a real browser: write, review, schedule, publish, share, and no lost updates.

Each member of staff has their own browser context (``new_page``), so their sessions are as
separate as two people's browsers. Users are made here (the demo staff exist only in DEBUG).
"""

import base64
import datetime
import json
import re
from importlib import import_module
from io import BytesIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from blog.models import Article, Tag
from editorial import revisions
from editorial.messages import MESSAGES
from editorial.models import ReviewComment
from editorial.workflow import EDGES
from tests.e2e.test_accessibility import axe_violations
from tests.factories import make_article, make_user

Status = Article.Status
TITLE = "E2Eで書く：推論サーバーの選び方"
EXCERPT = "推論サーバーを選ぶときに見るべき3つの点を、実測をもとに整理します。"
HOSTILE = (
    "<img src=x onerror=\"alert('xss-img')\">\n\n"
    "<script>alert('xss-script')</script>\n\n"
    "[危ないリンク](javascript:alert('xss-link'))\n\n"
    '<a href="#" onclick="alert(\'xss-click\')">クリック</a>\n\n'
)


@pytest.fixture
def newsroom(site):
    """The three roles with their permissions, and one member of staff per role.

    The groups come from a data migration, and the live server's transactional tests flush
    every table after themselves: rebuild the groups exactly as migration 0003 defines them.
    """
    roles = import_module("editorial.migrations.0003_editorial_groups").GROUPS
    for name, perms in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in (p.split(".") for p in perms)]
        )
    return {
        "writer": make_user("misaki", groups=["Writer"], first_name="美咲", last_name="佐藤"),
        "editor": make_user("kenichi", groups=["Editor"], first_name="健一", last_name="田中"),
        "editor2": make_user("yuko", groups=["Editor"], first_name="裕子", last_name="山本"),
        "chief": make_user("chief", groups=["Editor-in-chief"], first_name="編集長"),
        "admin": make_user("root", is_superuser=True),
    }


def log_in(page, site, user):
    page.goto(site.url("/admin/login/?next=/admin/"))
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill("pw-" + user.username)
    page.locator('input[type="submit"]').click()
    expect(page.locator("#editorial-dashboard")).to_be_visible()
    return page


def watched(page):
    """Record dialogs (dismissed), console errors (CSP reports among them) and uncaught JS errors."""
    page.problems, page.dialogs = [], []
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))

    def dismiss(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return page


def staff_page(new_page, site, user, viewport="desktop"):
    """A logged-in, watched page in its own browser context."""
    return log_in(watched(new_page(viewport)), site, user)


def change_url(site, article):
    return site.url(f"/admin/blog/article/{article.pk}/change/")


def expect_status(page, status):
    expect(page.locator("#workflow h2")).to_contain_text(f"「{Status(status).label}」")


def take_transition(page, label, **fields):
    """Fill the workflow panel's one box, then press one of its buttons."""
    panel = page.locator("#workflow")
    for name, value in fields.items():
        panel.locator(f'[name="{name}"]').fill(value)
    panel.locator('button[name="_transition"]', has_text=label).click()
    expect(page.locator(".messagelist .success")).to_contain_text(done_phrase(label))


def done_phrase(label):
    """The end of the edge's success sentence (「…」を公開しました。), after the article's title."""
    [name] = [name for name, edge in EDGES.items() if str(edge.label) == label]
    return str(MESSAGES[name].done).split("」", 1)[1].split("%(when)s")[0]


def png_bytes():
    buffer = BytesIO()
    Image.new("RGB", (64, 48), (29, 78, 216)).save(buffer, "PNG")
    return buffer.getvalue()


def drop_file(page, selector, name, data, mime):
    """Drop a file on an element as a person dragging it from their desktop would."""
    transfer = page.evaluate_handle(
        """([name, b64, mime]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: mime}));
            return transfer;
        }""",
        [name, base64.b64encode(data).decode(), mime],
    )
    target = page.locator(selector)
    target.dispatch_event("dragenter", {"dataTransfer": transfer})
    target.dispatch_event("dragover", {"dataTransfer": transfer})
    target.dispatch_event("drop", {"dataTransfer": transfer})


def choose_autocomplete(page, field, text):
    """Pick ``text`` in one of the admin's autocomplete (select2) widgets."""
    page.locator(f".field-{field} .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def assert_no_problems(*pages):
    for page in pages:
        assert not page.dialogs, f"a script ran: {page.dialogs}"
        assert not page.problems, f"errors in the browser console on {page.url}: {page.problems}"


def test_writer_drafts_with_live_preview_and_image_then_review_schedule_and_publish(
    new_page, site, newsroom, media_root, screenshot
):
    writer = staff_page(new_page, site, newsroom["writer"])

    # --- the writer writes ------------------------------------------------------------------
    writer.goto(site.url("/admin/blog/article/add/"))
    writer.locator("#id_title").fill(TITLE)
    writer.locator("#id_excerpt").fill(EXCERPT)
    body = writer.locator("#id_body")
    preview = writer.locator(".markdownx-preview")
    body.click()
    body.press_sequentially("## はじめに\n\n推論サーバーは**スループット**で選びます。\n")
    expect(preview.get_by_role("heading", level=2, name="はじめに")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("スループット")

    # Hostile markup: nothing runs, nothing executable reaches the preview's DOM.
    body.fill(body.input_value() + "\n" + HOSTILE + "安全確認の段落。\n")
    expect(preview).to_contain_text("安全確認の段落。")
    writer.wait_for_timeout(300)  # an onerror handler would fire on the broken image by now
    inert = preview.evaluate(
        """(el) => ({
            scripts: el.querySelectorAll("script").length,
            handlers: [...el.querySelectorAll("*")].flatMap(n => [...n.attributes].filter(a => a.name.startsWith("on")).map(a => n.tagName + " " + a.name)),
            jsLinks: [...el.querySelectorAll("[href],[src]")].map(n => n.getAttribute("href") || n.getAttribute("src")).filter(u => /^\\s*javascript:/i.test(u)),
        })"""
    )
    assert inert == {"scripts": 0, "handlers": [], "jsLinks": []}, inert
    for link in preview.locator("a:visible").all():
        link.click()  # clicking what is left must not run anything either
    expect(writer).to_have_url(re.compile(r"/admin/blog/article/add/"))
    assert writer.dialogs == []
    # Keep the draft clean for the rest of the flow.
    body.fill("## はじめに\n\n推論サーバーは**スループット**で選びます。\n\n")
    expect(preview).not_to_contain_text("安全確認の段落。")

    # Image upload: drop a PNG on the editor; markdownx uploads it and inserts the Markdown.
    body.press("End")
    drop_file(writer, "#id_body", "構成図.png", png_bytes(), "image/png")
    expect(body).to_have_value(re.compile(r"!\[画像の説明を入力\]\(/media/uploads/[0-9a-f]{32}-64x48\.png\)"))
    # The placeholder alt text is selected: the writer types the description over it.
    writer.keyboard.type("推論サーバーの構成図")
    image_url = re.search(r"!\[推論サーバーの構成図\]\((/media/uploads/[0-9a-f]{32}-64x48\.png)\)", body.input_value()).group(1)
    expect(preview.locator(f'img[src="{image_url}"]')).to_have_count(1)
    writer.wait_for_function(
        "src => [...document.querySelectorAll('.markdownx-preview img')].some(i => i.getAttribute('src') === src && i.complete && i.naturalWidth === 64)",
        arg=image_url,
    )
    served = writer.request.get(site.url(image_url))
    assert served.status == 200 and served.headers["content-type"] == "image/png"
    assert (media_root / image_url.removeprefix("/media/")).exists()
    body.press("Control+End")  # the caret is still in the alt text
    body.press_sequentially("\n\n構成図のとおり、前段にキューを置きます。\n")

    choose_autocomplete(writer, "category", "LLM")
    writer.locator("#id_tags").fill("推論, E2Eテスト")
    screenshot(writer, "editor-1-writing")
    writer.locator('input[name="_continue"]').click()
    expect(writer.locator(".messagelist .success")).to_be_visible()
    article = Article.objects.get(title=TITLE)
    assert article.status == Status.DRAFT
    assert article.category.name == "LLM"
    assert sorted(article.tags.names()) == ["E2Eテスト", "推論"]
    assert image_url in article.body
    expect_status(writer, Status.DRAFT)
    expect(writer.locator(".editorial-missing")).to_have_count(0)

    take_transition(writer, "レビューに出す")
    expect_status(writer, Status.IN_REVIEW)

    # --- an editor asks for changes ------------------------------------------------------------
    editor = staff_page(new_page, site, newsroom["editor"])
    editor.goto(site.url("/admin/blog/article/?view=awaiting"))
    editor.get_by_role("link", name=TITLE).click()
    expect_status(editor, Status.IN_REVIEW)
    request = "結論を冒頭に書いてください。ベンチマークの条件も追記をお願いします。"
    take_transition(editor, "修正を依頼する", comment=request)
    expect_status(editor, Status.CHANGES_REQUESTED)
    screenshot(editor, "editor-2-changes-requested")

    # --- the writer sees the request, fixes and resubmits --------------------------------
    writer.goto(site.url("/admin/"))
    writer.locator("#editorial-dashboard").get_by_role("link", name=TITLE).click()
    expect_status(writer, Status.CHANGES_REQUESTED)
    expect(writer.locator(".editorial-request")).to_contain_text(request)
    expect(writer.locator("#timeline")).to_contain_text(request)
    body = writer.locator("#id_body")
    body.fill("結論：まずスループットを測ります。\n\n" + body.input_value() + "\n\nベンチマーク条件：A100 1枚、バッチ8。\n")
    expect(writer.locator(".markdownx-preview")).to_contain_text("ベンチマーク条件")
    writer.locator('input[name="_continue"]').click()
    expect(writer.locator(".messagelist .success")).to_be_visible()
    take_transition(writer, "修正してレビューに再提出する", comment="冒頭に結論、末尾に条件を追記しました。")
    expect_status(writer, Status.IN_REVIEW)

    # --- the editor-in-chief schedules it, shares it, then publishes it now ---------------
    chief = staff_page(new_page, site, newsroom["chief"])
    chief.goto(change_url(site, article))
    publish_at = timezone.localtime() + datetime.timedelta(days=2)
    take_transition(chief, "承認して公開を予約する", publish_at=f"{publish_at:%Y-%m-%dT%H:%M}")
    expect_status(chief, Status.SCHEDULED)
    article.refresh_from_db()
    assert timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M") == f"{publish_at:%Y-%m-%d %H:%M}"

    reader = watched(new_page("desktop"))
    reader.goto(site.url("/"))
    expect(reader.get_by_role("link", name=TITLE)).to_have_count(0)
    assert reader.request.get(site.url(article.get_absolute_url())).status == 404

    # A share link, made in the admin, opens for someone who is not logged in.
    chief.locator("#share").get_by_role("button", name="共有リンクを作る").click()
    message = chief.locator(".messagelist .success").inner_text()
    share_url = re.search(r"https?://\S+/editorial/share/\S+/", message).group(0)
    outsider = watched(new_page("phone"))
    response = outsider.goto(share_url)
    assert response.status == 200
    assert "noindex" in response.headers["x-robots-tag"]
    expect(outsider.locator(".preview-banner")).to_contain_text("プレビュー")
    expect(outsider.locator(".preview-banner")).to_contain_text("共有リンク")
    expect(outsider.locator('meta[name="robots"]')).to_have_attribute("content", re.compile("noindex"))
    expect(outsider.locator("h1")).to_have_text(TITLE)
    expect(outsider.locator(f'.article__body img[src="{image_url}"]')).to_have_count(1)
    screenshot(outsider, "editor-3-share-preview")
    assert outsider.goto(site.url("/admin/blog/article/")).url.startswith(site.url("/admin/login/"))

    # The desk offers no "publish now" on a scheduled article: publishing early means taking
    # it back from the schedule (scheduled → in review) and publishing it (in review → published).
    take_transition(chief, "公開予約を取り消す", comment="予定を早めて今日公開します。")
    expect_status(chief, Status.IN_REVIEW)
    take_transition(chief, "今すぐ公開する")
    expect_status(chief, Status.PUBLISHED)
    screenshot(chief, "editor-4-published")
    expect(chief.locator("#timeline .desk-timeline__entry--transition")).to_have_count(6)

    # --- readers see it on the home page and in the feed ----------------------------------
    reader.goto(site.url("/"))
    reader.locator(".card__title a", has_text=TITLE).click()
    expect(reader.locator("h1")).to_have_text(TITLE)
    expect(reader.locator(f'.article__body img[src="{image_url}"]')).to_have_count(1)
    expect(reader.locator(".article__body")).to_contain_text("ベンチマーク条件")
    feed = reader.request.get(site.url("/feed/"))
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("application/rss+xml")
    assert f"<title>{TITLE}</title>" in feed.text()

    assert_no_problems(writer, editor, chief, outsider, reader)


def test_second_save_from_a_stale_form_is_refused_and_keeps_the_text(new_page, site, newsroom, screenshot):
    article = make_article("同時編集のテスト記事", status=Status.DRAFT)
    first = staff_page(new_page, site, newsroom["editor"])
    second = staff_page(new_page, site, newsroom["editor2"])
    for page in (first, second):
        page.goto(change_url(site, article))
        expect(page.locator("#id_body")).to_have_value(re.compile("はじめに"))

    first.locator("#id_body").fill(article.body + "\n一人目が加えた段落。\n")
    first.locator('input[name="_continue"]').click()
    expect(first.locator(".messagelist .success")).to_be_visible()

    mine = article.body + "\n二人目が書いた、失いたくない段落。\n"
    second.locator("#id_title").fill("二人目が直したタイトル")
    second.locator("#id_body").fill(mine)
    second.locator('input[name="_continue"]').click()
    error = second.locator(".errornote, .errorlist.nonfield")
    expect(error.first).to_be_visible()
    expect(second.locator(".errorlist.nonfield")).to_contain_text("保存できませんでした")
    expect(second.locator(".errorlist.nonfield")).to_contain_text("健一")
    expect(second.locator("#id_body")).to_have_value(mine)
    expect(second.locator("#id_title")).to_have_value("二人目が直したタイトル")
    screenshot(second, "editor-5-stale-save")
    article.refresh_from_db()
    assert "一人目が加えた段落。" in article.body and "二人目" not in article.body

    # Saving again after reading the message is a deliberate overwrite.
    second.locator('input[name="_continue"]').click()
    expect(second.locator(".messagelist .success")).to_be_visible()
    article.refresh_from_db()
    assert article.body.replace("\r\n", "\n") == mine.strip() and article.title == "二人目が直したタイトル"
    assert_no_problems(first, second)


# Django's stock admin markup that axe flags and that is not ours to rewrite: rule id → the
# selectors excused, each with the reason. Everything else on these pages must pass.
STOCK_ADMIN_EXCEPTIONS = {
    # The byline's autocomplete is select2 4.0, vendored by Django's admin and built by its JS:
    # the inline search box of a multiple select has no label (the field's <label> names the
    # hidden <select>), and select2 puts that box's wrapper straight into its <ul>.
    "label": [".select2-search__field"],
    "list": [".select2-selection--multiple > ul"],
}


def admin_pages(article, old, new, tags):
    return {
        "admin-dashboard": "/admin/",
        "admin-changelist": "/admin/blog/article/",
        "admin-change-form": f"/admin/blog/article/{article.pk}/change/",
        "admin-revision-diff": f"/admin/blog/article/{article.pk}/revisions/compare/?a={old.pk}&b={new.pk}",
        "admin-tag-merge": "/admin/blog/tag/merge/?ids=" + ",".join(str(tag.pk) for tag in tags),
        "admin-calendar": "/admin/blog/article/calendar/?view=week",
    }


def excused(violation):
    allowed = STOCK_ADMIN_EXCEPTIONS.get(violation["id"], ())
    return all(any(node["target"].startswith(selector) for selector in allowed) for node in violation["nodes"])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_the_customised_admin_pages(page, scheme, site, newsroom, node_modules, screenshot):
    chief = newsroom["chief"]
    article = make_article("レビュー中の記事：RAGの評価指標", status=Status.IN_REVIEW)
    old = revisions.record(article, newsroom["writer"])
    article.body += "\n\n## 追記\n\n再現率と適合率を並べて示します。\n"
    article.title = "レビュー中の記事：RAGの評価指標（改訂）"
    article.save()
    new = revisions.record(article, newsroom["editor"])
    ReviewComment.objects.create(article=article, body="表に単位を入れてください。", created_by=newsroom["editor"])
    make_article("予約中の記事：エッジAIの今", status=Status.SCHEDULED, published_at=timezone.now() + datetime.timedelta(hours=1))
    tags = list(Tag.objects.filter(name__in=["推論", "LLM"]))
    assert len(tags) == 2

    page.emulate_media(color_scheme=scheme)
    watched(page)
    log_in(page, site, chief)
    found = {}
    for name, path in admin_pages(article, old, new, tags).items():
        page.goto(site.url(path))
        expect(page.locator("#content")).to_be_visible()
        screenshot(page, name, scheme="" if scheme == "light" else scheme)
        violations = [v for v in axe_violations(page, node_modules) if not excused(v)]
        if violations:
            found[f"{name} ({scheme}) {path}"] = violations
    assert not found, "axe-core violations:\n" + json.dumps(found, ensure_ascii=False, indent=1)
    assert_no_problems(page)
