"""What the home page offers each kind of user. Each later app adds its entries here, so the
home page shows only what exists and what the user may do."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import OrganizationKind, Role


@dataclass(frozen=True)
class HomeAction:
    title: str
    description: str
    url: str


def actions_for(user) -> list[tuple[str, list[HomeAction]]]:
    api_docs = HomeAction(
        _("API documentation"),
        _("OpenAPI schema and interactive Swagger UI for integrators."),
        reverse("api:docs"),
    )
    if not user.is_authenticated:
        return [
            (
                _("For the public"),
                [
                    HomeAction(
                        _("Pilot programmes"),
                        _("Calls for pilots, their phases and the published pilot lists."),
                        reverse("pilots:programme-list"),
                    ),
                    HomeAction(
                        _("Find a service station"),
                        _("Operating stations near you, their hours, services and posted prices."),
                        reverse("stations:finder"),
                    ),
                    HomeAction(
                        _("Register your unit"),
                        _("Property companies and other units register to apply online."),
                        reverse("register"),
                    ),
                    HomeAction(
                        _("Administrative divisions"),
                        _("Provinces, cities, districts and streets covered."),
                        reverse("api:region-list"),
                    ),
                    api_docs,
                ],
            )
        ]

    sections = []
    memberships = [m for m in user.memberships.select_related("organization__region") if m.is_active]
    government = [m for m in memberships if m.organization.is_government]
    applicants = [m for m in memberships if not m.organization.is_government]
    if user.is_superuser:
        sections.append(
            (
                _("Platform administration"),
                [
                    HomeAction(
                        _("Administration"),
                        _("Every record, users, roles, schedules and the audit log."),
                        reverse("admin:index"),
                    ),
                    HomeAction(
                        _("Audit log"),
                        _("Who changed what, when and through which channel."),
                        reverse("admin:accounts_auditentry_changelist"),
                    ),
                ],
            )
        )
    for membership in government:
        organization = membership.organization
        actions = [
            HomeAction(
                _("Stations and residents of my region"),
                _("Stations, elderly residents (masked), orders, records and the revenue account."),
                reverse("stations:my-stations"),
            ),
            HomeAction(
                _("Applications to review"),
                _("Pilot applications of your region with their status, opinions and history."),
                reverse("pilots:application-list"),
            ),
            HomeAction(
                _("Five lists and posted prices"),
                _("District samples, stations' lists to approve, supervision checks and open findings."),
                reverse("checklists:queue")
                if organization.kind == OrganizationKind.STREET_OFFICE
                else reverse("checklists:samples"),
            ),
            HomeAction(
                _("Care rooms in new compounds"),
                _("The registry, deadlines and overdue rooms per town, inspections and use applications."),
                reverse("facilities:registry"),
            ),
            HomeAction(
                _("Training of the three roles"),
                _("Sessions, scores (imported in the administration) and progress against the target."),
                reverse("staff:progress"),
            ),
            HomeAction(
                _("Organisations in my region"),
                _("Bureaus, street offices and property companies in %(region)s.")
                % {"region": organization.region.name},
                reverse("admin:accounts_organization_changelist"),
            ),
        ]
        if membership.role in (Role.OFFICER, Role.ORG_ADMIN):
            actions.append(
                HomeAction(
                    _("Register an organisation"),
                    _("Add a property company or social organisation of your region."),
                    reverse("admin:accounts_organization_add"),
                )
            )
        else:
            actions.append(
                HomeAction(
                    _("Read-only access"),
                    _("You can view and download your region's records but not change them."),
                    reverse("admin:index"),
                )
            )
        sections.append((f"{organization.name} · {membership.get_role_display()}", actions))
    for membership in applicants:
        organization = membership.organization
        actions = [
            HomeAction(
                _("Apply for a pilot"),
                _("Open calls for pilots: fill in the application online and follow its review."),
                reverse("pilots:programme-list"),
            ),
            HomeAction(
                _("My stations"),
                _("Stations, residents, orders, service records, publicity and surveys."),
                reverse("stations:my-stations"),
            ),
            HomeAction(
                _("My orders"),
                _("The service orders assigned to you: complete them with the times and the quantity."),
                reverse("stations:my-orders"),
            ),
            HomeAction(
                _("Five lists and posted prices"),
                _("Each station's five lists from the district sample: customise, submit, publish, print."),
                reverse("checklists:overview"),
            ),
            HomeAction(
                _("My applications"),
                _("Drafts, submitted applications, opinions and decisions."),
                reverse("pilots:application-list"),
            ),
            HomeAction(
                _("Staff and volunteers"),
                _("Publicity, information and service officers, training results, volunteers and points."),
                reverse("staff:list"),
            ),
            HomeAction(
                _("My organisation"),
                _("Your organisation's record as the bureau sees it, and its members."),
                reverse("organization-detail", args=[organization.pk]),
            ),
        ]
        if organization.kind == OrganizationKind.PROPERTY_COMPANY and not organization.has_property_licence:
            actions.append(
                HomeAction(
                    _("Property-management licence not confirmed"),
                    _("Property-plus-care pilots need a confirmed licence: ask your bureau."),
                    reverse("organization-detail", args=[organization.pk]),
                )
            )
        sections.append((f"{organization.name} · {membership.get_role_display()}", actions))
    sections.append(
        (
            _("Integration"),
            [
                HomeAction(
                    _("My API tokens"), _("Issue and revoke tokens for the REST API."), reverse("token-list")
                ),
                api_docs,
            ],
        )
    )
    return sections
