"""Offline verification of Intel SGX (DCAP v3) and TDX (v4/v5) quotes against cached Intel collateral.

Entry point: :func:`verify.verify_quote` (quote bytes, :class:`collateral.Collateral`, one ``now``,
optional :class:`trust.TrustAnchor` and :class:`policy.Policy`) returns a :class:`report.VerificationReport`
listing every check with its reason, the converged TCB status, advisories, measurements and REPORTDATA.
Unusable input raises :class:`errors.QuoteFormatError` or :class:`errors.CollateralFormatError`.
The layouts and the algorithm follow shared/spec/attestation.md.
"""
