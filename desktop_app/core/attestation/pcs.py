"""Optional refresh of collateral from Intel's PCS, or a PCCS, over the PCS API v4 (spec §4).

Verification never needs the network: this only replaces cached collateral when the user asks for it or
the cached bundle is past its nextUpdate. Nothing fetched here is trusted either: the bodies are kept as
served and the verifier checks Intel's signatures over them against the pinned root, so a PCCS run by
the user, or any mirror, serves as well as Intel's own server.

Four documents make a bundle: the TCB info for the FMSPC and the QE identity (both per TEE), the CRL of
the PCK CA that issued the platform's PCK certificate, and the root CA's CRL. Their issuer chains come in
response headers as URL-encoded PEM. A PCCS serves the root CRL itself (as hex text); from a server that
does not, it is fetched where the root certificate's CRL distribution point says (for Intel's root,
certificates.trustedservices.intel.com).
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Final
from urllib.parse import unquote, urlsplit

from cryptography import x509

from desktop_app.core import http
from desktop_app.core.attestation.chain import X509_ERRORS
from desktop_app.core.attestation.collateral import PckCa, from_pcs, to_qvl_json
from desktop_app.core.attestation.errors import CollateralFormatError
from desktop_app.core.attestation.quote import Tee
from desktop_app.core.errors import ProtocolUnavailable, UserFacingError

if TYPE_CHECKING:  # httpx loads with the first fetch: startup budget, see ui/app.py
    import httpx

INTEL_PCS: Final = "https://api.trustedservices.intel.com"
SERVICE: Final = "Intel PCS"
TIMEOUT_S: Final = 30.0
TCB_INFO_CHAIN: Final = ("TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain")  # v4 name, then v3's
QE_IDENTITY_CHAIN: Final = ("SGX-Enclave-Identity-Issuer-Chain",)
PCK_CRL_CHAIN: Final = ("SGX-PCK-CRL-Issuer-Chain",)


class NoCollateral(UserFacingError):
    """The server answered 404: it has no such collateral (an unknown FMSPC, or a PCCS that has not
    cached this platform)."""


async def fetch_collateral(base_url: str, *, tee: Tee, fmspc: str, ca: PckCa) -> str:
    """The ``QuoteCollateralV3`` JSON of the collateral for (``tee``, ``fmspc``, ``ca``) as served by
    the PCS or PCCS at ``base_url`` (e.g. :data:`INTEL_PCS`), ready for the collateral cache.

    Raises :class:`ProtocolUnavailable` when the server cannot be reached or fails, :class:`NoCollateral`
    when it has none for this platform, and ``CollateralFormatError`` when what it serves is unreadable.
    """
    if not re.fullmatch(r"[0-9A-Fa-f]{12}", fmspc):
        raise ValueError(f"an FMSPC is 12 hex digits, not {fmspc!r}")
    if urlsplit(base_url).scheme not in ("http", "https"):
        raise UserFacingError(f"{base_url!r} is not an http(s) address.", "give the PCS or PCCS base URL")
    base, fmspc = base_url.rstrip("/"), fmspc.upper()
    platform = f"FMSPC {fmspc} ({tee.value.upper()}, PCK {ca} CA)"
    sgx, own = f"{base}/sgx/certification/v4", f"{base}/{tee.value}/certification/v4"
    import httpx

    async with http.client(httpx.Timeout(TIMEOUT_S, connect=10.0), follow_redirects=True) as client:
        try:
            async with asyncio.TaskGroup() as group:
                tcb_info = group.create_task(
                    _get(client, f"{own}/tcb", {"fmspc": fmspc}, "TCB info", platform)
                )
                qe_identity = group.create_task(
                    _get(client, f"{own}/qe/identity", {}, "QE identity", platform)
                )
                pck_crl = group.create_task(
                    _get(client, f"{sgx}/pckcrl", {"ca": ca, "encoding": "der"}, "PCK CRL", platform)
                )
                root_crl = group.create_task(_pccs_root_crl(client, f"{sgx}/rootcacrl", platform))
        except* UserFacingError as failures:
            raise failures.exceptions[0] from None  # one reason is enough for the user
        tcb_chain = _header(tcb_info.result(), TCB_INFO_CHAIN, "TCB info")
        root_crl_body = root_crl.result()
        if root_crl_body is None:
            root_crl_body = await _distribution_point_crl(client, tcb_chain, platform)
    return to_qvl_json(
        from_pcs(
            tcb_info_response=tcb_info.result().content,
            tcb_info_issuer_chain=tcb_chain,
            qe_identity_response=qe_identity.result().content,
            qe_identity_issuer_chain=_header(qe_identity.result(), QE_IDENTITY_CHAIN, "QE identity"),
            pck_crl=pck_crl.result().content,
            pck_crl_issuer_chain=_header(pck_crl.result(), PCK_CRL_CHAIN, "PCK CRL"),
            root_ca_crl=root_crl_body,
        )
    )


async def _get(
    client: httpx.AsyncClient, url: str, params: dict[str, str], what: str, platform: str
) -> httpx.Response:
    """The successful response for ``what``, part of the collateral of ``platform``."""
    import httpx

    try:
        response = await client.get(url, params=params)
    except (httpx.HTTPError, httpx.InvalidURL) as e:
        raise ProtocolUnavailable(SERVICE, f"the {what} from {url}: {type(e).__name__} {e}".strip()) from e
    status = response.status_code
    if status == 200:
        return response
    if status == 404:
        raise NoCollateral(
            f"{urlsplit(url).netloc} has no collateral for {platform}: its {what} was not found.",
            "check the FMSPC and the server's address; a PCCS may not have cached this platform yet",
        )
    if status == 429:
        wait = response.headers.get("Retry-After")
        raise ProtocolUnavailable(SERVICE, "too many requests" + (f", retry after {wait} s" if wait else ""))
    if status >= 500:
        raise ProtocolUnavailable(SERVICE, f"HTTP {status} for the {what} from {url}")
    raise UserFacingError(
        f"{url} refused the request for the {what} (HTTP {status}).", "check the PCS or PCCS address"
    )


async def _pccs_root_crl(client: httpx.AsyncClient, url: str, platform: str) -> bytes | None:
    """The root CA CRL a PCCS serves, or ``None`` from a server that serves none."""
    try:
        return (await _get(client, url, {}, "root CA CRL", platform)).content
    except NoCollateral:
        return None


def _header(response: httpx.Response, names: tuple[str, ...], what: str) -> str:
    for name in names:
        value: str | None = response.headers.get(name)
        if value is not None:
            return value
    raise CollateralFormatError(f"the {what} response has no {names[0]} header")


async def _distribution_point_crl(client: httpx.AsyncClient, tcb_chain: str, platform: str) -> bytes:
    """The root CA CRL from the distribution point of the root certificate ending ``tcb_chain``. That
    chain is not trusted yet, and need not be: the verifier checks the CRL's signature with the pinned
    root."""
    try:
        root = x509.load_pem_x509_certificates(unquote(tcb_chain).encode("utf-8", "replace"))[-1]
        points = list(root.extensions.get_extension_for_class(x509.CRLDistributionPoints).value)
    except x509.ExtensionNotFound:
        points = []
    except X509_ERRORS as e:
        raise CollateralFormatError(f"the TCB info issuer chain cannot be read ({e})") from e
    urls = [
        name.value
        for point in points
        for name in point.full_name or ()
        if isinstance(name, x509.UniformResourceIdentifier)
        and urlsplit(name.value).scheme in ("http", "https")
    ]
    if not urls:
        raise NoCollateral(
            "The server has no root CA CRL, and its root certificate names no address to get one.",
            "use Intel's PCS or a PCCS",
        )
    return (await _get(client, urls[0], {}, "root CA CRL", platform)).content
