"""Fill each municipality's genitive, and make every stored logo a fresh PNG or nothing.

Before this, the logo field took any file, and nginx serves `media/logos/` from disk to everyone: an HTML or SVG
"logo" there is a stored cross-site script. Each logo a municipality names is re-encoded from its pixels to a new
PNG under a random name; one that is not a raster image is dropped from the row. Then every file left in `logos/`
that no row names (the originals, earlier uploads, anything else) is deleted, so nothing but re-encoded pixels is
served from there.
"""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations


def _files_in(storage, directory):
    try:
        directories, files = storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{directory}/{name}"
    for name in directories:
        yield from _files_in(storage, f"{directory}/{name}")


def forwards(apps, schema_editor):
    from trygg.municipalities.logos import MAX_BYTES, logo_name, logo_reencode
    from trygg.municipalities.names import genitive

    from django.core.exceptions import ValidationError

    Municipality = apps.get_model("municipalities", "Municipality")
    storage = default_storage
    kept = set()
    for municipality in Municipality.objects.all():
        changes = {}
        if not municipality.name_genitive:
            changes["name_genitive"] = genitive(municipality.name)
        old = municipality.logo.name if municipality.logo else ""
        if old:
            try:
                with storage.open(old, "rb") as handle:
                    clean = logo_reencode(handle.read(MAX_BYTES + 1))
            except (OSError, ValidationError):
                changes["logo"] = ""
            else:
                new = storage.save(f"logos/{logo_name(clean)}", ContentFile(clean.data))
                kept.add(new)
                changes["logo"] = new
        if changes:
            Municipality.objects.filter(pk=municipality.pk).update(**changes)
    for name in list(_files_in(storage, "logos")):
        if name not in kept:
            storage.delete(name)


class Migration(migrations.Migration):
    dependencies = [("municipalities", "0002_profile_contact_map_centre_and_reencoded_logo")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
