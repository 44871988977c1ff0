"""Documents of the logistics slice: the county's readiness summary (考点准备情况汇总), the
schools × rooms table of the dashboard with what is overdue and who must act, as of the day
it is built."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rounds.documents import DocumentKind
from rounds.forms import today
from rounds.models import Round

from .selectors import ROOM_LABELS, STATUS_CHOICES, readiness
from .services import checklist_template_ensure


def _readiness_summary(*, rnd: Round, subject: str, progress) -> tuple[str, dict]:
    progress(_("Reading the checklists"), 20)
    checklist_template_ensure(rnd=rnd)
    day = today()
    rooms, rows, due = readiness(user=None, rnd=rnd, today=day)
    labels = {state: str(label) for state, label in ROOM_LABELS.items()}
    statuses = dict(STATUS_CHOICES)
    for row in rows:
        row.cells = [(state, labels[state]) for state in row.rooms]
        row.status_label = statuses[row.status]
    room_done = [sum(1 for row in rows if row.rooms[i] == "done") for i in range(len(rooms))]
    return "logistics/documents/readiness_summary.html", {
        "rooms": list(zip(rooms, room_done, strict=True)),
        "rows": rows,
        "due": due,
        "today": day,
        "status_counts": [(label, sum(1 for r in rows if r.status == value)) for value, label in STATUS_CHOICES],
        "overdue": [r for r in rows if r.overdue],
        "ready": sum(1 for r in rows if r.status == "approved"),
    }


BUILDERS = {
    "readiness_summary": DocumentKind(
        title=lambda rnd, subject: _("Readiness of the sample schools for the %(year)s monitoring") % {"year": rnd.year},
        build=_readiness_summary,
    ),
}
