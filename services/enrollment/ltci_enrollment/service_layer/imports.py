"""Streaming CSV imports of persons, membership changes and assistance lists.

The body is read as it arrives (never whole in memory), parsed into rows and applied in
chunks, one transaction per chunk, through the same use cases as the API. Each row is
accepted, a duplicate (already recorded: re-importing a file changes nothing) or an error
recorded with its row number and never its values. Progress is committed with every chunk,
so ``GET /imports/{id}`` shows it while the import runs.
"""

from __future__ import annotations

import codecs
import csv
import io
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from ltci_enrollment.adapters.import_repo import ImportRepository
from ltci_enrollment.adapters.repository import PersonRepository
from ltci_enrollment.domain.commands import AssignCategory, ChangeMembership, EnrollPerson
from ltci_enrollment.service_layer import assistance, membership, persons
from ltci_enrollment.service_layer.deps import Deps
from ltci_shared.errors import DomainError, InvalidInput, NotFound
from ltci_shared.ids import InvalidResidentId, parse_resident_id
from ltci_shared.uow import UnitOfWork

Kind = Literal["persons", "memberships", "assistance"]
Outcome = Literal["ok", "duplicate"]
CHUNK = 500
COLUMNS: dict[str, tuple[set[str], set[str]]] = {  # kind -> (required, optional)
    "persons": (
        {"resident_id", "name", "region_code", "scheme", "valid_from"},
        {
            "birth_date",
            "sex",
            "phone",
            "address",
            "home_latitude",
            "home_longitude",
            "contact_name",
            "contact_phone",
        },
    ),
    "memberships": (
        {"resident_id", "action", "effective_on"},
        {"scheme", "region_code", "end_reason"},
    ),
    "assistance": ({"resident_id", "category", "valid_from", "source"}, {"valid_until"}),
}


class BadCsv(InvalidInput):
    name = "bad_csv"
    title = "The CSV file cannot be imported"


class PersonNotEnrolled(NotFound):
    name = "person_not_enrolled"
    title = "No person with this resident ID"


async def _person_id(uow: UnitOfWork, deps: Deps, raw: str) -> str:
    try:
        rid = parse_resident_id(raw)
    except InvalidResidentId as exc:
        raise InvalidInput(f"resident_id: {exc.code}") from None
    found = await PersonRepository(uow.session).by_lookup_hash(deps.cipher.lookup_hash(rid.value))
    if found is None:
        raise PersonNotEnrolled("no person with this resident ID is enrolled")
    return str(found["person_id"])


async def apply_row(
    uow: UnitOfWork, kind: Kind, row: dict[str, str], deps: Deps, actor: str
) -> Outcome:
    data = {k: v for k, v in row.items() if v != ""}
    if kind == "persons":
        try:
            await persons.enroll_person(uow, EnrollPerson.model_validate(data), deps, actor)
        except persons.PersonAlreadyEnrolled:
            return "duplicate"
        return "ok"
    person_id = await _person_id(uow, deps, data.pop("resident_id", ""))
    if kind == "memberships":
        try:
            cmd = ChangeMembership.model_validate(data)
            await membership.change_membership(uow, person_id, cmd, deps)
        except membership.MembershipChangeAlreadyApplied:
            return "duplicate"
        return "ok"
    assign = AssignCategory.model_validate(data)
    try:
        await assistance.assign_category(uow, person_id, assign, deps)
    except assistance.CategoryOverlap as exc:
        held = await assistance.categories_of(uow, person_id, assign.valid_from)
        same = [
            a
            for a in held["assignments"]
            if a["assignment_id"] == exc.extra.get("assignment_id")
            and a["valid_from"] == assign.valid_from
        ]
        if same:
            return "duplicate"
        raise
    return "ok"


def _describe(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors()]
        return "invalid_input", "; ".join(parts)[:500]
    if isinstance(exc, DomainError):
        return exc.name, exc.detail[:500]
    raise exc


async def csv_rows(chunks: AsyncIterator[bytes]) -> AsyncIterator[list[str]]:
    """Rows of a UTF-8 (BOM allowed) CSV, parsed as the bytes arrive."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    async for chunk in chunks:
        try:
            pending += decoder.decode(chunk)
        except UnicodeDecodeError:
            raise BadCsv("the file is not UTF-8 text") from None
        cut = _safe_cut(pending)
        if cut:
            for row in csv.reader(io.StringIO(pending[:cut])):
                yield row
            pending = pending[cut:]
    pending += decoder.decode(b"", final=True)
    for row in csv.reader(io.StringIO(pending)):
        yield row


def _safe_cut(text: str) -> int:
    """The end of the last complete line outside quotes (0 when there is none yet)."""
    cut = text.rfind("\n") + 1
    while cut and text.count('"', 0, cut) % 2:
        cut = text.rfind("\n", 0, cut - 1) + 1
    return cut


async def start_import(uow: UnitOfWork, kind: Kind, filename: str | None, deps: Deps) -> str:
    import_id = str(uuid.uuid4())
    await ImportRepository(uow.session).add(
        {
            "import_id": import_id,
            "kind": kind,
            "filename": filename,
            "status": "running",
            "started_at": deps.now(),
        }
    )
    return import_id


class ImportRun:
    """Applies the rows of one import, chunk by chunk, recording progress and errors."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        import_id: str,
        kind: Kind,
        deps: Deps,
        actor: str,
    ) -> None:
        self.uow_factory, self.import_id, self.kind = uow_factory, import_id, kind
        self.deps, self.actor = deps, actor
        self.counts = {"rows_done": 0, "rows_ok": 0, "rows_duplicate": 0, "rows_failed": 0}

    async def run(self, chunks: AsyncIterator[bytes]) -> None:
        try:
            header: list[str] | None = None
            batch: list[tuple[int, dict[str, str]]] = []
            number = 1
            async for row in csv_rows(chunks):
                if header is None:
                    header = self._header(row)
                    continue
                number += 1
                if not any(cell.strip() for cell in row):
                    continue
                batch.append((number, self._record(header, row)))
                if len(batch) >= CHUNK:
                    await self._apply(batch)
                    batch = []
            if header is None:
                raise BadCsv("the file is empty: a header row is required")
            await self._apply(batch)
            await self._finish("completed", None)
        except DomainError as exc:
            await self._finish("failed", exc.detail)
            raise

    def _header(self, row: list[str]) -> list[str]:
        required, optional = COLUMNS[self.kind]
        names = [c.strip() for c in row]
        if missing := required - set(names):
            raise BadCsv(f"missing columns: {', '.join(sorted(missing))}")
        if unknown := set(names) - required - optional:
            raise BadCsv(f"unknown columns: {', '.join(sorted(unknown))}")
        return names

    @staticmethod
    def _record(header: list[str], row: list[str]) -> dict[str, str]:
        if len(row) != len(header):
            return {"__bad__": f"{len(row)} fields where the header has {len(header)}"}
        return {name: cell.strip() for name, cell in zip(header, row, strict=True)}

    async def _apply(self, batch: list[tuple[int, dict[str, str]]]) -> None:
        snapshot = dict(self.counts)
        try:
            async with self.uow_factory() as uow:
                if self.kind == "persons":
                    errors = await self._persons(uow, batch)
                else:
                    errors = [await self._one(uow, n, row) for n, row in batch]
                await self._save(uow, [e for e in errors if e], len(batch))
        except IntegrityError:
            # A concurrent writer took a key: redo this chunk row by row.
            self.counts = snapshot
            for n, row in batch:
                async with self.uow_factory() as uow:
                    error = await self._one(uow, n, row)
                    await self._save(uow, [error] if error else [], 1)

    async def _persons(
        self, uow: UnitOfWork, batch: list[tuple[int, dict[str, str]]]
    ) -> list[dict[str, Any] | None]:
        """The fast path for persons: validate all rows, one look-up, bulk inserts."""
        errors: list[dict[str, Any] | None] = []
        prepared: list[persons.NewPerson] = []
        for number, row in batch:
            try:
                if "__bad__" in row:
                    raise BadCsv(row["__bad__"])
                cmd = EnrollPerson.model_validate({k: v for k, v in row.items() if v != ""})
                prepared.append(persons.prepare_enrollment(cmd, self.deps, self.actor))
            except (ValidationError, DomainError) as exc:
                errors.append(self._error(number, exc))
        hashes = [p.person["resident_id_hash"] for p in prepared]
        taken = set(await PersonRepository(uow.session).by_lookup_hashes(hashes))
        fresh = []
        for p in prepared:
            if p.person["resident_id_hash"] in taken:
                self.counts["rows_duplicate"] += 1
            else:
                taken.add(p.person["resident_id_hash"])
                fresh.append(p)
        await persons.save_enrollments(uow, fresh)
        self.counts["rows_ok"] += len(fresh)
        return errors

    def _error(self, number: int, exc: Exception) -> dict[str, Any]:
        self.counts["rows_failed"] += 1
        error, detail = _describe(exc)
        return {"import_id": self.import_id, "row_number": number, "error": error, "detail": detail}

    async def _one(
        self, uow: UnitOfWork, number: int, row: dict[str, str]
    ) -> dict[str, Any] | None:
        try:
            if "__bad__" in row:
                raise BadCsv(row["__bad__"])
            outcome = await apply_row(uow, self.kind, row, self.deps, self.actor)
        except (ValidationError, DomainError) as exc:
            return self._error(number, exc)
        self.counts["rows_ok" if outcome == "ok" else "rows_duplicate"] += 1
        return None

    async def _save(self, uow: UnitOfWork, errors: list[dict[str, Any]], rows: int) -> None:
        self.counts["rows_done"] += rows
        repo = ImportRepository(uow.session)
        await repo.add_errors(errors)
        await repo.progress(self.import_id, **self.counts)
        await uow.commit()

    async def _finish(self, status: str, error: str | None) -> None:
        async with self.uow_factory() as uow:
            await ImportRepository(uow.session).progress(
                self.import_id,
                status=status,
                error=error,
                finished_at=self.deps.now(),
                **self.counts,
            )
            await uow.commit()
