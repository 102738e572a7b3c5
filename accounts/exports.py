"""Excel exports of accounts' lists (official Chinese headings)."""

from django.utils import timezone

from accounts import audit_display
from reports.exporting import ExportDefinition
from reports.spreadsheets.writer import Column


def _local(value):
    return timezone.localtime(value) if value else None


ORGANIZATIONS = ExportDefinition(
    filename="单位名录",
    sheet_name="单位名录",
    select_related=("region",),
    columns=[
        Column("单位名称", "name", width=36),
        Column("单位类型", lambda o: o.get_kind_display(), width=18),
        Column("统一社会信用代码", "credit_code", width=22),
        Column("所属区划", "region.name", width=16),
        Column("区划代码", "region.code", width=14),
        Column("地址", "address", width=36),
        Column("联系人", "contact_person", width=12),
        Column("联系电话", "contact_phone", width=16),
        Column("物业管理资质", "has_property_licence", width=12),
        Column("有效", "is_active", width=8),
        Column("登记时间", lambda o: _local(o.created_at), number_format="yyyy-mm-dd hh:mm", width=18),
    ],
)

MEMBERSHIPS = ExportDefinition(
    filename="成员名单",
    sheet_name="成员名单",
    select_related=("user", "organization__region"),
    columns=[
        Column("账号", "user.username", width=16),
        Column("姓名", "user.name", width=12),
        Column("单位", "organization.name", width=36),
        Column("所属区划", "organization.region.name", width=16),
        Column("角色", lambda m: m.get_role_display(), width=14),
        Column("有效", "is_active", width=8),
        Column("加入时间", lambda m: _local(m.created_at), number_format="yyyy-mm-dd hh:mm", width=18),
    ],
)

AUDIT_ENTRIES = ExportDefinition(
    filename="审计日志",
    sheet_name="审计日志",
    select_related=("content_type",),
    columns=[
        Column("时间", lambda e: _local(e.at), number_format="yyyy-mm-dd hh:mm:ss", width=20),
        Column("操作人", "actor_repr", width=16),
        Column("渠道", lambda e: e.get_channel_display(), width=10),
        Column("操作", audit_display.action_label, width=20),
        Column("对象类型", lambda e: e.content_type.name if e.content_type else "", width=16),
        Column("对象编号", "object_id", width=10),
        Column("对象", "object_repr", width=36),
        Column("变更", audit_display.changes_text, width=60),
        Column("备注", "note", width=30),
    ],
)

# API tokens: the prefix people recognise a token by, never its secret or its hash.
API_TOKENS = ExportDefinition(
    filename="API令牌",
    sheet_name="API令牌",
    select_related=("user",),
    columns=[
        Column("名称", "name", width=24),
        Column("账号", "user.username", width=16),
        Column("令牌前缀", "key_prefix", width=12),
        Column("只读", "read_only", width=8),
        Column("创建时间", lambda t: _local(t.created_at), number_format="yyyy-mm-dd hh:mm", width=18),
        Column("到期时间", lambda t: _local(t.expires_at), number_format="yyyy-mm-dd hh:mm", width=18),
        Column("最近使用", lambda t: _local(t.last_used_at), number_format="yyyy-mm-dd hh:mm", width=18),
        Column("撤销时间", lambda t: _local(t.revoked_at), number_format="yyyy-mm-dd hh:mm", width=18),
    ],
)
