"""Rules on PE-health and on the questionnaire indicators, held against norms and references."""

from __future__ import annotations

import math
from collections.abc import Callable

from django.utils.translation import gettext as _

from rounds.models import Domain

from ..estimation import Estimate, compare_rounds
from ..factors import factor_summary
from ..models import ReferenceValue
from ..pe import pe_indicator_values
from .base import Context, Draft, _grade, _number, _pct, beyond, reference_evidence, reference_text, test_record, test_sentence


def _pe_change(indicator: str, rising: bool, title) -> Callable[[Context, float], list[Draft]]:
    def check(ctx: Context, threshold: float) -> list[Draft]:
        drafts = []
        for grade in ctx.rnd.grades:
            est = pe_indicator_values(ctx.pe, grade=grade).get(indicator)
            ref = ctx.reference(
                source=ReferenceValue.Source.PREVIOUS,
                domain=Domain.PE_HEALTH,
                grade=grade,
                indicator=indicator,
            )
            if est is None or ref is None:
                continue
            change = est.estimate - ref.value
            if (change if rising else -change) * 100 <= threshold:
                continue
            margin = ref.value + (threshold if rising else -threshold) / 100
            test = beyond(ctx, estimate=est.estimate, se=est.se, margin=margin, margin_se=ref.se, above=rising)
            if test is not None and not test.holds:
                continue
            cmp = compare_rounds(current=est, previous=_estimate(ref)) if _testable(est.se, ref.se) else None
            text = _("%(v)s now (SE %(se)s) against %(ref)s in %(year)s: change %(d)s points%(p)s.") % {
                "v": _pct(est.estimate),
                "se": _pct(est.se) if math.isfinite(est.se) else "—",
                "ref": _pct(ref.value),
                "year": reference_text(ref),
                "d": f"{change * 100:+.1f}",
                "p": f", p = {cmp.p_value:.3f}" if cmp else "",
            } + test_sentence(ctx, test, _pct)
            drafts.append(
                Draft(
                    indicator + ("_rising" if rising else "_falling"),
                    Domain.PE_HEALTH,
                    grade,
                    str(title) % {"grade": _grade(grade)},
                    {
                        "value": est.estimate,
                        "se": est.se,
                        "reference": ref.value,
                        "p_value": cmp.p_value if cmp else None,
                        "threshold": threshold,
                        "schools": [],
                        **reference_evidence(ref),
                        **test_record(ctx, test),
                    },
                    text,
                )
            )
        return drafts

    return check


def _estimate(ref: ReferenceValue) -> Estimate:
    return Estimate(ref.value, ref.se, 0)


def _testable(se: float, ref_se: float) -> bool:
    return math.isfinite(se) and (se > 0 or ref_se > 0)


def poor_vision_above_province(ctx: Context, threshold: float) -> list[Draft]:
    drafts = []
    for grade in ctx.rnd.grades:
        est = pe_indicator_values(ctx.pe, grade=grade).get("poor_vision")
        ref = ctx.reference(
            source=ReferenceValue.Source.PROVINCE,
            domain=Domain.PE_HEALTH,
            grade=grade,
            indicator="poor_vision",
        )
        if est is None or ref is None or (est.estimate - ref.value) * 100 <= threshold:
            continue
        test = beyond(ctx, estimate=est.estimate, se=est.se, margin=ref.value + threshold / 100, margin_se=ref.se, above=True)
        if test is not None and not test.holds:
            continue
        text = (
            _("Poor-vision rate %(v)s (SE %(se)s) against the province's %(ref)s.")
            % {
                "v": _pct(est.estimate),
                "se": _pct(est.se) if math.isfinite(est.se) else "—",
                "ref": _pct(ref.value),
            }
            + " ("
            + reference_text(ref)
            + ")"
            + test_sentence(ctx, test, _pct)
        )
        drafts.append(
            Draft(
                "poor_vision_above_province",
                Domain.PE_HEALTH,
                grade,
                _("High rate of poor vision, %(grade)s") % {"grade": _grade(grade)},
                {
                    "value": est.estimate,
                    "se": est.se,
                    "reference": ref.value,
                    "threshold": threshold,
                    "schools": [],
                    **reference_evidence(ref),
                    **test_record(ctx, test),
                },
                text,
            )
        )
    return drafts


def _norm_rule(code: str, indicator: str, norm_keys: tuple[str, str] | str, above: bool, title) -> Callable[[Context, float], list[Draft]]:
    def check(ctx: Context, threshold: float) -> list[Draft]:
        drafts = []
        for grade in ctx.rnd.grades:
            key = norm_keys if isinstance(norm_keys, str) else norm_keys[0 if grade <= 6 else 1]
            norm = ctx.norms.get(key)
            value = factor_summary(rnd=ctx.rnd, indicator=indicator, grade=grade)
            if value is None or norm is None:
                continue
            excess = value.estimate - norm if above else norm - value.estimate
            if excess <= threshold:
                continue
            se = value.se if math.isfinite(value.se) else None
            test = beyond(ctx, estimate=value.estimate, se=se, margin=norm + threshold if above else norm - threshold, above=above)
            if test is not None and not test.holds:
                continue
            schools = [name for name, v in value.schools.items() if (v > norm if above else v < norm)]
            text = _("County value %(v).1f against the norm %(n).1f; schools concerned: %(schools)s.") % {
                "v": value.estimate,
                "n": norm,
                "schools": "、".join(schools) or "—",
            } + test_sentence(ctx, test, _number)
            drafts.append(
                Draft(
                    code,
                    "",
                    grade,
                    str(title) % {"grade": _grade(grade)},
                    {
                        "value": value.estimate,
                        "se": se,
                        "reference": norm,
                        "threshold": threshold,
                        "schools": schools,
                        **test_record(ctx, test),
                    },
                    text,
                )
            )
        return drafts

    return check


def weekly_lessons_exceed(ctx: Context, threshold: float) -> list[Draft]:
    drafts = []
    for grade in ctx.rnd.grades:
        norm = ctx.lesson_norms.get((Domain.MATH, grade))
        value = factor_summary(rnd=ctx.rnd, indicator="school_math_lessons_week", grade=grade)
        if value is None or norm is None or not value.schools:
            continue
        over = [name for name, v in value.schools.items() if v > norm]
        share = len(over) / len(value.schools)
        if share <= threshold:
            continue
        text = _("%(n)s of %(total)s schools exceed %(norm)s mathematics lessons a week: %(schools)s.") % {
            "n": len(over),
            "total": len(value.schools),
            "norm": norm,
            "schools": "、".join(over),
        } + test_sentence(ctx, None, _pct)
        drafts.append(
            Draft(
                "weekly_lessons_exceed",
                Domain.MATH,
                grade,
                _("Many schools exceed the weekly mathematics lesson norm, %(grade)s") % {"grade": _grade(grade)},
                {
                    "value": share,
                    "se": None,
                    "reference": norm,
                    "threshold": threshold,
                    "schools": over,
                    **test_record(ctx, None),
                },
                text,
            )
        )
    return drafts


def pe_hour_share_low(ctx: Context, threshold: float) -> list[Draft]:
    """Share of students with one hour of PE activity a day (每天校园体育活动1小时) below the threshold."""
    drafts = []
    for grade in ctx.rnd.grades:
        value = factor_summary(rnd=ctx.rnd, indicator="pe_one_hour", grade=grade)
        if value is None or value.estimate >= threshold:
            continue
        se = value.se if math.isfinite(value.se) else None
        test = beyond(ctx, estimate=value.estimate, se=se, margin=threshold, above=False)
        if test is not None and not test.holds:
            continue
        schools = [name for name, v in value.schools.items() if v < threshold]
        text = _("%(v)s of students have an hour of PE activity a day (threshold %(t)s); schools below: %(schools)s.") % {
            "v": _pct(value.estimate),
            "t": _pct(threshold),
            "schools": "、".join(schools) or "—",
        } + test_sentence(ctx, test, _pct)
        drafts.append(
            Draft(
                "pe_activity_below_norm",
                "",
                grade,
                _("Too little PE activity at school, %(grade)s") % {"grade": _grade(grade)},
                {
                    "value": value.estimate,
                    "se": se,
                    "reference": threshold,
                    "threshold": threshold,
                    "schools": schools,
                    **test_record(ctx, test),
                },
                text,
            )
        )
    return drafts
