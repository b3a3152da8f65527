"""Download and run a real Keycloak 26.5 identity provider for the OIDC tests.

Dex and Ory Hydra cannot be built with ``go install`` from the Go module proxy
(Dex's v2 releases are not published as a Go module, Hydra's go.mod has
``replace`` directives), so the OpenID provider of the suite is Keycloak's
Quarkus distribution, downloaded once from Maven Central::

    https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/26.5.6/keycloak-quarkus-dist-26.5.6.zip

into the version-keyed cache ``<cache>/bin/keycloak-26.5.6/`` under a file
lock (about 200 MB; the first start also runs Keycloak's build step,
``kc.sh build``, once, cached in the same folder). It needs Java 21 or newer:
``$KEYCLOAK_JAVA_HOME`` or ``$JAVA_HOME`` if new enough, else the Temurin JDK of
the development machines.

:class:`Keycloak` runs one server on a free loopback port (``start --optimized``,
in-memory H2 database) with a generated realm created through the admin API: a
confidential client with the client-credentials and password grants and
refresh tokens, one user with a password, and a configurable access-token
lifetime.

Run ``python -m tests.peers.keycloak --build-only`` to fetch it ahead of the tests.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson
import urllib3

from weaviate_telemetry.embedded import EmbeddedServerError, ManagedProcess, free_port
from weaviate_telemetry.embedded._build import build_lock, cache_dir

KEYCLOAK_VERSION = "26.5.6"
MAVEN = "https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist"
JAVA_CANDIDATES = ("/usr/lib/jvm/temurin-25-jdk-amd64", "/usr/lib/jvm/temurin-21-jdk-amd64")

REALM = "weaviate"
CLIENT_ID = "weaviate-sdk"
CLIENT_SECRET = "kc-client-secret-6d1f0c2a9e"
USERNAME = "alice"
PASSWORD = "kc-user-password-83be71"
EMAIL = "alice@example.com"
ADMIN = "admin"
ADMIN_PASSWORD = "kc-admin-password-5a2c"


def _java_version(home: str) -> int:
    java = Path(home) / "bin" / "java"
    if not java.exists():
        return 0
    out = subprocess.run(
        [str(java), "-version"], capture_output=True, text=True, check=False
    ).stderr
    for token in out.replace('"', " ").split():
        head = token.split(".")[0]
        if (head.isdigit() and "." in token) or token.isdigit():
            return int(head)
    return 0


def java_home() -> str:
    """A Java >= 21 home for Keycloak, or an error saying how to provide one."""
    for home in (
        os.environ.get("KEYCLOAK_JAVA_HOME"),
        os.environ.get("JAVA_HOME"),
        *JAVA_CANDIDATES,
    ):
        if home and _java_version(home) >= 21:
            return home
    raise EmbeddedServerError("Keycloak needs Java >= 21: set KEYCLOAK_JAVA_HOME to a JDK 21+ home")


def ensure_keycloak(version: str = KEYCLOAK_VERSION) -> Path:
    """The unpacked Keycloak folder, downloading it on first use.

    ``$KEYCLOAK_HOME`` points at a ready distribution to use instead.
    """
    explicit = os.environ.get("KEYCLOAK_HOME")
    if explicit:
        return Path(explicit)
    key = f"keycloak-{version}"
    target = cache_dir() / "bin" / key
    if (target / "bin" / "kc.sh").exists():
        return target
    with build_lock(key):
        if (target / "bin" / "kc.sh").exists():
            return target
        staging = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=cache_dir()))
        try:
            name = f"keycloak-quarkus-dist-{version}.zip"
            http = urllib3.PoolManager(retries=urllib3.Retry(3), timeout=60.0)
            archive = staging / name
            with http.request("GET", f"{MAVEN}/{version}/{name}", preload_content=False) as r:
                if r.status != 200:
                    raise EmbeddedServerError(f"downloading {name}: HTTP {r.status}")
                with open(archive, "wb") as out:
                    shutil.copyfileobj(r, out)
            expected = http.request("GET", f"{MAVEN}/{version}/{name}.sha1").data.decode().split()
            digest = hashlib.sha1(archive.read_bytes()).hexdigest()
            if not expected or expected[0] != digest:
                raise EmbeddedServerError(f"{name}: sha1 {digest} does not match Maven Central's")
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(staging / "unpacked")
            (inner,) = (staging / "unpacked").iterdir()
            for script in (inner / "bin").glob("*.sh"):
                script.chmod(0o755)
            # Keycloak's build step, once: an in-memory database; every start is then
            # --optimized (about 25 s instead of 50).
            log = cache_dir() / "logs" / f"{key}-build.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            with open(log, "wb") as out:
                built = subprocess.run(
                    [str(inner / "bin" / "kc.sh"), "build", "--db=dev-mem"],
                    env={**os.environ, "JAVA_HOME": java_home()},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    check=False,
                )
            if built.returncode != 0:
                raise EmbeddedServerError(f"kc.sh build failed; log {log}")
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(inner, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def realm(token_lifespan: int) -> dict[str, Any]:
    """The realm Keycloak imports: one confidential client, one user."""
    return {
        "realm": REALM,
        "enabled": True,
        "accessTokenLifespan": token_lifespan,
        "ssoSessionIdleTimeout": 3600,
        "ssoSessionMaxLifespan": 36000,
        "clients": [
            {
                "clientId": CLIENT_ID,
                "enabled": True,
                "publicClient": False,
                "secret": CLIENT_SECRET,
                "serviceAccountsEnabled": True,
                "directAccessGrantsEnabled": True,
                "standardFlowEnabled": False,
                "protocol": "openid-connect",
                # Weaviate checks the token's audience against its client id.
                "protocolMappers": [
                    {
                        "name": "audience",
                        "protocol": "openid-connect",
                        "protocolMapper": "oidc-audience-mapper",
                        "config": {
                            "included.client.audience": CLIENT_ID,
                            "access.token.claim": "true",
                            "id.token.claim": "true",
                        },
                    }
                ],
            }
        ],
        "users": [
            {
                "username": USERNAME,
                "enabled": True,
                "email": EMAIL,
                "emailVerified": True,
                "firstName": "Alice",
                "lastName": "Example",
                "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}],
            }
        ],
    }


class Keycloak:
    """A running Keycloak on 127.0.0.1 with the test realm; stopped with its process group."""

    def __init__(self, token_lifespan: int = 300, version: str = KEYCLOAK_VERSION) -> None:
        self.token_lifespan = token_lifespan
        self.version = version
        self.dir = Path(tempfile.mkdtemp(prefix="wt-keycloak-"))
        self.port = free_port()
        self.management_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.url}/realms/{REALM}"
        self._proc: ManagedProcess | None = None

    def start(self, timeout: float = 120.0) -> Keycloak:
        home = ensure_keycloak(self.version)
        env = {
            **os.environ,
            "JAVA_HOME": java_home(),
            "KC_BOOTSTRAP_ADMIN_USERNAME": ADMIN,
            "KC_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
            # Small heap, few threads: the machines are shared.
            "JAVA_OPTS_KC_HEAP": "-Xms64m -Xmx512m",
        }
        argv = [
            str(home / "bin" / "kc.sh"),
            "start",
            "--optimized",
            "--http-enabled=true",
            "--cache=local",
            f"--http-port={self.port}",
            "--http-host=127.0.0.1",
            f"--http-management-port={self.management_port}",
            "--hostname-strict=false",
            f"--hostname={self.url}",
        ]
        self._proc = ManagedProcess(
            argv, env, self.dir / "keycloak.log", self.dir, cleanup=self._remove_dir
        )
        http = urllib3.PoolManager(retries=False, timeout=2.0)
        deadline = time.monotonic() + timeout
        well_known = f"{self.url}/realms/master/.well-known/openid-configuration"
        while time.monotonic() < deadline:
            if not self._proc.alive():
                raise EmbeddedServerError(f"keycloak exited:\n{self._proc.log_tail()}")
            try:
                ready = http.request("GET", well_known).status == 200
            except urllib3.exceptions.HTTPError:
                ready = False
            if ready:
                self._create_realm(urllib3.PoolManager(retries=False, timeout=30.0))
                return self
            time.sleep(0.3)
        tail = self._proc.log_tail()
        self.stop()
        raise EmbeddedServerError(f"keycloak not ready within {timeout:g}s:\n{tail}")

    def _admin_token(self, http: urllib3.PoolManager) -> str:
        answer = http.request(
            "POST",
            f"{self.url}/realms/master/protocol/openid-connect/token",
            fields={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": ADMIN,
                "password": ADMIN_PASSWORD,
            },
            encode_multipart=False,
        )
        if answer.status != 200:
            raise EmbeddedServerError(f"keycloak admin login: HTTP {answer.status}")
        return str(orjson.loads(answer.data)["access_token"])

    def _create_realm(self, http: urllib3.PoolManager) -> None:
        """Create the test realm through the admin API (no file import: one per server)."""
        answer = http.request(
            "POST",
            f"{self.url}/admin/realms",
            body=orjson.dumps(realm(self.token_lifespan)),
            headers={
                "Authorization": f"Bearer {self._admin_token(http)}",
                "Content-Type": "application/json",
            },
        )
        if answer.status != 201:
            raise EmbeddedServerError(f"keycloak realm: HTTP {answer.status} {answer.data[:500]!r}")

    def set_client_secret(self, secret: str) -> None:
        """Change the client's secret (a revoked credential for the SDK's old one)."""
        http = urllib3.PoolManager(retries=False, timeout=10.0)
        headers = {
            "Authorization": f"Bearer {self._admin_token(http)}",
            "Content-Type": "application/json",
        }
        base = f"{self.url}/admin/realms/{REALM}/clients"
        found = orjson.loads(
            http.request("GET", f"{base}?clientId={CLIENT_ID}", headers=headers).data
        )
        client = found[0]
        client["secret"] = secret
        answer = http.request(
            "PUT", f"{base}/{client['id']}", body=orjson.dumps(client), headers=headers
        )
        if answer.status != 204:
            raise EmbeddedServerError(f"keycloak client update: HTTP {answer.status}")

    def _remove_dir(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.stop()
            self._proc = None

    def __enter__(self) -> Keycloak:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


if __name__ == "__main__":
    started = time.monotonic()
    path = ensure_keycloak()
    print(f"keycloak {KEYCLOAK_VERSION} at {path} ({time.monotonic() - started:.0f}s)")
    if "--build-only" not in sys.argv:
        with Keycloak() as kc:
            print(f"issuer {kc.issuer}")
