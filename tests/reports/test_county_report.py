"""The county diagnostic report: real text with the numbers worked out here from the data the
test created, no ranking, plain words when data is missing, and the same result twice."""

import math

from rounds.documents import document_build_run
from rounds.models import Document

from .helpers import RANKING, build, pdf_text


def _weighted_mean_and_jk1_se(world):
    """Σw·y/Σw, and JK1 over schools: drop one school, V = (k−1)/k · Σ(θ₍ⱼ₎ − θ)²."""
    rows = [(s.sampled_school_id, s.final_weight, score) for s, score in zip(world.students, world.scores, strict=True)]
    mean = sum(w * y for _s, w, y in rows) / sum(w for _s, w, _y in rows)
    schools = sorted({s for s, _w, _y in rows})
    k = len(schools)
    replicates = []
    for dropped in schools:
        kept = [(w, y) for s, w, y in rows if s != dropped]
        replicates.append(sum(w * y for w, y in kept) / sum(w for w, _y in kept))
    se = math.sqrt((k - 1) / k * sum((r - mean) ** 2 for r in replicates))
    return mean, se


def test_the_report_shows_its_headings_and_the_county_mean_with_its_se(report_world):
    document = build(report_world, "county_report")
    assert document.status == Document.Status.DONE, document.error
    text = pdf_text(document)
    for heading in ["内部资料", "注意保密", "目录", "一、主要发现", "二、样本与参测情况", "三、各学科领域学业表现",
                    "四、体育与健康指标", "五、相关因素", "六、问题清单及依据", "七、方法说明", "青山县"]:  # fmt: skip
        assert heading in text, heading
    mean, se = _weighted_mean_and_jk1_se(report_world)
    assert f"{mean:.1f}" in text and f"{se:.1f}" in text, (mean, se)
    assert f"{mean:.1f}（{se:.1f}）" in text or f"{mean:.1f}({se:.1f})" in text
    assert "全县加权平均分为" in text
    assert document.pages >= 5 and document.size < 2_000_000


def test_the_report_draws_its_charts_as_vector_graphics(report_world):
    document = build(report_world, "county_report")
    with document.html.open("rb") as handle:
        html = handle.read().decode()
    assert html.count("<svg") >= 4 and "<img" not in html


def test_the_report_ranks_no_school_and_names_no_student(report_world):
    text = pdf_text(build(report_world, "county_report"))
    assert not RANKING.search(text)
    for student in report_world.students:
        assert student.name not in text


def test_missing_results_are_said_plainly(world):
    document = build(world, "county_report")
    assert document.status == Document.Status.DONE, document.error
    text = pdf_text(document)
    assert "本轮监测成绩尚未导入" in text and "体质健康测试数据尚未导入" in text and "本轮暂无问卷指标数据" in text


def test_building_twice_gives_no_duplicate_and_the_same_data_version(report_world):
    first = build(report_world, "county_report")
    again = document_build_run(document_id=first.pk)  # the job delivered a second time
    assert again.pk == first.pk and again.pdf.name == first.pdf.name
    assert Document.objects.filter(kind="county_report").count() == 1
    second = build(report_world, "county_report")
    assert second.data_version == first.data_version
