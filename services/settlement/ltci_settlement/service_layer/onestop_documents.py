"""The one-stop settlement's answer as a JSON document (stored with the settlement, so the same
bill always gets the same answer), with each layer's rule explained in words."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ltci_settlement.domain.onestop import Counters, LayerResult, OneStopResult
from ltci_settlement.domain.onestop_commands import SettleBill
from ltci_settlement.service_layer.onestop_context import BillContext

Row = dict[str, Any]
REASONS = {
    "annual_cap_reached": "the annual cap left less than the computed amount",
    "non_designated_provider": "the hospital is not designated (no agreement) for these dates",
    "out_of_area_unreferred": "care outside the insured region without a referral",
    "not_a_recipient": "the person holds no assistance category on the service date",
    "class_not_assisted": "the region's policy assists no one of this class",
    "care_kind_not_covered": "this layer does not cover this kind of care",
    "not_insured": "the region has no critical-illness insurance",
}


def _m(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def explain(layer: LayerResult) -> str:
    """The rule applied, in words, with the figures used."""
    if layer.paid == 0 and layer.reason and layer.reason != "annual_cap_reached":
        return f"{layer.rule}: nothing paid, {REASONS.get(layer.reason, layer.reason)}"
    cap = "no annual cap" if layer.annual_cap is None else f"annual cap {_m(layer.annual_cap)}"
    text = (
        f"{layer.rule}: ({_m(layer.base)} - deductible {_m(layer.deductible_applied)} of "
        f"{_m(layer.deductible)} a year) x {layer.ratio} = {_m(layer.computed)}; {cap}"
    )
    if layer.tilted:
        text += "; tilted for the recipient's class (deductible and ratio, cap as policy says)"
    if layer.capped:
        text += f"; limited to the {_m(layer.cap_left_before)} left under the cap"
    return text


def layer_document(layer: LayerResult) -> Row:
    return {
        "layer": layer.layer,
        "fund": layer.fund,
        "base": _m(layer.base),
        "deductible": _m(layer.deductible),
        "deductible_applied": _m(layer.deductible_applied),
        "ratio": format(layer.ratio, "f"),
        "annual_cap": _m(layer.annual_cap),
        "cap_left_before": _m(layer.cap_left_before),
        "computed": _m(layer.computed),
        "paid": _m(layer.paid),
        "capped": layer.capped,
        "left": _m(layer.left),
        "tilted": layer.tilted,
        "rule": layer.rule,
        "reason": layer.reason,
        "explanation": explain(layer),
    }


def counters_document(counters: Counters) -> Row:
    return {
        name: value if isinstance(value, int) else format(value, "f")
        for name, value in counters.as_dict().items()
    }


def settlement_document(
    settlement_id: str,
    cmd: SettleBill,
    ctx: BillContext,
    result: OneStopResult,
    before: Counters,
    after: Counters,
    warnings: list[Row],
) -> Row:
    basic, ci, assist = result.layers
    return {
        "settlement_id": settlement_id,
        "status": "settled",
        **cmd.model_dump(mode="json"),
        "region_code": ctx.region_code,
        "hospital_region_code": ctx.hospital_region,
        "year": ctx.year,
        "recipient_class": ctx.scope.recipient_class,
        "recipient_category": ctx.category,
        "out_of_area": ctx.scope.out_of_area,
        "designated": ctx.scope.designated,
        "layers": [layer_document(layer) for layer in result.layers],
        "basic_paid": _m(basic.paid),
        "critical_illness_paid": _m(ci.paid),
        "assistance_paid": _m(assist.paid),
        "assisted": assist.paid > 0,
        "not_assisted_reason": assist.reason if assist.paid == 0 else None,
        "funds_total": _m(result.funds_total),
        "patient_in_policy": _m(result.patient_in_policy),
        "patient_out_of_policy": _m(result.patient_out_of_policy),
        "patient_total": _m(result.patient_total),
        "counters_before": counters_document(before),
        "counters_after": counters_document(after),
        "warnings": warnings,
        "policy_version": ctx.policy_version,
        "assumed": list(result.assumed),
        "cancelled_on": None,
        "cancel_reason": None,
        "reversal_entry_id": None,
    }


def settlement_view(row: Row) -> Row:
    """The stored answer with the settlement's current status (cancelled or not)."""
    cancelled = row.get("cancelled_on")
    return {
        **row["response"],
        "status": row["status"],
        "cancelled_on": cancelled.isoformat() if cancelled else None,
        "cancel_reason": row.get("cancel_reason"),
        "reversal_entry_id": row.get("reversal_entry_id"),
    }
