"""Staff users, sites and object permissions."""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.contenttypes.models import ContentType
from django.db import models

from lastmile.accounts.models import ObjectPermission, Site, User
from tests.factories.base import ModelFactory

PASSWORD = "correct horse battery staple"


class SiteFactory(ModelFactory[Site]):
    class Meta:
        model = Site
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Site {n}")
    slug = factory.Sequence(lambda n: f"site-{n}")


class UserFactory(ModelFactory[User]):
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
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class ObjectPermissionFactory(ModelFactory[ObjectPermission]):
    """An object permission; ``model`` (a model class) and ``users`` are
    attached after creation.  Usually called through :func:`grant`."""

    class Meta:
        model = ObjectPermission
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"permission-{n}")
    actions = factory.LazyFunction(lambda: ["view"])
    constraints = None

    @factory.post_generation
    def model(obj: ObjectPermission, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not None:
            obj.object_types.add(ContentType.objects.get_for_model(extracted))

    @factory.post_generation
    def users(obj: ObjectPermission, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.users.add(*extracted)


def grant(
    user: User,
    model: type[models.Model],
    actions: list[str],
    constraints: object = None,
    name: str | None = None,
) -> ObjectPermission:
    """Give ``user`` an object permission on ``model``."""
    return ObjectPermissionFactory(
        name=name
        or f"{user.username}-{model._meta.model_name}-{'-'.join(actions)}-{ObjectPermission.objects.count()}",
        actions=actions,
        constraints=constraints,
        model=model,
        users=[user],
    )
