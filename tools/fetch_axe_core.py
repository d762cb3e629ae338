"""Fetch axe-core's browser script at a pinned version from the npm registry and check its SHA-256.

`make axe-core` runs this (no Node or npm needed: the registry serves each release as a tarball):

    python tools/fetch_axe_core.py VERSION SHA256 DESTINATION
"""

import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org/axe-core/-/axe-core-{version}.tgz"
MEMBER = "package/axe.min.js"


def fetch(*, version: str, sha256: str, destination: Path) -> None:
    with urllib.request.urlopen(REGISTRY.format(version=version), timeout=60) as response:  # noqa: S310 (a fixed https address)
        tarball = response.read()
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"axe-core {version}: {MEMBER} is missing from the registry's tarball")
        script = member.read()
    digest = hashlib.sha256(script).hexdigest()
    if digest != sha256:
        raise SystemExit(f"axe-core {version}: {MEMBER} has SHA-256 {digest}, the Makefile pins {sha256}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_suffix(".partial")
    partial.write_bytes(script)
    partial.replace(destination)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    fetch(version=sys.argv[1], sha256=sys.argv[2], destination=Path(sys.argv[3]))
