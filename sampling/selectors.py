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


# --- reads of the sampling pages, narrowed to the user's scope ----------------------------

EXCLUSION_LIMIT = 0.05


def sampled_schools_visible_to(user) -> QuerySet[SampledSchool]:
    from monitoring_site.permissions import schools_visible_to

    qs = SampledSchool.objects.filter(school__in=schools_visible_to(user)).select_related("school", "round__county")
    # Schools learn they are sampled when the county confirms the draw, not before.
    return qs if user.has_perm("sampling.view_sampling") else qs.filter(draw__confirmed_at__isnull=False)


def students_visible_to(user) -> QuerySet[SampledStudent]:
    return SampledStudent.objects.filter(sampled_school__in=sampled_schools_visible_to(user)).select_related(
        "sampled_school__round__county", "sampled_school__school"
    )


def frame_summary(*, plan) -> list[dict]:
    """Schools and pupils by level (grade population), location and school type."""
    from django.db.models import Count, Q, Sum

    from rounds.models import GRADE4_TYPES, GRADE8_TYPES, Location, SchoolType

    locations, types = dict(Location.choices), dict(SchoolType.choices)
    holds = {4: GRADE4_TYPES, 8: GRADE8_TYPES}
    cells = (
        plan.schools.values("school__location", "school__school_type")
        .annotate(
            schools=Count("pk"),
            with4=Count("pk", filter=Q(grade4__gt=0)),
            pupils4=Sum("grade4"),
            with8=Count("pk", filter=Q(grade8__gt=0)),
            pupils8=Sum("grade8"),
        )
        .order_by()
    )
    groups = {
        (grade, c["school__location"], c["school__school_type"]): {
            "grade": grade,
            "location": locations.get(c["school__location"], c["school__location"]),
            "school_type": types.get(c["school__school_type"], c["school__school_type"]),
            "schools": c["schools"],
            "with_pupils": c[f"with{grade}"],
            "pupils": c[f"pupils{grade}"],
        }
        for c in cells
        for grade in (4, 8)
        if c["school__school_type"] in holds[grade]
    }
    order = {v: i for i, v in enumerate(Location.values)}
    return [groups[k] for k in sorted(groups, key=lambda k: (k[0], order.get(k[1], 9), k[2]))]


def frame_totals(summary: list[dict]) -> dict[int, dict]:
    totals = {4: {"schools": 0, "with_pupils": 0, "pupils": 0}, 8: {"schools": 0, "with_pupils": 0, "pupils": 0}}
    for row in summary:
        for key in ("schools", "with_pupils", "pupils"):
            totals[row["grade"]][key] += row[key]
    return totals


def school_progress(*, rnd: Round, queryset=None) -> list[dict]:
    """Per taking-part school: roster sent (by whom, when, N), students drawn, exclusions."""
    from django.db.models import Count, Q

    qs = (queryset if queryset is not None else sampled_schools(rnd=rnd)).filter(round=rnd).exclude(status=SampledSchool.Status.REPLACED)
    qs = (
        qs.select_related("school", "roster__submitted_by", "student_draw")
        .annotate(
            sampled_n=Count("students"),
            excluded_n=Count("students", filter=~Q(students__exclusion="")),
            pe_n=Count("students", filter=Q(students__pe_exempt=True)),
        )
        .order_by("grade", "serial")
    )
    rows = []
    for s in qs:
        roster = getattr(s, "roster", None)
        draw = getattr(s, "student_draw", None)
        rate = s.excluded_n / s.sampled_n if s.sampled_n else 0.0
        rows.append(
            {
                "school": s,
                "roster": roster,
                "draw": draw,
                "sampled": s.sampled_n,
                "excluded": s.excluded_n,
                "pe_exempt": s.pe_n,
                "rate": rate,
                "pct": rate * 100,
                "over_limit": rate > EXCLUSION_LIMIT,
            }
        )
    return rows


def exclusion_rate(rows: list[dict]) -> tuple[int, int, float]:
    sampled = sum(r["sampled"] for r in rows)
    excluded = sum(r["excluded"] for r in rows)
    return sampled, excluded, (excluded / sampled if sampled else 0.0)
