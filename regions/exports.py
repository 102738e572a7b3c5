from reports.exporting import ExportDefinition
from reports.spreadsheets.writer import Column

REGIONS = ExportDefinition(
    filename="行政区划",
    sheet_name="行政区划",
    select_related=("parent",),
    columns=[
        Column("区划代码", "code", width=14),
        Column("名称", "name", width=20),
        Column("级别", lambda r: r.get_level_display(), width=14),
        Column("上级区划代码", "parent.code", width=14),
        Column("上级区划", "parent.name", width=20),
    ],
)
