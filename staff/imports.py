"""Spreadsheet imports of the staff app: a bureau's score sheet of a training session. The
rows are read here; each is saved through ``services`` (the rules live there)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.audit import audit_context
from accounts.pii import blind_index_candidates, mask_phone
from regions.models import region_subtree
from reports.spreadsheets.fields import Field, ParsedRow, SpreadsheetImport
from reports.spreadsheets.reader import run_import

from . import services
from .models import StaffMember, TrainingRecord, TrainingSession


class ScoreImport(SpreadsheetImport):
    """Attendance and scores of one session. People are matched to staff by name, and by phone
    when the name is not unique; unknown or ambiguous people are errors of their row."""

    # 姓名 and the three results are the sheet; 手机号 (to tell namesakes apart) and 证书编号
    # are optional columns, and a sheet without 证书编号 keeps the certificates on file.
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
        ),
        Field(
            "practical_score",
            "实操成绩",
            aliases=("实操考核", "实操", "practical"),
            kind="decimal",
            required=False,
            column_required=True,
        ),
        Field("certificate_number", "证书编号", aliases=("证书号", "certificate"), required=False),
    ]

    ATTENDED = {"是", "出勤", "到", "√", "✓", "y", "yes", "1", "true"}
    ABSENT = {"否", "缺勤", "未到", "缺", "×", "n", "no", "0", "false"}

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
