"""The enrollment service's HTTP routers."""

from ltci_enrollment.entrypoints import funds_api, imports_api, persons_api

routers = [persons_api.router, funds_api.router, imports_api.router]
