"""Admin access follows membership: government members get the admin with their group's
permissions; what they then see and change is narrowed by the scoping path. Later apps add their
models' permissions to these groups here."""

from django.contrib.auth.models import Group, Permission

from .scoping import GOVERNMENT_EDITING_ROLES, GOVERNMENT_KINDS

GOVERNMENT_EDITOR = "government editor"
GOVERNMENT_VIEWER = "government viewer"

GROUP_PERMISSIONS = {
    GOVERNMENT_EDITOR: [
        "regions.view_region",
        "accounts.view_organization",
        "accounts.add_organization",
        "accounts.change_organization",
        "accounts.view_membership",
        "accounts.add_membership",
        "accounts.change_membership",
        "accounts.delete_membership",
        "accounts.view_user",
        "accounts.view_auditentry",
        "pilots.view_programme",
        "pilots.add_programme",
        "pilots.change_programme",
        "pilots.view_programmequota",
        "pilots.add_programmequota",
        "pilots.change_programmequota",
        "pilots.delete_programmequota",
        "pilots.view_phase",
        "pilots.add_phase",
        "pilots.change_phase",
        "pilots.delete_phase",
        "pilots.view_milestone",
        "pilots.add_milestone",
        "pilots.change_milestone",
        "pilots.delete_milestone",
        "pilots.view_application",
        "pilots.add_application",
        "pilots.change_application",
        "pilots.view_attachment",
        "pilots.view_opinion",
        "pilots.view_pilot",
        "pilots.add_pilot",
        "pilots.change_pilot",
        "pilots.view_pilotmilestone",
        "pilots.change_pilotmilestone",
        "pilots.view_showcasecase",
        "pilots.add_showcasecase",
        "pilots.change_showcasecase",
        "stations.view_station",
        "stations.add_station",
        "stations.change_station",
        "stations.view_stationprice",
        "stations.add_stationprice",
        "stations.change_stationprice",
        "stations.view_resident",
        "stations.change_resident",
        "stations.view_serviceorder",
        "stations.view_servicerecord",
        "stations.view_publicityevent",
        "stations.add_publicityevent",
        "stations.change_publicityevent",
        "stations.view_survey",
        "stations.add_survey",
        "stations.change_survey",
        "stations.view_surveyresponse",
        "staff.view_staffmember",
        "staff.change_staffmember",
        "staff.view_qualification",
        "staff.add_qualification",
        "staff.change_qualification",
        "staff.delete_qualification",
        "staff.view_trainingsession",
        "staff.add_trainingsession",
        "staff.change_trainingsession",
        "staff.view_trainingrecord",
        "staff.add_trainingrecord",
        "staff.change_trainingrecord",
        "staff.delete_trainingrecord",
        "staff.view_trainingtarget",
        "staff.add_trainingtarget",
        "staff.change_trainingtarget",
        "staff.view_stationresource",
        "volunteers.view_volunteerteam",
        "volunteers.view_volunteeractivity",
        "volunteers.view_volunteerhours",
        "volunteers.view_pointsrule",
        "volunteers.view_reward",
        "volunteers.view_pointsentry",
        "facilities.view_campaign",
        "facilities.add_campaign",
        "facilities.change_campaign",
        "facilities.view_compound",
        "facilities.add_compound",
        "facilities.change_compound",
        "facilities.view_careroom",
        "facilities.add_careroom",
        "facilities.change_careroom",
        "facilities.view_inspection",
        "facilities.add_inspection",
        "facilities.view_inspectionphoto",
        "facilities.view_violation",
        "facilities.view_alteration",
        "facilities.add_alteration",
        "facilities.view_useapplication",
        "facilities.view_applicationstep",
        "facilities.view_entrustmentagreement",
        "facilities.view_guidancetarget",
        "checklists.view_checklistversion",
        "checklists.change_checklistversion",
        "checklists.view_checklistitem",
        "checklists.add_checklistitem",
        "checklists.change_checklistitem",
        "checklists.delete_checklistitem",
        "checklists.view_checklistcheck",
        "checklists.view_checkfinding",
    ],
    GOVERNMENT_VIEWER: [
        "regions.view_region",
        "accounts.view_organization",
        "accounts.view_membership",
        "accounts.view_user",
        "accounts.view_auditentry",
        "pilots.view_programme",
        "pilots.view_programmequota",
        "pilots.view_phase",
        "pilots.view_milestone",
        "pilots.view_application",
        "pilots.view_attachment",
        "pilots.view_opinion",
        "pilots.view_pilot",
        "pilots.view_pilotmilestone",
        "pilots.view_showcasecase",
        "stations.view_station",
        "stations.view_stationprice",
        "stations.view_resident",
        "stations.view_serviceorder",
        "stations.view_servicerecord",
        "stations.view_publicityevent",
        "stations.view_survey",
        "stations.view_surveyresponse",
        "staff.view_staffmember",
        "staff.view_qualification",
        "staff.view_trainingsession",
        "staff.view_trainingrecord",
        "staff.view_trainingtarget",
        "staff.view_stationresource",
        "volunteers.view_volunteerteam",
        "volunteers.view_volunteeractivity",
        "volunteers.view_volunteerhours",
        "volunteers.view_pointsrule",
        "volunteers.view_reward",
        "volunteers.view_pointsentry",
        "facilities.view_campaign",
        "facilities.view_compound",
        "facilities.view_careroom",
        "facilities.view_inspection",
        "facilities.view_violation",
        "facilities.view_alteration",
        "facilities.view_useapplication",
        "facilities.view_entrustmentagreement",
        "facilities.view_guidancetarget",
        "checklists.view_checklistversion",
        "checklists.view_checklistitem",
        "checklists.view_checklistcheck",
        "checklists.view_checkfinding",
    ],
}


def sync_groups(**kwargs) -> None:
    """Create the role groups with exactly their declared permissions (post_migrate)."""
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)


def sync_admin_access(user) -> None:
    """is_staff and role groups from the user's active government memberships. Superusers and
    users given staff status by hand without memberships are left as they are."""
    if user.is_superuser:
        return
    memberships = list(user.memberships.filter(is_active=True).select_related("organization"))
    government = [
        m for m in memberships if m.organization.kind in GOVERNMENT_KINDS and m.organization.is_active
    ]
    groups = Group.objects.filter(name__in=GROUP_PERMISSIONS)
    editor = any(m.role in GOVERNMENT_EDITING_ROLES for m in government)
    wanted = {GOVERNMENT_EDITOR} if editor else ({GOVERNMENT_VIEWER} if government else set())
    user.groups.remove(*[g for g in groups if g.name not in wanted])
    user.groups.add(*[g for g in groups if g.name in wanted])
    if bool(government) != user.is_staff and (government or memberships):
        type(user).objects.filter(pk=user.pk).update(is_staff=bool(government))
        user.is_staff = bool(government)
