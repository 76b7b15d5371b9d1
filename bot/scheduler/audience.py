"""Audiences of deadlines and broadcasts: what they are, how they are written, who is in them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import UserError
from bot.messages import Catalog
from bot.quiz.views import PersonalProgress, TargetView, UnitProgress
from bot.scheduler.audience_spec import (
    BELOW_TARGET,
    SIMPLE,
    SPEC_HELP,
    UNDER,
    UNITS,
    AudienceKind,
    name_of,
    split,
)
from bot.storage.repositories import audience as audience_repo
from bot.storage.repositories import units as unit_repo

__all__ = ["SPEC_HELP", "Audience", "AudienceKind", "BadAudience", "resolve"]


class BadAudience(UserError, ValueError):
    """An audience written wrongly; the message says what to write instead (Vietnamese)."""


class ProgressSource(Protocol):
    """What the scheduler reads from the quiz feature (`services.quiz`)."""

    async def staff_below_target(self, target_id: int | None = None) -> list[int]: ...

    async def personal_progress(self, user_id: int) -> list[PersonalProgress]: ...

    async def unit_progress(self, unit_id: int) -> list[UnitProgress]: ...

    async def active_targets(self, on: date) -> list[TargetView]: ...


@dataclass(frozen=True, slots=True)
class Audience:
    """A stored audience: a kind and, for some kinds, units or a target."""

    kind: AudienceKind
    unit_ids: tuple[int, ...] = ()
    subunits: bool = False
    target_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The form kept in the database."""
        return {
            "kind": self.kind.value,
            "unit_ids": list(self.unit_ids),
            "subunits": self.subunits,
            "target_id": self.target_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Audience:
        """Read the stored form back."""
        return cls(
            AudienceKind(data["kind"]),
            tuple(data.get("unit_ids") or ()),
            bool(data.get("subunits")),
            data.get("target_id"),
        )


async def resolve(
    session: AsyncSession,
    written: str | Mapping[str, Any],
    *,
    progress: ProgressSource | None,
    on: date,
) -> Audience:
    """An audience as people write it, on the command line or in a file: a name ("all-staff",
    "under:SYT", "below-target:CDS-2026") or a mapping ({kind: under, units: [SYT]})."""
    if isinstance(written, Mapping):
        return await from_mapping(session, written, progress=progress, on=on)
    return await parse_spec(session, str(written), progress=progress, on=on)


async def parse_spec(
    session: AsyncSession, spec: str, *, progress: ProgressSource | None, on: date
) -> Audience:
    """ "units:SKHCN,SYT" / "under:DLK" / "below-target:CDS-2026" … → an Audience."""
    head, rest = split(spec)
    if head in SIMPLE and not rest:
        return Audience(SIMPLE[head])
    if head in (UNITS, UNDER):
        codes = [code.strip() for code in rest.split(",") if code.strip()]
        return await from_unit_codes(session, codes, subunits=head == UNDER)
    if head == BELOW_TARGET:
        return Audience(AudienceKind.BELOW_TARGET, target_id=await target_id_of(rest, progress, on))
    raise BadAudience(f"Đối tượng '{spec}' chưa đúng. Viết một trong: {SPEC_HELP}.")


async def from_mapping(
    session: AsyncSession, data: Mapping[str, Any], *, progress: ProgressSource | None, on: date
) -> Audience:
    """An audience written as a mapping: {kind, units, subunits, target}; `kind` takes the same
    names as the command line (all-staff, under, below-target, …; "_" or "-")."""
    kind = name_of(data.get("kind"))
    if kind in SIMPLE:
        return Audience(SIMPLE[kind])
    if kind in (UNITS, UNDER):
        codes = data.get("units") or []
        if isinstance(codes, str):
            codes = codes.split(",")
        subunits = kind == UNDER or bool(data.get("subunits", False))
        return await from_unit_codes(
            session, [str(c).strip() for c in codes if str(c).strip()], subunits=subunits
        )
    if kind == BELOW_TARGET:
        target = "" if data.get("target") is None else str(data["target"]).strip()
        return Audience(
            AudienceKind.BELOW_TARGET, target_id=await target_id_of(target, progress, on)
        )
    raise BadAudience(f"loại đối tượng '{data.get('kind')}' chưa đúng (dùng: {SPEC_HELP})")


async def from_unit_codes(session: AsyncSession, codes: list[str], *, subunits: bool) -> Audience:
    """Units by code; every code must exist."""
    if not codes:
        raise BadAudience("Cần ít nhất một mã đơn vị, ví dụ: units:SKHCN hoặc under:DLK.")
    ids: list[int] = []
    for code in codes:
        unit = await unit_repo.by_code(session, code=code)
        if unit is None:
            raise BadAudience(f"Không có đơn vị mã '{code}'.")
        ids.append(unit.id)
    return Audience(AudienceKind.UNITS, tuple(ids), subunits)


async def target_id_of(code: str, progress: ProgressSource | None, on: date) -> int | None:
    """A target's id from its code or id (empty: every active target)."""
    if not code:
        return None
    if progress is None:
        raise BadAudience("Chức năng chỉ tiêu (bài kiểm tra) chưa sẵn sàng.")
    for target in await progress.active_targets(on):
        if target.code.lower() == code.lower() or str(target.id) == code:
            return target.id
    raise BadAudience(f"Không có chỉ tiêu đang áp dụng mã '{code}'.")


async def members(
    session: AsyncSession,
    audience: Audience,
    *,
    progress: ProgressSource | None,
    only: int | None = None,
) -> set[int]:
    """The user ids in an audience now (registered people only); with `only`, just that person
    when they are in it (see `includes`)."""
    kind = audience.kind
    if kind is AudienceKind.ALL_STAFF:
        return await audience_repo.staff(session, only=only)
    if kind is AudienceKind.UNITS:
        return await audience_repo.staff(
            session, unit_ids=audience.unit_ids, subunits=audience.subunits, only=only
        )
    if kind is AudienceKind.MANAGERS:
        found = await audience_repo.managers(session, only=only)
        return set().union(*found.values()) if found else set()
    if kind is AudienceKind.SUBSCRIBERS:
        return await audience_repo.subscribers(session, only=only)
    if kind is AudienceKind.EVERYONE:
        return await audience_repo.registered(session, only=only)
    if progress is None:
        return set()
    below = set(await progress.staff_below_target(audience.target_id))
    if only is not None and only not in below:
        return set()
    return below & await audience_repo.staff(session, only=only)


async def includes(
    session: AsyncSession, audience: Audience, user_id: int, *, progress: ProgressSource | None
) -> bool:
    """Whether one person is in an audience now (without reading the whole audience)."""
    return user_id in await members(session, audience, progress=progress, only=user_id)


async def describe(
    session: AsyncSession,
    audience: Audience,
    t: Catalog,
    *,
    progress: ProgressSource | None = None,
    on: date | None = None,
) -> str:
    """The audience in words (lists, reports); a target is named by its code when known."""
    kind = audience.kind
    if kind is AudienceKind.UNITS:
        names = await audience_repo.unit_names(session, unit_ids=audience.unit_ids)
        listed = ", ".join(names.get(unit_id, str(unit_id)) for unit_id in audience.unit_ids)
        key = "reminders.audience_under" if audience.subunits else "reminders.audience_units"
        return t(key, units=listed)
    if kind is AudienceKind.BELOW_TARGET and audience.target_id is not None:
        name = f"#{audience.target_id}"
        if progress is not None and on is not None:
            name = next(
                (
                    target.code
                    for target in await progress.active_targets(on)
                    if target.id == audience.target_id
                ),
                name,
            )
        return t("reminders.audience_below_one", target=name)
    return t(f"reminders.audience_{kind.value}")
