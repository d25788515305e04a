"""Use cases of assistive-device rentals (辅具租赁): start from the catalogue, end after the term."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from ltci_care_delivery.adapters.plans import RentalRepository
from ltci_care_delivery.domain.commands import StartDeviceRental
from ltci_care_delivery.domain.errors import (
    DeviceCategoryTaken,
    DeviceMinimumTerm,
    RentalAlreadyEnded,
    RentalNotFound,
    UnknownDevice,
)
from ltci_care_delivery.domain.ids import new_id
from ltci_care_delivery.service_layer.plans import active_provider, eligible_grade, known_person
from ltci_shared.events.contracts import DeviceRentalChanged
from ltci_shared.policy import PolicyBook
from ltci_shared.policy.benefits import BenefitPolicy, Device, DevicePolicy
from ltci_shared.uow import UnitOfWork


def _event(rental: dict[str, Any], status: str) -> DeviceRentalChanged:
    fields = {k: rental[k] for k in DeviceRentalChanged.model_fields if k != "status"}
    return DeviceRentalChanged(**fields, status=status)


def _device(
    book: PolicyBook, region_code: str, on: date, code: str
) -> tuple[str, Device, DevicePolicy]:
    policy = book.in_force(region_code, BenefitPolicy, on)
    devices = policy.devices
    device = next((d for d in devices.catalogue if d.code == code), None) if devices else None
    if devices is None or device is None:
        raise UnknownDevice(f"device {code} is not in the region's catalogue")
    return policy.version_id(book.region(region_code).code), device, devices


async def start_rental(uow: UnitOfWork, cmd: StartDeviceRental, book: PolicyBook) -> dict[str, Any]:
    """Rent a catalogue device to an eligible person; one active rental per category."""
    person = await known_person(uow, cmd.person_id, cmd.starts_on)
    await eligible_grade(uow, cmd.person_id, cmd.starts_on)
    await active_provider(uow, cmd.provider_id)
    version, device, devices = _device(book, person["region_code"], cmd.starts_on, cmd.device_code)
    repo = RentalRepository(uow.session)
    if devices.one_per_category and (
        other := await repo.active_in_category(cmd.person_id, device.category)
    ):
        raise DeviceCategoryTaken(
            f"the person already rents a {device.category}", rental_id=other["rental_id"]
        )
    now = datetime.now(UTC)
    rental = {
        "rental_id": new_id(),
        **cmd.model_dump(),
        "category": device.category,
        "daily_rate": str(device.daily_rate),
        "ends_on": None,
        "status": "active",
        "policy_version": version,
        "created_at": now,
        "updated_at": now,
    }
    await repo.add(rental)
    uow.record(_event(rental, "started"))
    return rental


async def end_rental(
    uow: UnitOfWork, rental_id: str, ends_on: date, book: PolicyBook
) -> dict[str, Any]:
    """End a rental; a term shorter than the policy's minimum is refused."""
    repo = RentalRepository(uow.session)
    rental = await repo.get(rental_id)
    if rental is None:
        raise RentalNotFound(f"no device rental {rental_id}")
    if rental["status"] != "active":
        raise RentalAlreadyEnded("the rental has already ended")
    region = book.region(rental["policy_version"].split("/", 1)[0]).code
    _, _, devices = _device(book, region, rental["starts_on"], rental["device_code"])
    days = (ends_on - rental["starts_on"]).days + 1
    if days < devices.min_term_days:
        raise DeviceMinimumTerm(
            f"a rental lasts at least {devices.min_term_days} days; this one would last {days}"
        )
    values = {"ends_on": ends_on, "status": "ended", "updated_at": datetime.now(UTC)}
    await repo.update(rental_id, values)
    rental = {**rental, **values}
    uow.record(_event(rental, "ended"))
    return rental
