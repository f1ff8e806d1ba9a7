import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from blog.models import Article, Author, Category, Tag
from editorial.models import Transition

pytestmark = pytest.mark.django_db


def test_demo_content_loads_a_living_site_and_can_be_loaded_twice(client):
    call_command("load_demo", verbosity=0)
    count = Article.objects.published().count()
    assert count >= 6
    assert Category.objects.count() >= 3 and Author.objects.filter(is_team=True).exists() and Tag.objects.count() >= 8
    assert Transition.objects.filter(to_status=Article.Status.PUBLISHED).count() == count
    call_command("load_demo", verbosity=0)
    assert Article.objects.count() == count
    for article in Article.objects.published():
        assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200
    japanese_slug = Article.objects.exclude(slug__regex=r"^[-a-z0-9]+$")
    assert japanese_slug.exists()
    assert client.get(japanese_slug.first().get_absolute_url()).status_code == 200


def test_demo_staff_exist_only_in_debug_mode(settings):
    settings.DEBUG = False
    call_command("load_demo", verbosity=0)
    assert not get_user_model().objects.exists()
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    writer = get_user_model().objects.get(username="writer")
    assert writer.groups.filter(name="Writer").exists()
    assert Author.objects.get(name="佐藤 美咲").user == writer


def test_demo_staff_have_the_names_the_desk_shows(settings):
    from editorial.people import display_name

    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    names = {u.username: display_name(u) for u in get_user_model().objects.all()}
    assert names["writer"] == "佐藤 美咲" and names["editor"] == "田中 健一" and names["chief"] == "高橋 誠"
