"""One ReportedCrime row per kommun, category and year with its whole-year, month and quarter figures as columns,
instead of one row per figure: existing figures are folded into their year's row (and unfolded on the way back)."""

from typing import Any

from django.db import migrations, models

# month (0 = the whole year, 1–12, 13–16 the quarters) → column, as in models.PERIOD_FIELDS at this migration.
PERIOD_FIELDS = {
    0: "whole_year",
    **{month: f"m{month:02d}" for month in range(1, 13)},
    **{13 + quarter: f"q{quarter + 1}" for quarter in range(4)},
}
BATCH = 5000


def _period_field(name: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(blank=True, null=True, verbose_name=name)


def fold_figures_into_years(apps: Any, schema_editor: Any) -> None:
    """Kommun by kommun: read its figures, delete them and write one row per category and year. A row carries the
    newest import run among its figures'."""
    reported_crime = apps.get_model("crimestats", "ReportedCrime")
    alias = schema_editor.connection.alias
    rows = reported_crime.objects.using(alias)
    for municipality_id in list(rows.values_list("municipality_id", flat=True).distinct().order_by("municipality_id")):
        years: dict[tuple[int, int], dict[str, Any]] = {}
        figures = rows.filter(municipality_id=municipality_id)
        for category_id, year, month, count, preliminary, run_id in figures.values_list(
            "category_id", "year", "month", "count", "preliminary", "import_run_id"
        ).order_by("pk"):
            row = years.setdefault(
                (category_id, year), {"preliminary_periods": 0, "import_run_id": None, "month": 0}
            )
            row[PERIOD_FIELDS[month]] = count
            if preliminary:
                row["preliminary_periods"] |= 1 << month
            if run_id is not None and (row["import_run_id"] is None or run_id > row["import_run_id"]):
                row["import_run_id"] = run_id
        figures.delete()
        rows.bulk_create(
            [
                reported_crime(municipality_id=municipality_id, category_id=category_id, year=year, **values)
                for (category_id, year), values in years.items()
            ],
            batch_size=BATCH,
        )


def unfold_years_into_figures(apps: Any, schema_editor: Any) -> None:
    """The way back: one row per figure, each carrying its year's import run."""
    reported_crime = apps.get_model("crimestats", "ReportedCrime")
    alias = schema_editor.connection.alias
    rows = reported_crime.objects.using(alias)
    for municipality_id in list(rows.values_list("municipality_id", flat=True).distinct().order_by("municipality_id")):
        years = rows.filter(municipality_id=municipality_id)
        figures = [
            reported_crime(
                municipality_id=municipality_id,
                category_id=category_id,
                year=year,
                month=month,
                count=count,
                preliminary=bool(preliminary >> month & 1),
                import_run_id=run_id,
            )
            for category_id, year, preliminary, run_id, *counts in years.values_list(
                "category_id", "year", "preliminary_periods", "import_run_id", *PERIOD_FIELDS.values()
            )
            for month, count in zip(PERIOD_FIELDS, counts, strict=True)
            if count is not None
        ]
        years.delete()
        rows.bulk_create(figures, batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("crimestats", "0004_reported_crime_keys_checked_by_the_import_and_only_the_unique_index"),
        ("municipalities", "0003_genitives_filled_and_logos_reencoded"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="reportedcrime", name="reported_crime_unique_period"),
        # Nullable while both shapes live in the table, so that the way back can add the column again.
        migrations.AlterField(
            model_name="reportedcrime",
            name="count",
            field=models.PositiveIntegerField(null=True, verbose_name="antal"),
        ),
        migrations.AddField(model_name="reportedcrime", name="whole_year", field=_period_field("helår")),
        *[
            migrations.AddField(
                model_name="reportedcrime", name=f"m{month:02d}", field=_period_field(f"månad {month}")
            )
            for month in range(1, 13)
        ],
        *[
            migrations.AddField(
                model_name="reportedcrime", name=f"q{quarter}", field=_period_field(f"kvartal {quarter}")
            )
            for quarter in range(1, 5)
        ],
        migrations.AddField(
            model_name="reportedcrime",
            name="preliminary_periods",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Vilka av årets siffror källan märkte ”prel.”: bit 0 helåret, 1–12 månaderna, 13–16 "
                "kvartalen; en senare import ersätter dem.",
                verbose_name="preliminära perioder",
            ),
        ),
        migrations.RunPython(fold_figures_into_years, unfold_years_into_figures),
        migrations.RemoveField(model_name="reportedcrime", name="count"),
        migrations.RemoveField(model_name="reportedcrime", name="month"),
        migrations.RemoveField(model_name="reportedcrime", name="preliminary"),
        migrations.AlterModelOptions(
            name="reportedcrime",
            options={
                "ordering": ["municipality", "category", "year"],
                "verbose_name": "anmälda brott",
                "verbose_name_plural": "anmälda brott",
            },
        ),
        migrations.AddConstraint(
            model_name="reportedcrime",
            constraint=models.UniqueConstraint(
                fields=("municipality", "category", "year"), name="reported_crime_unique_year"
            ),
        ),
    ]
