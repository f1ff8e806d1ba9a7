import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from blog.models import Article, Author, Category, Picture, Tag
from editorial.models import Transition

pytestmark = pytest.mark.django_db


def test_demo_content_loads_a_living_site_and_can_be_loaded_twice(client):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "アイキャッチ画像 7/7" in out.getvalue()
    count = Article.objects.published().count()
    assert count >= 6
    assert Category.objects.count() >= 3 and Author.objects.filter(is_team=True).exists() and Tag.objects.count() >= 8
    assert Transition.objects.filter(to_status=Article.Status.PUBLISHED).count() == count
    covers = dict(Article.objects.filter(cover__isnull=False).values_list("slug", "cover_id"))
    photos = dict(Author.objects.filter(photo__isnull=False).values_list("name", "photo_id"))
    call_command("load_demo", verbosity=0)
    assert Article.objects.count() == count
    # Covers for most articles (two keep the generated share image), profiles for the bylines; once.
    assert len(covers) == 7 and count - len(covers) == 2
    assert dict(Article.objects.filter(cover__isnull=False).values_list("slug", "cover_id")) == covers
    assert set(photos) == {"田中 健一", "佐藤 美咲", "ALLFORCES編集部"}
    assert dict(Author.objects.filter(photo__isnull=False).values_list("name", "photo_id")) == photos
    assert Picture.objects.count() == len(covers) + len(photos)
    tanaka = Author.objects.get(name="田中 健一")
    assert tanaka.role and tanaka.bio and tanaka.website_url.startswith("https://")
    home = client.get("/").content.decode()
    assert home.count("<picture") == len(covers)
    assert client.get(tanaka.get_absolute_url()).content.decode().count("author-profile__photo") == 1
    for article in Article.objects.published():
        assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200
    japanese_slug = Article.objects.exclude(slug__regex=r"^[-a-z0-9]+$")
    assert japanese_slug.exists()
    assert client.get(japanese_slug.first().get_absolute_url()).status_code == 200


def test_demo_staff_exist_only_in_debug_mode(settings):
    settings.DEBUG = False
    call_command("load_demo", "--without-pictures", verbosity=0)
    assert not get_user_model().objects.exists()
    settings.DEBUG = True
    call_command("load_demo", "--without-pictures", verbosity=0)
    writer = get_user_model().objects.get(username="writer")
    assert writer.groups.filter(name="Writer").exists()
    assert Author.objects.get(name="佐藤 美咲").user == writer


def test_demo_staff_have_the_names_the_desk_shows(settings):
    from editorial.people import display_name

    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    names = {u.username: display_name(u) for u in get_user_model().objects.all()}
    assert names["writer"] == "佐藤 美咲" and names["editor"] == "田中 健一" and names["chief"] == "高橋 誠"
