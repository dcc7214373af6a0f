"""Every fault of issue 17's table, by the short name `python -m bench.chaos --faults` takes,
after a control: the same run with no fault, which must meet every target (and save every
hold), or the harness itself is off."""

from __future__ import annotations

from collections.abc import Callable

from tests.chaos.certhost import DrippingCertHost
from tests.chaos.faults import Fault, FrozenPostgres, FullDisk, HeldSqliteLock
from tests.chaos.netfaults import SilentSettingsApi, SlowBodyClients, UnresolvableSettingsApi

FAULTS: dict[str, Callable[[], Fault]] = {
    "no-fault": Fault,
    "frozen-postgres": FrozenPostgres,
    "sqlite-lock": HeldSqliteLock,
    "full-disk": FullDisk,
    "silent-settings-api": SilentSettingsApi,
    "unresolvable-settings-api": UnresolvableSettingsApi,
    "dripping-cert-host": DrippingCertHost,
    "slow-body-clients": SlowBodyClients,
}
