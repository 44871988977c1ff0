"""The one way a grade is written on every page and document (四年级, not 4年级 or G4)."""

from django import template

from rounds.models import grade_label

register = template.Library()

register.filter("grade", grade_label)
