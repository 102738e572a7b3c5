"""Every operation on programmes, applications and pilots that changes state or enforces a rule.

Three workflows (``core.workflow``): the review of an application (``APPLICATIONS``; a double
click or a second reviewer arriving late changes nothing), a programme's publication
(``PROGRAMMES``) and a pilot's milestones (``MILESTONES``).
"""

from .access import files_on_behalf, is_applicant_member, issuing_bureau_of, street_office_of
from .applications import (
    APPLICATIONS,
    EDITABLE_FIELDS,
    REASONED,
    REQUIRED_FIELDS,
    REVIEW_INPUTS,
    ApplicationFlow,
    S,
    add_attachment,
    can,
    create_application,
    eligibility_problems,
    snapshot,
    transition,
    update_application,
)
from .pilots import (
    MILESTONES,
    MilestoneFlow,
    add_showcase_case,
    complete_milestone,
    create_pilot_from,
    save_summary_report,
    set_demonstration,
)
from .programmes import (
    PROGRAMME_FIELDS,
    PROGRAMMES,
    ProgrammeFlow,
    announce,
    designate_pilot,
    programme_problems,
    publish_pilot_list,
    save_programme,
)

__all__ = [
    "APPLICATIONS",
    "ApplicationFlow",
    "EDITABLE_FIELDS",
    "MILESTONES",
    "MilestoneFlow",
    "PROGRAMMES",
    "PROGRAMME_FIELDS",
    "ProgrammeFlow",
    "REASONED",
    "REQUIRED_FIELDS",
    "REVIEW_INPUTS",
    "S",
    "add_attachment",
    "add_showcase_case",
    "announce",
    "can",
    "complete_milestone",
    "create_application",
    "create_pilot_from",
    "designate_pilot",
    "eligibility_problems",
    "files_on_behalf",
    "is_applicant_member",
    "issuing_bureau_of",
    "programme_problems",
    "publish_pilot_list",
    "save_programme",
    "save_summary_report",
    "set_demonstration",
    "snapshot",
    "street_office_of",
    "transition",
    "update_application",
]
