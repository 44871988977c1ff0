"""Dates one way on every Chinese page: 2026年5月27日 in text, 2026-05-27 in tables.

Templates write ``|date:"DATE_FORMAT"`` (``DATETIME_FORMAT``) in sentences and
``|date:"SHORT_DATE_FORMAT"`` (``SHORT_DATETIME_FORMAT``) in table cells; the rest of
Django's zh_Hans formats stay as they are.
"""

DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
MONTH_DAY_FORMAT = "n月j日"  # Django's "m月j日" pads the month: 05月27日
