"""A paper batch of the world's four teacher forms (two a school), imported by ``staff``, and the
two other county staff members a double entry needs: a second enterer and a decider."""

from django.core.files.base import ContentFile

from monitoring_site.roles import Role
from questionnaires.answers import clean_value
from questionnaires.models import AccessCode, Instrument, Kind
from questionnaires.services import paper_responses_store
from rounds.models import ImportBatch

from ..factories import PersonFactory
from .test_answering import TEACHER_ANSWERS


def teacher_values(**changes) -> dict:
    return {**{k: ";".join(v) for k, v in TEACHER_ANSWERS.items()}, **changes}


class PaperBatch:
    def __init__(self, qworld, uploader=None):
        world = qworld.world
        self.first = uploader or world.staff
        self.second = PersonFactory(county=world.county, role=Role.COUNTY_STAFF, user__username="second").user
        self.third = PersonFactory(county=world.county, role=Role.COUNTY_STAFF, user__username="third").user
        self.instrument = Instrument.objects.get(round=qworld.rnd, kind=Kind.TEACHER)
        items = {i.code: i for i in self.instrument.items.all()}
        answers = {k: clean_value(items[k], v) for k, v in TEACHER_ANSWERS.items()}
        self.batch = ImportBatch.objects.create(
            kind=f"questionnaire_paper:{self.instrument.pk}",
            county=world.county,
            file=ContentFile(b"x", name="paper.xlsx"),
            original_name="paper.xlsx",
            uploaded_by=self.first,
            status=ImportBatch.Status.DONE,
        )
        codes = {c.code: c for c in AccessCode.objects.filter(round=qworld.rnd, kind=Kind.TEACHER)}
        rows = [{"code": code, "answers": answers} for code in codes]
        paper_responses_store(access_codes=codes, instrument=self.instrument, rows=rows, user=self.first, batch=self.batch)
