"""Author profiles: a square photo through the same image pipeline, a Japanese bio, a role and
https links (X, GitHub, website); the author page leads with them and says who it is in JSON-LD."""

import io
import json
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from blog.admin import AuthorAdminForm
from blog.models import Author
from tests.factories import image_bytes, make_article, make_author, make_picture, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def author_form(author=None, files=None, **data):
    fields = {"name": "山田 花子", "slug": "", "photo_focal_x": "0.5", "photo_focal_y": "0.5", **data}
    return AuthorAdminForm(fields, files or {}, instance=author)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("website_url", "http://example.com/", "https:// で始まるURL"),
        ("website_url", "javascript:alert(1)", "URLを正しく入力"),
        ("website_url", "ftp://example.com/", "https:// で始まるURL"),
        ("x_url", "https://example.com/hanako", "https://x.com/ユーザー名"),
        ("x_url", "https://x.com/", "https://x.com/ユーザー名"),
        ("github_url", "http://github.com/hanako", "https:// で始まるURL"),
        ("github_url", "https://gitlab.com/hanako", "https://github.com/ユーザー名"),
    ],
)
def test_profile_links_must_be_https_urls_of_the_right_site(field, value, message):
    form = author_form(**{field: value})
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field]), form.errors[field]


def test_https_profile_links_are_accepted():
    form = author_form(
        role="AIエンジニア", bio="生成AIの評価を担当しています。",
        x_url="https://x.com/hanako", github_url="https://github.com/hanako", website_url="https://hanako.example.jp/",
    )  # fmt: skip
    assert form.is_valid(), form.errors
    author = form.save()
    assert author.links == [
        ("X", "https://x.com/hanako"), ("GitHub", "https://github.com/hanako"), ("ウェブサイト", "https://hanako.example.jp/"),
    ]  # fmt: skip


def test_a_photo_is_cut_square_around_the_focal_point(django_capture_on_commit_callbacks):
    # 1200×600, a red face on the right: the square crop (600×600) around x=0.8 keeps it.
    data = image_bytes(1200, 600, blocks=[((1000, 200, 1199, 400), (220, 30, 30))])
    upload = SimpleUploadedFile("me.png", data, content_type="image/jpeg")
    form = author_form(files={"photo_upload": upload}, photo_alt="山田花子の写真", photo_focal_x="0.8")
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks(execute=True):  # the renditions' task runs on commit
        author = form.save()
    photo = author.photo
    photo.refresh_from_db()
    assert [row[:2] for row in photo.sources("square")["avif"]] == [[200, 200], [400, 400], [600, 600]]
    assert set(photo.renditions) == {"square"}
    width, height, name = photo.largest("square")
    image = Image.open(io.BytesIO(default_storage.open(name).read())).convert("RGB")
    red = image.getpixel((width - 50, height // 2))
    assert red[0] > 180 and red[2] < 80


def test_a_photo_needs_alt_text_and_may_not_be_svg():
    svg = SimpleUploadedFile("me.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml")
    form = author_form(files={"photo_upload": svg}, photo_alt="写真")
    assert not form.is_valid() and "SVG" in form.errors["photo_upload"][0]
    photo = SimpleUploadedFile("me.jpg", image_bytes(400, 400), content_type="image/jpeg")
    form = author_form(files={"photo_upload": photo}, photo_alt="")
    assert not form.is_valid() and "代替テキスト" in form.errors["photo_alt"][0]


def test_the_author_admin_saves_a_profile(client):
    client.force_login(make_user("root", is_superuser=True))
    response = client.post(
        reverse("admin:blog_author_add"),
        {
            "name": "山田 花子", "slug": "", "role": "テクニカルライター", "bio": "LLMの評価手法を書いています。",
            "x_url": "https://x.com/hanako", "github_url": "", "website_url": "http://insecure.example/",
            "photo_alt": "", "photo_focal_x": "0.5", "photo_focal_y": "0.5",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "https:// で始まるURLを入力してください".encode() in response.content
    assert "LLMの評価手法を書いています。".encode() in response.content  # what was typed stays
    assert not Author.objects.filter(name="山田 花子").exists()


def profile_author():
    return make_author(
        "山田 花子", role="AIエンジニア", bio="生成AIの評価を担当しています。\nRAGが専門です。",
        x_url="https://x.com/hanako", github_url="https://github.com/hanako", website_url="https://hanako.example.jp/",
        photo=make_picture("portrait", width=400, height=400, alt="山田花子の写真"),
    )  # fmt: skip


def test_the_author_page_leads_with_the_profile(client):
    author = profile_author()
    make_article(authors=[author])
    html = client.get(author.get_absolute_url()).content.decode()
    main = html.split("<main", 1)[1]
    profile = main.split('class="cards"')[0]
    assert main.index("author-profile") < main.index('class="cards"')
    assert '<p class="author-profile__role">AIエンジニア</p>' in profile
    assert "生成AIの評価を担当しています。<br>RAGが専門です。" in profile
    assert '<a href="https://x.com/hanako" rel="me noopener">X</a>' in profile
    assert '<a href="https://github.com/hanako" rel="me noopener">GitHub</a>' in profile
    img = re.search(r"<picture[^>]*>.*?(<img [^>]*>)", profile, re.S)[1]
    assert 'alt="山田花子の写真"' in img and 'width="400" height="400"' in img and 'sizes="8rem"' in img
    assert "loading=" not in img  # at the top of the page


def test_the_author_page_says_who_it_is_in_json_ld(client):
    author = profile_author()
    make_article(authors=[author])
    html = client.get(author.get_absolute_url()).content.decode()
    blocks = [json.loads(b) for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]
    (person,) = [b for b in blocks if b.get("@type") == "Person"]
    assert person["name"] == "山田 花子"
    assert person["jobTitle"] == "AIエンジニア"
    assert person["description"].startswith("生成AIの評価")
    assert person["url"] == "http://testserver" + author.get_absolute_url()
    assert person["sameAs"] == ["https://x.com/hanako", "https://github.com/hanako", "https://hanako.example.jp/"]
    assert re.fullmatch(r"http://testserver/media/pictures/\w+/square-400x400-\w+\.jpg", person["image"]["url"])
    assert (person["image"]["width"], person["image"]["height"]) == (400, 400)


def test_a_team_byline_is_an_organization_and_a_bare_profile_still_renders(client):
    team = make_author("ALLFORCES編集部", is_team=True)
    make_article(authors=[team])
    html = client.get(team.get_absolute_url()).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])
    assert data == {"@context": "https://schema.org", "@type": "Organization", "name": "ALLFORCES編集部",
                    "url": "http://testserver" + team.get_absolute_url()}  # fmt: skip
    assert "<picture" not in html.split('class="cards"')[0]
