"""Reads of the sample that later apps use; names stay behind the monitoring ID."""

from django.db.models import QuerySet

from rounds.models import Round

from .models import SampledSchool, SampledStudent


def sampled_schools(*, rnd: Round, grade: int | None = None) -> QuerySet[SampledSchool]:
    """The schools taking part: drawn or replacing one that could not."""
    qs = SampledSchool.objects.filter(round=rnd).exclude(status=SampledSchool.Status.REPLACED).select_related("school")
    return qs if grade is None else qs.filter(grade=grade)


def sampled_students(*, rnd: Round, school_ids=None) -> QuerySet[SampledStudent]:
    """Sampled students of the round (optionally of some schools), without their names."""
    qs = SampledStudent.objects.filter(sampled_school__round=rnd).defer("name", "birth_date", "student_number")
    return qs if school_ids is None else qs.filter(sampled_school__school_id__in=school_ids)
