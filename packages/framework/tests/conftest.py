import sys
from pathlib import Path

import pytest

# The differential helper lives beside the tests; importlib mode does not add
# this folder to sys.path, so add it (the module name is unique to this package).
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
