"""Security helpers. This release has ``SecurityScopes`` (for ``Security(...,
scopes=...)``); the security schemes (OAuth2, API keys, HTTP auth) come with
the OpenAPI work."""

from __future__ import annotations

from collections.abc import Sequence


class SecurityScopes:
    """The OAuth2 scopes required along the dependency chain, in order of appearance."""

    def __init__(self, scopes: Sequence[str] | None = None) -> None:
        self.scopes: list[str] = list(scopes or [])
        self.scope_str: str = " ".join(self.scopes)


__all__ = ["SecurityScopes"]
