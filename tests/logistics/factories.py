"""Sampled schools and students made directly (not through the sampling UI), and test images."""

import datetime as dt
import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sampling.models import SampledSchool, SampledStudent

_serials = itertools.count(1)
_ids = itertools.count(1)


def sampled_school(rnd, school, *, grade: int = 4, students: int = 0, **extra) -> SampledSchool:
    sampled = SampledSchool.objects.create(
        round=rnd, grade=grade, school=school, serial=next(_serials), enrolment=120, probability=0.5, weight=2.0, **extra
    )
    for _n in range(students):
        sampled_student(sampled)
    return sampled


def sampled_student(sampled: SampledSchool, **extra) -> SampledStudent:
    n = next(_ids)
    values = {
        "name": f"学生{n}",
        "sex": "M" if n % 2 else "F",
        "birth_date": dt.date(2017, 3, 1),
        "within_probability": 0.25,
        "final_weight": 8.0,
    }
    values.update(extra)
    return SampledStudent.objects.create(sampled_school=sampled, monitoring_id=f"3699{sampled.grade:02d}{n:06d}", **values)


def image_bytes(fmt: str = "JPEG", size=(80, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


def photo(name: str = "room.jpg", fmt: str = "JPEG", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(fmt), content_type=content_type)
