"""Test PKI for the Alexa request verifier: root CA -> intermediate -> echo-api leaf.

Certificates are shaped like real web PKI ones (AKI/SKI, key usage, EKU) because
``cryptography.x509.verification`` enforces the CA/Browser Forum profile. RSA keys are made once
per process: generating 2048-bit keys is the slow part.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ECHO_API = "echo-api.amazon.com"
#: A fixed "now" so tests never depend on the wall clock.
NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)


@functools.cache
def rsa_key(role: str) -> rsa.RSAPrivateKey:
    """One 2048-bit key per role name, generated on first use and reused afterwards."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Hamstring Coach Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ca_cert(
    *,
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    not_before: datetime,
    not_after: datetime,
    path_length: int | None,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer_key is not key:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True)
class CertChain:
    """Everything a test needs: the certificates, the leaf key and the PEM a fetcher returns."""

    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    leaf_key: rsa.RSAPrivateKey
    pem_chain: bytes  # leaf first, then the intermediate (the root is not sent, as at Amazon)

    def sign(self, body: bytes) -> str:
        """Signature-256 header value for body, signed by this chain's leaf."""
        return sign_body(body, self.leaf_key)


@functools.cache
def root_ca(which: str = "main") -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A self-signed root; ``which`` selects an independent PKI (e.g. "other" = untrusted)."""
    key = rsa_key(f"root-{which}")
    name = _name(f"Test Root CA ({which})")
    cert = _ca_cert(
        subject=name,
        key=key,
        issuer=name,
        issuer_key=key,
        not_before=NOW - timedelta(days=3650),
        not_after=NOW + timedelta(days=3650),
        path_length=None,
    )
    return cert, key


@functools.cache
def intermediate_ca(which: str = "main") -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """An intermediate under root_ca(which), like Amazon's "Amazon RSA 2048 Mxx"."""
    root, root_key = root_ca(which)
    key = rsa_key(f"intermediate-{which}")
    cert = _ca_cert(
        subject=_name(f"Test Intermediate CA ({which})"),
        key=key,
        issuer=root.subject,
        issuer_key=root_key,
        not_before=NOW - timedelta(days=1000),
        not_after=NOW + timedelta(days=1000),
        path_length=0,
    )
    return cert, key


def make_chain(
    *,
    root: str = "main",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    san: tuple[str, ...] = (ECHO_API,),
    leaf_key_role: str = "leaf",
) -> CertChain:
    """A leaf for echo-api.amazon.com (by default valid NOW-30d .. NOW+300d) plus its chain.

    expired: ``not_after=NOW - timedelta(days=1)``; not yet valid: ``not_before`` in the
    future; wrong SAN: ``san=("example.com",)``; untrusted: ``root="other"``.
    """
    intermediate, intermediate_key = intermediate_ca(root)
    leaf_key = rsa_key(leaf_key_role)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(san[0] if san else "no-san"))
        .issuer_name(intermediate.subject)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or NOW - timedelta(days=30))
        .not_valid_after(not_after or NOW + timedelta(days=300))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(intermediate_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False
        )
    )
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name) for name in san]), critical=False
        )
    leaf = builder.sign(intermediate_key, hashes.SHA256())
    pem = leaf.public_bytes(serialization.Encoding.PEM) + intermediate.public_bytes(
        serialization.Encoding.PEM
    )
    return CertChain(
        root=root_ca(root)[0],
        intermediate=intermediate,
        leaf=leaf,
        leaf_key=leaf_key,
        pem_chain=pem,
    )


def sign_body(body: bytes, key: rsa.RSAPrivateKey) -> str:
    """Base64 RSA PKCS#1 v1.5 SHA-256 signature, i.e. a Signature-256 header value."""
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")
