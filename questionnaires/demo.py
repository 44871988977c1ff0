"""Demo data: the default instruments, and — when the demo round has a sample — codes and a
realistic set of answers (most respondents submitted, some half-way, some not started)."""

from __future__ import annotations

import random
from typing import Any, cast

from django.utils import timezone

from rounds.models import Round

from .answers import visible_codes
from .models import AccessCode, Answer, Instrument, Kind, Response
from .services import (
    access_codes_generate,
    current_instrument,
    instrument_install_defaults,
    response_finish,
)


def _answer(item, rng: random.Random, grade: int | None):
    if item.type in ("single", "scale"):
        values = [v for v, _label in item.choices]
        return values[min(int(rng.triangular(0, len(values), len(values) * 0.6)), len(values) - 1)]
    if item.type == "multiple":
        values = [v for v, _label in item.choices]
        return sorted(rng.sample(values, rng.randint(1, min(3, len(values)))), key=values.index)
    if item.type == "text":
        return rng.choice(["", "希望多一些体育活动", "增加实践类培训"]) or None
    typical = {
        "sleep_hours": 9.3 if grade == 4 else 8.2,
        "homework_minutes": 55 if grade == 4 else 95,
        "pe_minutes": 55,
        "screen_minutes": 70,
        "lessons_math": 5.5,
        "training_hours": 60,
    }
    low, high = item.min_value or 0, item.max_value or 100
    centre = typical.get(item.code, low + (high - low) * 0.25)
    value = max(low, min(high, rng.gauss(centre, max(1.0, centre * 0.2))))
    return round(value, 1) if item.decimals else int(round(value))


def load_demo(*, rnd: Round, rng: random.Random) -> None:
    instrument_install_defaults(rnd=rnd, user=None)
    if not rnd.sampled_schools.exists():
        return
    access_codes_generate(rnd=rnd, teachers_per_school=8, county_codes=3, user=None)
    now = timezone.now()
    instruments = {k: cast(Instrument, current_instrument(rnd=rnd, kind=k)) for k in Kind.values}  # just installed
    items = {k: list(i.items.all()) for k, i in instruments.items()}
    for code in AccessCode.objects.filter(round=rnd).select_related("sampled_school"):
        roll = rng.random()
        if roll < 0.15:
            continue  # not started
        instrument = instruments[code.kind]
        grade = code.sampled_school.grade if code.sampled_school else None
        response = Response.objects.create(access_code=code, instrument=instrument, last_saved_at=now)
        answers: dict[str, Any] = {}
        for item in items[code.kind]:
            if item.code in visible_codes(items[code.kind], answers):
                value = _answer(item, rng, grade)
                if value is not None:
                    answers[item.code] = value
        if roll < 0.25:  # half-way
            answers = dict(list(answers.items())[: len(answers) // 2])
        by_code = {i.code: i for i in items[code.kind]}
        Answer.objects.bulk_create(Answer(response=response, item=by_code[k], value=v, saved_at=now) for k, v in answers.items())
        if roll >= 0.25:
            response_finish(response=response, items=items[code.kind], answers=answers, now=now)
