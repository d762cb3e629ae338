import secrets

import django.utils.timezone
from django.db import migrations, models


def dates_from_times(apps, schema_editor):
    # Existing keys are plain hashes of addresses, reversible by trying every address: each becomes a random
    # key (a flag still counts once), and only the date of the time is kept.
    CommentReport = apps.get_model("comments", "CommentReport")
    for report in CommentReport.objects.all().only("pk", "created_at"):
        CommentReport.objects.filter(pk=report.pk).update(
            created_on=django.utils.timezone.localtime(report.created_at).date(),
            client_key=secrets.token_hex(16),
        )


class Migration(migrations.Migration):
    dependencies = [("comments", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="commentreport",
            name="created_on",
            field=models.DateField(default=django.utils.timezone.localdate, verbose_name="anmäld"),
            preserve_default=False,
        ),
        migrations.RunPython(dates_from_times, migrations.RunPython.noop),
        migrations.RemoveField(model_name="commentreport", name="created_at"),
        migrations.AlterField(
            model_name="commentreport",
            name="client_key",
            field=models.CharField(max_length=64, verbose_name="klient (nyckel för dagen)"),
        ),
    ]
