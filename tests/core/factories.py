import factory

from core.models import ApiClient, Role, RoleAssignment, Tenant, User

DEFAULT_PASSWORD = "Correct-Horse-42"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"st{chr(97 + n % 26)}{chr(97 + n // 26 % 26)}")
    name = factory.LazyAttribute(lambda t: t.code.split(".")[-1].title())
    state = factory.LazyAttribute(lambda t: TenantFactory(code=t.code.split(".")[0]) if "." in t.code else None)
    city_code = factory.LazyAttribute(lambda t: t.code.split(".")[-1][:3].upper() if "." in t.code else "")


class ApiClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiClient
        django_get_or_create = ("client_id",)

    client_id = "egov-user-client"
    name = factory.LazyAttribute(lambda c: f"Client {c.client_id}")
    secret_hash = ""


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"employee{n}")
    name = factory.Faker("name", locale="en_IN")
    user_type = User.Type.EMPLOYEE
    tenant = factory.SubFactory(TenantFactory, code="pb.amritsar")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """`roles=[(Role.X, "pb.amritsar"), …]`."""
        for role, tenant_code in extracted or ():
            RoleAssignment.objects.create(user=self, role=role, tenant=TenantFactory(code=tenant_code))
        if create:
            self.save()


def employee(role: str = Role.COLLECTION_OPERATOR, tenant: str = "pb.amritsar", **kwargs) -> User:
    return UserFactory(tenant=TenantFactory(code=tenant), roles=[(role, tenant)], **kwargs)
