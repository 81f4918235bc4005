"""fulmen_json: a fast, strict native JSON codec for Python.

Encoding and decoding are done by the C++ core in ``fulmen_json._core``; this
module is the one public surface.
"""

from fulmen_json._core import Decoder, Encoder, dumps, loads
from fulmen_json._errors import JSONDecodeError, JSONEncodeError

__version__ = "0.1.0"

__all__ = [
    "Decoder",
    "Encoder",
    "JSONDecodeError",
    "JSONEncodeError",
    "__version__",
    "dumps",
    "loads",
]
