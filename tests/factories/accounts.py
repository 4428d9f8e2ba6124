"""Staff users, sites and object permissions."""

from __future__ import annotations

import factory
from django.contrib.contenttypes.models import ContentType

from lastmile.accounts.models import ObjectPermission, Site, User

PASSWORD = "correct horse battery staple"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Site {n}")
    slug = factory.Sequence(lambda n: f"site-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user with :data:`PASSWORD`.  Traits: ``superuser``, ``inactive``,
    ``site_limited`` (a user of a site of its own)."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    class Params:
        superuser = factory.Trait(is_superuser=True, is_staff=True)
        inactive = factory.Trait(is_active=False)
        site_limited = factory.Trait(site=factory.SubFactory(SiteFactory))

    username = factory.Sequence(lambda n: f"staff{n}")
    is_active = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class ObjectPermissionFactory(factory.django.DjangoModelFactory):
    """An object permission; ``model`` (a model class) and ``users`` are
    attached after creation.  Usually called through :func:`grant`."""

    class Meta:
        model = ObjectPermission
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"permission-{n}")
    actions = factory.LazyFunction(lambda: ["view"])
    constraints = None

    @factory.post_generation
    def model(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted is not None:
            obj.object_types.add(ContentType.objects.get_for_model(extracted))

    @factory.post_generation
    def users(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            obj.users.add(*extracted)


def grant(
    user: User, model: type, actions: list[str], constraints: object = None, name: str | None = None
) -> ObjectPermission:
    """Give ``user`` an object permission on ``model``."""
    return ObjectPermissionFactory(  # type: ignore[no-any-return]
        name=name
        or f"{user.username}-{model._meta.model_name}-{'-'.join(actions)}-{ObjectPermission.objects.count()}",
        actions=actions,
        constraints=constraints,
        model=model,
        users=[user],
    )
