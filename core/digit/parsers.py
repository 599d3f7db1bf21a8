import json
from decimal import Decimal

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class DigitJSONParser(JSONParser):
    """JSON bodies with numbers read as `Decimal`, so an amount never passes through a float."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            raw = stream.read() if stream is not None else b""
            if not raw:
                return {}
            return json.loads(raw.decode(encoding), parse_float=Decimal)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"body: not valid JSON ({exc})") from None
