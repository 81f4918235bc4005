"""fulmen_json: a fast, strict native JSON codec for Python.

Encoding is done by the C++ core in ``fulmen_json._core``; this module is the one
public surface.
"""

from fulmen_json._core import dumps
from fulmen_json._errors import JSONEncodeError

__version__ = "0.1.0"

__all__ = ["JSONEncodeError", "__version__", "dumps"]
