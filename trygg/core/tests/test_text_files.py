"""The encodings text files arrive in (`core.text.decode_text_file`), as Swedish offices save them."""

import codecs

import pytest

from trygg.core.text import decode_text_file

TEXT = "Område;Ämne;Värde\nÖstra;kokain;9,8\n"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(TEXT.encode("utf-8"), id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + TEXT.encode("utf-8"), id="utf-8-bom"),
        pytest.param(TEXT.encode("utf-16"), id="utf-16-le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(TEXT.encode("cp1252"), id="windows-1252"),
    ],
)
def test_each_encoding_gives_the_same_text(data: bytes) -> None:
    assert decode_text_file(data) == TEXT


def test_bytes_no_encoding_knows_become_replacement_characters() -> None:
    assert decode_text_file(b"\xef\xbb\xbfOmr\xe5de") == "Omr\ufffdde"
