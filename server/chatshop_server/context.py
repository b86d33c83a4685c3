"""What every handler may use: storage, fan-out, password hashing, settings, media."""

from __future__ import annotations

from dataclasses import dataclass

from chatshop_server.broker import Broker
from chatshop_server.config import RelayConfig
from chatshop_server.funding import FundingProvider
from chatshop_server.media import ShopServices
from chatshop_server.passwords import Passwords
from chatshop_server.storage.stores import Stores
from chatshop_server.throttle import LoginThrottle


@dataclass(frozen=True, slots=True)
class RelayContext:
    """Shared services of one relay process."""

    stores: Stores
    broker: Broker
    passwords: Passwords
    config: RelayConfig
    funding: FundingProvider
    shop: ShopServices
    logins: LoginThrottle
