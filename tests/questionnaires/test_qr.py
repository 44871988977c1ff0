"""QR codes on the slips: each encodes the answering address with its code, and opens it ready."""

import re

import segno
from django.urls import reverse

from questionnaires import ratelimit
from questionnaires.models import Kind
from questionnaires.qr import answer_url
from questionnaires.templatetags.questionnaires import breakable_url

QR = re.compile(r'<span class="qr" data-url="([^"]+)">(<svg.*?</svg>)</span>', re.S)


def qr_codes(body: str) -> dict[str, str]:
    return {url.replace("&amp;", "&"): svg for url, svg in QR.findall(body)}


def test_every_slip_carries_the_qr_code_of_its_own_address(client, qworld):
    code = qworld.code(kind=Kind.STUDENT)
    teacher = qworld.code()
    client.force_login(qworld.world.coord_a)
    body = client.get(reverse("code_slips", args=[qworld.ss_a.pk])).content.decode()
    codes = qr_codes(body)
    for c in (code, teacher):
        url = f"http://testserver/questionnaires/q/?code={c.display_code}"
        assert url in codes
        # The drawn modules are segno's matrix of exactly that address.
        expected = segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, svgclass="qr-code")
        assert codes[url] == expected
    assert len(codes) == body.count('class="slip"')


def test_the_printed_address_breaks_only_after_a_slash():
    assert str(breakable_url("https://jiance.example.cn/questionnaires/q/")) == (
        "https:/<wbr>/<wbr>jiance.example.cn/<wbr>questionnaires/<wbr>q/<wbr>"
    )
    assert "<b>" not in str(breakable_url("http://x/<b>/"))


def test_the_scanned_address_opens_the_start_page_with_the_code_filled_in(client, qworld):
    code = qworld.code()
    page = client.get(answer_url(base="http://testserver", code=code.display_code))
    assert page.status_code == 200
    assert f'value="{code.display_code}"' in page.content.decode()
    assert "q_respondent" not in page.cookies  # opening the address writes nothing
    response = client.post(reverse("respond_start"), {"code": code.display_code})
    assert response["Location"] == reverse("respond_form")


def test_a_code_in_the_address_is_not_a_way_round_the_guessing_limit(client, qworld):
    for _i in range(ratelimit.MAX_FAILURES):
        client.post(reverse("respond_start"), {"code": "AAAAA-AAAAA"})
    code = qworld.code()
    assert client.get(reverse("respond_start"), {"code": code.display_code}).status_code == 200
    assert client.post(reverse("respond_start"), {"code": code.display_code}).status_code == 429
