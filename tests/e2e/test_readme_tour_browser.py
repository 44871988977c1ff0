"""The README's "A five-minute tour", walked in real Chromium on the loaded demo as each account
it names: every step shows what the README says it shows (issue 15)."""

import io
import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from .conftest import follow, log_out, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "Jiance@2027"  # the README's
TOUR_SCHOOL = "塘头乡竹园小学"  # xuexiao1's
DRILL_SCHOOL = "松山乡下坊小学"  # the demo's mock drill and incident


@pytest.fixture
def demo(transactional_db):
    """The demo exactly as `make run` loads it, its documents built inline once it commits."""
    call_command("load_demo", stdout=io.StringIO())


def _main(page) -> str:
    return page.locator("main").inner_text()


def _nav(page, label: str) -> None:
    follow(page.locator("nav a.nav-link", has_text=label).first)


def _as(page, username: str) -> None:
    if page.url.startswith("http"):
        log_out(page)
    login(page, username, DEMO_PASSWORD)


def step_1_round_and_documents(page) -> None:
    assert "核验进展报告" in _main(page)  # 我的待办: progress reports to verify, with their due dates
    assert re.search(r"截止 \d{4}年\d{1,2}月\d{1,2}日", _main(page))
    _nav(page, "监测轮次")
    follow(page.locator("main a", has_text="青山县2026年监测").first)
    assert page.locator(".stage-steps li.current").inner_text().strip() == "整改"
    text = _main(page)
    for shown in ("数学、体育与健康、心理健康", "测试日程", "时间节点", "本阶段工作"):
        assert shown in text, shown
    follow(page.locator("main a", has_text="文件").first)
    rows = page.locator("tr[id^=document-]")
    letters = rows.filter(has_text="质量分析反馈")
    assert letters.count() == 20
    for title in ("实施安排", "区县诊断报告", "质量分析反馈"):
        row = rows.filter(has_text=title).first
        assert "已生成" in row.inner_text() and "王监测" in row.inner_text(), title
        assert row.locator("a", has_text="PDF").count() == 1 and row.locator("a", has_text="网页版").count() == 1
    report_pages = int(re.search(r"(\d+) 页", rows.filter(has_text="区县诊断报告").first.inner_text()).group(1))
    assert 12 <= report_pages <= 25  # "~17 pages"
    before = rows.filter(has_text="实施安排").count()
    page.locator("form[action$='/documents/request/'] button", has_text="实施安排").click()
    page.wait_for_url(re.compile(r"\?requested=\d+"))
    note = page.locator("#document-note")
    assert "已生成" in note.inner_text() and "正在生成" not in _main(page).replace("正在生成…", "")
    assert rows.filter(has_text="实施安排").count() == before + 1
    screenshot(page, "tour-1-documents")


def step_2_sample(page) -> None:
    _nav(page, "样本")
    text = _main(page)
    assert "四年级样本校" in text and "八年级样本校" in text and "20 所学校中已有 20 所报送名册" in text
    follow(page.locator("main a", has_text="查看抽样结果").first)
    text = _main(page)
    for shown in ("π", "权重", "替补校", "种子"):
        assert shown in text, shown
    page.go_back()
    follow(page.locator("main a", has_text=TOUR_SCHOOL).first)
    assert re.search(r"369901-\d{5}-\d{2}", _main(page))  # monitoring IDs
    assert page.locator("form[action*='/documents/']").count() == 3  # check-in list, seat labels, notice board
    screenshot(page, "tour-2-sample-school")


def step_3_readiness(page) -> None:
    _nav(page, "五室准备情况")
    text = _main(page)
    for status in ("填写中", "已提交", "已退回修改", "已通过", "已逾期"):
        assert status in text, status
    assert page.locator("main a", has_text="导出Excel").count() == 1
    assert page.locator("main form button", has_text="准备情况汇总（PDF）").count() == 1
    follow(page.locator("main a", has_text=DRILL_SCHOOL).first)
    assert "五室准备清单" in _main(page)
    follow(page.locator("main a", has_text=DRILL_SCHOOL).first)  # the school's page
    text = _main(page)
    for shown in ("模拟演练", "测试场次", "试卷袋保管交接", "异常事件", "%"):
        assert shown in text, shown
    assert "尚未登记模拟演练" not in text
    screenshot(page, "tour-3-school-logistics")


def step_4_questionnaires(page) -> None:
    _nav(page, "问卷填答进度")
    assert re.search(r"\d+/\d+ \(\d+%\)", _main(page))
    follow(page.locator("main a", has_text="问卷工具").first)
    assert page.locator("main tr", has_text="使用中").count() == 4  # the four default questionnaires
    follow(page.locator("main a", has_text="学生问卷").first)  # its preview
    assert "学生问卷" in page.locator("h1").first.inner_text()
    page.go_back()
    follow(page.locator("main a", has_text="访问码").first)
    assert page.locator("main a", has_text="访问码条").count() >= 20  # code slips to print, one set per school


def step_5_results(page) -> None:
    _nav(page, "全县监测结果")
    text = _main(page)
    for shown in ("加权估计值", "标准误", "刀切法", "差异系数", "水平Ⅳ"):
        assert shown in text, shown
    for tab in ("体育与健康", "相关因素"):
        assert page.locator("main a", has_text=tab).count() >= 1, tab
    _nav(page, "发现的问题")
    assert "校内体育活动时间不足" in _main(page)
    screenshot(page, "tour-5-findings")


def step_6_rectification(page) -> None:
    _nav(page, "整改总览")
    text = _main(page)
    for shown in ("未完成", "本周到期", "已逾期", "已销号", "整改时间轴"):
        assert shown in text, shown
    assert page.locator("main svg").count() >= 1
    assert page.locator("main form button", has_text="进展报告（PDF）").count() == 1
    follow(page.locator("main a", has_text="整改方案").first)
    assert re.search(r"第 ?\d+ ?版", _main(page))
    assert page.locator("main form button", has_text="方案（PDF）").count() == 1
    screenshot(page, "tour-6-plan")


def department_reports_progress(page) -> None:
    _nav(page, "整改总览")
    lead = page.locator("main table tr", has_text="教师发展中心（教研室）").filter(has_text="数学教师培训").first
    follow(lead.locator("a").first)
    assert page.locator("form[action$='/progress/']").count() == 1


def leader_reads_everything(page) -> None:
    for label in ("全县监测结果", "五室准备情况", "整改总览"):
        _nav(page, label)
        assert page.locator("main table").count() >= 1, label
    follow(page.locator("main a", has_text="整改方案").first)
    assert page.locator("form[action$='/plan/revise/'], form[action$='/plan/approve/']").count() == 0


def step_7_school_side(page) -> None:
    _nav(page, "我的样本校")
    text = _main(page)
    assert TOUR_SCHOOL in text and "北塘" not in text
    _nav(page, "五室准备情况")
    follow(page.locator("main a", has_text="打开").first)
    text = _main(page)
    assert "已退回修改" in text and "请补充保密室位置的门牌号" in text
    assert "测试准备、正式测试" in text  # why it can no longer be changed
    screenshot(page, "tour-7-returned-checklist")
    _nav(page, "问卷填答进度")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1 and TOUR_SCHOOL in rows.first.inner_text()
    page.goto("/rounds/")
    follow(page.locator("main a", has_text="青山县2026年监测").first)
    follow(page.locator("main a", has_text="文件").first)
    documents = page.locator("tr[id^=document-]")
    assert documents.count() == 1 and f"{TOUR_SCHOOL}（四年级）质量分析反馈" in documents.first.inner_text()


def inspector_sees_the_submitted_checklist(page) -> None:
    _nav(page, "五室准备情况")
    row = page.locator("main table tr", has_text="白沙镇北塘小学")
    assert "已提交" in row.inner_text() and "已提交，未审核" in row.inner_text()
    follow(row.locator("a", has_text="白沙镇北塘小学"))
    assert page.locator("#review-waits").count() == 1
    assert page.locator("main a", has_text="审核").count() == 0
    screenshot(page, "tour-7-inspector-checklist")


def step_8_school_import(page, tmp_path) -> None:
    _nav(page, "学校")
    follow(page.locator("main a", has_text="从 Excel 导入").first)
    with page.expect_download() as download:
        page.locator("main a", has_text="学校模板").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook.active
    sheet.append(["3699019901", "青山县新建小学", "小学", "城区"])
    sheet.append(["12AB", "青山县错误小学", "不存在的类型", "城区"])
    wrong = tmp_path / "学校.xlsx"
    workbook.save(wrong)
    page.set_input_files("input[type=file]", str(wrong))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.locator("text=未保存任何数据").first.wait_for()
    errors = [row.inner_text().split("\t")[:2] for row in page.locator("main table tbody tr").all()]
    assert errors == [["3", "学校标识码"], ["3", "办学类型"]]  # every error, by row and column
    screenshot(page, "tour-8-import-errors")
    page.goto("/schools/?q=青山县新建小学")
    assert "青山县新建小学" not in _main(page)


def test_the_readme_tour_works_as_written_for_every_account(page, demo, tmp_path):
    _as(page, "jiance")
    step_1_round_and_documents(page)
    step_2_sample(page)
    step_3_readiness(page)
    step_4_questionnaires(page)
    step_5_results(page)
    step_6_rectification(page)
    _as(page, "jiaoyan")
    department_reports_progress(page)
    _as(page, "lingdao")
    leader_reads_everything(page)
    _as(page, "xuexiao1")
    step_7_school_side(page)
    _as(page, "ducha1")
    inspector_sees_the_submitted_checklist(page)
    _as(page, "jiance")
    step_8_school_import(page, tmp_path)
