from typing import Any

from django.core.management.base import BaseCommand

from trygg.national.services import municipalities_ensure_official


class Command(BaseCommand):
    help = (
        "Skapar en kommun i Trygg för var och en av landets 290 kommuner som saknas (efter kommunkod), så att "
        "den nationella vyn kan visa och hämta löften för alla. Befintliga kommuner lämnas orörda."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created = municipalities_ensure_official()
        self.stdout.write(f"{created} kommuner skapade.")
