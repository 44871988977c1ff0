import pytest

from questionnaires import expressions


@pytest.mark.parametrize(
    ("expression", "values", "expected"),
    [
        ("sleep_hours", {"sleep_hours": 9.5}, 9.5),
        ("sleep_hours >= iif(grade == 4, 10, 9)", {"sleep_hours": 9.5, "grade": 4}, 0.0),
        ("sleep_hours >= iif(grade == 4, 10, 9)", {"sleep_hours": 9.5, "grade": 8}, 1.0),
        ("pe_minutes >= 60", {"pe_minutes": 60}, 1.0),
        ("tutoring == 1", {"tutoring": "1"}, 1.0),
        ("has(forms, 'online') or has(forms, 'blended')", {"forms": ["lecture", "blended"]}, 1.0),
        ("count(forms)", {"forms": ["a", "b"]}, 2.0),
        ("students / teachers", {"students": 600, "teachers": 0}, None),
        ("sum(a, b)", {"a": 5, "b": None}, None),
        ("a", {}, None),
    ],
)
def test_expressions_evaluate_as_worked_by_hand(expression, values, expected):
    assert expressions.evaluate(expression, values) == expected


@pytest.mark.parametrize("expression", ["__import__('os')", "a.b", "[1, 2]", "open('x')", "lambda: 1", "a if b else c"])
def test_anything_beyond_the_small_language_is_refused(expression):
    with pytest.raises(expressions.ExpressionError):
        expressions.parse(expression)


def test_names_are_the_item_codes_read():
    assert expressions.names("sleep_hours >= iif(grade == 4, 10, 9) and has(x, 'y')") == {
        "sleep_hours",
        "x",
    }
