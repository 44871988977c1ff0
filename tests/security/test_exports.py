"""Every spreadsheet the project hands out neutralises text a spreadsheet would run as a formula.

Text starting with =, +, -, @ typed by anyone (a school's name, a student's name, a question's
label, a goal) must reach the file as text, never as a formula. Each export below is
downloaded after such text was put into the data it shows, and every cell of every sheet is
read back with openpyxl. Some exports are checked in their app's tests with data of their
own (named in ELSEWHERE); the first test keeps the list of exports complete.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from monitoring_site.spreadsheets import FORMULA_PREFIXES
from questionnaires.models import Instrument, Item
from rounds.models import Stage
from sampling import services as sampling_services
from tests.security.test_url_matrix import url_patterns

SCHOOL = '=HYPERLINK("http://evil.example/","甲小学")'
STUDENT = "+86 1380000"
CLASS = "-1班"
LABEL = "@SUM(1,2)"

ELSEWHERE = {
    "readiness_export": "tests/logistics/test_readiness.py::test_the_export_neutralises_formulas",
    "rectification_export": "tests/rectification/test_views.py::test_the_export_neutralises_formulas",
    "instrument_export": "tests/questionnaires/test_paper_and_export.py::test_the_export_has_a_codebook_and_neutralised_data",
    "region_rollup_export": "tests/regions/test_rollup.py::test_the_export_neutralises_formula_text",
    "verification_workbook": "tests/questionnaires/test_double_entry_workbook.py::test_the_workbook_neutralises_formula_text",
    "results_verification_workbook": "tests/results/test_double_entry.py::test_the_second_workbook_has_no_formula_cells",
}

# URL name → (kwargs from the fixture, payloads that must be found neutralised in the file)
HERE = {
    "school_template": (lambda x: {}, []),
    "frame_template": (lambda x: {"pk": x.rnd.pk}, [SCHOOL]),
    "student_list_xlsx": (lambda x: {"pk": x.ss_a.pk}, [STUDENT, CLASS]),
    "roster_template": (lambda x: {"pk": x.ss_a.pk}, []),
    "results_template": (lambda x: {"pk": x.rnd.pk, "kind": "pe"}, []),
    "instrument_template": (lambda x: {"pk": x.rnd.pk}, []),
    "instrument_definition": (lambda x: {"pk": x.instrument.pk}, [LABEL]),
    "paper_template": (lambda x: {"pk": x.instrument.pk}, [LABEL]),
}


def test_every_file_export_of_the_project_is_checked():
    exports = {name for _ns, name, route in url_patterns() if route.endswith((".xlsx", ".csv")) or (name or "").endswith("_export")}
    assert exports == set(HERE) | set(ELSEWHERE), f"exports not checked for formula cells: {sorted(exports - set(HERE) - set(ELSEWHERE))}"


@pytest.fixture
def x(qworld):
    """The questionnaires' world with formula-like text in a school, a student and a question."""
    world = qworld.world
    world.school_a.name = SCHOOL
    world.school_a.save()
    qworld.ss_a.students.update(name=STUDENT, class_name=CLASS)
    qworld.instrument = Instrument.objects.filter(round=qworld.rnd).order_by("pk").first()
    Item.objects.filter(pk=qworld.instrument.items.order_by("pk").first().pk).update(label=LABEL)
    qworld.rnd.stage = Stage.SAMPLING
    qworld.rnd.save()
    sampling_services.frame_build(rnd=qworld.rnd, user=world.staff)
    return qworld


def formula_cells(data: bytes) -> tuple[list[str], list[str]]:
    """(cells a spreadsheet would run as a formula, every text cell) of every sheet."""
    workbook = load_workbook(io.BytesIO(data))
    dangerous, texts = [], []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES)):
                    dangerous.append(f"{sheet.title}!{cell.coordinate}={cell.value!r}")
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return dangerous, texts


@pytest.mark.parametrize("name", sorted(HERE))
def test_the_export_neutralises_formula_text(client, x, name):
    kwargs, payloads = HERE[name]
    client.force_login(x.world.staff)
    response = client.get(reverse(name, kwargs=kwargs(x)))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    dangerous, texts = formula_cells(content)
    assert not dangerous, f"{name}: {dangerous}"
    for payload in payloads:
        assert "'" + payload in texts, f"{name}: the seeded {payload!r} is not in the file"
