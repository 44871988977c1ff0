import datetime as dt

import factory
from django.contrib.auth import get_user_model

from monitoring_site.roles import Role
from rounds.models import County, Department, Person, Region, School, SchoolType

PASSWORD = "Test-pass-2027"


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("kind", "name")

    kind = Region.Kind.PROVINCE
    name = "华阳省"
    parent = None


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("kind", "name", "parent")

    kind = Region.Kind.CITY
    name = "东陵市"
    parent = factory.SubFactory(ProvinceFactory)


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County

    code = factory.Sequence(lambda n: f"{360100 + n:06d}")
    name = factory.Sequence(lambda n: f"测试{n}县")
    city = factory.SubFactory(CityFactory)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"部门{n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    county = factory.SubFactory(CountyFactory)
    code = factory.Sequence(lambda n: f"{1000000000 + n}")
    name = factory.Sequence(lambda n: f"测试第{n}小学")
    school_type = SchoolType.PRIMARY
    location = "rural"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    county = factory.SubFactory(CountyFactory)
    role = Role.COUNTY_STAFF
    must_change_password = False

    @factory.post_generation
    def schools(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.schools.set(extracted)


def late_may(year: int = 2027) -> tuple[dt.date, dt.date]:
    return dt.date(year, 5, 26), dt.date(year, 5, 27)
