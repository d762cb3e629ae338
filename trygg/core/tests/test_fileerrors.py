"""Import errors made in pure modules: Swedish as Python prints them, in the page's language on a page."""

from django.utils import translation

from trygg.core.fileerrors import LineError, MessageError
from trygg.core.templatetags.site_tags import message_in_language
from trygg.crimestats.importers import LineError as CrimeLineError
from trygg.promises.readers import DocumentError


class Example(LineError):
    MESSAGES = {"bad": "Värdet %(value)s är fel (%(why)s)."}


CATALOGUE = {
    "Filen %(name)s är %(what)s.": "File %(name)s is %(what)s.",
    "Värdet %(value)s är fel (%(why)s).": "Value %(value)s is wrong (%(why)s).",
    "rad": "line",
    "kolumn": "field",
}


def translated(message: str) -> str:
    return CATALOGUE.get(message, message)


def test_a_message_error_prints_its_filled_template_and_translates_the_template_before_filling_it() -> None:
    error = MessageError("Filen %(name)s är %(what)s.", name="a.txt", what="tom")

    assert str(error) == "Filen a.txt är tom."
    assert error.message_in(translated) == "File a.txt is tom."


def test_a_message_error_without_values_keeps_a_percent_sign() -> None:
    assert MessageError("100 % fel").message_in() == "100 % fel"


def test_a_line_error_names_line_and_column_in_the_language_given() -> None:
    error = Example(3, "datum", "bad", "x", {"why": "okänt"})

    assert str(error) == "rad 3, kolumn datum: Värdet ”x” är fel (okänt)."
    assert error.text_in(translated) == "line 3, field datum: Value ”x” is wrong (okänt)."
    assert Example(4, None, "bad", None, {"why": "?"}).location_in(translated) == "line 4"


def test_a_crime_file_error_names_its_sheet() -> None:
    error = CrimeLineError(2, "antal", "negative_count", "-1", sheet="2023")

    assert str(error).startswith("blad 2023, rad 2, kolumn antal: Antalet ”-1” är negativt")
    with translation.override("en"):
        assert message_in_language(error) == "The number ”-1” is negative; it must be 0 or greater."


def test_the_template_filter_gives_a_document_error_in_the_active_language() -> None:
    error = DocumentError("Filen %(name)s kunde inte läsas: %(reason)s.", name="l.pdf", reason="x")

    with translation.override("en"):
        assert message_in_language(error) == "The file l.pdf could not be read: x."
    with translation.override("sv"):
        assert message_in_language(error) == "Filen l.pdf kunde inte läsas: x."
