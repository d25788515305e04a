"""HTTP routes for streaming CSV imports and their per-row error reports."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from ltci_enrollment.adapters.import_repo import ImportRepository
from ltci_enrollment.entrypoints.common import Actor, DepsDep
from ltci_enrollment.entrypoints.views import ImportErrorPage, ImportPage, ImportView, dump
from ltci_enrollment.service_layer import imports
from ltci_shared.errors import NotFound, problem_responses
from ltci_shared.pagination import Cursor, Limit
from ltci_shared.web import RuntimeDep

router = APIRouter(tags=["imports"])
CSV_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "examples": {
                    "persons": {
                        "value": "resident_id,name,region_code,scheme,valid_from,phone\n"
                        "11010519491231002X,张三,320902,resident,2026-01-01,13812345678\n"
                    },
                    "memberships": {
                        "value": "resident_id,action,effective_on,scheme,region_code,end_reason\n"
                        "11010519491231002X,change_scheme,2026-07-01,employee,,\n"
                    },
                    "assistance": {
                        "value": "resident_id,category,valid_from,valid_until,source\n"
                        "11010519491231002X,dibao,2026-01-01,2026-12-31,民政局2026年1月名单\n"
                    },
                },
            }
        },
    }
}


async def _load(rt: Any, import_id: str) -> dict[str, Any]:
    async with rt.uow() as uow:
        found = await ImportRepository(uow.session).get(import_id)
    if found is None:
        raise NotFound(f"no import {import_id}")
    return found


@router.post(
    "/imports/{kind}",
    response_model=ImportView,
    openapi_extra=CSV_DOC,
    responses=problem_responses(imports.BadCsv),
)
async def import_csv(
    kind: Literal["persons", "memberships", "assistance"],
    request: Request,
    rt: RuntimeDep,
    deps: DepsDep,
    filename: Annotated[str | None, Query(max_length=200)] = None,
    actor: Actor = "unknown",
) -> Any:
    """Import a UTF-8 CSV (header row first) as it streams in: persons, membership changes or
    assistance lists from civil affairs. Rows already recorded count as duplicates, so the
    same file can be imported again safely; each failed row is reported with its number and
    error (never its values) at `GET /imports/{id}/errors`. Progress is visible on
    `GET /imports` while it runs."""
    async with rt.uow() as uow:
        import_id = await imports.start_import(uow, kind, filename, deps)
        await uow.commit()
    run = imports.ImportRun(rt.uow, import_id, kind, deps, actor)
    await run.run(request.stream())
    return dump(ImportView, await _load(rt, import_id))


@router.get("/imports", response_model=ImportPage)
async def list_imports(rt: RuntimeDep, limit: Limit = 50, cursor: Cursor = None) -> Any:
    """Imports with their progress (rows done, accepted, duplicate, failed)."""
    async with rt.uow() as uow:
        page = await ImportRepository(uow.session).page(cursor=cursor, limit=limit)
    return {"items": [dump(ImportView, r) for r in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/imports/{import_id}", response_model=ImportView, responses=problem_responses(NotFound)
)
async def get_import(import_id: str, rt: RuntimeDep) -> Any:
    """One import's status and progress."""
    return dump(ImportView, await _load(rt, import_id))


@router.get(
    "/imports/{import_id}/errors",
    response_model=ImportErrorPage,
    responses=problem_responses(NotFound),
)
async def import_errors(
    import_id: str, rt: RuntimeDep, limit: Limit = 100, cursor: Cursor = None
) -> Any:
    """The per-row error report: row number (the header is row 1), error name, detail."""
    await _load(rt, import_id)
    async with rt.uow() as uow:
        page = await ImportRepository(uow.session).errors(import_id, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}
