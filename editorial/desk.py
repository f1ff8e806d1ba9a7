"""The change page's one action box: a comment, and the workflow buttons, acting on what is on screen.

Where the editor may edit the article, the buttons belong to the article form itself: pressing
「レビューに出す」 saves the form first (with its stale-save check) and only then takes the
transition; a form that does not validate is shown again with everything typed kept, and nothing
moves. Where the article is read-only for them, the same box posts to the small transition and
comment views instead.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from blog.models import Article

from . import messages as desk_messages
from . import workflow
from .forms import TransitionForm
from .models import ReviewComment

TRANSITION_KEY = "_transition"  # the pressed button's value: an edge name
COMMENT_KEY = "_comment"  # the 「コメントする」 button


def requested_edge(request) -> workflow.Edge | None:
    """The edge named by the pressed button, or None; an unknown name is a bad request (404)."""
    name = request.POST.get(TRANSITION_KEY)
    if not name:
        return None
    if name not in workflow.ACTIONS:
        raise Http404
    return workflow.EDGES[name]


def with_transition_check(form_class, request, article: Article):
    """``form_class`` that also refuses the save when the pressed transition's own fields are invalid."""
    edge = requested_edge(request)
    if edge is None:
        return form_class
    if not workflow.may(request.user, edge, article):
        raise PermissionDenied

    class DeskActionForm(form_class):
        def clean(self):
            cleaned = super().clean()
            action = TransitionForm(self.data, edge=edge)
            if not action.is_valid():
                for errors in action.errors.values():
                    for error in errors:
                        self.add_error(None, f"{edge.label}：{error}")
            return cleaned

    return DeskActionForm


def comment_text(request) -> str:
    return request.POST.get("comment", "").strip()


def act_after_save(model_admin, request, article: Article) -> bool:
    """After the article form saved: take the pressed transition, or post the comment.

    Returns whether something was done (the caller then redirects back to the change page).
    """
    edge = requested_edge(request)
    if edge is not None:
        form = TransitionForm(request.POST, edge=edge)
        form.is_valid()  # validated with the article form already
        take(model_admin, request, article, edge, form.transition_kwargs(), saved=True)
        return True
    text = comment_text(request)
    if text and request.user.has_perm("editorial.add_reviewcomment"):
        ReviewComment.objects.create(article=article, body=text, created_by=request.user)
        message = _("保存し、コメントを投稿しました。") if COMMENT_KEY in request.POST else _("コメントを投稿しました。")
        model_admin.message_user(request, message, messages.SUCCESS)
        return COMMENT_KEY in request.POST
    return False


def take(model_admin, request, article: Article, edge: workflow.Edge, kwargs: dict, *, saved: bool = False) -> None:
    """Call the edge's workflow function and report the outcome in the edge's own words."""
    prefix = str(_("変更を保存しました。")) if saved else ""
    try:
        workflow.ACTIONS[edge.name](article, request.user, **kwargs)
    except workflow.ArticleNotReady as exc:
        missing = "、".join(str(item) for item in exc.missing)
        reason = _("次の項目を入力してください：%(missing)s") % {"missing": missing}
        model_admin.message_user(request, prefix + desk_messages.refused(edge.name, article, reason), messages.ERROR)
    except workflow.WorkflowError as exc:
        model_admin.message_user(request, prefix + desk_messages.refused(edge.name, article, str(exc)), messages.ERROR)
    else:
        model_admin.message_user(request, prefix + desk_messages.done(edge.name, article), messages.SUCCESS)
