"""The contract ABIs the app's clients use, loaded from ``resources/abi/``.

They are committed files rather than the sandbox's npm parts because the client must also work on public
networks, where those parts are not installed (``resources/abi/NOTICE.md`` says where they come from).
PoCo's hub is one diamond behind one address, so ``IexecInterfaceNative`` is the ABI of all its facets; its
view functions are the same in token mode, where only ``deposit`` differs (see ``chain.PocoClient``).
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Literal, cast

from desktop_app.core.errors import UserFacingError
from desktop_app.core.resources import resource_path

if TYPE_CHECKING:  # eth_typing is slow to import for a name used in annotations: see ui/app.py
    from eth_typing import ABI

AbiName = Literal[
    "IexecInterfaceNative",
    "App",
    "Dataset",
    "Workerpool",
    "AppRegistry",
    "DatasetRegistry",
    "WorkerpoolRegistry",
    "DataProtector",
]


@cache
def load_abi(name: AbiName) -> ABI:
    """The ABI of contract ``name``, read once per process; callers must not modify it."""
    path = resource_path("abi", f"{name}.json")
    try:
        abi = json.loads(path.read_text(encoding="utf-8"))["abi"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise UserFacingError(
            f"The app's contract description {path.name} is damaged ({e}).", "reinstall the app"
        ) from e
    return cast("ABI", abi)
