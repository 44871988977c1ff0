"""Rules on the domain scores: between-school variation, means below a reference, level Ⅰ."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from ..estimation import Level, compare_to_reference
from ..models import ReferenceValue
from .base import Context, Draft, _grade, _number, _pct, beyond, reference_evidence, reference_text, test_record, test_sentence


def between_school_variation(ctx: Context, threshold: float) -> list[Draft]:
    drafts = []
    for r in ctx.results:
        if r.variance is None or not r.variance.icc > threshold:
            continue
        ref = ctx.reference(source=ReferenceValue.Source.PROVINCE, domain=r.domain, grade=r.grade, indicator="icc")
        means = [row.table.mean for row in r.school_rows]
        centre, spread = float(sum(means) / len(means)), float(_sd(means))
        low = [row.name for row in r.school_rows if row.table.mean < centre - spread]
        text = _(
            "Share of variance between schools %(icc)s (threshold %(t)s%(ref)s); 差异系数 %(cv)s; "
            "schools more than one SD below the mean of school means: %(schools)s."
        ) % {
            "icc": _pct(r.variance.icc),
            "t": _pct(threshold),
            "cv": f"{r.variance.cv:.3f}",
            "ref": _(", province %(v)s") % {"v": _pct(ref.value)} if ref else "",
            "schools": "、".join(low) or "—",
        } + test_sentence(ctx, None, _pct)
        drafts.append(
            Draft(
                "between_school_variation",
                r.domain,
                r.grade,
                _("Large between-school differences in %(domain)s, %(grade)s") % {"domain": r.domain_label, "grade": _grade(r.grade)},
                {
                    "value": r.variance.icc,
                    "cv": r.variance.cv,
                    "reference": ref.value if ref else None,
                    "threshold": threshold,
                    "se": None,
                    "schools": low,
                    **reference_evidence(ref),
                    **test_record(ctx, None),
                },
                text,
            )
        )
    return drafts


def _sd(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    m = sum(values) / len(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def mean_below_reference(ctx: Context, threshold: float) -> list[Draft]:
    drafts = []
    for r in ctx.results:
        if r.mean is None or not math.isfinite(r.mean.se):
            continue
        for source in (ReferenceValue.Source.PROVINCE, ReferenceValue.Source.NATION):
            ref = ctx.reference(source=source, domain=r.domain, grade=r.grade, indicator="mean")
            if ref is None:
                continue
            cmp = compare_to_reference(estimate=r.mean.estimate, se=r.mean.se, reference=ref.value, reference_se=ref.se)
            test = beyond(ctx, estimate=r.mean.estimate, se=r.mean.se, margin=ref.value - threshold, margin_se=ref.se, above=False)
            if test is not None and test.holds:
                text = _("Mean %(v).1f (SE %(se).1f) against %(src)s %(ref).1f: difference %(d).1f, p = %(p).3f.") % {
                    "v": r.mean.estimate,
                    "se": r.mean.se,
                    "src": reference_text(ref),
                    "ref": ref.value,
                    "d": cmp.difference,
                    "p": cmp.p_value,
                } + test_sentence(ctx, test, _number)
                drafts.append(
                    Draft(
                        "mean_below_reference",
                        r.domain,
                        r.grade,
                        _("%(domain)s, %(grade)s: mean significantly below the %(src)s")
                        % {
                            "domain": r.domain_label,
                            "grade": _grade(r.grade),
                            "src": ref.get_source_display(),
                        },
                        {
                            "value": r.mean.estimate,
                            "se": r.mean.se,
                            "reference": ref.value,
                            "source": source,
                            "p_value": cmp.p_value,
                            "threshold": threshold,
                            "schools": [],
                            **reference_evidence(ref),
                            **test_record(ctx, test),
                        },
                        text,
                    )
                )
                break
    return drafts


def level1_share_high(ctx: Context, threshold: float) -> list[Draft]:
    drafts = []
    for r in ctx.results:
        share = r.levels[Level.NEEDS_IMPROVEMENT] if r.levels else None
        if share is None or not share.estimate > threshold:
            continue
        test = beyond(ctx, estimate=share.estimate, se=share.se, margin=threshold, above=True)
        if test is not None and not test.holds:
            continue
        schools = [row.name for row in r.school_rows if row.table.tested and _share_below(row, r.cut.level2) > threshold]
        text = _("%(v)s of students in level Ⅰ (SE %(se)s; threshold %(t)s). Schools above the threshold: %(schools)s.") % {
            "v": _pct(share.estimate),
            "se": _pct(share.se) if math.isfinite(share.se) else "—",
            "t": _pct(threshold),
            "schools": "、".join(schools) or "—",
        } + test_sentence(ctx, test, _pct)
        drafts.append(
            Draft(
                "level1_share_high",
                r.domain,
                r.grade,
                _("%(domain)s, %(grade)s: many students need improvement") % {"domain": r.domain_label, "grade": _grade(r.grade)},
                {
                    "value": share.estimate,
                    "se": share.se,
                    "reference": threshold,
                    "threshold": threshold,
                    "schools": schools,
                    **test_record(ctx, test),
                },
                text,
            )
        )
    return drafts


def _share_below(row, mark: float) -> float:
    below = sum(b.count for b in row.table.bands if b.upper is not None and b.upper <= mark)
    return below / row.table.tested
