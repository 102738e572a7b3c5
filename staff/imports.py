"""Spreadsheet imports of the staff app: a bureau's score sheet of a training session. The
rows are read here; each is saved through ``services`` (the rules live there)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_context
from accounts.pii import blind_index_candidates, mask_phone
from regions.models import region_subtree
from reports.spreadsheets.fields import Field, ParsedRow, SpreadsheetImport
from reports.spreadsheets.reader import run_import
from reports.spreadsheets.registry import register_import
from reports.spreadsheets.template_book import (
    TemplateColumn,
    TemplateTable,
    template_response,
    template_workbook,
)

from . import services
from .models import StaffMember, TrainingRecord, TrainingSession

# A score cell saying the person was not there: no score, and not attended unless 是否出勤 says so.
ABSENCE_WORDS = ("缺考", "缺席", "请假", "缺勤", "未参加", "未到")

_CHINESE_NAME = re.compile(r"^[\u3400-\u9fff·•]+$")


class ScoreImport(SpreadsheetImport):
    """Attendance and scores of one session. People are matched to staff by name, and by phone
    when the name is not unique; unknown or ambiguous people are errors of their row. A score
    left empty or written as a dash (-, —) or 无 is no score; full-width digits are read."""

    # 姓名 and the three results are the sheet; 手机号 (to tell namesakes apart) and 证书编号
    # are optional columns, and a sheet without 证书编号 keeps the certificates on file.
    # 平均分, 最高分 (and 合计) below the people: summary rows, no person
    subtotal_label_field = "name"
    row_name_field = "name"  # every error of a row names the person
    fields = [
        Field("name", "姓名", aliases=("name", "人员姓名")),
        Field("phone", "手机号", aliases=("手机", "联系电话", "电话", "phone"), required=False),
        Field("attended", "是否出勤", aliases=("出勤", "attended"), required=False, column_required=True),
        Field(
            "theory_score",
            "理论成绩",
            aliases=("理论考核", "理论", "theory"),
            kind="decimal",
            required=False,
            column_required=True,
            dash_is_blank=True,
            words=ABSENCE_WORDS,
        ),
        Field(
            "practical_score",
            "实操成绩",
            aliases=("实操考核", "实操", "practical"),
            kind="decimal",
            required=False,
            column_required=True,
            dash_is_blank=True,
            words=ABSENCE_WORDS,
        ),
        Field("certificate_number", "证书编号", aliases=("证书号", "certificate"), required=False),
    ]

    ATTENDED = {"是", "出勤", "到", "√", "✓", "y", "yes", "1", "true"}
    ABSENT = {"否", "缺勤", "未到", "缺", "×", "n", "no", "0", "false", *ABSENCE_WORDS}

    def __init__(self, session: TrainingSession, **kwargs):
        super().__init__(**kwargs)
        self.session = session
        self.seen: dict[int, int] = {}
        self.candidates = StaffMember.objects.visible_to(self.by).filter(
            region_subtree("region", session.region)
        )

    def save_row(self, row: ParsedRow):
        values = row.values
        name = (values.get("name") or "").strip()
        phone = "".join(str(values.get("phone") or "").split())
        # 王　芳: a two-character name padded to line up with three-character ones
        compact = "".join(name.split())
        if _CHINESE_NAME.match(compact):
            name = compact
        people = list(self.candidates.filter(name=name))
        if phone:
            people = [p for p in people if p.phone_hash in blind_index_candidates(phone)]
        if not people:
            described = f"{name}（{mask_phone(phone)}）" if phone else name
            raise ValidationError(
                {"name": _("No staff member %(name)s in the session's region.") % {"name": described}}
            )
        if len(people) > 1:
            raise ValidationError(
                {
                    "phone" if phone else "name": _(
                        "%(count)d staff members are named %(name)s; add the phone number to tell them apart."
                    )
                    % {"count": len(people), "name": name}
                }
            )
        member = people[0]
        if member.pk in self.seen:
            raise ValidationError(
                {
                    "name": _("%(name)s already appears on row %(row)d.")
                    % {"name": name, "row": self.seen[member.pk]}
                }
            )
        self.seen[member.pk] = row.number
        attended_text = str(values.get("attended") or "").strip().lower()
        theory, practical = values.get("theory_score"), values.get("practical_score")
        if attended_text in self.ATTENDED:
            attended = True
        elif attended_text in self.ABSENT:
            attended = False
        elif not attended_text:
            # a score: attended; 缺考 / 请假 in the score cells and no score: absent
            attended = theory is not None or practical is not None
        else:
            raise ValidationError({"attended": _("Write 是 (attended) or 否 (absent).")})
        if "certificate_number" in row.present:
            certificate = values.get("certificate_number") or ""
        else:  # no such column: the certificate on file stays
            certificate = (
                TrainingRecord.objects.filter(session=self.session, staff=member)
                .values_list("certificate_number", flat=True)
                .first()
                or ""
            )
        return services.record_result(
            self.session,
            member,
            by=self.by,
            attended=attended,
            theory_score=theory,
            practical_score=practical,
            certificate_number=certificate,
        )

    def field_for_error_key(self, key):
        return {"__all__": None, "session": None}.get(
            key, key if any(f.name == key for f in self.fields) else None
        )


def import_scores(session: TrainingSession, fp, *, by, filename: str = "", channel: str = "import"):
    """Import a score sheet; raises ImportFailed (nothing written) on any bad row. Each
    employer's administrators are told their people's results."""
    services.require_session_editor(session, by)
    importer = ScoreImport(session, by=by, channel=channel)
    with audit_context(actor=by, channel=channel):
        result = run_import(fp, importer, filename=filename)
    services.announce_results(session, result.results)
    return result


# --- the template: the score sheet of a session ---------------------------------------------------


def score_template(session: TrainingSession | None = None) -> TemplateTable:
    """考核成绩登记表: 序号 and the columns the import reads, the session's title above."""
    title = f"{session.title}考核成绩登记表" if session is not None else "培训考核成绩登记表"
    return TemplateTable(
        sheet="考核成绩",
        title=title,
        columns=[
            TemplateColumn("序号", width=6, number=True),
            TemplateColumn("姓名", width=12),
            TemplateColumn("手机号", width=16, text=True),
            TemplateColumn("是否出勤", width=10),
            TemplateColumn("理论成绩", width=10),
            TemplateColumn("实操成绩", width=10),
            TemplateColumn("证书编号", width=18, text=True),
        ],
        blank_rows=30,
        instructions_title=_("How to fill in the score sheet"),
        instructions=[
            _("One row per person; people are found among the staff of the session's region by name."),
            _("Two people with the same name: add the phone number (11 digits) to tell them apart."),
            _("是否出勤: 是 or 否. Left empty, a person with a score attended."),
            _(
                "理论成绩, 实操成绩: numbers (full-width digits are read); empty, a dash (-, —) or 无 "
                "means no score."
            ),
            _("缺考, 缺席 or 请假 in a score cell: absent, no score (unless 是否出勤 says 是)."),
            _("Rows such as 平均分, 最高分 or 合计 below the people are summaries and are not read."),
            _(
                "A person passes with at least the session's pass marks in both assessments; the result "
                "is worked out on import."
            ),
            _(
                "Without a 证书编号 column the certificates on file are kept; people not listed keep "
                "their results."
            ),
            _("The import is all or nothing: one bad row and nothing is written; every error names its row."),
        ],
    )


def score_template_response(session: TrainingSession | None = None):
    return template_response(score_template(session), session.title if session is not None else "考核成绩")


register_import(
    "staff.scores",
    label=gettext_lazy("Training score sheet"),
    importer=ScoreImport,
    template=lambda: template_workbook(score_template()),
    api_template="/api/v1/training-sessions/<pk>/import-scores/template/",
    upload_pages=("admin:staff_trainingsession_import",),
)
