import factory

from accounts.models import User
from common.roles import Role
from units.models import Unit, UnitKind


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:03d}")
    name = factory.Sequence(lambda n: f"测试单位{n:03d}")
    kind = UnitKind.TOWNSHIP
    display_order = factory.Sequence(lambda n: n)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.COMMERCE
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-9")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ClerkFactory(UserFactory):
    role = Role.UNIT_STAFF
    unit = factory.SubFactory(UnitFactory)
