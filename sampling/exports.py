"""The hand-out lists of a sampled school: the check-in workbook, seat labels, the notice."""

from __future__ import annotations

from monitoring_site.spreadsheets import Column, neutralise, new_workbook, workbook_bytes, write_sheet

from .models import NoticeNames, SampledSchool, Sex


def mask_name(name: str) -> str:
    """张小明 → 张*明, 李华 → 李*, 欧阳小明 → 欧**明: the first and last character stay."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def shown_name(name: str, mode: str) -> str:
    if mode == NoticeNames.FULL:
        return name
    if mode == NoticeNames.MASKED:
        return mask_name(name)
    return ""


def list_columns() -> list[Column]:
    return [
        Column("座位号", "seat", width=8),
        Column("监测编号", "monitoring_id", width=20),
        Column("姓名", "name", width=12),
        Column("性别", "sex", width=6),
        Column("班级", "class_name", width=12),
        Column("学籍号", "student_number", width=24),
        Column("体育免测", "pe_exempt", width=10),
        Column("排除", "exclusion", width=16),
        Column("签到", "sign", width=14),
    ]


def student_list_bytes(*, sampled: SampledSchool) -> bytes:
    sex: dict[str, str] = {Sex.MALE: "男", Sex.FEMALE: "女"}
    exclusion = {"functional": "功能性障碍", "intellectual": "智力或情绪障碍", "language": "语言能力有限", "left": "已离校"}
    rows = [
        (
            seat,
            s.monitoring_id,
            s.name,
            sex.get(s.sex, ""),
            s.class_name,
            s.student_number,
            "是" if s.pe_exempt else "",
            exclusion.get(s.exclusion, ""),
            "",
        )
        for seat, s in enumerate(sampled.students.order_by("monitoring_id"), start=1)
    ]
    workbook = new_workbook()
    sheet = write_sheet(workbook, title=f"{sampled.grade}年级样本学生", columns=list_columns(), rows=rows)
    sheet.insert_rows(1)
    # The title carries a typed school name: neutralised like every cell.
    sheet["A1"] = neutralise(f"{sampled.school.name} {sampled.round.year}年 {sampled.grade}年级 样本学生名单（内部资料 注意保密）")
    return workbook_bytes(workbook)


def seats(*, sampled: SampledSchool, mode: str) -> list[dict]:
    """Taking-part students in monitoring-ID order with their seat numbers (excluded ones left out)."""
    students = sampled.students.filter(exclusion="").order_by("monitoring_id")
    return [
        {"seat": n, "monitoring_id": s.monitoring_id, "name": shown_name(s.name, mode), "pe_exempt": s.pe_exempt}
        for n, s in enumerate(students, start=1)
    ]
