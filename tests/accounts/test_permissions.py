"""Object permissions limited by attributes: the owner, a colleague of the same
site, and an outsider who gets 404 rather than someone else's data."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lastmile.accounts.models import Site
from tests.factories import SiteFactory, UserFactory, grant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sites_enabled")]


@pytest.fixture
def north():  # type: ignore[no-untyped-def]
    return SiteFactory(name="North", slug="north")


@pytest.fixture
def south():  # type: ignore[no-untyped-def]
    return SiteFactory(name="South", slug="south")


@pytest.fixture
def north_manager(north):  # type: ignore[no-untyped-def]
    user = UserFactory(username="north-manager", site=north)
    grant(user, Site, ["view", "change"], {"slug": "north"})
    return user


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_restrict_returns_only_permitted_objects(north, south, north_manager):
    assert list(Site.objects.restrict(north_manager, "view")) == [north]
    assert list(Site.objects.restrict(north_manager, "delete")) == []


def test_user_without_permissions_sees_nothing(north, south):
    nobody = UserFactory(username="nobody")
    assert not Site.objects.restrict(nobody, "view").exists()


def test_inactive_user_sees_nothing_even_with_permission(north, north_manager):
    north_manager.is_active = False
    north_manager.save()
    assert not Site.objects.restrict(north_manager, "view").exists()


def test_site_token_resolves_to_users_own_site(north, south):
    user = UserFactory(username="own-site", site=south)
    grant(user, Site, ["view"], {"pk": "$site"})
    assert list(Site.objects.restrict(user, "view")) == [south]


def test_list_of_constraint_sets_is_or(north, south):
    user = UserFactory(username="both")
    grant(user, Site, ["view"], [{"slug": "north"}, {"slug": "south"}])
    assert set(Site.objects.restrict(user, "view")) == {north, south}


def test_group_permission_applies_to_members(north, south):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="north-staff")
    user = UserFactory(username="member")
    user.groups.add(group)
    perm = grant(UserFactory(username="other"), Site, ["view"], {"slug": "south"})
    perm.groups.add(group)
    assert list(Site.objects.restrict(user, "view")) == [south]


def test_has_perm_with_object_checks_constraints(north, south, north_manager):
    assert north_manager.has_perm("accounts.change_site", north)
    assert not north_manager.has_perm("accounts.change_site", south)
    assert not north_manager.has_perm("accounts.delete_site")


# --- UI ----------------------------------------------------------------------
def test_ui_list_shows_only_own_site(north, south, north_manager):
    page = _client(north_manager).get("/accounts/sites/")
    assert page.status_code == 200
    assert b"North" in page.content
    assert b"South" not in page.content


def test_ui_edit_other_site_is_404(north, south, north_manager):
    client = _client(north_manager)
    assert client.get(f"/accounts/sites/{south.pk}/").status_code == 404
    response = client.post(f"/accounts/sites/{south.pk}/", {"name": "Hijacked", "slug": "south"})
    assert response.status_code == 404
    south.refresh_from_db()
    assert south.name == "South"


def test_ui_colleague_of_same_site_can_edit(north, north_manager):
    colleague = UserFactory(username="colleague", site=north)
    grant(colleague, Site, ["view", "change"], {"pk": "$site"})
    response = _client(colleague).post(
        f"/accounts/sites/{north.pk}/",
        {"name": "North-1", "slug": "north", "address": "", "description": ""},
    )
    assert response.status_code == 302
    north.refresh_from_db()
    assert north.name == "North-1"


def test_ui_cannot_move_object_outside_permission(north, north_manager):
    response = _client(north_manager).post(
        f"/accounts/sites/{north.pk}/",
        {"name": "North", "slug": "elsewhere", "address": "", "description": ""},
    )
    assert response.status_code == 200
    assert "not allowed" in response.content.decode()
    north.refresh_from_db()
    assert north.slug == "north"


def test_ui_delete_needs_delete_permission(north, north_manager):
    response = _client(north_manager).post(f"/accounts/sites/{north.pk}/delete/")
    assert response.status_code == 404
    assert Site.objects.filter(pk=north.pk).exists()


# --- API ---------------------------------------------------------------------
def test_api_list_and_get_respect_constraints(north, south, north_manager):
    client = _client(north_manager)
    listing = client.get("/api/v1/accounts/sites")
    assert listing.status_code == 200
    assert [item["slug"] for item in listing.json()["items"]] == ["north"]
    assert client.get(f"/api/v1/accounts/sites/{north.pk}").status_code == 200
    other = client.get(f"/api/v1/accounts/sites/{south.pk}")
    assert other.status_code == 404
    assert other["Content-Type"] == "application/problem+json"


def test_api_update_other_site_is_404_and_changes_nothing(north, south, north_manager):
    client = _client(north_manager)
    body = json.dumps({"name": "Hijacked", "slug": "south"})
    response = client.put(
        f"/api/v1/accounts/sites/{south.pk}", body, content_type="application/json"
    )
    assert response.status_code == 404
    south.refresh_from_db()
    assert south.name == "South"


def test_api_create_without_add_permission_is_403(north_manager):
    body = json.dumps({"name": "East", "slug": "east"})
    response = _client(north_manager).post(
        "/api/v1/accounts/sites", body, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Site.objects.filter(slug="east").exists()


def test_sites_disabled_hides_sites(north, admin_client, settings):
    settings.LASTMILE.sites_enabled = False
    assert admin_client.get("/accounts/sites/").status_code == 404
    assert admin_client.get("/api/v1/accounts/sites").status_code == 404
    assert b"/accounts/sites/" not in admin_client.get("/").content
