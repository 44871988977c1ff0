"""Diagnosis rules: the numbers of a round turned into findings (问题清单) with their evidence.

Each rule has one threshold a county may edit (``DiagnosisRule``). A rule reads the round's
results (``Context``) and returns drafts; ``diagnose`` in services writes them as findings.
Evidence always states the value, the reference it is held against, the standard error
(when there is one) and the schools concerned (for county staff; never a ranking).
"""

from django.utils.translation import gettext_lazy

from .base import Context, Draft, Rule
from .health import (
    _norm_rule,
    _pe_change,
    pe_hour_share_low,
    poor_vision_above_province,
    weekly_lessons_exceed,
)
from .scores import between_school_variation, level1_share_high, mean_below_reference

__all__ = ["RULES", "Context", "Draft", "Rule"]

RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in [
        Rule(
            "between_school_variation",
            gettext_lazy("Share of variance between schools (ICC) above the threshold (a fraction)."),
            0.20,
            between_school_variation,
        ),
        Rule(
            "mean_below_reference",
            gettext_lazy("Mean significantly below the province or nation by more than the threshold."),
            0.0,
            mean_below_reference,
        ),
        Rule(
            "level1_share_high",
            gettext_lazy("Share of students in level Ⅰ above the threshold (a fraction)."),
            0.20,
            level1_share_high,
        ),
        Rule(
            "obese_rising",
            gettext_lazy("Obesity rate up since the last round by more than the threshold (points)."),
            1.0,
            _pe_change("obese", True, gettext_lazy("Obesity rising since the last round, %(grade)s")),
        ),
        Rule(
            "normal_weight_falling",
            gettext_lazy("Normal-shape rate down since the last round by more than the threshold (points)."),
            1.0,
            _pe_change(
                "normal_weight",
                False,
                gettext_lazy("Fewer students with normal body shape, %(grade)s"),
            ),
        ),
        Rule(
            "poor_vision_above_province",
            gettext_lazy("Poor-vision rate above the province's by more than the threshold (points)."),
            0.0,
            poor_vision_above_province,
        ),
        Rule(
            "weekly_lessons_exceed",
            gettext_lazy("Share of schools over the weekly mathematics lesson norm above the threshold."),
            0.30,
            weekly_lessons_exceed,
        ),
        Rule(
            "sleep_below_norm",
            gettext_lazy("Mean sleep below the norm (10 h primary, 9 h junior) by more than the threshold."),
            0.0,
            _norm_rule(
                "sleep_below_norm",
                "sleep_hours",
                ("sleep_primary", "sleep_junior"),
                False,
                gettext_lazy("Insufficient sleep, %(grade)s"),
            ),
        ),
        Rule(
            "homework_above_norm",
            gettext_lazy("Mean written homework above the norm by more than the threshold (minutes)."),
            0.0,
            _norm_rule(
                "homework_above_norm",
                "homework_minutes",
                ("homework_primary", "homework_junior"),
                True,
                gettext_lazy("Too much homework, %(grade)s"),
            ),
        ),
        Rule(
            "pe_activity_below_norm",
            gettext_lazy("Share of students with an hour of PE activity a day below the threshold."),
            0.80,
            pe_hour_share_low,
        ),
    ]
}
