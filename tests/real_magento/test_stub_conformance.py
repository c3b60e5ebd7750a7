"""The PHPUnit stand-ins (magento-module/Test/Stubs) against the installed Magento: same method names,
parameters, return types and constants for everything a stand-in declares (magento-module/dev/check-stubs.php)."""
from __future__ import annotations

import shutil
import subprocess

from magento_kit import MODULE_DIR


def test_the_unit_test_stand_ins_match_the_real_magento(store):
    php = shutil.which("php")
    assert php, "php is not on PATH"
    result = subprocess.run([php, str(MODULE_DIR / "dev" / "check-stubs.php"), str(store.magento.dir)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no drift" in result.stdout, result.stdout
