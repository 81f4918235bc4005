"""The native router against the naive reference (tests/reference.py): over
generated route tables and paths, every answer must be the same — which route
wins, its converted params, 405 and its methods, and the redirect_slashes probe."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from router_reference import ReferenceRouter
from starlette.routing import Match, Route

from fulmen_router import Router

# Small vocabularies so that templates overlap and generated paths hit them.
WORDS = ["a", "b", "users", "me", "1", "12", "1.5", "x.y", "v1"]
UUIDS = ["0f8fad5b-d9cb-469f-a165-70867728950e", "0F8FAD5BD9CB469FA16570867728950E"]
PATH_PIECES = [
    *WORDS,
    *UUIDS,
    "",
    "007",
    "1.",
    ".5",
    "a.b.c",
    "\u00e9t\u00e9",
    "\n",
    "a\n",
    "12\n",
    "%2F",
]
CONVERTERS = ["", ":str", ":int", ":float", ":uuid", ":path"]
METHODS = [None, ["GET"], ["POST"], ["GET", "POST"], ["PUT", "GET"]]


@st.composite
def templates(draw: st.DrawFn) -> str:
    counter = iter(range(100))
    segments = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["word", "word", "param", "param", "mixed", "pair"]))
        if kind == "word":
            segments.append(draw(st.sampled_from([*WORDS, ""])))
        elif kind == "param":
            segments.append(f"{{p{next(counter)}{draw(st.sampled_from(CONVERTERS))}}}")
        elif kind == "mixed":
            conv = draw(st.sampled_from(CONVERTERS))
            segments.append(f"{draw(st.sampled_from(WORDS))}.{{p{next(counter)}{conv}}}")
        else:
            c1, c2 = draw(st.sampled_from(CONVERTERS)), draw(st.sampled_from(CONVERTERS))
            sep = draw(st.sampled_from([".", "-", ""]))
            segments.append(f"{{p{next(counter)}{c1}}}{sep}{{p{next(counter)}{c2}}}")
    return "/" + "/".join(segments)


@st.composite
def tables(draw: st.DrawFn) -> list[tuple[str, list[str] | None, bool]]:
    entries = draw(
        st.lists(
            st.tuples(templates(), st.sampled_from(METHODS), st.booleans()), min_size=1, max_size=12
        )
    )
    # Mounts are a minority: they match a lot.
    return [(t, m, is_mount and i % 4 == 3) for i, (t, m, is_mount) in enumerate(entries)]


paths = st.one_of(
    st.lists(st.sampled_from(PATH_PIECES), min_size=0, max_size=5).map(lambda p: "/" + "/".join(p)),
    st.text(alphabet="/ab1.2\n-\u00e9", max_size=12).map(lambda t: "/" + t),
    st.text(max_size=8),
)


def build(table: list[tuple[str, list[str] | None, bool]]) -> tuple[Router[Any], ReferenceRouter]:
    ours: Router[Any] = Router()
    ref = ReferenceRouter()
    for i, (template, methods, is_mount) in enumerate(table):
        handle = ("route", i)
        if is_mount and "{path" not in template:
            ours.mount(template, handle)
            ref.mount(template, handle)
        else:
            ours.add(template, handle, methods=methods)
            ref.add(template, handle, methods)
    return ours, ref


class _AsgiApp:
    """An ASGI app object (not a function), so Starlette keeps ``methods=None``."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:  # never called
        raise AssertionError


_asgi_endpoint = _AsgiApp()


def starlette_match(routes: list[Route], method: str, path: str) -> tuple[int, Any, Any]:
    """Starlette's own Router.app loop, for checking the reference itself."""
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    partial = None
    for i, route in enumerate(routes):
        match, child = route.matches(scope)
        if match is Match.FULL:
            return 0, i, child["path_params"]
        if match is Match.PARTIAL and partial is None:
            partial = (2, frozenset(route.methods or ()) - {"HEAD"}, None)
    return partial or (1, None, None)


def check(
    table: list[tuple[str, list[str] | None, bool]], method: str, path_list: list[str]
) -> None:
    ours, ref = build(table)
    # A second table, frozen: freeze() precomputes which static paths a dynamic
    # route can shadow, and the lookups then take that shortcut.
    frozen, _ = build(table)
    frozen.freeze()
    starlette = [
        Route(t.rstrip("/") + "/{path:path}", _asgi_endpoint)
        if mount and "{path" not in t
        else Route(t, _asgi_endpoint, methods=m)
        for t, m, mount in table
    ]
    for path in path_list:
        expected = ref.match(method, path)
        assert ours.match(method, path) == expected, (table, method, path)
        assert frozen.match(method, path) == expected, (table, method, path, "frozen")
        assert ours.path_matches(path) == ref.path_matches(path), (table, path)
        assert frozen.path_matches(path) == ref.path_matches(path), (table, path, "frozen")
        # The reference is Starlette's behaviour (HEAD aside: Starlette adds it to GET).
        status, what, params = starlette_match(starlette, method, path)
        if status == 0:
            assert expected == (0, ("route", what), params), (table, method, path)
        elif status == 2:
            assert expected[0] == 2, (table, method, path)
            assert frozenset(expected[1]) - {"HEAD"} == what
        else:
            assert expected == (1, None, None), (table, method, path)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tables(),
    st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    st.lists(paths, min_size=1, max_size=8),
)
@example(
    [("/users/me", ["GET"], False), ("/users/{p0}", None, False)], "GET", ["/users/me", "/users/x"]
)
@example([("/{p0}", None, False), ("/users/me", None, False)], "GET", ["/users/me"])
@example([("/{p0:path}/edit", None, False)], "GET", ["/a/b/edit", "/a/b/edit\n", "/edit"])
@example([("/{p0}{p1}", None, False)], "GET", ["/ab\n", "/\u00e9\u00e9"])
@example([("/a/{p0:int}", ["POST"], False), ("/a/{p1}", ["PUT"], False)], "GET", ["/a/1"])
def test_native_router_agrees_with_reference(
    table: list[tuple[str, list[str] | None, bool]], method: str, path_list: list[str]
) -> None:
    check(table, method, path_list)


@st.composite
def table_and_instantiated_paths(
    draw: st.DrawFn,
) -> tuple[list[tuple[str, list[str] | None, bool]], list[str]]:
    """Paths made by filling the table's own templates, so that most lookups hit."""
    table = draw(tables())
    fill = {
        "": st.sampled_from([*WORDS, "x\n", "\u00e9"]),
        ":str": st.sampled_from(WORDS),
        ":int": st.sampled_from(["0", "1", "12", "007", "99999999999999999999999"]),
        ":float": st.sampled_from(["1", "1.5", "12.25", "3.", "0.000000000000000000001"]),
        ":uuid": st.sampled_from(UUIDS),
        ":path": st.sampled_from(["", "a", "a/b", "a/b/", "x\ny"]),
    }
    out = []
    for template, _methods, _mount in table:
        path = template
        while "{" in path:
            start, end = path.index("{"), path.index("}")
            body = path[start + 1 : end]
            conv = body[body.index(":") :] if ":" in body else ""
            path = path[:start] + draw(fill[conv]) + path[end + 1 :]
        out.append(path + draw(st.sampled_from(["", "", "/", "\n"])))
    return table, out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table_and_instantiated_paths(), st.sampled_from(["GET", "POST", "PUT"]))
def test_agrees_on_paths_that_fill_the_templates(
    case: tuple[list[tuple[str, list[str] | None, bool]], list[str]], method: str
) -> None:
    table, path_list = case
    check(table, method, path_list)
