"""Demo programmes for `load_demo`: 000's designated programme in 长宁 and a 001-style call with
applications in several states. Idempotent."""

import datetime as dt

from django.utils import timezone

from accounts.models import Organization, User

from . import services
from .models import (
    Application,
    ApplicationStatus,
    Milestone,
    Mode,
    Phase,
    PhaseKind,
    Pilot,
    Programme,
    ProgrammeQuota,
)

FORM = {
    "site_address": "华阳路 388 弄",
    "unit_introduction": "成立于 2008 年的物业服务企业，在管小区 12 个，常驻社区、响应快速。",
    "project_lead": "王经理",
    "phone": "021-62000000",
    "background": "小区 60 岁以上老年人 1,200 人，其中独居 86 人；已开展助餐和上门维修。",
    "goals": "建设一个服务站，开展助餐、助洁、助浴、助医、助安、助行服务。",
    "execution_plan": "4 月完成场地改造和“三员”培训，8 月底前站点运营，每月开展一次宣传活动。",
    "guarantee_premises": "小区会所一层 120 平方米。",
    "guarantee_resources": "社区卫生服务中心、志愿者团队。",
    "guarantee_staff": "专职 4 人、兼职 6 人。",
    "guarantee_funds": "企业自筹 20 万元。",
}


def load(stdout=None):
    bureau = Organization.objects.get(name="长宁区民政局")
    officer = User.objects.get(username="cn_civil")
    street_officer = User.objects.get(username="cn_street")
    company = Organization.objects.filter(name__startswith="上海虹馨物业").first()
    company_user = User.objects.get(username="company_admin")
    year = timezone.localdate().year
    today = timezone.localdate()

    designated, created = Programme.objects.get_or_create(
        title="长宁区“物业服务+养老服务”试点工作方案",
        defaults={
            "document_number": "长民〔2025〕6号",
            "mode": Mode.DESIGNATED,
            "region": bureau.region,
            "announced_at": timezone.now(),
            "list_published_at": timezone.now(),
            "description": "在全区 10 个街镇开展试点，由区民政局会同区房管局确定试点物业服务企业。",
        },
    )
    if created:
        designated.issuers.add(bureau, *Organization.objects.filter(name="长宁区房屋管理局"))
        ProgrammeQuota.objects.create(programme=designated, pilot_type="property_care", quota=10)
        for kind, start, end in [
            (PhaseKind.PREPARATION, (4, 1), (7, 31)),
            (PhaseKind.IMPLEMENTATION, (8, 1), (9, 30)),
            (PhaseKind.SUMMARY, (10, 1), (12, 31)),
        ]:
            Phase.objects.create(
                programme=designated, kind=kind, starts_on=dt.date(year, *start), ends_on=dt.date(year, *end)
            )
        for phase, name, due, evidence in [
            (PhaseKind.PREPARATION, "“三员”完成岗前培训和考核", (7, 31), "培训签到表和考核成绩"),
            (PhaseKind.PREPARATION, "按样张完成“五清单”", (7, 31), "五张清单定稿"),
            (
                PhaseKind.IMPLEMENTATION,
                "服务站 8 月底前运营并公示开放时间",
                (8, 31),
                "站点照片和开放时间公示",
            ),
            (PhaseKind.IMPLEMENTATION, "每站每月至少开展一次宣传活动", (9, 30), "活动照片和签到表"),
            (PhaseKind.SUMMARY, "评估和满意度调查", (12, 10), "评估报告和问卷统计"),
        ]:
            Milestone.objects.create(
                programme=designated, phase=phase, name=name, due_on=dt.date(year, *due), evidence=evidence
            )
        pilot = services.designate_pilot(
            designated,
            by=officer,
            organization=company,
            pilot_type="property_care",
            site_region=company.region,
            site_address="华阳路 388 弄",
        )
        # reported to the city as a demonstration project (002 附件2)
        services.set_demonstration(pilot, by=officer, value=True)

    call, created = Programme.objects.get_or_create(
        title="关于征集居家社区养老服务改革试点的通知（演示）",
        defaults={
            "document_number": "长民〔2026〕1号",
            "mode": Mode.CALL,
            "region": bureau.region,
            "announced_at": timezone.now(),
            "description": "征集“物业服务+养老服务”试点、互助式养老服务试点各 2-3 个。",
        },
    )
    if created:
        call.issuers.add(bureau)
        ProgrammeQuota.objects.create(programme=call, pilot_type="property_care", quota=3)
        ProgrammeQuota.objects.create(programme=call, pilot_type="mutual_aid", quota=3)
        Phase.objects.create(
            programme=call,
            kind=PhaseKind.APPLICATION,
            starts_on=today - dt.timedelta(days=7),
            ends_on=today + dt.timedelta(days=30),
        )
        Phase.objects.create(
            programme=call,
            kind=PhaseKind.REVIEW,
            starts_on=today + dt.timedelta(days=31),
            ends_on=today + dt.timedelta(days=36),
        )
        Phase.objects.create(
            programme=call,
            kind=PhaseKind.IMPLEMENTATION,
            starts_on=today + dt.timedelta(days=37),
            ends_on=today + dt.timedelta(days=180),
        )
        Phase.objects.create(
            programme=call,
            kind=PhaseKind.SUMMARY,
            starts_on=today + dt.timedelta(days=181),
            ends_on=today + dt.timedelta(days=250),
        )
        # Applications in several states, so every screen has something to show.
        submitted = services.create_application(
            by=company_user,
            programme=call,
            organization=company,
            pilot_type="property_care",
            site_region=company.region,
            **FORM,
        )
        services.transition(submitted, "submit", by=company_user)
        other = Organization.objects.filter(name__startswith="上海仙霞颐居").first()
        draft = services.create_application(
            by=officer,
            programme=call,
            organization=other,
            pilot_type="property_care",
            site_region=other.region,
            **{**FORM, "site_address": "仙霞路 99 弄"},
        )
        recommended = services.create_application(
            by=company_user,
            programme=call,
            organization=company,
            pilot_type="mutual_aid",
            site_region=company.region,
            **FORM,
        )
        services.transition(recommended, "submit", by=company_user)
        services.transition(recommended, "recommend", by=street_officer, text="同意推荐。")
        del draft
    counts = {
        status.label: Application.objects.filter(programme=call, status=status).count()
        for status in ApplicationStatus
    }
    return {"programmes": Programme.objects.count(), "pilots": Pilot.objects.count(), "applications": counts}
