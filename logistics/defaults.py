"""The default readiness checklist: the five rooms (五室) and the extra items schools report on.

Texts are stored in the language of the person who creates the template (Chinese by default);
county staff may change every item afterwards.
"""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from .models import ItemKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Y, C, T, L = ItemKind.YES_NO, ItemKind.COUNT, ItemKind.TEXT, ItemKind.LOCATION

# (code, room title, [(item key, text, kind, minimum, photo required, minimum from item key)])
DEFAULT_ROOMS: "list[tuple[str, StrOrPromise, list[tuple[str, StrOrPromise, ItemKind, int | None, bool, str | None]]]]" = [
    (
        "secure",
        _("Secure room (保密室)"),
        [
            ("secure_where", _("Where is the secure room?"), L, None, False, None),
            ("cabinet", _("A locked secure cabinet or safe is in place"), Y, None, True, None),
            ("keeper", _("Name of the secrecy officer who keeps the keys"), T, None, False, None),
            (
                "phones",
                _("The monitors' phones will be locked in the cabinet"),
                Y,
                None,
                False,
                None,
            ),
        ],
    ),
    (
        "office",
        _("On-site office (测试现场办公室)"),
        [
            ("office_where", _("Where is the on-site office?"), L, None, False, None),
            ("office_near", _("Within easy reach of the other rooms"), Y, None, False, None),
            ("office_photo", _("Photo of the on-site office"), Y, None, True, None),
        ],
    ),
    (
        "test_room",
        _("Student test room (学生测试室)"),
        [
            ("test_where", _("Where is the student test room?"), L, None, False, None),
            ("desks", _("Single desks with chairs, one student per desk"), C, 30, True, None),
            ("seat_labels", _("Seat-number labels on every desk"), Y, None, False, None),
            (
                "stationery",
                _("Stationery at every seat: writing pad, black signing pen, 2B pencil"),
                Y,
                None,
                True,
                None,
            ),
            ("player", _("Multimedia player working"), Y, None, False, None),
        ],
    ),
    (
        "pe_room",
        _("PE test room (体育测试室)"),
        [
            ("pe_where", _("Where is the PE test room?"), L, None, False, None),
            ("eye_chart", _("Eye chart"), Y, None, False, None),
            ("height_weight", _("Height and weight meter"), Y, None, False, None),
            ("spirometer", _("Spirometer"), Y, None, False, None),
            ("grip", _("Grip dynamometer"), Y, None, False, None),
            ("pe_photo", _("Photo of the PE test room with its instruments"), Y, None, True, None),
        ],
    ),
    (
        "teacher_room",
        _("Teacher questionnaire room (教师问卷填答室)"),
        [
            ("teacher_where", _("Where is the teacher questionnaire room?"), L, None, False, None),
            ("teachers", _("Teachers who will answer the questionnaire"), C, None, False, None),
            ("computers", _("Working computers at single desks"), C, None, True, "teachers"),
            ("network", _("Network working"), Y, None, False, None),
        ],
    ),
    (
        "principal_room",
        _("Principal questionnaire room (校长问卷室)"),
        [
            (
                "principal_where",
                _("Where is the principal questionnaire room?"),
                L,
                None,
                False,
                None,
            ),
            ("principal_computer", _("A working computer with network"), Y, None, False, None),
        ],
    ),
    (
        "notice_board",
        _("Notice board at the gate (监测公示栏)"),
        [
            (
                "notice_list",
                _("Lists the tested students (no more than needed)"),
                Y,
                None,
                True,
                None,
            ),
            (
                "notice_hotline",
                _("Shows the reporting hotline and staff duties"),
                Y,
                None,
                False,
                None,
            ),
        ],
    ),
    (
        "safety",
        _("Safety and medical cover"),
        [
            ("medical", _("Medical cover and a rest area between sessions"), Y, None, False, None),
            ("pickup", _("Parents' pick-up arranged"), Y, None, False, None),
            ("closed_area", _("The monitoring area is closed off"), Y, None, False, None),
        ],
    ),
]
