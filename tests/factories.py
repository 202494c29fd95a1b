import datetime
from decimal import Decimal

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


class PromotionEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.PromotionEvent"

    name = factory.Sequence(lambda n: f"招商会{n}")
    held_on = datetime.date(2026, 3, 18)
    place = "深圳"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Project"

    code = factory.Sequence(lambda n: f"P-{n:05d}")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    capital_type = "domestic"
    unit = factory.SubFactory(UnitFactory)
    investor = "某某投资有限公司"
    origin = "广东省"
    industry = "商贸物流"
    stage = "signed"
    signed_on = datetime.date(2026, 1, 10)
    contract_amount = Decimal("1000.00")


class ForeignProjectFactory(ProjectFactory):
    capital_type = "foreign"
    origin = "香港"
    approved_on = datetime.date(2026, 1, 20)


class InflowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Inflow"

    project = factory.SubFactory(ProjectFactory)
    arrived_on = datetime.date(2026, 2, 1)
    amount = Decimal("100.00")
    voucher_no = factory.Sequence(lambda n: f"V{n:06d}")
    status = "pending"
