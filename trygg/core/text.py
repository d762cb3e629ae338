"""Text that crosses into other formats: characters XML 1.0 cannot carry, control characters in what people type,
and the encodings text files arrive in."""

from __future__ import annotations

import codecs
import re

# XML 1.0 allows tab, line feed and carriage return, and U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# C0 and C1 control characters except tab and line feed (a carriage return is folded into a line feed first),
# and the two noncharacters that XML also refuses.
_CONTROL = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """The text without the characters an XML 1.0 document cannot contain (stored before they were refused)."""
    return _NOT_XML.sub("", text)


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text.replace("\r\n", "\n").replace("\r", "\n")))


def without_control_characters(text: str) -> str:
    """Line breaks normalised to LF, every other control character removed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def decode_text_file(data: bytes) -> str:
    """A text file's bytes as text, in the encodings Swedish offices save them in: UTF-8 (with or without a byte
    order mark), UTF-16 with its byte order mark (Excel's "Unicode text", Notepad's "Unicode"), and otherwise
    Windows-1252 (older Windows exports; Latin-1's letters read the same). Undecodable bytes become U+FFFD."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
