"""factory_boy factories for every model tests create."""

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
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_active = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


def grant(
    user: User, model: type, actions: list[str], constraints: object = None, name: str | None = None
) -> ObjectPermission:
    """Give ``user`` an object permission on ``model``."""
    perm = ObjectPermission.objects.create(
        name=name
        or f"{user.username}-{model._meta.model_name}-{'-'.join(actions)}-{ObjectPermission.objects.count()}",
        actions=actions,
        constraints=constraints,
    )
    perm.object_types.add(ContentType.objects.get_for_model(model))
    perm.users.add(user)
    return perm
