"""Streaming CSV imports: per-row errors without values, duplicates on re-import, progress."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from sqlalchemy import select

from ltci_enrollment.adapters.tables import assistance_assignments, memberships, persons

from ..support import RID, count, enroll, resident_id, runtime

HEADER = "resident_id,name,region_code,scheme,valid_from,phone\n"


def _persons_csv(n: int, *, start: int = 0) -> str:
    rows = [
        f"{resident_id(f'3209021960{1 + i // 1000:02d}01{i % 1000:03d}')},居民{i},320902,resident,2026-01-01,\n"
        for i in range(start, start + n)
    ]
    return HEADER + "".join(rows)


async def _import(
    client: httpx.AsyncClient, kind: str, body: str | bytes | AsyncIterator[bytes]
) -> httpx.Response:
    content = body.encode() if isinstance(body, str) else body
    return await client.post(
        f"/imports/{kind}",
        content=content,
        headers={"content-type": "text/csv"},
        params={"filename": f"{kind}.csv"},
    )


async def test_a_persons_file_reports_bad_rows_and_can_be_imported_again(
    client: httpx.AsyncClient,
) -> None:
    bad_id = "110105194912310021"  # checksum wrong
    body = (
        _persons_csv(3)
        + f"{bad_id},坏号码,320902,resident,2026-01-01,\n"
        + f"{resident_id('32090219600101900')},错地区,999999,resident,2026-01-01,\n"
        + f"{resident_id('32090219600101901')},错电话,320902,resident,2026-01-01,12345\n"
        + "too,few\n"
    )
    r = await _import(client, "persons", body)
    assert r.status_code == 200, r.text
    summary = r.json()
    assert (
        summary["status"],
        summary["rows_done"],
        summary["rows_ok"],
        summary["rows_failed"],
    ) == ("completed", 7, 3, 4)
    errors = (await client.get(f"/imports/{summary['import_id']}/errors")).json()["items"]
    assert [(e["row_number"], e["error"]) for e in errors] == [
        (5, "invalid_input"),
        (6, "unknown_region"),
        (7, "invalid_input"),
        (8, "bad_csv"),
    ]
    assert bad_id not in str(errors) and "12345" not in str(errors)
    again = (await _import(client, "persons", body)).json()
    assert (again["rows_ok"], again["rows_duplicate"], again["rows_failed"]) == (0, 3, 4)
    assert await count(client, persons) == 3


async def test_a_large_file_streams_in_chunks_with_a_bom_and_quoted_fields(
    client: httpx.AsyncClient,
) -> None:
    body = "\ufeff" + _persons_csv(1200).replace("居民7,", '"居民,7",', 1)
    data = body.encode()

    async def trickle() -> AsyncIterator[bytes]:
        for i in range(0, len(data), 997):  # cut through rows and multi-byte characters
            yield data[i : i + 997]

    r = await _import(client, "persons", trickle())
    assert (r.json()["rows_ok"], r.json()["rows_failed"]) == (1200, 0), r.text
    listed = (await client.get("/imports")).json()["items"]
    assert listed[0]["rows_done"] == 1200 and listed[0]["status"] == "completed"
    async with runtime(client).uow() as uow:
        query = select(persons.c.name).where(persons.c.name == "居民,7")
        assert (await uow.session.execute(query)).scalar_one() == "居民,7"


async def test_membership_and_assistance_lists_apply_once(client: httpx.AsyncClient) -> None:
    await enroll(client, region_code="320402")
    changes = (
        "resident_id,action,effective_on,scheme,region_code,end_reason\n"
        f"{RID},change_scheme,2026-07-01,employee,,\n"
        f"{RID},end,2026-10-31,,,moved_away\n"
        f"{resident_id('32090219600101555')},end,2026-10-31,,,moved_away\n"
    )
    first = (await _import(client, "memberships", changes)).json()
    assert (first["rows_ok"], first["rows_failed"]) == (2, 1)
    second = (await _import(client, "memberships", changes)).json()
    assert (second["rows_ok"], second["rows_duplicate"], second["rows_failed"]) == (0, 2, 1)
    assert await count(client, memberships) == 2
    errors = (await client.get(f"/imports/{first['import_id']}/errors")).json()["items"]
    assert errors[0]["error"] == "person_not_enrolled"
    lists = (
        "resident_id,category,valid_from,valid_until,source\n"
        f"{RID},dibao,2026-01-01,2026-12-31,常州市民政局2026年1月名单\n"
        f"{RID},nonsense,2026-01-01,,常州市民政局\n"
    )
    a = (await _import(client, "assistance", lists)).json()
    b = (await _import(client, "assistance", lists)).json()
    assert (a["rows_ok"], a["rows_failed"], b["rows_duplicate"], b["rows_failed"]) == (1, 1, 1, 1)
    assert await count(client, assistance_assignments) == 1


async def test_a_file_without_the_required_columns_fails_clearly(
    client: httpx.AsyncClient,
) -> None:
    r = await _import(client, "persons", "resident_id,name\n1,2\n")
    assert r.status_code == 422 and r.json()["type"] == "/problems/bad_csv"
    assert "missing columns" in r.json()["detail"]
    empty = await _import(client, "assistance", "")
    assert empty.status_code == 422
    not_utf8 = await _import(client, "persons", b"resident_id,name\n\xff\xfe\n")
    assert not_utf8.status_code == 422 and "UTF-8" in not_utf8.json()["detail"]
    listed = (await client.get("/imports")).json()["items"]
    assert {i["status"] for i in listed} == {"failed"}
    unknown_kind = await client.post("/imports/cats", content=b"a\n")
    assert unknown_kind.status_code == 422
