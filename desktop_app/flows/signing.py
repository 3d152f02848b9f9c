"""Every signature a flow asks for passes one review first: a sentence, decoded rows, and the raw data.

Flows never sign blind. They describe what is about to be signed as a ``SigningRequest`` (a sentence a
person can read, with names before addresses, plus rows and the raw payload) and await the caller's
``Review``. The CLI approves (the user asked for the command); the GUI shows its review dialog and raises
``UserCancelled`` on decline, which is not an error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class SigningRequest:
    kind: Literal["typed-data", "transaction"]
    sentence: str
    rows: tuple[tuple[str, str], ...]
    raw: str
    risks: tuple[str, ...] = field(default=())


Review = Callable[[SigningRequest], Awaitable[None]]


async def approve(_request: SigningRequest) -> None:
    """The CLI's review: running the command was the user's approval."""
