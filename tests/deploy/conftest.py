"""Makes this folder's support modules importable by name (``import deploy_model``).

pytest runs with ``--import-mode=importlib``, which does not put test folders on sys.path;
conftest.py is imported before the test modules of its folder, so registering the modules
here lets the tests import them plainly.
"""

import importlib.util
import sys
from pathlib import Path

for _name in ("schema_check", "deploy_model"):
    if _name not in sys.modules:
        _spec = importlib.util.spec_from_file_location(
            _name, Path(__file__).with_name(f"{_name}.py")
        )
        assert _spec is not None and _spec.loader is not None
        _module = importlib.util.module_from_spec(_spec)
        sys.modules[_name] = _module
        _spec.loader.exec_module(_module)
