"""``{% todo_groups as groups %}``: the to-do groups of the signed-in user that have something in
them, own steps first, for the home page's badges (one query per group)."""

from django import template

from reports.todo import groups_for, shown

register = template.Library()


@register.simple_tag(takes_context=True)
def todo_groups(context):
    user = context.get("user")
    return shown(groups_for(user)) if user is not None else []
