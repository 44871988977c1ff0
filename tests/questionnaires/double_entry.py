"""A paper batch of a round's teacher forms (in the world's round: four, two a school), imported
by ``first``, and the two other county staff members a double entry needs: a second enterer and
a decider."""

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
    def __init__(self, *, rnd, first, prefix=""):
        self.first = first
        self.second = PersonFactory(county=rnd.county, role=Role.COUNTY_STAFF, user__username=f"{prefix}second").user
        self.third = PersonFactory(county=rnd.county, role=Role.COUNTY_STAFF, user__username=f"{prefix}third").user
        self.instrument = Instrument.objects.get(round=rnd, kind=Kind.TEACHER)
        items = {i.code: i for i in self.instrument.items.all()}
        answers = {k: clean_value(items[k], v) for k, v in TEACHER_ANSWERS.items()}
        self.batch = ImportBatch.objects.create(
            kind=f"questionnaire_paper:{self.instrument.pk}",
            county=rnd.county,
            file=ContentFile(b"x", name="paper.xlsx"),
            original_name="paper.xlsx",
            uploaded_by=self.first,
            status=ImportBatch.Status.DONE,
        )
        codes = {c.code: c for c in AccessCode.objects.filter(round=rnd, kind=Kind.TEACHER)}
        rows = [{"code": code, "answers": answers} for code in codes]
        stored = paper_responses_store(access_codes=codes, instrument=self.instrument, rows=rows, user=self.first, batch=self.batch)
        self.batch.rows_total = self.batch.created = stored
        self.batch.save()


def checked(paper: PaperBatch, **changes) -> dict:
    items = {i.code: i for i in paper.instrument.items.all()}
    return {k: clean_value(items[k], str(v).split(";")) for k, v in teacher_values(**changes).items()}


def entered_sample(*, rnd, uploader, prefix=""):
    """A batch by ``uploader`` with its sample drawn, the first form entered a second time by
    ``paper.second`` with one disagreement (years taught), the second form not yet."""
    from questionnaires.verification import second_entry_save, verification_sample_draw

    paper = PaperBatch(rnd=rnd, first=uploader, prefix=prefix)
    sample = verification_sample_draw(batch=paper.batch, user=uploader, seed=1)
    paper.sample = sample
    forms = list(sample.forms.all())
    paper.entered, paper.waiting = forms[0], (forms[1:] or [None])[0]
    second_entry_save(form=paper.entered, values=checked(paper, years_teaching="21"), user=paper.second)
    return paper
