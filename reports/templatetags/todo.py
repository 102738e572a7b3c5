"""``{% todo_groups as groups %}``: the to-do groups of the signed-in user, for the home page's
badges (one query per group, read only when shown)."""

from django import template

from reports.todo import groups_for

register = template.Library()


@register.simple_tag(takes_context=True)
def todo_groups(context):
    user = context.get("user")
    return groups_for(user) if user is not None else []
