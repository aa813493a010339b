import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from content.seed import publish_confidentiality_code


@pytest.fixture
def code_page(db):
    """The home page and the confidentiality code, published from the seed."""
    return publish_confidentiality_code()


@pytest.fixture
def admin_client_for(db):
    """A client signed in as ``user`` with a verified second factor, as the
    Wagtail admin demands of staff."""

    def sign_in(user) -> Client:
        client = Client()
        client.force_login(user)
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return sign_in
