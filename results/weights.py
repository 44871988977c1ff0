"""The design behind every estimate of an import (scores of one domain, or PE): each tested
student's weight adjusted for nonresponse within the school, and the schools drawn with
certainty, which the jackknife treats as strata of their students (``results.estimation``).
The pages, the report and the letters all estimate through this one design."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from rounds.models import Round
from sampling.models import SampledStudent

from .estimation import JK1, Replication, nonresponse_factors
from .models import Attendance


@dataclass(frozen=True)
class SchoolAdjustment:
    """One sampled school of a grade: who was sampled, who could not count, who was tested,
    and the factor the tested students' weights were multiplied by."""

    sampled_school_id: int
    code: str
    name: str
    certainty: bool
    sampled: int
    excluded: int  # excluded after sampling (disability, left the school)
    exempt: int  # 免测 / 免考 in the file
    absent: int  # 缺考, or not in the file at all
    tested: int
    factor: float | None  # None: nobody of the school was tested


@dataclass(frozen=True)
class Design:
    weights: dict[int, float]  # tested student pk → adjusted weight
    schools: list[SchoolAdjustment]
    replication: Replication  # certainty schools as strata of their students

    def weight_of(self, student_ids: Iterable[int]) -> np.ndarray:
        return np.array([self.weights[pk] for pk in student_ids], dtype=float)


_STUDENT_FIELDS = (
    "pk",
    "sampled_school_id",
    "sampled_school__grade",
    "final_weight",
    "exclusion",
    "sampled_school__certainty",
    "sampled_school__school__code",
    "sampled_school__school__name",
)


def sampled_of(*, rnd: Round) -> list[tuple]:
    """Every sampled student of the round, as ``_STUDENT_FIELDS`` (one query for all imports)."""
    return list(SampledStudent.objects.filter(sampled_school__round=rnd).values_list(*_STUDENT_FIELDS))


def sampled_of_rounds(*, round_ids: list[int]) -> dict[int, list[tuple]]:
    """``sampled_of`` of many rounds in one query: round pk → its students."""
    out: dict[int, list[tuple]] = {pk: [] for pk in round_ids}
    rows = SampledStudent.objects.filter(sampled_school__round__in=round_ids).values_list("sampled_school__round_id", *_STUDENT_FIELDS)
    for round_id, *row in rows:
        out[round_id].append(tuple(row))
    return out


def design_of(*, students: list[tuple], grade: int, attendance: dict[int, str]) -> Design:
    """The design of one import for one grade: ``students`` from ``sampled_of``,
    ``attendance`` student pk → attendance for the rows of the file."""
    rows = [s for s in students if s[2] == grade]
    if not rows:
        return Design({}, [], JK1)
    pks, schools, _grades, weights, exclusions, certain, codes, names = zip(*rows, strict=True)
    state = [attendance.get(pk, Attendance.ABSENT) for pk in pks]  # not in the file: not tested
    eligible = [not ex and a != Attendance.EXEMPT for ex, a in zip(exclusions, state, strict=True)]
    tested = [ok and a == Attendance.PRESENT for ok, a in zip(eligible, state, strict=True)]
    factors = nonresponse_factors(schools=schools, weights=weights, eligible=eligible, responded=tested)
    adjusted = {pk: w * factors[s] for pk, s, w, t in zip(pks, schools, weights, tested, strict=True) if t}
    named = {s: (code, name, c) for s, code, name, c in zip(schools, codes, names, certain, strict=True)}
    counts: dict[int, list[int]] = {s: [0, 0, 0, 0, 0] for s in named}
    for s, ex, a, ok, t in zip(schools, exclusions, state, eligible, tested, strict=True):
        n = counts[s]
        n[0] += 1
        n[1] += bool(ex)
        n[2] += not ex and a == Attendance.EXEMPT
        n[3] += ok and not t
        n[4] += t
    adjustments = [
        SchoolAdjustment(
            sampled_school_id=s,
            code=code,
            name=name,
            certainty=c,
            sampled=counts[s][0],
            excluded=counts[s][1],
            exempt=counts[s][2],
            absent=counts[s][3],
            tested=counts[s][4],
            factor=factors.get(s),
        )
        for s, (code, name, c) in sorted(named.items(), key=lambda item: item[1][0])
    ]
    certainty = frozenset(a.sampled_school_id for a in adjustments if a.certainty)
    return Design(adjusted, adjustments, Replication(certainty=certainty) if certainty else JK1)
