import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _newest_with_a_parent_in_its_app() -> list[tuple[str, str, str]]:
    """Each Trygg app's newest migration and the one before it in the same app (a first migration has none)."""
    graph = MigrationExecutor(connection).loader.graph
    found = []
    for app, name in graph.leaf_nodes():
        if f"trygg.{app}" not in _trygg_apps():
            continue
        parents = [parent.key for parent in graph.node_map[(app, name)].parents if parent.key[0] == app]
        if parents:
            found.append((app, name, parents[0][1]))
    return found


def _trygg_apps() -> set[str]:
    from django.apps import apps

    return {config.name for config in apps.get_app_configs() if config.name.startswith("trygg.")}


@pytest.mark.django_db(transaction=True)
def test_item_42_the_newest_migration_of_every_app_can_be_reversed_and_applied_again() -> None:
    reversible = _newest_with_a_parent_in_its_app()
    assert reversible, "no app has a second migration to reverse"

    for app, newest, previous in reversible:
        # Going back also unapplies the other apps' migrations that depend on it (an app reversed that way is
        # brought forward to its previous migration here); one plain migrate at the end applies every one again.
        call_command("migrate", app, previous, verbosity=0)
        applied = MigrationExecutor(connection).loader.applied_migrations
        assert (app, newest) not in applied and (app, previous) in applied
    call_command("migrate", verbosity=0)

    assert (
        MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes())
        == []
    )
