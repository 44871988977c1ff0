"""The hand-worked example of the slice, loaded through the real import.

School A (urban, every student weight 10): scores 400, 500, 600, 700 (F, M, F, M)
School B (town,  every student weight 30): scores 300, 400, 500, 600 (F, M, F, M)
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from results.services import result_import_start

from .factories import PE_HEADER, SCORE_HEADER, xlsx_bytes

SCORES = [400, 500, 600, 700, 300, 400, 500, 600]


def import_file(world, capture, data, *, name="f.xlsx", kind="scores", domain="math"):
    with capture(execute=True):
        ri = result_import_start(
            rnd=world.round,
            kind=kind,
            domain=domain,
            upload=SimpleUploadedFile(name, data),
            user=world.staff,
            language="en",
        )
    ri.refresh_from_db()
    return ri


def load_scores(world, capture):
    rows = [(s.monitoring_id, "数学", "", score) for s, score in zip(world.students, SCORES, strict=True)]
    return import_file(world, capture, xlsx_bytes(rows, header=SCORE_HEADER))


# BMI = weight / (1.4 m)² = weight / 1.96: 35.3 kg → 18.0 normal; 44.5 kg → 22.7, obese for boys
# (≥ 22.7) and girls (≥ 22.1); 27.4 kg → 14.0, low weight for boys (≤ 14.1).
PE_ROWS = [
    (35.3, 5.0, 5.1),
    (44.5, 4.8, 5.0),
    (35.3, 5.0, 5.0),
    (27.4, 5.1, 5.2),
    (35.3, 4.6, 4.9),
    (35.3, 5.0, 5.0),
    (44.5, 5.0, 5.0),
    (35.3, 5.2, 5.2),
]


def load_pe(world, capture):
    rows = [
        (s.monitoring_id, "", 140, w, left, right, 1800, 9.5, 8, 120) for s, (w, left, right) in zip(world.students, PE_ROWS, strict=True)
    ]
    return import_file(world, capture, xlsx_bytes(rows, header=PE_HEADER), kind="pe", domain="")
