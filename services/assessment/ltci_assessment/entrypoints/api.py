"""HTTP routes of the assessment service."""

from fastapi import APIRouter

router = APIRouter()
