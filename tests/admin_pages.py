"""Drive the real admin with the test client: log in, and post a change form as the page shows it."""

from django.test import Client

from tests.factories import PASSWORD, UserFactory


def superuser():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def admin_client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _value(field):
    value = field.value()
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return value


def form_data(page) -> dict:
    """The fields of an admin change page (its form, every inline formset and their management
    forms) with the values the page shows, ready to be changed and posted back."""
    data = {}
    form = page.context["adminform"].form
    for field in form:
        data[field.html_name] = _value(field)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for field in formset.management_form:
            data[field.html_name] = _value(field)
        for inline_form in formset.forms:
            for field in inline_form:
                data[field.html_name] = _value(field)
    return {name: value for name, value in data.items() if value is not False}
