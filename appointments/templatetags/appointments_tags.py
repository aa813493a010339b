"""Appointment times in London words for templates: ``{{ booking.start|london_time }}``,
``{{ booking.start|london_date }}``, ``{% when booking.start booking.end %}``."""

from django import template

from appointments import formats

register = template.Library()


@register.filter
def london_time(moment):
    return formats.time_text(moment) if moment else ""


@register.filter
def london_date(value):
    return formats.date_text(value) if value else ""


@register.simple_tag
def time_range(start, end):
    return formats.time_range_text(start, end)


@register.simple_tag
def when(start, end):
    return formats.when_text(start, end)
