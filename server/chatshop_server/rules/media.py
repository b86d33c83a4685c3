"""Media quotas: how many images, and how many bytes, an uploader and a brand may store."""

from __future__ import annotations

from dataclasses import dataclass

from chatshop.protocol.errors import ErrorCode, ProtocolError

MIB = 2**20


@dataclass(frozen=True, slots=True)
class MediaQuota:
    """What one upload is checked against (bytes are of images newly stored)."""

    account_files_per_day: int = 200
    account_bytes_per_day: int = 64 * MIB
    brand_files: int = 2_000
    brand_bytes: int = 512 * MIB
    total_bytes: int = 8_192 * MIB


@dataclass(frozen=True, slots=True)
class MediaUsage:
    """What is stored already: by the uploader in the last 24 hours, by its brand, in all."""

    account_files_today: int
    account_bytes_today: int
    brand_files: int
    brand_bytes: int
    total_bytes: int


def check_quota(size: int, usage: MediaUsage, quota: MediaQuota) -> None:
    """``quota_exceeded`` naming the first quota a new image of ``size`` bytes would pass."""
    checks = (
        (usage.account_files_today + 1, quota.account_files_per_day, "images per account a day"),
        (usage.account_bytes_today + size, quota.account_bytes_per_day, "bytes per account a day"),
        (usage.brand_files + 1, quota.brand_files, "images per brand"),
        (usage.brand_bytes + size, quota.brand_bytes, "bytes per brand"),
        (usage.total_bytes + size, quota.total_bytes, "bytes of images on this relay"),
    )
    for after, limit, what in checks:
        if after > limit:
            raise ProtocolError(
                ErrorCode.QUOTA_EXCEEDED, f"over the quota of {limit} {what}; nothing was stored"
            )
