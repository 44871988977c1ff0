"""The county report states each paper batch's double entry against the goal of at most 1 %."""

from monitoring_site.roles import Role
from questionnaires.models import Disagreement
from questionnaires.verification import disagreement_decide, double_entry_summary, second_entry_save

from ..factories import PersonFactory
from ..reports.helpers import build, pdf_text
from .double_entry import checked, entered_sample


def test_the_county_report_states_the_rate_by_enterer_and_the_flag(qworld):
    world = qworld.world
    uploader = PersonFactory(county=world.county, role=Role.COUNTY_STAFF, user__username="uploader", user__first_name="李首录").user
    paper = entered_sample(rnd=qworld.rnd, uploader=uploader)
    assert [c.status for c in double_entry_summary(rnd=qworld.rnd)] == ["open"]
    second_entry_save(form=paper.waiting, values=checked(paper), user=paper.third)
    disagreement_decide(disagreement=Disagreement.objects.get(), choice="first", user=world.staff)
    [check] = double_entry_summary(rnd=qworld.rnd)
    assert check.status == "flagged"  # 1 of 28 fields: 3.57 %
    text = pdf_text(build(world, "county_report"))
    assert "二次录入" in text
    assert "2/2" in text and "3.57%" in text
    assert "未达到：需全部二次录入；未用于本报告" in text
    assert "首次录入:李首录" in text
