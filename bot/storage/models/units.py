"""Units: a tree of any depth (province → departments, communes → sub-units)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow


class Unit(Base):
    """An agency, locality or sub-unit. `path` ("/DLK/UBND/SKHCN/") makes subtree queries cheap."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    name_folded: Mapped[str] = mapped_column(String(255), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    path: Mapped[str] = mapped_column(String(2000), index=True)
    depth: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(64), default="")
    headcount: Mapped[int] = mapped_column(default=0)
    head_name: Mapped[str] = mapped_column(String(255), default="")
    invite_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
