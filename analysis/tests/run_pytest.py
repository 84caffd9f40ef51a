"""ctest entry for the Python suites: python3 analysis/tests/run_pytest.py [pytest args].
Exits 77 (ctest: skipped) with the missing Debian packages named when an import fails,
and turns pytest's "no tests collected" (5) into a failure."""
import importlib
import os
import sys

PACKAGES = {"pandas": "python3-pandas", "numpy": "python3-numpy", "scipy": "python3-scipy",
            "statsmodels": "python3-statsmodels", "matplotlib": "python3-matplotlib",
            "pytest": "python3-pytest"}
missing = []
for mod, pkg in PACKAGES.items():
    try:
        importlib.import_module(mod)
    except ImportError:
        missing.append(pkg)
if missing:
    print("analysis tests SKIPPED: missing " + " ".join(missing) +
          " (apt-get install " + " ".join(missing) + ")")
    sys.exit(77)

import pytest  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
rc = pytest.main(["-q", "-p", "no:cacheprovider", "-rs", here, *sys.argv[1:]])
sys.exit(1 if rc == 5 else int(rc))
