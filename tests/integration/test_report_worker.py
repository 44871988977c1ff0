"""A real Celery worker on Redis builds the county report and, from one group, every school's
letter, writing to the same PostgreSQL database and media folder the test reads. The worker
runs two processes, as on a server, and the group's letters are shared between them."""

import os
import time

import pytest
from django.urls import reverse

from rounds.models import Document
from sampling.models import SampledSchool
from tests.integration.test_celery_worker import prefork_worker  # noqa: F401
from tests.reports.conftest import report_world  # noqa: F401
from tests.reports.helpers import RANKING, pdf_text
from tests.results.conftest import results_world  # noqa: F401

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _wait(documents, log, seconds=240):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for d in documents:
            d.refresh_from_db()
        if all(d.is_finished for d in documents):
            return documents
        time.sleep(0.5)
    log.seek(0)
    pytest.fail("documents not finished: " + log.read()[-3000:])


# report_world comes first: its imports run inline before the worker takes over the queue.
def test_a_real_worker_builds_the_county_report_and_the_letters(report_world, prefork_worker, client):  # noqa: F811
    _process, log = prefork_worker
    client.force_login(report_world.staff)
    # The letters first: the group's two jobs reach the two idle processes at once.
    client.post(reverse("school_letters_request", args=[report_world.round.pk]))
    client.post(reverse("document_request", args=[report_world.round.pk]), {"kind": "county_report"})
    report = Document.objects.get(kind="county_report")
    letters = list(Document.objects.filter(kind="school_letter").order_by("pk"))
    _wait([report, *letters], log)
    log.seek(0)
    output = log.read()
    assert report.status == Document.Status.DONE, report.error or output[-3000:]
    text = pdf_text(report)
    assert "一、主要发现" in text and "475.0" in text and "55.9" in text and "内部资料" in text
    assert sorted(d.subject for d in letters) == sorted(str(s.pk) for s in SampledSchool.objects.all())
    for letter in letters:
        assert letter.status == Document.Status.DONE, letter.error
        text = pdf_text(letter)
        assert "五、改进建议" in text and not RANKING.search(text)
        assert not any(s.name in text for s in report_world.students)
    assert output.count("rounds.tasks.document_build") >= 3 and "succeeded" in output
    # Each document records the worker process that built it: the letters took two.
    builders = {letter.built_by for letter in letters}
    assert len(builders) == 2 and all(":" in b for b in builders), builders
    assert os.getpid() not in {int(b.rsplit(":", 1)[1]) for b in builders}  # not built inline here
