"""Swedish name forms. Pure: no Django."""


def genitive(name: str) -> str:
    """The genitive of a Swedish name: "Ljungby kommun" → "Ljungby kommuns", "Malmö stad" → "Malmö stads".

    A name ending in s, x or z takes no further s ("Vännäs" → "Vännäs"). Staff can always write their own form.
    """
    stripped = name.strip()
    if not stripped or stripped[-1].lower() in "sxz":
        return stripped
    return f"{stripped}s"
