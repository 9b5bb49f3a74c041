"""pip-audit over the installed dependencies: fail on any known vulnerability.

pip-audit asks PyPI's JSON API (https://pypi.org/pypi/<name>/<version>/json) for each pinned version. Where that
service cannot answer (a mirror without the JSON API, no network), no package can be checked: the run says so
plainly and passes, unless REQUIRE_PIP_AUDIT=1, which turns "could not check" into a failure.
"""

import json
import os
import subprocess  # nosec B404
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def main() -> int:
    result = subprocess.run(  # nosec B603
        [str(BIN / "pip-audit"), "--skip-editable", "--progress-spinner", "off", "-f", "json"],
        capture_output=True, text=True, check=False,
    )
    try:
        report = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        print(f"pip-audit: could not run: {result.stderr.strip()[:500]}")
        return 1
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    checked = [d for d in dependencies if "skip_reason" not in d]
    for dependency in vulnerable:
        ids = ", ".join(v["id"] for v in dependency["vulns"])
        print(f"pip-audit: {dependency['name']} {dependency.get('version')}: {ids}")
    if vulnerable:
        print(f"pip-audit: {len(vulnerable)} vulnerable dependencies")
        return 1
    if not checked:
        reason = dependencies[0].get("skip_reason", "no answer") if dependencies else "no dependencies listed"
        print(f"pip-audit: SKIPPED — the vulnerability service could not check any of {len(dependencies)} "
              f"dependencies here (e.g. {reason})")
        return 1 if os.environ.get("REQUIRE_PIP_AUDIT") == "1" else 0
    print(f"pip-audit: no known vulnerabilities in {len(checked)} dependencies "
          f"({len(dependencies) - len(checked)} could not be checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
