"""An instrument's definition, one row per item in the style of XLSForm, checked row by row.

The same rows come from the shipped JSON files and from an uploaded spreadsheet:

    type       code         label                  required  choices     min max unit  show_if
    section    s_sleep      睡眠与健康
    number     sleep_hours  每天大约睡几小时？     是                    0   16  小时
    single     tutoring     参加校外培训吗？       是        1=是|2=否
    number     tutoring_h   每周培训几小时？       是                    0   40  小时  tutoring=1
    grid       g_feel       你同意下面的说法吗？   是        1=不同意|…|4=很同意
    row        feel_math    我喜欢数学
    indicator  pe_1h        每天体育活动满1小时    calculation: pe_minutes >= 60

Types may be written in English or Chinese (单选, 多选, 量表, 数字, 文本, 矩阵, 矩阵行, 部分, 指标).
Pure: no database; ``parse_rows`` returns the definition and every error with its row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from . import expressions

TYPE_ALIASES = {
    "section": "section",
    "部分": "section",
    "begin group": "section",
    "single": "single",
    "select_one": "single",
    "单选": "single",
    "multiple": "multiple",
    "select_multiple": "multiple",
    "多选": "multiple",
    "scale": "scale",
    "likert": "scale",
    "量表": "scale",
    "number": "number",
    "integer": "number",
    "decimal": "number",
    "数字": "number",
    "text": "text",
    "文本": "text",
    "grid": "grid",
    "矩阵": "grid",
    "row": "row",
    "矩阵行": "row",
    "indicator": "indicator",
    "calculate": "indicator",
    "指标": "indicator",
}
CHOICE_TYPES = {"single", "multiple", "scale", "grid"}
CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
YES = {"是", "yes", "y", "true", "1", "必答"}
NO = {"否", "no", "n", "false", "0"}

# Spreadsheet headers of the definition template (Chinese, as the staff use them).
COLUMNS = [
    ("type", "类型"),
    ("code", "编码"),
    ("label", "题目"),
    ("required", "必答"),
    ("choices", "选项"),
    ("min", "最小值"),
    ("max", "最大值"),
    ("unit", "单位"),
    ("decimals", "可填小数"),
    ("show_if", "显示条件"),
    ("calculation", "计算"),
    ("hint", "说明"),
]
HEADERS = dict(COLUMNS)


@dataclass
class DefinitionError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ItemDef:
    code: str
    type: str
    label: str
    section: str
    required: bool = True
    choices: list[list[str]] = field(default_factory=list)
    min_value: float | None = None
    max_value: float | None = None
    decimals: bool = False
    unit: str = ""
    show_if_item: str = ""
    show_if_values: list[str] = field(default_factory=list)
    grid: str = ""
    grid_label: str = ""
    hint: str = ""


@dataclass
class SectionDef:
    code: str
    title: str


@dataclass
class IndicatorDef:
    code: str
    label: str
    unit: str
    calculation: str


@dataclass
class Definition:
    sections: list[SectionDef] = field(default_factory=list)
    items: list[ItemDef] = field(default_factory=list)
    indicators: list[IndicatorDef] = field(default_factory=list)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_choices(text: str) -> list[list[str]]:
    """“1=是|2=否” (also with ；or newlines) → [["1", "是"], ["2", "否"]]."""
    parts = [p.strip() for p in re.split(r"[|\n；;]", text) if p.strip()]
    choices = []
    for part in parts:
        value, sep, label = part.partition("=")
        if not sep or not value.strip() or not label.strip():
            raise ValueError(part)
        choices.append([value.strip(), label.strip()])
    return choices


def parse_rows(rows: list[tuple[int, dict[str, Any]]]) -> tuple[Definition, list[DefinitionError]]:
    parser = _Parser()
    for number, row in rows:
        parser.row(number, {k: _text(row.get(k)) for k, _header in COLUMNS})
    parser.finish()
    return parser.definition, parser.errors


class _Parser:
    def __init__(self):
        self.definition = Definition()
        self.errors: list[DefinitionError] = []
        self.codes: dict[str, int] = {}
        self.indicator_codes: dict[str, int] = {}
        self.items: dict[str, ItemDef] = {}
        self.grid: dict | None = None

    def error(self, number: int, column: str, message: str) -> None:
        self.errors.append(DefinitionError(number, HEADERS[column], message))

    def row(self, number: int, row: dict[str, str]) -> None:
        kind = TYPE_ALIASES.get(row["type"].lower())
        if kind is None:
            self.error(number, "type", _("Unknown item type “%(type)s”.") % {"type": row["type"]})
            return
        code = row["code"]
        if not CODE_RE.match(code):
            self.error(
                number,
                "code",
                _("The code “%(code)s” must start with a letter and hold only letters, digits and _.") % {"code": code},
            )
            return
        # Indicators have their own namespace: an indicator may carry its item's code.
        used = self.indicator_codes if kind == "indicator" else self.codes
        if code in used:
            self.error(
                number,
                "code",
                _("The code “%(code)s” is already used in row %(row)s.") % {"code": code, "row": used[code]},
            )
            return
        used[code] = number
        if not row["label"]:
            self.error(number, "label", _("Write the question or title."))
        if kind != "row":
            self.grid = None
        getattr(self, f"_{kind}")(number, code, row)

    def _section(self, number, code, row):
        self.definition.sections.append(SectionDef(code, row["label"]))

    def _indicator(self, number, code, row):
        calculation = row["calculation"]
        if not calculation:
            self.error(number, "calculation", _("An indicator needs a calculation."))
            return
        try:
            used = expressions.names(calculation)
        except expressions.ExpressionError:
            self.error(
                number,
                "calculation",
                _("The calculation “%(calc)s” cannot be read.") % {"calc": calculation},
            )
            return
        for name in sorted(used - set(self.items)):
            self.error(
                number,
                "calculation",
                _("The calculation uses “%(code)s”, which is not an item.") % {"code": name},
            )
        self.definition.indicators.append(IndicatorDef(code, row["label"], row["unit"], calculation))

    def _grid(self, number, code, row):
        choices = self._choices(number, row)
        self.grid = {
            "code": code,
            "label": row["label"],
            "choices": choices,
            "required": self._required(number, row),
        }
        self._show_if(number, row, self.grid)

    def _row(self, number, code, row):
        if self.grid is None:
            self.error(number, "type", _("A grid row must follow a grid or another grid row."))
            return
        grid = self.grid
        item = ItemDef(
            code=code,
            type="scale",
            label=row["label"],
            section=self._section_code(),
            required=grid["required"],
            choices=grid["choices"],
            grid=grid["code"],
            grid_label=grid["label"],
            hint=row["hint"],
            show_if_item=grid.get("show_if_item", ""),
            show_if_values=grid.get("show_if_values", []),
        )
        self._add(item)

    def _single(self, number, code, row):
        self._question(number, code, row, "single")

    def _multiple(self, number, code, row):
        self._question(number, code, row, "multiple")

    def _scale(self, number, code, row):
        self._question(number, code, row, "scale")

    def _text(self, number, code, row):
        self._question(number, code, row, "text")

    def _number(self, number, code, row):
        self._question(number, code, row, "number")

    def _question(self, number, code, row, kind):
        item = ItemDef(
            code=code,
            type=kind,
            label=row["label"],
            section=self._section_code(),
            required=self._required(number, row),
            unit=row["unit"],
            hint=row["hint"],
        )
        if kind in CHOICE_TYPES:
            item.choices = self._choices(number, row)
        if kind == "number":
            item.min_value = self._float(number, row, "min")
            item.max_value = self._float(number, row, "max")
            item.decimals = row["decimals"].lower() in YES
            if item.min_value is not None and item.max_value is not None and item.min_value > item.max_value:
                self.error(number, "max", _("The maximum is smaller than the minimum."))
        extra: dict = {}
        self._show_if(number, row, extra)
        item.show_if_item = extra.get("show_if_item", "")
        item.show_if_values = extra.get("show_if_values", [])
        self._add(item)

    def _add(self, item: ItemDef) -> None:
        self.definition.items.append(item)
        self.items[item.code] = item

    def _section_code(self) -> str:
        if not self.definition.sections:
            self.definition.sections.append(SectionDef("main", ""))
        return self.definition.sections[-1].code

    def _required(self, number, row) -> bool:
        text = row["required"].lower()
        if not text or text in YES:  # questions are required unless the row says 否
            return True
        if text in NO:
            return False
        self.error(number, "required", _("Write 是 or 否."))
        return True

    def _float(self, number, row, column) -> float | None:
        if not row[column]:
            return None
        try:
            return float(row[column])
        except ValueError:
            self.error(number, column, _("“%(value)s” is not a number.") % {"value": row[column]})
            return None

    def _choices(self, number, row) -> list[list[str]]:
        if not row["choices"]:
            self.error(number, "choices", _("This type needs choices, written as 1=是|2=否."))
            return []
        try:
            choices = parse_choices(row["choices"])
        except ValueError as exc:
            self.error(
                number,
                "choices",
                _("The choice “%(part)s” must be written as value=label.") % {"part": exc.args[0]},
            )
            return []
        values = [v for v, _label in choices]
        if len(values) != len(set(values)):
            self.error(number, "choices", _("Two choices have the same value."))
        return choices

    def _show_if(self, number, row, target: dict) -> None:
        text = row["show_if"].replace("＝", "=").replace("，", ",")
        if not text:
            return
        code, sep, values = text.partition("=")
        code = code.strip()
        wanted = [v.strip() for v in values.split(",") if v.strip()]
        if not sep or not wanted:
            self.error(number, "show_if", _("Write the condition as item=value, e.g. q11=1."))
            return
        source = self.items.get(code)
        if source is None:
            self.error(
                number,
                "show_if",
                _("The condition points at “%(code)s”, which is not an item before this row.") % {"code": code},
            )
            return
        if source.type not in CHOICE_TYPES and source.type != "scale":
            self.error(number, "show_if", _("A condition can only depend on a choice item."))
            return
        known = {v for v, _label in source.choices}
        unknown = [v for v in wanted if v not in known]
        if unknown:
            self.error(
                number,
                "show_if",
                _("“%(values)s” is not a choice of “%(code)s”.") % {"values": ",".join(unknown), "code": code},
            )
            return
        target["show_if_item"], target["show_if_values"] = code, wanted

    def finish(self) -> None:
        if not self.definition.items and not self.errors:
            self.errors.append(DefinitionError(0, "", _("The definition has no items.")))
