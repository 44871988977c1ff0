"""The frame and roster workbooks: templates and all-or-nothing imports.

Both follow rounds/imports.py: the whole file is read and every row checked first
(``read_table``), cross-row checks follow, and only a clean file is written, in one
transaction. The outcome stays on the ``rounds.ImportBatch``.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from monitoring_site import cells
from monitoring_site.difference import difference
from monitoring_site.spreadsheets import (
    Column,
    RowError,
    SpreadsheetError,
    clean_cell,
    new_workbook,
    parse_row,
    read_table,
    workbook_bytes,
    write_sheet,
)
from rounds.imports import batch_finish, batch_hold
from rounds.models import ImportBatch, School, grade_label

from .models import RosterEntry, RosterUpload, SampledSchool, SamplingPlan, Sex, StudentDraw
from .services import SamplingError, frame_update, plan_for

FRAME_IMPORT_KIND = "sampling_frame"
ROSTER_IMPORT_KIND = "sampling_roster"
MAX_FRAME_ROWS = 5000
MAX_ROSTER_ROWS = 6000
STUDENT_NUMBER = re.compile(r"[A-Z]?[0-9]{17}[0-9X]")  # 学籍号: G/L/J + 18-character ID number
# Age on the first test day a pupil of the grade can plausibly have.
AGE_RANGE = {4: (8, 13), 8: (12, 18)}


def frame_columns() -> list[Column]:
    return [
        Column("学校标识码", "code", parse=cells.school_code, width=16, example="3623270001", synonyms=cells.SCHOOL_CODE_SYNONYMS),
        Column("学校名称", "name", required=False, parse=cells.as_text, width=30, synonyms=cells.SCHOOL_NAME_SYNONYMS, text=True),
        Column("四年级学生数", "grade4", parse=cells.whole_number(0, 5000), width=14, synonyms=("四年级人数", "4年级学生数", "4年级人数")),
        Column("八年级学生数", "grade8", parse=cells.whole_number(0, 5000), width=14, synonyms=("八年级人数", "8年级学生数", "8年级人数")),
    ]


def frame_template_bytes(*, frame_schools) -> bytes:
    workbook = new_workbook()
    rows = [(fs.school.code, fs.school.name, fs.grade4, fs.grade8) for fs in frame_schools]
    write_sheet(workbook, title="抽样框", columns=frame_columns(), rows=rows)
    return workbook_bytes(workbook)


def frame_import_run(*, batch_id: int, round_id: int) -> ImportBatch:
    from rounds.models import Round

    batch = ImportBatch.objects.select_related("county").get(pk=batch_id)
    if batch.is_finished or batch.status == ImportBatch.Status.AWAITING:
        return batch
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING, progress=10)
    rnd = Round.objects.get(pk=round_id, county=batch.county)
    with batch.file.open("rb") as handle:
        data = handle.read()
    try:
        table = read_table(data, name=batch.original_name, columns=frame_columns(), max_rows=MAX_FRAME_ROWS)
    except SpreadsheetError as exc:
        return batch_finish(batch, errors=[RowError(0, "", str(exc))])
    errors = list(table.errors)
    schools = {s.code: s for s in School.objects.filter(county=batch.county, code__in=[v["code"] for _n, v in table.rows if v["code"]])}
    seen: dict[str, int] = {}
    enrolments: dict[int, tuple[int, int]] = {}
    for number, values in table.rows:
        code = values["code"]
        if code is None:
            continue
        if code in seen:
            errors.append(
                RowError(number, "学校标识码", _("Code %(code)s already appears in row %(row)s.") % {"code": code, "row": seen[code]})
            )
            continue
        seen[code] = number
        school = schools.get(code)
        if school is None:
            errors.append(
                RowError(number, "学校标识码", _("No school of this county has the code %(code)s; register it first.") % {"code": code})
            )
            continue
        for grade, header in ((4, "四年级学生数"), (8, "八年级学生数")):
            holds = school.has_grade4 if grade == 4 else school.has_grade8
            if values[f"grade{grade}"] and not holds:
                errors.append(
                    RowError(
                        number,
                        header,
                        _("%(school)s (%(type)s) has no %(grade)s; leave 0.")
                        % {"school": school.name, "type": school.get_school_type_display(), "grade": grade_label(grade)},
                    )
                )
        enrolments[school.pk] = (values["grade4"] or 0, values["grade8"] or 0)
    if errors:
        return batch_finish(batch, errors=errors, notes=table.notes, rows_total=len(table.rows))
    try:
        with transaction.atomic():
            plan = SamplingPlan.objects.select_for_update().get(pk=plan_for(rnd).pk)
            diff = difference(current=_frame_in_use(plan, enrolments), new=_frame_rows(schools, enrolments))
            if batch_hold(batch, diff=diff, notes=table.notes, rows_total=len(table.rows)):
                return batch
            created, updated = frame_update(rnd=rnd, enrolments=enrolments, user=batch.decided_by or batch.uploaded_by)
    except SamplingError as exc:
        return batch_finish(batch, errors=[RowError(0, "", str(exc))], notes=table.notes, rows_total=len(table.rows))
    return batch_finish(batch, errors=[], notes=table.notes, rows_total=len(table.rows), created=created, updated=updated)


FRAME_GRADE_HEADERS = ("四年级学生数", "八年级学生数")


def _frame_in_use(plan: SamplingPlan, enrolments: dict[int, tuple[int, int]]) -> dict[str, dict[str, int | None]]:
    """The frame's enrolments of the file's schools (the import never takes a school out). An
    enrolment of 0 counts as none: the frame built from the registry holds 0 until imported."""
    query = plan.schools.filter(school_id__in=enrolments).values_list("school__code", "grade4", "grade8")
    return {code: dict(zip(FRAME_GRADE_HEADERS, (g4 or None, g8 or None), strict=True)) for code, g4, g8 in query}


def _frame_rows(schools: dict[str, School], enrolments: dict[int, tuple[int, int]]) -> dict[str, dict[str, int | None]]:
    codes = {s.pk: code for code, s in schools.items()}
    return {codes[pk]: dict(zip(FRAME_GRADE_HEADERS, (g4 or None, g8 or None), strict=True)) for pk, (g4, g8) in enrolments.items()}


# --- rosters ---------------------------------------------------------------------------

SEX_LABELS = {"男": Sex.MALE, "女": Sex.FEMALE, "M": Sex.MALE, "F": Sex.FEMALE}
GRADE_LABELS = {"4": 4, "四": 4, "四年级": 4, "8": 8, "八": 8, "八年级": 8, "初二": 8}


def _sex(value) -> str:
    text = cells.as_text(value).upper()
    if text not in SEX_LABELS:
        raise ValueError(_("“%(value)s” is not 男 or 女.") % {"value": value})
    return SEX_LABELS[text]


def _grade(value) -> int:
    text = cells.as_text(value)
    if text not in GRADE_LABELS:
        raise ValueError(_("“%(value)s” is not a grade (4 or 8).") % {"value": value})
    return GRADE_LABELS[text]


def _student_number(value) -> str:
    text = cells.as_text(value).upper().replace(" ", "")
    if not STUDENT_NUMBER.fullmatch(text):
        raise ValueError(
            _("“%(value)s” is not a student number (学籍号): a letter and 18 characters, e.g. G360101201609010012.") % {"value": value}
        )
    return text


def roster_columns() -> list[Column]:
    return [
        Column("姓名", "name", parse=cells.text(40), width=12, example="张小明", synonyms=("学生姓名",), text=True),
        Column("性别", "sex", parse=_sex, choices=["男", "女"], width=8),
        Column("出生日期", "birth_date", parse=cells.calendar_date, width=14, example="2016-09-01", synonyms=("出生年月日", "生日")),
        Column("年级", "grade", parse=_grade, width=8),
        Column("班级", "class_name", required=False, parse=cells.text(30), width=12, synonyms=("班别", "班号"), text=True),
        Column("学籍号", "student_number", parse=_student_number, width=24, synonyms=("全国学籍号", "学生学籍号", "学籍编号")),
    ]


def roster_template_bytes(*, grade: int) -> bytes:
    workbook = new_workbook()
    write_sheet(workbook, title=f"{grade}年级名册", columns=roster_columns())
    return workbook_bytes(workbook)


def roster_row_errors(*, sampled: SampledSchool, rows) -> list[RowError]:
    """Checks across rows and against the school: grade, plausible age, duplicates."""
    errors: list[RowError] = []
    low, high = AGE_RANGE[sampled.grade]
    test_day = sampled.round.test_start
    numbers: dict[str, int] = {}
    people: dict[tuple, int] = {}
    for number, values in rows:
        if values.get("grade") is not None and values["grade"] != sampled.grade:
            errors.append(
                RowError(
                    number,
                    "年级",
                    _("This is a %(grade)s roster; the row is for %(other)s.")
                    % {"grade": grade_label(sampled.grade), "other": grade_label(values["grade"])},
                )
            )
        born = values.get("birth_date")
        if born is not None:
            age = test_day.year - born.year - ((test_day.month, test_day.day) < (born.month, born.day))
            if not low <= age <= high:
                errors.append(
                    RowError(
                        number,
                        "出生日期",
                        _("A pupil born on %(date)s would be %(age)s on the test day; %(grade)s pupils are %(low)s to %(high)s.")
                        % {"date": born.isoformat(), "age": age, "grade": grade_label(sampled.grade), "low": low, "high": high},
                    )
                )
        code = values.get("student_number")
        if code is not None:
            if code in numbers:
                errors.append(
                    RowError(
                        number,
                        "学籍号",
                        _("Student number %(code)s already appears in row %(row)s.") % {"code": code, "row": numbers[code]},
                    )
                )
            else:
                numbers[code] = number
        key = (values.get("name"), born)
        if None not in key:
            if key in people:
                errors.append(
                    RowError(number, "姓名", _("The same name and date of birth already appear in row %(row)s.") % {"row": people[key]})
                )
            else:
                people[key] = number
    return errors


def roster_import_run(*, batch_id: int) -> ImportBatch:
    from .students import roster_replace

    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.is_finished or batch.status == ImportBatch.Status.AWAITING:
        return batch
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING, progress=10)
    sampled = RosterUpload.objects.select_related("sampled_school__round").get(batch=batch).sampled_school
    with batch.file.open("rb") as handle:
        data = handle.read()
    try:
        table = read_table(data, name=batch.original_name, columns=roster_columns(), max_rows=MAX_ROSTER_ROWS)
    except SpreadsheetError as exc:
        return batch_finish(batch, errors=[RowError(0, "", str(exc))])
    errors = list(table.errors) + roster_row_errors(sampled=sampled, rows=table.rows)
    if errors:
        return batch_finish(batch, errors=errors, notes=table.notes, rows_total=len(table.rows))
    rows = [v for _n, v in table.rows]
    try:
        with transaction.atomic():
            SampledSchool.objects.select_for_update().filter(pk=sampled.pk).first()
            diff = difference(current=_roster_in_use(sampled), new=_roster_rows(rows))
            warning = ""
            if StudentDraw.objects.filter(sampled_school=sampled, confirmed_at__isnull=True).exists():
                warning = _("The students of this school are drawn but not confirmed: the new roster discards that draw.")
            if batch_hold(batch, diff=diff, notes=table.notes, rows_total=len(rows), warning=warning):
                return batch
            roster = roster_replace(sampled=sampled, rows=rows, user=batch.decided_by or batch.uploaded_by)
    except SamplingError as exc:
        return batch_finish(batch, errors=[RowError(0, "", str(exc))], notes=table.notes, rows_total=len(table.rows))
    return batch_finish(batch, errors=[], notes=table.notes, rows_total=len(table.rows), created=roster.size)


ROSTER_HEADERS = {"name": "姓名", "sex": "性别", "birth_date": "出生日期", "class_name": "班级"}


def _roster_in_use(sampled: SampledSchool) -> dict[str, dict]:
    """The roster held now, by student number (学籍号)."""
    query = RosterEntry.objects.filter(roster__sampled_school=sampled).values("student_number", *ROSTER_HEADERS)
    return {e["student_number"]: {h: e[f] for f, h in ROSTER_HEADERS.items()} for e in query}


def _roster_rows(rows: list[dict]) -> dict[str, dict]:
    return {r["student_number"]: {h: r.get(f) for f, h in ROSTER_HEADERS.items()} for r in rows}


def parse_typed_roster(text: str) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """The typed-in roster: one pupil a line, fields separated by tabs, commas or spaces,
    in the template's order (name, sex, date of birth, grade, class, student number)."""
    columns = roster_columns()
    rows: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[\t,，]+|\s{1,}", line.strip())]
        if len(parts) != len(columns):
            errors.append(
                RowError(
                    number,
                    "",
                    _("Expected %(n)s fields (name, sex, date of birth, grade, class, student number); found %(found)s.")
                    % {"n": len(columns), "found": len(parts)},
                )
            )
            continue
        typed = {c.field: (None if p in ("", "-") else clean_cell(p, text=c.text)) for c, p in zip(columns, parts, strict=True)}
        rows.append((number, parse_row(number, typed, columns, errors)))
    if not rows and not errors:
        errors.append(RowError(0, "", _("Type at least one pupil.")))
    return rows, errors


def roster_as_text(entries, *, grade: int) -> str:
    sex = {Sex.MALE: "男", Sex.FEMALE: "女"}
    return "\n".join(
        "\t".join([e.name, sex[e.sex], e.birth_date.isoformat(), str(grade), e.class_name or "-", e.student_number]) for e in entries
    )
