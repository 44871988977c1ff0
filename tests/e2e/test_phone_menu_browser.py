"""The phone menu's language link can be read: the link colour on the white menu (issue 15)."""

from ..factories import PASSWORD
from .conftest import login, screenshot


def _rgb(css: str) -> tuple[int, ...]:
    return tuple(int(v) for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])


def test_the_language_link_in_the_phone_menu_stands_out_from_the_menu(phone_page, world_e2e):
    login(phone_page, "staff", PASSWORD)
    phone_page.click("button.navbar-toggler")
    link = phone_page.locator("#sidebar .lang-switch button")
    link.scroll_into_view_if_needed()
    text = _rgb(link.evaluate("e => getComputedStyle(e).color"))
    menu = _rgb(phone_page.locator("#sidebar").evaluate("e => getComputedStyle(e).backgroundColor"))
    screenshot(phone_page, "phone-menu-language-link")
    assert link.is_visible() and link.inner_text() == "English"
    # white on white was (255, 255, 255) on (255, 255, 255); ask for a plain difference in every case
    assert sum(abs(a - b) for a, b in zip(text, menu, strict=True)) > 200, (text, menu)
