from django import template
from django.db.models import Count
from django.utils import timezone

from blog.models import Article
from editorial import desk_time, people

register = template.Library()

Status = Article.Status
LIMIT = 5


@register.inclusion_tag("editorial/includes/dashboard.html", takes_context=True)
def editorial_dashboard(context):
    """The admin index's desk: counts per state, my drafts, awaiting review, next scheduled."""
    user = context["request"].user
    if not user.has_perm("blog.view_article"):
        return {"show": False}
    counts = dict(desk_time.with_desk_status(Article.objects.order_by()).values_list("desk_status").annotate(n=Count("pk")))
    articles = Article.objects.defer("body", "body_html", "body_text", "toc_html", "search_document")
    return {
        "show": True,
        "counts": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        "my_drafts": articles.filter(
            authors__user=user, status__in=[Status.DRAFT, Status.CHANGES_REQUESTED]
        ).order_by("-updated_at")[:LIMIT],
        "awaiting_review": articles.filter(status=Status.IN_REVIEW).order_by("updated_at")[:LIMIT],
        "next_scheduled": desk_time.upcoming_scheduled(articles)[:LIMIT],
        # publish_scheduled should have moved these: say so rather than let scheduling fail silently.
        "overdue_scheduled": desk_time.overdue_scheduled(articles)[:LIMIT],
    }


@register.inclusion_tag("editorial/includes/assignments.html", takes_context=True)
def editorial_assignments(context):
    """The admin index's list of articles assigned to me and of overdue ones, with the calendar link."""
    from editorial import assignments

    user = context["request"].user
    if not user.has_perm("blog.view_article"):
        return {"show": False}
    light = ["id", "title", "status"]
    return {
        "show": True,
        "assigned_to_me": assignments.assigned_to(user).select_related("assignment").only(*light, "assignment__due_on")[:LIMIT],
        "overdue": assignments.overdue().select_related("assignment__assignee").only(
            *light, "assignment__due_on", "assignment__assignee__username", "assignment__assignee__first_name", "assignment__assignee__last_name"
        )[:LIMIT],
        "today": timezone.localdate(),
    }


@register.filter
def staff_name(user, nobody="システム"):
    """``{{ rev.created_by|staff_name }}``: the desk's name for a person, ``nobody`` for no one."""
    return people.display_name(user) if user else nobody
