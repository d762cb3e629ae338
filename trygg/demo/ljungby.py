"""Ljungby kommun's medborgarlöfte 2023 as demo data, and a current promise built on its 2024 continuation.

The facts (focus areas, activities, parties, numbers, signatories) are those of the published promises;
every sentence is Trygg's own wording. Nothing here is an invented figure, except the population, which
is labelled as approximate on screen.

The 2023 promise keeps its real dates, so the demo always shows an ended promise with its final report. The
current promise runs over the calendar year the demo is loaded in (`current_promise`): its activities are
those Ljungby published for 2024 (what was carried over from 2023 and what was new), its dates follow the
clock, and its source note says so.
"""

import datetime as dt
from dataclasses import dataclass, field

KOMMUN = "Ljungby kommun"
POLIS = "Polisen"
CIVIL_SOCIETY = "Civilsamhällets organisationer"
COUNTY_BOARD = "Länsstyrelsen i Kronobergs län"
INTEREST_GROUPS = "Intresseorganisationer på landsbygden"


@dataclass(frozen=True)
class DemoActivity:
    text: str
    parties: tuple[str, ...]
    partners: tuple[str, ...] = ()
    quantity: int | None = None
    at_least: bool = False
    unit: str = ""
    per: str = ""
    target_group: str = ""
    place: str = ""
    area: str | None = None


@dataclass(frozen=True)
class DemoFocusArea:
    slug: str
    title: str
    description: str
    problems: tuple[str, ...]
    activities: tuple[DemoActivity, ...] = field(default_factory=tuple)


# Carried over unchanged from 2023 to 2024.
WASTEWATER = DemoActivity(
    "Kommunen mäter förekomsten av droger i avloppsvattnet 4 gånger under året.",
    (KOMMUN,),
    quantity=4,
    unit="mätningar",
    per="year",
)

MUNICIPALITY = {
    "slug": "ljungby",
    "name": KOMMUN,
    "name_genitive": "Ljungby kommuns",
    "website": "https://www.ljungby.se",
    "scb_code": "0781",
    "county": "Kronobergs län",
    "population": 28000,
    "population_note": "Exempeldata",
    "accent_colour": "#005a8c",
}
POLICE_AREA = "Lokalpolisområde Ljungby"
AREAS = ("Centrum", "Ytterområden", "Landsbygd", "Ljungbyporten")

PROMISE = {
    "slug": "2023",
    "title": "Medborgarlöfte 2023 för ökad trygghet i Ljungby kommun",
    "valid_from": dt.date(2023, 1, 1),
    "valid_until": dt.date(2023, 12, 31),
    "introduction": (
        "Ljungby kommun och Polisen arbetar tillsammans för att kommunen ska vara trygg att bo och vistas i. "
        "I medborgarlöftet står de åtgärder som kommunen och polisen har kommit överens om att genomföra "
        "gemensamt under 2023.\n\n"
        "Löftet bygger på en genomgång av vilka brott som är vanligast och av vad invånarna tycker är "
        "viktigast att göra något åt. Underlaget kommer från trygghetsmätningen och från samtal med "
        "poliser som arbetar i kommunen. Ett nytt löfte tas fram varje år, så att det utgår från läget just nu."
    ),
    "source_note": (
        "Texten är Tryggs egen omskrivning av det medborgarlöfte för 2023 som Ljungby kommun och Polisen "
        "publicerade på ljungby.se. Områden, aktiviteter, ansvariga och antal är desamma som i originalet."
    ),
    # Where Ljungby kommun published the 2023 promise (its news page of the promise).
    "source_url": (
        "https://www.ljungby.se/sv/alla-nyheter/aktuella/nyheter/medborgarloftet-for-okad-trygghet-i-ljungby-kommun/"
    ),
}
SIGNATORIES = (
    ("Magnus Gunnarsson", "kommunstyrelsens ordförande", KOMMUN),
    ("Roger Olsson", "lokalpolisområdeschef", POLIS),
)

FOCUS_AREAS: tuple[DemoFocusArea, ...] = (
    DemoFocusArea(
        slug="klotter-och-skadegorelse",
        title="Klotter och skadegörelse",
        description=(
            "Det har blivit mer klotter och skadegörelse på offentliga platser. Det kostar mycket att åtgärda "
            "och gör att fler känner sig otrygga. Därför är det ett prioriterat område under 2023."
        ),
        problems=("klotter", "skadegorelse"),
        activities=(
            DemoActivity("Kommunen inför kameraövervakning vid skolor.", (KOMMUN,), place="skolor"),
            DemoActivity(
                "Kommunen tar bort klotter och lagar skadegörelse så snabbt som möjligt.", (KOMMUN,)
            ),
            DemoActivity("All skadegörelse anmäls till polisen och rapporteras.", ()),
        ),
    ),
    DemoFocusArea(
        slug="narkotika",
        title="Förekomst av narkotika",
        description=(
            "Narkotika är vanligare än förr och har spridit sig till nya platser och nya grupper. Kommunen "
            "och polisen vill minska efterfrågan genom att sprida kunskap och göra drogerna svårare att få tag på."
        ),
        problems=("narkotika",),
        activities=(
            DemoActivity(
                "Kommunen informerar under året om hur droger skadar, för elever i årskurs 8, deras "
                "vårdnadshavare och personalen på skolorna.",
                (KOMMUN,),
                target_group="elever i årskurs 8, deras vårdnadshavare och skolpersonal",
            ),
            DemoActivity(
                "Kommunen fortsätter med slumpvisa drogtester på Sunnerbogymnasiet. Från höstterminen 2023 "
                "gäller testerna alla årskurser.",
                (KOMMUN,),
                target_group="elever på Sunnerbogymnasiet",
                place="Sunnerbogymnasiet",
            ),
            WASTEWATER,
        ),
    ),
    DemoFocusArea(
        slug="drogpaverkade-personer",
        title="Drogpåverkade personer i offentlig miljö",
        description=(
            "Ett närmare samarbete behövs för att minska risken för bråk, oro och obehagliga situationer "
            "där drogpåverkade personer vistas."
        ),
        problems=("drogpaverkade-offentlig-miljo",),
        activities=(
            DemoActivity(
                "Kommunen och polisen bjuder in hyresvärdarna till ett dialogmöte om året för att samarbeta "
                "kring de problem som finns just nu.",
                (KOMMUN, POLIS),
                quantity=1,
                unit="dialogmöte",
                per="year",
                target_group="hyresvärdar",
            ),
            DemoActivity(
                "Polisen bjuder in Centrumföreningen till ett dialogmöte om året om vad som kan göras för "
                "att öka tryggheten.",
                (POLIS,),
                quantity=1,
                unit="dialogmöte",
                per="year",
                target_group="Centrumföreningen",
                area="Centrum",
            ),
        ),
    ),
    DemoFocusArea(
        slug="bedrageri",
        title="Bedrägeri",
        description=(
            "Digitaliseringen har gett bedragare nya sätt att lura människor. Många äldre har svårt att hänga "
            "med när ny teknik införs, och det utnyttjar bedragarna."
        ),
        problems=("bedrageri",),
        activities=(
            DemoActivity(
                "Kommunens socialtjänstlots informerar om bedrägerier tillsammans med civilsamhället, så att "
                "fler känner igen dem.",
                (KOMMUN,),
                partners=(CIVIL_SOCIETY,),
                target_group="äldre invånare",
            ),
            DemoActivity("Kommunen startar arbetet ”Håll dig på benen!” under året.", (KOMMUN,)),
            DemoActivity(
                "Kommunen och polisen gör informationsinsatser så att färre råkar ut för bedrägerier.",
                (KOMMUN, POLIS),
            ),
        ),
    ),
    DemoFocusArea(
        slug="handelsplats-ljungbyporten",
        title="Handelsplats Ljungbyporten",
        description=(
            "Butiker och företag vid handelsplatsen Ljungbyporten upplever att stölder och snatterier har ökat."
        ),
        problems=("stold-snatteri",),
        activities=(
            DemoActivity(
                "Polisen patrullerar till fots på handelsplatsen.",
                (POLIS,),
                place="handelsplatsen",
                area="Ljungbyporten",
            ),
            DemoActivity(
                "Polisen tar tillsammans med kommunen initiativ till samverkan med butikerna och företagen på "
                "handelsplatsen och håller en samverkansträff under året.",
                (POLIS,),
                partners=(KOMMUN,),
                quantity=1,
                unit="samverkansträff",
                per="year",
                target_group="butiker och företag",
                area="Ljungbyporten",
            ),
        ),
    ),
    DemoFocusArea(
        slug="inbrott-pa-landsbygden",
        title="Oro för inbrott på landsbygden",
        description=(
            "Ljungby är en till ytan stor kommun med mycket landsbygd. Inbrotten har blivit färre, men många "
            "oroar sig fortfarande för att drabbas."
        ),
        problems=("inbrott-landsbygd", "bostadsinbrott"),
        activities=(
            DemoActivity(
                "Kommunen och polisen håller dialogmöten 2 gånger under året.",
                (KOMMUN, POLIS),
                quantity=2,
                unit="dialogmöten",
                per="year",
                area="Landsbygd",
            ),
            DemoActivity(
                "Kommunen och polisen genomför trygghetsvandringar 2 gånger under året.",
                (KOMMUN, POLIS),
                quantity=2,
                unit="trygghetsvandringar",
                per="year",
                area="Landsbygd",
            ),
            DemoActivity(
                "Kommunen och polisen håller grannsamverkansmöte minst 1 gång under året.",
                (KOMMUN, POLIS),
                quantity=1,
                at_least=True,
                unit="grannsamverkansmöte",
                per="year",
                area="Landsbygd",
            ),
            DemoActivity(
                "Polisen gör en brottsförebyggande gårdsvandring tillsammans med Länsstyrelsen och "
                "intresseorganisationer.",
                (POLIS,),
                partners=(COUNTY_BOARD, INTEREST_GROUPS),
                area="Landsbygd",
            ),
            DemoActivity(
                "Polisen gör snabba och riktade insatser i tydligt avgränsade områden när det sker stölder "
                "eller seriebrott.",
                (POLIS,),
                area="Landsbygd",
            ),
        ),
    ),
    DemoFocusArea(
        slug="vald-i-samhallet",
        title="Våld i samhället",
        description=(
            "Kommunen och polisen arbetar för ett samhälle fritt från våld, där alla kan känna sig trygga."
        ),
        problems=("vald",),
        activities=(
            DemoActivity(
                "Kommunen inför arbetssättet ”En kommun fri från våld” i all kommunal verksamhet.", (KOMMUN,)
            ),
        ),
    ),
)

# The promise that continued the 2023 one: Ljungby published it for 2024. The demo gives it the dates of the
# year it is loaded in (never earlier than 2024), so that the demo always has a promise that is running.
CONTINUATION_FIRST_YEAR = 2024


def current_promise(year: int) -> dict[str, object]:
    return {
        "slug": str(year),
        "title": f"Medborgarlöfte {year} för ökad trygghet i Ljungby kommun",
        "valid_from": dt.date(year, 1, 1),
        "valid_until": dt.date(year, 12, 31),
        "introduction": (
            "Kommunen och Polisen fortsätter det gemensamma arbetet från förra årets medborgarlöfte. En del "
            "åtgärder fortsätter som förut, andra är nya. Löftet bygger på trygghetsmätningen, på statistiken "
            "över anmälda brott och på vad invånarna har berättat."
        ),
        "source_note": (
            "Demo: aktiviteterna är Tryggs egen omskrivning av det medborgarlöfte som Ljungby kommun och Polisen "
            f"publicerade för {CONTINUATION_FIRST_YEAR} på ljungby.se. Här gäller det innevarande år, "
            f"{year}, så att demon alltid har ett pågående löfte. Uppföljningen är påhittad (Exempeldata)."
        ),
        # The page of Ljungby's medborgarlöfte, where the promise this one is rewritten from was published.
        "source_url": (
            "https://www.ljungby.se/sv/politik-och-demokrati/kommunala-rad/brottsforebyggande-radet/medborgarlofte/"
        ),
    }


CURRENT_FOCUS_AREAS: tuple[DemoFocusArea, ...] = (
    DemoFocusArea(
        slug="klotter-och-skadegorelse",
        title="Klotter och skadegörelser har ökat",
        description=(
            "Klottret och skadegörelsen på allmänna platser har blivit mer. Det är dyrt att åtgärda och gör "
            "platserna otrygga, så arbetet från förra året fortsätter och kompletteras."
        ),
        problems=("klotter", "skadegorelse"),
        activities=(
            DemoActivity("Kommunen sanerar klotter skyndsamt.", (KOMMUN,)),
            DemoActivity(
                "Kommunen går igenom vilka förebyggande åtgärder mot klotter som går att göra.", (KOMMUN,)
            ),
        ),
    ),
    DemoFocusArea(
        slug="narkotika",
        title="Narkotika finns i fler miljöer och grupper",
        description=(
            "Narkotika har blivit vanligare och når nya grupper. Kommunen och polisen vill både minska "
            "efterfrågan och göra det svårare att sälja."
        ),
        problems=("narkotika",),
        activities=(
            DemoActivity(
                "Kommunen informerar elever i årskurs 8, deras vårdnadshavare och skolpersonalen om hur droger "
                "skadar.",
                (KOMMUN,),
                target_group="elever i årskurs 8, deras vårdnadshavare och skolpersonal",
            ),
            DemoActivity(
                "Kommunen fortsätter med slumpvisa drogtester på Sunnerbogymnasiet.",
                (KOMMUN,),
                target_group="elever på Sunnerbogymnasiet",
                place="Sunnerbogymnasiet",
            ),
            WASTEWATER,
            DemoActivity(
                "Polisen lägger fokus på att kartlägga och lagföra personer med koppling till "
                "narkotikaförsäljning och organiserad brottslighet.",
                (POLIS,),
            ),
        ),
    ),
    DemoFocusArea(
        slug="unga-och-brott",
        title="Unga ska inte dras in i brott",
        description=(
            "Ju tidigare unga som riskerar att hamna i kriminalitet får stöd, desto större är chansen att "
            "de inte gör det. Polisen och kommunen arbetar därför tillsammans och tidigt."
        ),
        problems=("ungdomar-som-stor",),
        activities=(
            DemoActivity(
                "Polisen och kommunen arbetar tillsammans med tidiga brottsförebyggande insatser för unga.",
                (POLIS, KOMMUN),
                target_group="unga",
            ),
        ),
    ),
)

DEMO_STAFF = (
    # (username, first name, last name, party, role)
    ("samordnare", "Sam", "Ordnare", KOMMUN, "coordinator"),
    ("kommunpolis", "Kim", "Polis", POLIS, "police"),
)
# The platform operator of the demo (username, first name, last name): a superuser, the only demo login that opens
# the Django admin at /admin/. Municipal staff work under /personal/.
DEMO_OPERATOR = ("administrator", "Alva", "Drift")
# Every demo user has an address under the reserved .example top-level domain (RFC 2606), so that reminders and
# invitations reach someone in development (printed to the console) and nobody in the real world.
DEMO_EMAIL_DOMAIN = "ljungby.example"


def demo_email(username: str) -> str:
    return f"{username}@{DEMO_EMAIL_DOMAIN}"


# The demo's second factor: a fixed TOTP secret (hex, 20 bytes) printed by `make run`.
DEMO_TOTP_KEY = "54727967672d64656d6f2d6c6a756e6762792d31"
DEMO_PASSWORD = "trygg-demo-ljungby"  # noqa: S105 - printed by `make run`; production refuses to load the demo.
