from django.db import migrations

from trygg.problems.catalogue import DEFAULT_PROBLEMS


def add_default_problems(apps, schema_editor):
    problem_model = apps.get_model("problems", "Problem")
    for order, (slug, name) in enumerate(DEFAULT_PROBLEMS, start=1):
        problem_model.objects.get_or_create(slug=slug, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("problems", "0001_initial")]

    operations = [migrations.RunPython(add_default_problems, migrations.RunPython.noop)]
