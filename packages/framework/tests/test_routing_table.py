"""The native routing table answers exactly as the regex reference table does."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fulmen._routing_table import RegexRoutingTable, RoutingTable

TEMPLATES = [
    ("/", ["GET"]),
    ("/users/me", ["GET"]),
    ("/users/{user_id}", ["GET", "PUT"]),
    ("/users/{user_id:int}", ["DELETE"]),
    ("/users/{user_id}/items/{item_id:int}", ["GET"]),
    ("/files/{path:path}", ["GET"]),
    ("/files/{name}.txt", ["POST"]),
    ("/n/{x:float}", ["GET"]),
    ("/u/{u:uuid}", ["GET"]),
    ("/a/{x}/b", ["PATCH"]),
    ("/a/{x:int}/b", ["GET"]),
    ("/mount/{path:path}", None),
    ("/items/", ["GET"]),
]
SEGMENTS = ["users", "me", "42", "x", "items", "7", "files", "a.txt", "n", "1.5", "u", "a", "b",
            "mount", "", "12345678-1234-5678-1234-567812345678", "%20", "é"]  # fmt: skip
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]


def tables() -> tuple[RoutingTable[int], RegexRoutingTable[int]]:
    native: RoutingTable[int] = RoutingTable()
    reference: RegexRoutingTable[int] = RegexRoutingTable()
    for index, (template, methods) in enumerate(TEMPLATES):
        allowed = frozenset(methods) if methods else None
        native.add(template, allowed, index)
        reference.add(template, allowed, index)
    return native, reference


NATIVE, REFERENCE = tables()


def answer(match: Any) -> Any:
    if match is None:
        return None
    return (match.target, match.params, match.full, sorted(match.allowed))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SEGMENTS), max_size=5), st.sampled_from(METHODS), st.booleans())
def test_native_table_matches_reference(segments: list[str], method: str, slash: bool) -> None:
    path = "/" + "/".join(segments) + ("/" if slash and segments else "")
    assert answer(NATIVE.match(path, method)) == answer(REFERENCE.match(path, method)), path
    assert NATIVE.has_path(path) == REFERENCE.has_path(path)
