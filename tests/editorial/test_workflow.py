"""The state machine itself: roles × transitions, states, readiness, records."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from blog.models import Article
from editorial import workflow
from editorial.models import Transition

from .conftest import MATRIX, SOURCE, TARGET, future, transition_kwargs

Status = Article.Status
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name, role, allowed", MATRIX)
def test_role_may_take_exactly_the_transitions_of_the_matrix(name, role, allowed, users, article_in):
    article = article_in(SOURCE[name])
    user = users[role]
    assert (workflow.EDGES[name] in workflow.available_transitions(article, user)) is allowed
    if allowed:
        workflow.ACTIONS[name](article, user, **transition_kwargs(name))
        article.refresh_from_db()
        assert article.status == TARGET[name]
        record = Transition.objects.get(article=article)
        assert (record.from_status, record.to_status, record.by) == (SOURCE[name], TARGET[name], user)
    else:
        with pytest.raises(PermissionDenied):
            workflow.ACTIONS[name](article, user, **transition_kwargs(name))
        article.refresh_from_db()
        assert article.status == SOURCE[name]
        assert not Transition.objects.filter(article=article).exists()


@pytest.mark.parametrize("name", sorted(SOURCE))
def test_every_transition_is_refused_from_every_other_state(name, users, article_in):
    for status in Status.values:
        if status == SOURCE[name]:
            continue
        article = article_in(status)
        with pytest.raises(workflow.InvalidTransition):
            workflow.ACTIONS[name](article, users["superuser"], **transition_kwargs(name))
        article.refresh_from_db()
        assert article.status == status
    assert not Transition.objects.exists()


def test_permission_is_checked_before_the_state_so_the_two_refusals_stay_apart(users, article_in):
    draft = article_in(Status.DRAFT)
    with pytest.raises(PermissionDenied):
        workflow.publish(draft, users["writer_own"])
    with pytest.raises(workflow.InvalidTransition):
        workflow.publish(draft, users["editor_in_chief"])


def test_inactive_or_non_staff_users_can_take_no_transition(users, article_in):
    article = article_in(Status.DRAFT)
    writer = users["writer_own"]
    writer.is_staff = False
    writer.save()
    with pytest.raises(PermissionDenied):
        workflow.submit(article, writer)
    boss = users["superuser"]
    boss.is_active = False
    boss.save()
    with pytest.raises(PermissionDenied):
        workflow.submit(article, boss)


def test_submitting_an_article_that_is_not_ready_lists_everything_missing(users, owner):
    article = Article.objects.create(title="タイトルだけの記事")
    article.authors.add(owner.author_profile)
    with pytest.raises(workflow.ArticleNotReady) as excinfo:
        workflow.submit(article, owner)
    assert [str(item) for item in excinfo.value.missing] == ["本文", "抜粋", "カテゴリー", "タグ（1つ以上）"]
    assert "本文、抜粋、カテゴリー、タグ（1つ以上）" in str(excinfo.value)
    article.refresh_from_db()
    assert article.status == Status.DRAFT
    assert not Transition.objects.exists()


def test_a_blank_title_counts_as_missing(article_in):
    article = article_in(Status.DRAFT, tags=())
    article.title = "   "
    assert [str(item) for item in workflow.missing_for_review(article)] == ["タイトル", "タグ（1つ以上）"]


def test_resubmitting_also_requires_a_ready_article(users, article_in):
    article = article_in(Status.CHANGES_REQUESTED, excerpt="")
    with pytest.raises(workflow.ArticleNotReady):
        workflow.resubmit(article, users["writer_own"])


def test_requesting_changes_requires_a_comment(users, article_in):
    article = article_in(Status.IN_REVIEW)
    with pytest.raises(workflow.CommentRequired):
        workflow.request_changes(article, users["editor"], comment="  ")
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_approving_needs_a_future_time_and_sets_it_as_the_publication_time(users, article_in):
    article = article_in(Status.IN_REVIEW)
    with pytest.raises(workflow.InvalidPublishTime):
        workflow.approve(article, users["editor"], publish_at=timezone.now() - datetime.timedelta(minutes=1))
    when = future(hours=3)
    workflow.approve(article, users["editor"], publish_at=when, comment="良い記事です")
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.SCHEDULED, when)
    assert Transition.objects.get(article=article).comment == "良い記事です"


def test_publishing_now_stamps_the_publication_time(users, article_in):
    article = article_in(Status.IN_REVIEW)
    now = timezone.now()
    workflow.publish(article, users["editor_in_chief"], now=now)
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.PUBLISHED, now)
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_unscheduling_clears_the_publication_time(users, article_in):
    article = article_in(Status.SCHEDULED)
    workflow.unschedule(article, users["editor"])
    article.refresh_from_db()
    assert (article.status, article.published_at) == (Status.IN_REVIEW, None)


def test_a_state_change_does_not_count_as_an_edit_of_the_text(users, article_in):
    article = article_in(Status.DRAFT)
    before = Article.objects.get(pk=article.pk).updated_at
    workflow.submit(article, users["writer_own"])
    assert Article.objects.get(pk=article.pk).updated_at == before


def test_the_callers_instance_follows_the_new_state(users, article_in):
    article = article_in(Status.DRAFT)
    workflow.submit(article, users["writer_own"])
    assert article.status == Status.IN_REVIEW


def test_a_stale_instance_cannot_take_a_transition_the_row_no_longer_allows(users, article_in):
    article = article_in(Status.IN_REVIEW)
    stale = Article.objects.get(pk=article.pk)
    workflow.withdraw(article, users["writer_own"])
    with pytest.raises(workflow.InvalidTransition):
        workflow.publish(stale, users["editor_in_chief"])
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_a_full_round_trip_leaves_a_complete_history(users, article_in):
    article = article_in(Status.DRAFT)
    writer, editor, chief = users["writer_own"], users["editor"], users["editor_in_chief"]
    workflow.submit(article, writer)
    workflow.request_changes(article, editor, comment="見出しを直してください")
    workflow.resubmit(article, writer)
    workflow.approve(article, editor, publish_at=future())
    workflow.unschedule(article, chief)
    workflow.publish(article, chief)
    workflow.unpublish(article, chief)
    workflow.restore(article, chief)
    history = list(Transition.objects.filter(article=article).order_by("pk").values_list("from_status", "to_status"))
    assert history == [
        ("draft", "in_review"),
        ("in_review", "changes_requested"),
        ("changes_requested", "in_review"),
        ("in_review", "scheduled"),
        ("scheduled", "in_review"),
        ("in_review", "published"),
        ("published", "archived"),
        ("archived", "draft"),
    ]


def test_writers_edit_only_their_own_drafts_and_changes_requested(users, article_in):
    writer, other = users["writer_own"], users["writer_other"]
    for status in Status.values:
        article = article_in(status)
        assert workflow.can_edit(article, writer) is (status in {"draft", "changes_requested"})
        assert workflow.can_edit(article, other) is False


def test_editors_edit_any_article_up_to_review_and_the_chief_edits_everything(users, article_in):
    for status in Status.values:
        article = article_in(status)
        assert workflow.can_edit(article, users["editor"]) is (status in {"draft", "changes_requested", "in_review"})
        assert workflow.can_edit(article, users["editor_in_chief"]) is True
        assert workflow.can_edit(article, users["superuser"]) is True
        assert workflow.can_edit(article, users["staff_without_role"]) is False
