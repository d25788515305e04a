"""The printable statement (结算单): one HTML page per provider and month, from the same
figures as the JSON and the CSV, laid out for A4 paper."""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from ltci_settlement.entrypoints.schemas import LineView, StatementView
from ltci_settlement.service_layer.statements import statement_with_lines
from ltci_shared.errors import NotFound, problem_responses
from ltci_shared.web import RuntimeDep

router = APIRouter(tags=["statements"])

_STYLE = """
body{font:13px/1.45 "Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:24px;color:#111}
h1{font-size:18px;margin:0 0 4px}table{border-collapse:collapse;width:100%;margin-top:12px}
th,td{border:1px solid #999;padding:3px 6px;text-align:left}td.n,th.n{text-align:right}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:12px 0}
dt{color:#555}.note{color:#555;font-size:11px;margin-top:16px}
@page{size:A4;margin:14mm}@media print{body{margin:0}}
"""
_HEAD = ("No.", "服务日期 date", "形式 form", "units", "费用 billed", "基金 fund", "个人 person",
         "拒付 denied", "result", "reason")  # fmt: skip


def _cell(value: Any, numeric: bool = False) -> str:
    return (
        f'<td class="n">{escape(str(value))}</td>' if numeric else f"<td>{escape(str(value))}</td>"
    )


def _line(line: dict[str, Any]) -> str:
    v = LineView.of(line)
    cells = [_cell(v.line_no, True), _cell(v.service_date), _cell(v.service_form)]
    cells += [_cell(f"{v.units} {v.unit}", True)]
    cells += [_cell(m, True) for m in (v.billed, v.fund_amount, v.person_amount, v.denied)]
    cells += [_cell(v.outcome), _cell(v.reason_code)]
    return "<tr>" + "".join(cells) + "</tr>"


def render(statement: dict[str, Any], lines: list[dict[str, Any]]) -> str:
    """The page's HTML: every value escaped; persons appear by internal id only."""
    st = StatementView.of(statement)
    facts = [
        ("统筹区 region", st.region_code),
        ("服务机构 provider", st.provider_id),
        ("结算月份 period", st.period),
        ("版本 revision", st.revision),
        ("应付机构 payable to the provider", st.amount_payable),
        ("质量保证金 quality holdback", st.holdback),
        ("个人负担 owed by persons", st.person_amount),
        ("明细条数 lines", st.line_count),
        ("出具时间 issued", st.issued_at.isoformat()),
    ]
    head = "".join(f'<th class="n">{h}</th>' if i in (0, 3, 4, 5, 6, 7) else f"<th>{h}</th>"
                   for i, h in enumerate(_HEAD))  # fmt: skip
    return (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
        f"<title>结算单 {escape(st.provider_id)} {escape(st.period)}</title>"
        f"<style>{_STYLE}</style><body>"
        "<h1>长期护理保险结算单 · LTC insurance settlement statement</h1>"
        "<dl>"
        + "".join(f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in facts)
        + "</dl>"
        f"<table><thead><tr>{head}</tr></thead><tbody>"
        + "".join(_line(line) for line in lines)
        + "</tbody></table>"
        f'<p class="note">Ledger hash {escape(st.ledger_hash)}. Amounts in yuan (元), exact to '
        "the fen; the lines are the provider's current claim lines for the month.</p>"
        "</body></html>"
    )


@router.get(
    "/statements/{statement_id}/print",
    response_class=HTMLResponse,
    responses=problem_responses(NotFound),
)
async def printable_statement(statement_id: str, rt: RuntimeDep) -> HTMLResponse:
    """The statement as a printable page (A4), with the same totals and lines as the JSON
    and the CSV."""
    async with rt.uow() as uow:
        found = await statement_with_lines(uow, statement_id)
    if found is None:
        raise NotFound(f"no statement {statement_id}")
    return HTMLResponse(render(*found))
