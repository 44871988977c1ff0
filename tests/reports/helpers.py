"""Building a document inline and reading its text back as pdftotext extracts it."""

import re
import subprocess

from django.test import TestCase

from rounds.documents import document_request
from rounds.models import Document

RANKING = re.compile(r"排名|第[0-9一二三四五六七八九十百]+名")


def pdf_text(document) -> str:
    """The PDF's text without the spaces and line breaks pdftotext puts between glyphs."""
    with document.pdf.open("rb") as handle:
        data = handle.read()
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return "".join(out.stdout.decode().split())


def build(world, kind: str, subject: str = "") -> Document:
    with TestCase.captureOnCommitCallbacks(execute=True):
        document = document_request(rnd=world.round, kind=kind, subject=subject, user=world.staff)
    return Document.objects.get(pk=document.pk)


def pdf_rows(document) -> list[str]:
    """The PDF's lines as laid out on the page (a table row is a line), spaces removed."""
    with document.pdf.open("rb") as handle:
        data = handle.read()
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return ["".join(line.split()) for line in out.stdout.decode().splitlines() if line.strip()]
