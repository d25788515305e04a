"""HTTP routes of the care-delivery service."""

from fastapi import APIRouter

router = APIRouter()
