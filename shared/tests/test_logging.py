"""Logs are JSON with the request id, and resident ID numbers never appear in them unmasked."""

from __future__ import annotations

import json
import logging

from ltci_shared.logging import JsonFormatter, mask_pii, request_id_var


def test_mask_pii_masks_every_resident_id_shape() -> None:
    text = "ids 11010519491231002X and 110105194912310021, order 1234567890123456789012"
    masked = mask_pii(text)
    assert "11010519491231002X" not in masked and "110105194912310021" not in masked
    assert "110***********002X" in masked
    assert "1234567890123456789012" in masked  # a longer number is not an ID


def test_json_formatter_adds_request_id_and_masks() -> None:
    token = request_id_var.set("req-1")
    try:
        record = logging.LogRecord(
            "x", logging.INFO, __file__, 1, "enrolled %s", ("11010519491231002X",), None
        )
        entry = json.loads(JsonFormatter("enrollment").format(record))
    finally:
        request_id_var.reset(token)
    assert entry["request_id"] == "req-1" and entry["service"] == "enrollment"
    assert entry["message"] == "enrolled 110***********002X"
