"""The small, safe expression language of indicator calculations (XLSForm's "calculate").

An expression names item codes and the respondent's ``grade``; it may use numbers, quoted
text, + - * /, comparisons, ``and``/``or``/``not`` and the functions below. Nothing else of
Python is reachable: the parsed tree is walked node by node against a whitelist.

    sleep_hours >= iif(grade == 4, 10, 9)      → 1 or 0
    pe_minutes >= 60                           → 1 or 0
    sum(lessons_math, lessons_chinese)         → a number
    has(training_forms, "online")              → 1 or 0

A missing answer makes the result missing (None), never zero.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from typing import Any

RESERVED = frozenset({"grade"})
FUNCTIONS = frozenset({"sum", "min", "max", "iif", "has", "count", "value"})
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


class ExpressionError(ValueError):
    pass


def parse(expression: str) -> ast.Expression:
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        raise ExpressionError(f"“{expression}”") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
                raise ExpressionError(f"“{ast.unparse(node)}”")
        elif not isinstance(node, _ALLOWED_NODES):
            raise ExpressionError(f"“{ast.unparse(node)}”")
    return tree


_ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.And,
    ast.Or,
    ast.Not,
    ast.USub,
    *_BINARY,
    *_COMPARE,
)


def names(expression: str) -> set[str]:
    """The item codes an expression reads (function names and ``grade`` excluded)."""
    tree = parse(expression)
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}  # parse() allows no other
    found = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return found - called - RESERVED


class _Missing(Exception):
    pass


def evaluate(expression: str, values: Mapping[str, Any]) -> float | None:
    """The expression's value as a float, or None when an answer it needs is missing."""
    try:
        result = _eval(parse(expression).body, values)
    except _Missing:
        return None
    except (ZeroDivisionError, TypeError):
        return None
    if isinstance(result, bool):
        return 1.0 if result else 0.0
    if isinstance(result, int | float):
        return float(result)
    number = _number(result)
    return number


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _scalar(value: Any) -> Any:
    """Choice values are text; compare and add them as numbers when they are numbers."""
    if isinstance(value, str):
        number = _number(value)
        return value if number is None else number
    return value


def _eval(node: ast.AST, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        if value is None or value == "" or value == []:
            raise _Missing
        return value if isinstance(value, list) else _scalar(value)
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else not operand
    if isinstance(node, ast.BoolOp):
        results = [bool(_eval(v, values)) for v in node.values]
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _scalar(_eval(comparator, values))
            if not _COMPARE[type(op)](_scalar(left), right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call):
        return _call(node, values)
    raise ExpressionError(ast.unparse(node))


def _call(node: ast.Call, values: Mapping[str, Any]) -> Any:
    name = node.func.id  # type: ignore[attr-defined]
    if name == "iif":
        condition, yes, no = node.args
        return _eval(yes if _eval(condition, values) else no, values)
    if name == "count":
        selected = values.get(node.args[0].id) if isinstance(node.args[0], ast.Name) else None
        if selected is None:
            raise _Missing
        return len(selected) if isinstance(selected, list) else 1
    args = [_eval(a, values) for a in node.args]
    if name == "has":
        selected, wanted = args
        selected = selected if isinstance(selected, list) else [selected]
        return str(wanted) in {str(s) for s in selected}
    numbers = [_scalar(a) for a in args]
    if name == "sum":
        return sum(numbers)
    if name == "min":
        return min(numbers)
    if name == "max":
        return max(numbers)
    return numbers[0]  # value(x)
