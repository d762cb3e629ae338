"""The Django admin is the platform operators' alone: municipal staff do all their work in /personal/.

Every admin URL (the site's own views and each registered model's list, add, change, history and delete pages)
refuses every municipal role, and no page a member of staff can open links to the admin.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse

from trygg.accounts.models import User
from trygg.core.tests.test_permission_matrix import (  # noqa: F401 - fixtures
    Context,
    _all_urls,
    matrix,
    personas,
)
from trygg.municipalities.models import Membership, Municipality
from trygg.problems.models import Problem

pytestmark = pytest.mark.django_db

MUNICIPAL_ROLES = ["coordinator", "police", "crew"]
HREF = re.compile(r"""(?:href|action|formaction|src)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


ROUTE_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")


def _admin_routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        route = getattr(pattern.pattern, "_route", None)
        if route is None:
            continue  # the catch-all re_path, which answers 404 or adds a slash
        if isinstance(pattern, URLResolver):
            yield from _admin_routes(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            yield prefix + route, pattern


def _admin_urls() -> list[str]:
    """Every admin URL, filled with a real object where the pattern names one."""
    municipality = Municipality.objects.order_by("pk").first()
    assert municipality is not None
    urls = set()
    for route, _pattern in _admin_routes(admin.site.get_urls()):
        names = set(ROUTE_ARGUMENT.findall(route))
        model_admin = next(
            (
                registered
                for model, registered in admin.site._registry.items()
                if route.startswith(f"{model._meta.app_label}/{model._meta.model_name}/")
            ),
            None,
        )
        values: dict[str, str] = {}
        if "content_type_id" in names:
            values = {
                "content_type_id": str(ContentType.objects.get_for_model(Municipality).pk),
                "object_id": str(municipality.pk),
            }
        elif names & {"object_id", "id", "pk"}:
            assert model_admin is not None, route
            first = model_admin.model._default_manager.order_by("pk").first()
            values = dict.fromkeys(names, str(first.pk if first is not None else 1))
        if "app_label" in names:
            for app_label in {model._meta.app_label for model in admin.site._registry}:
                urls.add("/admin/" + route.replace("<app_label>", app_label))
            continue
        filled = route
        for argument, value in values.items():
            filled = re.sub(rf"<(?:\w+:)?{argument}>", value, filled)
        urls.add("/admin/" + filled)
    return sorted(urls)


@pytest.fixture
def staff_clients(login: Any, coordinator: User, police_officer: User, crew_member: User) -> dict[str, Any]:
    # Even with every permission Django knows, a municipal role stays out: the site, not a permission, decides.
    from django.contrib.auth.models import Permission

    for user in (coordinator, police_officer, crew_member):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.user_permissions.add(*Permission.objects.all())
    return {
        "coordinator": lambda: login(coordinator),
        "police": lambda: login(police_officer),
        "crew": lambda: login(crew_member),
    }


def test_the_admin_has_model_pages_for_every_registered_model(home_municipality: Municipality) -> None:
    urls = _admin_urls()

    assert "/admin/" in urls
    assert "/admin/problems/problem/" in urls
    assert "/admin/municipalities/municipality/" in urls
    assert len(urls) > 5 * len(admin.site._registry)


@pytest.mark.page_sweep
@pytest.mark.parametrize("role", MUNICIPAL_ROLES)
def test_every_municipal_role_is_refused_on_every_admin_url(
    staff_clients: dict[str, Any], role: str, home_municipality: Municipality
) -> None:
    client = staff_clients[role]()
    problems = []
    for url in _admin_urls():
        response = client.get(url)
        if response.status_code != 403:
            problems.append((url, response.status_code))

    assert problems == [], problems


@pytest.mark.parametrize("role", MUNICIPAL_ROLES)
def test_a_municipal_roles_post_to_the_admin_is_refused_and_changes_nothing(
    staff_clients: dict[str, Any], role: str, home_municipality: Municipality
) -> None:
    client = staff_clients[role]()
    municipality_url = reverse("admin:municipalities_municipality_change", args=[home_municipality.pk])

    refused = client.post(municipality_url, {"name": "Kapad kommun", "slug": "kapad"})
    membership = client.post(
        reverse("admin:municipalities_membership_add"),
        {"user": 1, "municipality": home_municipality.pk, "party": 1, "role": "administrator"},
    )

    assert refused.status_code == membership.status_code == 403
    home_municipality.refresh_from_db()
    assert home_municipality.name == "Ljungby kommun"
    assert not Membership.objects.filter(role="administrator").exists()


def test_the_police_cannot_rename_the_problem_list_shared_by_every_municipality(
    staff_clients: dict[str, Any], home_municipality: Municipality
) -> None:
    problem = Problem.objects.order_by("pk").first()
    assert problem is not None
    before = (problem.name, problem.slug)

    response = staff_clients["police"]().post(
        reverse("admin:problems_problem_change", args=[problem.pk]),
        {"name": "Omdöpt av polisen", "slug": problem.slug, "order": problem.order},
    )

    assert response.status_code == 403
    problem.refresh_from_db()
    assert (problem.name, problem.slug) == before


def test_an_anonymous_visitor_is_sent_to_the_staff_login(
    client: Client, home_municipality: Municipality
) -> None:
    response = client.get("/admin/municipalities/municipality/")

    assert response.status_code == 302
    assert "/personal/logga-in/" in response["Location"] or "/admin/login/" in response["Location"]


def test_a_platform_operator_with_a_second_factor_uses_the_admin(
    login: Any, home_municipality: Municipality
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    operator = User.objects.create_superuser("operator", "operator@example.se", "ett-långt-lösenord")
    TOTPDevice.objects.create(user=operator, name="test", confirmed=True)
    client = login(operator)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/municipalities/municipality/").status_code == 200


def test_a_superuser_without_a_second_factor_is_not_let_in(
    client: Client, home_municipality: Municipality
) -> None:
    operator = User.objects.create_superuser("operator", "operator@example.se", "ett-långt-lösenord")
    client.force_login(operator)

    response = client.get("/admin/")

    assert response.status_code == 302


def _admin_links(html: str) -> list[str]:
    return [
        link for link in HREF.findall(html) if re.match(r"^(?:https?://[^/]+)?(?:/en)?/admin(?:/|$)", link)
    ]


@pytest.mark.page_sweep
@pytest.mark.parametrize("role", MUNICIPAL_ROLES)
def test_no_page_a_municipal_role_opens_links_to_the_admin(
    matrix: Context,  # noqa: F811 - the permission matrix's fixture
    personas: dict[str, Client | None],  # noqa: F811
    role: str,
) -> None:
    client = personas[role]
    assert client is not None
    pages = 0
    problems = []
    for _name, url in [*_all_urls(matrix), ("accounts:dashboard", reverse("accounts:dashboard"))]:
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        found = _admin_links(response.content.decode())
        if found:
            problems.append((url, found))

    assert pages > 40, "too few pages were opened for the walk to mean anything"
    assert problems == [], problems


def test_the_link_check_finds_an_admin_link() -> None:
    assert _admin_links(
        '<a href="/admin/">x</a> <a href="/en/admin/problems/">y</a> <a href="/personal/">z</a>'
    ) == [
        "/admin/",
        "/en/admin/problems/",
    ]


def test_the_operators_view_of_a_promise_shows_every_field_staff_edit(
    login: Any, home_municipality: Municipality
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from trygg.promises.fields import PROMISE_FIELDS
    from trygg.promises.models import Promise

    promise = Promise.objects.filter(municipality=home_municipality).first()
    assert promise is not None
    Promise.objects.filter(pk=promise.pk).update(source_url="https://www.example.se/medborgarlofte")
    operator = User.objects.create_superuser("operator", "operator@example.se", "ett-långt-lösenord")
    TOTPDevice.objects.create(user=operator, name="test", confirmed=True)

    page = login(operator).get(f"/admin/promises/promise/{promise.pk}/change/").content.decode()

    for field in PROMISE_FIELDS:
        assert f"field-{field}" in page
    assert "https://www.example.se/medborgarlofte" in page
