"""Every text, date, time and yes/no field of the appointments models is
listed as personal data or explicitly not, so a new one cannot be forgotten."""

from django.apps import apps
from django.db import models

from appointments.personal_data import NOT_PERSONAL, PERSONAL_DATA

CHECKED_TYPES = (
    models.CharField,
    models.TextField,
    models.DateField,
    models.TimeField,
    models.BooleanField,
    models.JSONField,
)


def appointment_models():
    return {m._meta.label: m for m in apps.get_app_config("appointments").get_models()}


def test_every_appointments_model_is_in_the_registry():
    assert set(appointment_models()) == set(PERSONAL_DATA) | set(NOT_PERSONAL)


def test_every_field_is_classified_exactly_once():
    for label, model in appointment_models().items():
        fields = {
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, CHECKED_TYPES) and not f.primary_key
        }
        personal = set(PERSONAL_DATA.get(label, ()))
        not_personal = set(NOT_PERSONAL.get(label, ()))
        assert not personal & not_personal, f"{label}: listed as both"
        missing = fields - personal - not_personal
        assert not missing, f"{label}: classify {sorted(missing)} in appointments/personal_data.py"
        unknown = (personal | not_personal) - {f.name for f in model._meta.concrete_fields}
        assert not unknown, f"{label}: no such fields {sorted(unknown)}"
