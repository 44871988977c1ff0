"""Documents of the rounds slice: the round's work plan (实施安排)."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from .documents import DocumentKind
from .models import Person


def _round_plan(*, rnd, subject, progress):
    progress(_("Collecting the timetable and milestones"), 20)
    sessions = list(rnd.sessions.order_by("grade", "day", "start"))
    people = (
        Person.objects.filter(county=rnd.county, user__is_active=True)
        .select_related("user", "department")
        .prefetch_related(Prefetch("schools"))
        .order_by("role", "user__username")
    )
    return "rounds/documents/round_plan.html", {
        "sessions_by_grade": [(g, [s for s in sessions if s.grade == g]) for g in rnd.grades],
        "milestones": rnd.milestones.order_by("due_date"),
        "people": people,
    }


BUILDERS = {
    "round_plan": DocumentKind(
        title=lambda rnd, subject: _("Implementation plan of the %(year)s monitoring") % {"year": rnd.year}, build=_round_plan
    ),
}
