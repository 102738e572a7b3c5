"""Small helpers every portal view uses: errors from services and forms as page messages, and
the query string of a list's “export to Excel” link (the same filters, plus ``export=xlsx``)."""

from django.contrib import messages


def show_errors(request, exc) -> None:
    for message in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, message)


def show_form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for message in errors:
            messages.error(request, f"{label}：{message}" if label else message)


def export_query(request) -> str:
    query = request.GET.copy()
    query["export"] = "xlsx"
    return query.urlencode()
