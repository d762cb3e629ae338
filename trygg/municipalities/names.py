"""Swedish name forms. Pure: no Django."""


def genitive(name: str) -> str:
    """The genitive of a Swedish name: "Ljungby kommun" → "Ljungby kommuns", "Malmö stad" → "Malmö stads".

    A name ending in s, x or z takes no further s ("Vännäs" → "Vännäs"). Staff can always write their own form.
    """
    stripped = name.strip()
    if not stripped or stripped[-1].lower() in "sxz":
        return stripped
    return f"{stripped}s"


# Kommuner whose official name is not "<the short name in the genitive> kommun" by the rule below.
_OFFICIAL_EXCEPTIONS = {
    "Gotland": "Region Gotland",  # a kommun with the tasks of a region, and named as one
    "Falun": "Falu kommun",  # the old genitive of Falun
    "Orust": "Orust kommun",  # no genitive s, by the kommun's own usage
}
_VOWELS = "aeiouyåäöé"


def official_name(short: str) -> str:
    """A kommun's official name from its short name in SCB's list: "Markaryd" → "Markaryds kommun",
    "Ljungby" → "Ljungby kommun", "Vännäs" → "Vännäs kommun", "Gotland" → "Region Gotland".

    The short name takes the genitive s, except after a vowel or after s, x or z.
    """
    stripped = " ".join(short.split())
    if stripped in _OFFICIAL_EXCEPTIONS:
        return _OFFICIAL_EXCEPTIONS[stripped]
    if not stripped:
        return stripped
    if stripped[-1].lower() in _VOWELS + "sxz":
        return f"{stripped} kommun"
    return f"{stripped}s kommun"
