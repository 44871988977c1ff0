"""The difference every re-import shows before it is confirmed, on a hand-worked example."""

from monitoring_site.difference import Difference, difference

CURRENT = {
    "A": {"名称": "甲校", "校长": "王", "电话": "1"},
    "B": {"名称": "乙校", "校长": "", "电话": "2"},
    "C": {"名称": "丙校", "校长": "李", "电话": None},
}


def test_added_changed_removed_cleared_and_emptied_are_counted_by_hand():
    new = {
        "A": {"名称": "甲校（新）", "校长": None, "电话": "1"},  # renamed, principal cleared
        "B": {"名称": "乙校", "校长": None, "电话": "2"},  # "" and None are the same blank: unchanged
        "D": {"名称": "丁校", "校长": None, "电话": None},  # added
    }  # C removed
    assert difference(current=CURRENT, new=new) == Difference(
        added=1,
        changed=1,
        removed=1,
        unchanged=1,
        emptied=["校长"],  # 王 and 李 now, no principal in the file
        changed_columns={"名称": 1, "校长": 1},
        cleared={"校长": 1},
        overwritten=2,
    )


def test_filling_a_blank_or_adding_a_row_lowers_nothing_but_a_change_or_a_removal_does():
    filled = {**CURRENT, "B": {"名称": "乙校", "校长": "赵", "电话": "2"}, "D": {"名称": "丁校"}}
    assert not difference(current=CURRENT, new=filled).lowers_data_in_use
    assert difference(current=CURRENT, new=filled).changed_columns == {"校长": 1}
    changed = {**CURRENT, "C": {"名称": "丙校", "校长": "周", "电话": None}}
    assert difference(current=CURRENT, new=changed).lowers_data_in_use
    removed = {k: v for k, v in CURRENT.items() if k != "C"}
    assert difference(current=CURRENT, new=removed).lowers_data_in_use
    assert not difference(current={}, new=CURRENT).lowers_data_in_use  # a first import
