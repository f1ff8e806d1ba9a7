"""E-mail to the newsroom after a transition, sent by a background task once the transaction has committed.

Who hears what: editors (groups Editor and Editor-in-chief) when an article is submitted or
resubmitted; the article's authors (``Author.user``) when changes are requested or it is published.
Nobody is told about their own action.

The messages are composed in the transaction (names and links as they are then) and handed to
``send_notification``, a task enqueued on commit (config/tasks.py): a mail server that is down
delays the e-mail, retried with backoff, and never turns the editor's action into an error.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from blog.models import Article
from config.tasks import enqueue_on_commit, retrying_task

from .people import display_name

EDITOR_GROUPS = ["Editor", "Editor-in-chief"]


def editor_users():
    return get_user_model().objects.filter(is_active=True, groups__name__in=EDITOR_GROUPS).exclude(email="").distinct()


def author_users(article: Article):
    return get_user_model().objects.filter(is_active=True, author_profile__articles=article).exclude(email="").distinct()


def editor_emails() -> set[str]:
    return set(editor_users().values_list("email", flat=True))


def author_emails(article: Article) -> set[str]:
    return set(author_users(article).values_list("email", flat=True))


def greeting(user) -> str:
    return _("%(name)sさん") % {"name": display_name(user)}


def personal_messages(subject: str, body: str, people) -> list[list]:
    """One message per address (staff addresses are not shown to each other), each greeting its reader."""
    by_address = {}
    for person in sorted(people, key=lambda person: (person.email, person.pk)):
        by_address.setdefault(person.email, person)
    return [[subject, f"{greeting(person)}\n\n{body}", None, [address]] for address, person in by_address.items()]


def admin_url(article: Article) -> str:
    return settings.SITE_URL + reverse("admin:blog_article_change", args=[article.pk])


def _message(transition, article: Article) -> tuple[list, str, str] | None:
    to_status = transition.to_status
    by = display_name(transition.by) if transition.by else _("システム")
    comment = f"\n\nコメント：\n{transition.comment}" if transition.comment else ""
    if to_status == Article.Status.IN_REVIEW and transition.from_status in (Article.Status.DRAFT, Article.Status.CHANGES_REQUESTED):
        return (
            list(editor_users()),
            _("［レビュー依頼］%(title)s") % {"title": article.title},
            _("%(by)sさんが「%(title)s」をレビューに出しました。\n\n%(url)s") % {"by": by, "title": article.title, "url": admin_url(article)} + comment,
        )
    if to_status == Article.Status.CHANGES_REQUESTED:
        return (
            list(author_users(article)),
            _("［修正依頼］%(title)s") % {"title": article.title},
            _("%(by)sさんから「%(title)s」に修正依頼が届きました。\n\n%(url)s") % {"by": by, "title": article.title, "url": admin_url(article)} + comment,
        )
    if to_status == Article.Status.PUBLISHED:
        return (
            list(author_users(article)),
            _("［公開］%(title)s") % {"title": article.title},
            _("「%(title)s」が公開されました。\n\n%(url)s")
            % {"title": article.title, "url": settings.SITE_URL + article.get_absolute_url()}
            + comment,
        )
    return None


def transition_made(article: Article, transition) -> None:
    """Queue the e-mail for ``transition`` (if anyone is to hear of it) to go out after commit."""
    message = _message(transition, article)
    if message is None:
        return
    people, subject, body = message
    if transition.by is not None and transition.by.email:
        people = [person for person in people if person.email != transition.by.email]
    if not people:
        return
    messages = personal_messages(subject, body, people)
    enqueue_on_commit(send_notification, messages)


@retrying_task
def send_notification(messages: list[list]) -> int:
    """Send ``messages`` (subject, body, sender, recipients); raise on failure, so the task is retried."""
    return send_mass_mail([tuple(message) for message in messages], fail_silently=False)


def assigned(article: Article, assignment) -> None:
    """Tell the new 担当編集者 (after commit) which article is theirs and by when."""
    person = assignment.assignee
    if person is None or not person.email or not person.is_active:
        return
    by = assignment.assigned_by
    by_name = display_name(by) if by else _("システム")
    due = _("締め切り：%(date)s") % {"date": assignment.due_on.strftime("%Y-%m-%d")} if assignment.due_on else _("締め切り：未定")
    subject = _("［担当］%(title)s") % {"title": article.title}
    body = _("%(by)sさんから「%(title)s」の担当編集者に指名されました。\n%(due)s\n\n%(url)s") % {
        "by": by_name,
        "title": article.title,
        "due": due,
        "url": admin_url(article),
    }
    messages = personal_messages(subject, body, [person])
    enqueue_on_commit(send_notification, messages)
