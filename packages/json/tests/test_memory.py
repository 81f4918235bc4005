"""dumps / loads in a loop must not grow the process (no leaked references)."""

from __future__ import annotations

import datetime
import gc
import os
import sys
import uuid
from typing import Any

import psutil
import pytest

from fulmen_json import Decoder, Encoder, JSONDecodeError, JSONEncodeError, dumps, loads

PAYLOAD: dict[str, Any] = {
    "id": 1,
    "name": "Widget \u20ac",
    "price": 9.99,
    "tags": ["a", "b"],
    "owner": {"id": 7, "when": datetime.datetime(2024, 1, 1), "uid": uuid.UUID(int=3)},
    "big": 2**80,
    "none": None,
}
DOCUMENT = dumps([PAYLOAD] * 50, default=str)


def rss() -> int:
    gc.collect()
    return int(psutil.Process().memory_info().rss)


def churn(rounds: int) -> None:
    encoder = Encoder(sort_keys=True)
    decoder = Decoder()
    for _ in range(rounds):
        dumps(PAYLOAD)
        encoder.encode(PAYLOAD)
        loads(DOCUMENT)
        decoder.decode(DOCUMENT.decode())
        with pytest.raises(JSONDecodeError):
            loads(DOCUMENT[:-5])
        with pytest.raises(JSONEncodeError):
            dumps([PAYLOAD, object()])


@pytest.mark.skipif(
    "libasan" in os.environ.get("LD_PRELOAD", ""),
    reason="AddressSanitizer quarantines freed memory, so RSS grows by design",
)
def test_rss_stays_flat() -> None:
    churn(300)  # warm up: caches, allocator pools, reusable buffers
    before = rss()
    churn(3000)
    growth = rss() - before
    # A leak of even one small object per call would be > 3000 * 50 bytes.
    assert growth < 2 * 1024 * 1024, f"RSS grew by {growth} bytes"


def test_python_object_count_stays_flat() -> None:
    """Exact count of live CPython allocations: catches a leak of one object per call.

    RSS moves in pages and allocator arenas; sys.getallocatedblocks() counts every
    block pymalloc holds, so a single leaked reference per call over 2000 rounds
    (a dozen calls each) would add thousands of blocks.
    """
    churn(200)
    gc.collect()
    before = sys.getallocatedblocks()
    churn(2000)
    gc.collect()
    growth = sys.getallocatedblocks() - before
    assert growth < 200, f"{growth} CPython blocks still allocated"
