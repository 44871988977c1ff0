"""Dates one format (2026年5月27日 in text, 2026-05-27 in tables) and grades one form (四年级)."""

import re

from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from rounds.models import grade_label


def _cells(html: str) -> str:
    return " ".join(re.findall(r"<td\b[^>]*>(.*?)</td>", html, re.S))


def test_a_round_page_writes_a_date_in_words_in_text_and_as_digits_in_its_timetable(client, world):
    client.force_login(world.staff)
    html = client.get(reverse("round_detail", args=[world.round.pk])).content.decode()
    start = world.round.test_start
    in_words, in_digits = f"{start.year}年{start.month}月{start.day}日", start.isoformat()
    text = re.sub(r"<td\b[^>]*>.*?</td>", "", html, flags=re.S)
    assert in_words in text and in_digits not in text
    assert in_digits in _cells(html) and in_words not in _cells(html)


def test_a_table_cell_and_a_sentence_take_the_two_formats(world):
    day = world.round.test_start
    rendered = Template('<p>{{ d|date:"DATE_FORMAT" }}</p><td>{{ d|date:"SHORT_DATE_FORMAT" }}</td>').render(Context({"d": day}))
    assert rendered == f"<p>{day.year}年{day.month}月{day.day}日</p><td>{day:%Y-%m-%d}</td>"


def test_a_grade_is_written_in_words():
    with translation.override("zh-hans"):
        assert [grade_label(4), grade_label(8)] == ["四年级", "八年级"]
        assert Template("{{ g|grade }}").render(Context({"g": 8})) == "八年级"
    with translation.override("en"):
        assert grade_label(4) == "Grade 4"


def test_the_round_page_names_its_grades_in_words(client, world):
    client.force_login(world.staff)
    html = client.get(reverse("round_detail", args=[world.round.pk])).content.decode()
    assert "四年级" in html and not re.search(r"[48]\s*年级|Grade [48]", html)
