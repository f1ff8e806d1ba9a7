import pytest

from blog.models import Tag, TaggedArticle
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


def test_width_and_case_variants_are_one_tag():
    first = make_article(tags=["OpenAI"])
    second = make_article(tags=["openai"])
    third = make_article(tags=["ＯｐｅｎＡＩ"])
    assert Tag.objects.filter(name__iexact="openai").count() == 1
    tag = Tag.objects.get()
    assert tag.name == "OpenAI"
    assert set(tag.tagged_articles.values_list("content_object", flat=True)) == {first.pk, second.pk, third.pk}


def test_full_width_tag_created_first_is_stored_normalized():
    make_article(tags=["ＬＬＭ　推論"])
    assert Tag.objects.get().name == "LLM 推論"


def test_japanese_tags_get_readable_unique_slugs():
    make_article(tags=["生成AI", "オープンソース"])
    assert set(Tag.objects.values_list("slug", flat=True)) == {"生成ai", "オープンソース"}


def test_tags_whose_slugs_collide_get_distinct_slugs():
    make_article(tags=["生成 AI", "生成-AI"])
    assert sorted(Tag.objects.values_list("slug", flat=True)) == ["生成-ai", "生成-ai-1"]


def test_blank_tag_names_are_ignored():
    article = make_article(tags=["　", "LLM"])
    assert [t.name for t in article.tags.all()] == ["LLM"]


def test_merge_moves_articles_and_removes_the_old_tag():
    both = make_article(tags=["GenAI", "生成AI"])
    only_old = make_article(tags=["GenAI"])
    target = Tag.objects.get(name="生成AI")
    moved = Tag.objects.get(name="GenAI").merge_into(target)
    assert moved == 1
    assert not Tag.objects.filter(name="GenAI").exists()
    assert [t.name for t in both.tags.all()] == ["生成AI"]
    assert [t.name for t in only_old.tags.all()] == ["生成AI"]
    assert TaggedArticle.objects.filter(tag=target).count() == 2


def test_admin_merges_tags_through_the_action_and_the_confirmation_page(client):
    article = make_article(tags=["GenAI", "生成AI", "LLM"])
    admin = make_user(is_superuser=True)
    client.force_login(admin)
    ids = list(Tag.objects.filter(name__in=["GenAI", "生成AI"]).values_list("pk", flat=True))
    response = client.post("/admin/blog/tag/", {"action": "merge_tags", "_selected_action": ids})
    assert response.status_code == 302
    confirm = client.get(response["Location"])
    assert confirm.status_code == 200
    assert "統合先" in confirm.content.decode()
    target = Tag.objects.get(name="生成AI")
    done = client.post(response["Location"], {"target": target.pk})
    assert done.status_code == 302
    assert sorted(t.name for t in article.tags.all()) == ["LLM", "生成AI"]
    assert not Tag.objects.filter(name="GenAI").exists()


def test_admin_merge_needs_two_tags_and_delete_permission(client):
    make_article(tags=["GenAI", "生成AI"])
    staff = make_user()
    client.force_login(staff)
    ids = ",".join(str(pk) for pk in Tag.objects.values_list("pk", flat=True))
    assert client.get(f"/admin/blog/tag/merge/?ids={ids}").status_code == 403
    admin = make_user(is_superuser=True)
    client.force_login(admin)
    one = Tag.objects.first().pk
    response = client.post("/admin/blog/tag/", {"action": "merge_tags", "_selected_action": [one]})
    assert response.status_code == 302 and "merge" not in response["Location"]
    assert Tag.objects.count() == 2
    assert client.get("/admin/blog/tag/merge/?ids=abc,").status_code == 302
