"""factory_boy factories for the right-of-access tests (Faker, en_GB)."""

import datetime

import factory
from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from factory.django import DjangoModelFactory
from wagtail.models import Page, Revision

from sar.models import Child, Relationship

PASSWORD = "a-long-test-password-1234"


class UserFactory(DjangoModelFactory):
    """A person who signs in, made through ``create_user`` as the app does."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)


class ChildFactory(DjangoModelFactory):
    """A child as a parent describes them; 8 years old unless told otherwise."""

    class Meta:
        model = Child

    parent = factory.SubFactory(UserFactory)
    full_name = factory.Faker("name", locale="en_GB")
    date_of_birth = factory.LazyFunction(lambda: datetime.date.today() - relativedelta(years=8))
    school_or_setting = factory.Faker("company", locale="en_GB")
    relationship = Relationship.MOTHER
    has_parental_responsibility = True


def confidentiality_revision() -> Revision:
    """A Wagtail revision to acknowledge (of the root page: the tests need a
    revision row, not the content app's page type)."""
    page = Page.objects.order_by("depth").first()
    page_type = ContentType.objects.get_for_model(Page)
    return Revision.objects.create(
        content_type=page_type,
        base_content_type=page_type,
        object_id=str(page.pk),
        object_str="Confidentiality code",
        content={},
    )
