"""Newsroom fixtures: one user per role, and articles in any state owned by ``owner``."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Article
from editorial import workflow
from tests.factories import make_article, make_author, make_user

Status = Article.Status

ROLES = ["writer_own", "writer_other", "editor", "editor_in_chief", "superuser", "staff_without_role"]

# The README matrix: which roles may take each transition (writers only on their own articles).
ALLOWED = {
    "submit": {"writer_own", "editor", "editor_in_chief", "superuser"},
    "resubmit": {"writer_own", "editor", "editor_in_chief", "superuser"},
    "withdraw": {"writer_own", "editor", "editor_in_chief", "superuser"},
    "request_changes": {"editor", "editor_in_chief", "superuser"},
    "approve": {"editor", "editor_in_chief", "superuser"},
    "unschedule": {"editor", "editor_in_chief", "superuser"},
    "publish": {"editor_in_chief", "superuser"},
    "unpublish": {"editor_in_chief", "superuser"},
    "restore": {"editor_in_chief", "superuser"},
}
MATRIX = [(name, role, role in allowed) for name, allowed in ALLOWED.items() for role in ROLES]


def future(**delta):
    return timezone.now() + datetime.timedelta(**(delta or {"days": 1}))


@pytest.fixture
def owner(db):
    """A writer with a byline, the author of the articles below."""
    user = make_user("kaori", groups=["Writer"], email="kaori@example.com", first_name="香織")
    make_author("佐藤香織", user=user)
    return user


@pytest.fixture
def users(db, owner):
    other = make_user("takeshi", groups=["Writer"], email="takeshi@example.com")
    make_author("鈴木健", user=other)
    return {
        "writer_own": owner,
        "writer_other": other,
        "editor": make_user("editor", groups=["Editor"], email="editor@example.com"),
        "editor_in_chief": make_user("chief", groups=["Editor-in-chief"], email="chief@example.com"),
        "superuser": make_user("root", is_superuser=True, email="root@example.com"),
        "staff_without_role": make_user("intern", email="intern@example.com"),
    }


@pytest.fixture
def article_in(owner):
    """Build a review-ready article owned by ``owner`` in the given state."""

    def build(status, **kwargs):
        if status == Status.SCHEDULED:
            kwargs.setdefault("published_at", future())
        return make_article(status=status, authors=[owner.author_profile], **kwargs)

    return build


def transition_kwargs(name):
    return {"request_changes": {"comment": "導入をもう少し短く。"}, "approve": {"publish_at": future()}}.get(name, {})


def transition_post_data(name):
    data = {"comment": "", "_transition": "1"}
    if name == "request_changes":
        data["comment"] = "導入をもう少し短く。"
    if name == "approve":
        data["publish_at"] = timezone.localtime(future()).strftime("%Y-%m-%dT%H:%M")
    return data


def transition_url(article, name):
    return reverse("admin:blog_article_transition", args=[article.pk, name])


def change_url(article):
    return reverse("admin:blog_article_change", args=[article.pk])


def change_form_data(article, **overrides):
    """What the admin change form posts for ``article`` as it is now."""
    from editorial.revisions import version_of

    data = {
        "version": version_of(article),
        "title": article.title,
        "slug": article.slug,
        "excerpt": article.excerpt,
        "body": article.body,
        "category": article.category_id or "",
        "tags": ", ".join(sorted(article.tags.names())),
        "authors": [a.pk for a in article.authors.all()],
        "reading_time_override": "",
        "_save": "保存",
    }
    data.update(overrides)
    return data


SOURCE = {name: workflow.EDGES[name].source for name in ALLOWED}
TARGET = {name: workflow.EDGES[name].target for name in ALLOWED}


@pytest.fixture
def category(db):
    from tests.factories import make_category

    return make_category("生成AI")
