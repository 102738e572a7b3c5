"""Many rows fast for the query-count tests: copies of rows a workflow has written.

The tests that check a list costs the same queries at 10 and at 100 rows used to run the whole
workflow (services, audit, notices) once per row. Here the workflow runs once, for a template,
and the rest are copies of its rows written with ``bulk_create``: field for field what the
workflow wrote, with their foreign keys pointing at each other's copies, so the lists read rows
of exactly the same shape (every relation a serializer or an admin column follows is filled).
"""

from collections.abc import Callable, Iterable

from django.db import models


def _template_rows(model, rows):
    return list(rows) if not isinstance(rows, models.Model) else [rows]


def copy_rows(
    templates: Iterable[tuple[type[models.Model], Iterable[models.Model]]],
    times: int,
    vary: Callable[[models.Model, int], None] | None = None,
    start: int = 0,
) -> list[dict]:
    """Write ``times`` copies of the template rows.

    ``templates`` lists (model, rows) with each model after the models its foreign keys point
    to; a foreign key (or one-to-one) to a row of an earlier model in the list points at that
    row's copy, any other keeps its target. Plain many-to-many links are copied the same way
    (list a through model of its own as a model). ``vary(copy, n)`` makes unique fields unique
    (n runs from ``start``). Returns, per copy, ``{model: {template pk: copy}}``."""

    templates = [(model, _template_rows(model, rows)) for model, rows in templates]
    written = []
    for n in range(start, start + times):
        copies_of: dict[type[models.Model], dict] = {}
        for model, rows in templates:
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            copies = []
            for row in rows:
                copy = model(**{f.attname: getattr(row, f.attname) for f in fields})
                for field in fields:
                    if field.is_relation and field.related_model in copies_of:
                        target = copies_of[field.related_model].get(getattr(row, field.attname))
                        if target is not None:
                            setattr(copy, field.attname, target.pk)
                if vary is not None:
                    vary(copy, n)
                copies.append(copy)
            model.objects.bulk_create(copies)
            assert all(copy.pk is not None for copy in copies)
            copies_of[model] = {row.pk: copy for row, copy in zip(rows, copies, strict=True)}
        for model, rows in templates:
            for field in model._meta.many_to_many:
                through = field.remote_field.through
                if not through._meta.auto_created:
                    continue  # a through model of its own: list it in ``templates``
                source = field.m2m_field_name()
                target = field.m2m_reverse_field_name()
                target_model = field.related_model
                links = []
                for link in through.objects.filter(**{f"{source}__in": [row.pk for row in rows]}):
                    copied_target = copies_of.get(target_model, {}).get(getattr(link, f"{target}_id"))
                    links.append(
                        through(
                            **{
                                f"{source}_id": copies_of[model][getattr(link, f"{source}_id")].pk,
                                f"{target}_id": (
                                    copied_target.pk if copied_target else getattr(link, f"{target}_id")
                                ),
                            }
                        )
                    )
                through.objects.bulk_create(links)
        written.append(copies_of)
    return written
