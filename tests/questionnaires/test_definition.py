"""Definitions: the shipped instruments are clean; bad rows are refused with the row named."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from questionnaires.defaults import KINDS, default_definition
from questionnaires.definition import COLUMNS, parse_rows
from questionnaires.exports import definition_bytes
from questionnaires.imports import definition_read
from questionnaires.models import Instrument


def rows(*specs):
    return [(n, spec) for n, spec in enumerate(specs, start=2)]


def test_every_default_instrument_is_clean_and_covers_its_factors():
    codes = {}
    for kind in KINDS:
        _meta, definition = default_definition(kind)
        codes[kind] = {i.code for i in definition.items} | {d.code for d in definition.indicators}
        assert definition.indicators, kind
    assert {
        "lessons_math",
        "homework_minutes",
        "sleep_hours",
        "pe_minutes",
        "screen_minutes",
    } <= codes["student"]
    assert {"training_hours", "training_forms", "training_time", "pe_warmup"} <= codes["teacher"]
    assert {"curriculum_full", "teachers_pe", "playground", "daily_pe_hour"} <= codes["principal"]
    assert {"results_use", "training_fund_share"} <= codes["county"]


def test_an_unknown_type_is_refused_with_its_row():
    _d, errors = parse_rows(
        rows(
            {"type": "section", "code": "s1", "label": "一"},
            {"type": "slider", "code": "q1", "label": "滑块"},
        )
    )
    assert [(e.row, e.column) for e in errors] == [(3, "类型")]
    assert "slider" in errors[0].message


def test_skip_logic_pointing_at_a_missing_item_is_refused_with_its_row():
    _d, errors = parse_rows(
        rows(
            {"type": "single", "code": "q1", "label": "是否", "choices": "1=是|2=否"},
            {"type": "number", "code": "q2", "label": "几小时", "show_if": "q9=1"},
        )
    )
    assert [(e.row, e.column) for e in errors] == [(3, "显示条件")]
    assert "q9" in errors[0].message


def test_duplicate_codes_are_refused_naming_both_rows():
    _d, errors = parse_rows(
        rows(
            {"type": "text", "code": "q1", "label": "一"},
            {"type": "text", "code": "q1", "label": "二"},
        )
    )
    assert [(e.row, e.column) for e in errors] == [(3, "编码")]
    assert "2" in errors[0].message


def test_other_faults_are_named_too():
    _d, errors = parse_rows(
        rows(
            {"type": "single", "code": "q1", "label": "无选项"},
            {"type": "number", "code": "q2", "label": "范围", "min": 10, "max": 1},
            {"type": "row", "code": "r1", "label": "孤立的矩阵行"},
            {"type": "indicator", "code": "i1", "label": "指标", "calculation": "nothing + 1"},
            {"type": "indicator", "code": "i2", "label": "指标", "calculation": "__import__('os')"},
        )
    )
    assert [e.row for e in errors] == [2, 3, 4, 5, 6]


def test_a_grid_shares_its_scale_and_condition_with_its_rows():
    definition, errors = parse_rows(
        rows(
            {"type": "single", "code": "pe", "label": "体育老师？", "choices": "1=是|2=否"},
            {
                "type": "grid",
                "code": "g",
                "label": "同意吗",
                "choices": "1=不同意|2=同意",
                "show_if": "pe=1",
            },
            {"type": "row", "code": "a", "label": "甲"},
            {"type": "row", "code": "b", "label": "乙"},
        )
    )
    assert errors == []
    a, b = definition.items[1:]
    assert a.choices == b.choices == [["1", "不同意"], ["2", "同意"]]
    assert (a.grid, a.show_if_item, a.show_if_values) == ("g", "pe", ["1"])


def _workbook(spec_rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([header for _f, header in COLUMNS])
    for spec in spec_rows:
        sheet.append([spec.get(field, "") for field, _h in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_definition_round_trips_through_its_spreadsheet(world):
    from questionnaires.services import instrument_install_defaults

    instrument_install_defaults(rnd=world.round, user=world.staff)
    for instrument in Instrument.objects.filter(round=world.round):
        definition, errors, _notes = definition_read(definition_bytes(instrument), name="d.xlsx")
        assert errors == [], errors
        original = list(instrument.items.values_list("code", "type", "choices", "show_if_item", "grid"))
        assert [(i.code, i.type, i.choices, i.show_if_item, i.grid) for i in definition.items] == original
        assert [d.calculation for d in definition.indicators] == list(instrument.indicators.values_list("calculation", flat=True))


@pytest.mark.django_db
def test_county_staff_upload_a_definition_and_see_its_preview(client, world):
    client.force_login(world.staff)
    data = _workbook(
        [
            {"type": "section", "code": "s1", "label": "睡眠"},
            {
                "type": "single",
                "code": "nap",
                "label": "午睡吗？",
                "choices": "1=是|2=否",
                "required": "是",
            },
            {
                "type": "number",
                "code": "nap_min",
                "label": "午睡几分钟？",
                "min": 0,
                "max": 120,
                "unit": "分钟",
                "show_if": "nap=1",
                "required": "是",
            },
        ]
    )
    response = client.post(
        reverse("instrument_upload", args=[world.round.pk]),
        {"kind": "student", "title": "睡眠小问卷", "file": _upload(data)},
    )
    assert response.status_code == 302
    instrument = Instrument.objects.get(round=world.round, title="睡眠小问卷")
    assert instrument.version == 1
    page = client.get(response["Location"]).content.decode()
    assert "午睡几分钟？" in page and 'data-show-if-item="nap"' in page


@pytest.mark.django_db
def test_a_bad_upload_lists_every_error_by_row_and_loads_nothing(client, world):
    client.force_login(world.staff)
    data = _workbook(
        [
            {"type": "single", "code": "q1", "label": "一", "choices": "1=是|2=否"},
            {"type": "dropdown", "code": "q2", "label": "二"},
            {"type": "text", "code": "q1", "label": "三"},
            {"type": "text", "code": "q4", "label": "四", "show_if": "q99=1"},
        ]
    )
    response = client.post(
        reverse("instrument_upload", args=[world.round.pk]),
        {"kind": "teacher", "title": "坏问卷", "file": _upload(data)},
    )
    assert response.status_code == 422
    assert [(e["row"], e["column"]) for e in response.context["errors"]] == [
        (3, "类型"),
        (4, "编码"),
        (5, "显示条件"),
    ]
    assert not Instrument.objects.filter(title="坏问卷").exists()
    from rounds.models import ImportBatch

    assert ImportBatch.objects.get(kind="questionnaire_definition").status == "failed"


def _upload(data: bytes, name="definition.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@pytest.mark.django_db
def test_the_template_download_is_a_loadable_definition(client, world):
    client.force_login(world.staff)
    response = client.get(reverse("instrument_template", args=[world.round.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [header for _f, header in COLUMNS]
