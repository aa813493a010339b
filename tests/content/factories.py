import factory
import wagtail_factories
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from content.models import StandardPage


class UserFactory(factory.django.DjangoModelFactory):
    """A person with no usable password: tests sign them in with force_login."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    is_staff = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        """``UserFactory(groups=["Content editor"])`` puts the user in those groups."""
        if create and names:
            self.groups.add(*(Group.objects.get(name=name) for name in names))


class StaffFactory(UserFactory):
    is_staff = True


class ContentEditorFactory(StaffFactory):
    email = factory.Sequence(lambda n: f"editor{n}@example.org")
    groups = factory.PostGeneration(
        lambda user, create, extracted, **kwargs: (
            create and user.groups.add(Group.objects.get(name="Content editor"))
        )
    )


class ModeratorFactory(StaffFactory):
    email = factory.Sequence(lambda n: f"moderator{n}@example.org")
    groups = factory.PostGeneration(
        lambda user, create, extracted, **kwargs: (
            create and user.groups.add(Group.objects.get(name="Moderators"))
        )
    )


class StandardPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = StandardPage

    title = factory.Faker("sentence", nb_words=4, locale="en_GB")
    intro = "<p>How we can help you.</p>"
    body = factory.LazyFunction(
        lambda: [
            {"type": "heading", "value": "Who we are"},
            {"type": "paragraph", "value": "<p>We give <b>free</b> advice.</p>"},
        ]
    )
