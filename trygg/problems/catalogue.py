"""The problem list Trygg ships with. Extend it here (or in the admin); slugs are stable identifiers."""

DEFAULT_PROBLEMS: list[tuple[str, str]] = [
    ("klotter", "Klotter"),
    ("skadegorelse", "Skadegörelse"),
    ("narkotika", "Narkotika"),
    ("drogpaverkade-offentlig-miljo", "Drogpåverkade personer i offentlig miljö"),
    ("bedrageri", "Bedrägeri"),
    ("stold-snatteri", "Stöld och snatteri"),
    ("bostadsinbrott", "Bostadsinbrott"),
    ("inbrott-landsbygd", "Inbrott på landsbygden"),
    ("vald", "Våld"),
    ("trafik", "Trafik och fortkörning"),
    ("nedskrapning", "Nedskräpning"),
    ("otrygga-platser", "Otrygga platser"),
    ("belysning", "Bristande belysning"),
    ("ungdomar-som-stor", "Ungdomar som stör"),
    ("berusade-personer", "Berusade personer"),
]
