"""Documents of the sampling slice, one per sampled school (the subject is its pk): the
sampled-student list for check-in (样本学生名单), the seat labels (座位标签) and the notice-board
sheet (监测公示).

They hold students' names, so only county staff and the school's own coordinator request or
read them (``sampling.print_lists`` within ``sampled_schools_visible_to``), and every build,
view and download is recorded. Labels and the notice show names as the round's sampling plan
says (full, masked or none); the check-in list always has them, it is for the school.
"""

from __future__ import annotations

from itertools import zip_longest

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rounds.documents import DocumentKind
from rounds.models import Round, grade_label

from .exports import seats
from .models import NoticeNames, SampledSchool
from .selectors import sampled_schools, sampled_schools_visible_to
from .services import plan_for

PERM = "sampling.print_lists"
LABELS_PER_PAGE = 24  # 3 × 8 labels on an A4 sheet


def _school(rnd: Round, subject: str) -> SampledSchool:
    try:
        return sampled_schools(rnd=rnd).get(pk=int(subject))
    except (ValueError, SampledSchool.DoesNotExist):
        raise LookupError(_("This school is not in the round's sample.")) from None


def _school_label(rnd: Round, subject: str) -> str:
    school = SampledSchool.objects.filter(round=rnd, pk=int(subject) if subject.isdigit() else 0).select_related("school").first()
    return f"{school.school.name}（{grade_label(school.grade)}）" if school else subject


def _student_list(*, rnd: Round, subject: str, progress) -> tuple[str, dict]:
    progress(_("Reading the sample"), 20)
    school = _school(rnd, subject)
    students = list(school.students.order_by("monitoring_id"))
    taking_part = [s for s in students if not s.exclusion]
    return "sampling/documents/student_list.html", {
        "school": school,
        "rows": [(seat, s) for seat, s in enumerate(taking_part, start=1)],
        "excluded": [s for s in students if s.exclusion],
        "pe_exempt": sum(s.pe_exempt for s in taking_part),
    }


def _seats(rnd: Round, subject: str) -> tuple[SampledSchool, str, list[dict]]:
    school = _school(rnd, subject)
    mode = plan_for(rnd).notice_names
    return school, mode, seats(sampled=school, mode=mode)


def _seat_labels(*, rnd: Round, subject: str, progress) -> tuple[str, dict]:
    progress(_("Reading the sample"), 20)
    school, mode, rows = _seats(rnd, subject)
    pages = [rows[i : i + LABELS_PER_PAGE] for i in range(0, len(rows), LABELS_PER_PAGE)]
    return "sampling/documents/seat_labels.html", {"school": school, "mode": mode, "pages": pages, "count": len(rows)}


def _notice_board(*, rnd: Round, subject: str, progress) -> tuple[str, dict]:
    progress(_("Reading the sample"), 20)
    school, mode, rows = _seats(rnd, subject)
    # Two lists side by side, the first half on the left, so that a class fits one sheet.
    half = (len(rows) + 1) // 2
    pairs = list(zip_longest(rows[:half], rows[half:]))
    context = {"school": school, "pairs": pairs, "count": len(rows), "names": mode != NoticeNames.NONE, "answer_base": settings.PUBLIC_URL}
    return "sampling/documents/notice_board.html", context


def _kind(title, build) -> DocumentKind:
    return DocumentKind(
        title=lambda rnd, subject: str(title) % {"school": _school_label(rnd, subject)},
        build=build,
        perm=PERM,
        request_perm=PERM,
        per_subject=True,
        subjects=sampled_schools_visible_to,
        holds_names=True,
    )


BUILDERS = {
    "student_list": _kind(gettext_lazy("Sampled-student list of %(school)s"), _student_list),
    "seat_labels": _kind(gettext_lazy("Seat labels of %(school)s"), _seat_labels),
    "notice_board": _kind(gettext_lazy("Notice-board sheet of %(school)s"), _notice_board),
}
