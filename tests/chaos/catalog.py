"""Every fault of issue 17's table, by the short name `python -m bench.chaos --faults` takes."""

from __future__ import annotations

from collections.abc import Callable

from tests.chaos.certhost import DrippingCertHost
from tests.chaos.faults import Fault, FrozenPostgres, FullDisk, HeldSqliteLock
from tests.chaos.netfaults import SilentSettingsApi, SlowBodyClients, UnresolvableSettingsApi

FAULTS: dict[str, Callable[[], Fault]] = {
    "frozen-postgres": FrozenPostgres,
    "sqlite-lock": HeldSqliteLock,
    "full-disk": FullDisk,
    "silent-settings-api": SilentSettingsApi,
    "unresolvable-settings-api": UnresolvableSettingsApi,
    "dripping-cert-host": DrippingCertHost,
    "slow-body-clients": SlowBodyClients,
}
