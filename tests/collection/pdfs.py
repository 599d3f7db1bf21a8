"""Reading back the PDFs Kosh writes."""

import re
import zlib


def pdf_text(data: bytes) -> str:
    """The text drawn in a PDF: its Flate content streams, inflated."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL)
    return "".join(zlib.decompress(stream).decode("latin-1") for stream in streams)
