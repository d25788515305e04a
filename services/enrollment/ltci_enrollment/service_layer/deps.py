"""What the use cases need besides the unit of work, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ltci_shared.errors import InvalidInput
from ltci_shared.ids import PiiCipher
from ltci_shared.policy import PolicyBook


class UnknownRegion(InvalidInput):
    name = "unknown_region"
    title = "Unknown region code"


@dataclass(frozen=True)
class Deps:
    cipher: PiiCipher
    book: PolicyBook
    clock: type[datetime] = field(default=datetime)

    def now(self) -> datetime:
        return self.clock.now(UTC)

    def check_region(self, code: str) -> None:
        if not self.book.knows_region(code):
            raise UnknownRegion(f"region code {code} is not in the code list of any policy pack")
