"""Every import of the portal, with its template workbook.

An app's ``imports.py`` registers each of its imports here (:func:`register_import`): the
importer class, the fields one of its sheets reads, the template workbook (laid out like the
official table, with its 填写说明 sheet) and the API route that serves that template. A test
walks every :class:`~.fields.SpreadsheetImport` subclass of the apps and fails for one that is
not registered, and reads every registered template back with its importer's fields, so a new
import cannot come without a template that it reads. The engine imports no app: the apps call
in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from .fields import Field, SpreadsheetImport


@dataclass(frozen=True)
class RegisteredImport:
    key: str  # "facilities.targets", "checklists.services" …
    label: str | Promise
    importer: type[SpreadsheetImport]
    fields: Callable[[], list[Field]]  # the columns of the sheet the template holds
    template: Callable[[], bytes]  # the template workbook without context (no county, session …)
    api_template: str  # the API path serving the template; <pk> where an object's id goes
    upload_pages: tuple[str, ...] = ()  # the admin / portal URL names whose page uploads the file


IMPORTS: dict[str, RegisteredImport] = {}


def register_import(
    key: str,
    *,
    label,
    importer: type[SpreadsheetImport],
    template: Callable[[], bytes],
    api_template: str,
    fields: Callable[[], list[Field]] | None = None,
    upload_pages: tuple[str, ...] = (),
) -> RegisteredImport:
    entry = RegisteredImport(
        key=key,
        label=label,
        importer=importer,
        fields=fields or (lambda: list(importer.fields)),
        template=template,
        api_template=api_template,
        upload_pages=upload_pages,
    )
    IMPORTS[key] = entry
    return entry


def registered_importers() -> set[type[SpreadsheetImport]]:
    return {entry.importer for entry in IMPORTS.values()}


def _subclasses(cls) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def missing_templates() -> list[type[SpreadsheetImport]]:
    """The importers of the apps (tests' own aside) that no :func:`register_import` names."""
    registered = registered_importers()
    return [
        cls
        for cls in _subclasses(SpreadsheetImport)
        if cls not in registered and not cls.__module__.startswith(("tests.", "reports.spreadsheets"))
    ]
