"""Wait until a URL answers 200, or give up after a timeout: ``wait_http.py URL SECONDS``.

Used by scripts/run_embedded.sh to say when the site is up; plain stdlib because curl is not on a
fresh Debian machine.
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request


def main() -> int:
    url, timeout = sys.argv[1], float(sys.argv[2])
    if not url.startswith(("http://", "https://")):
        print(f"not an http(s) URL: {url}", file=sys.stderr)
        return 2
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - scheme checked above
                if response.status == 200:
                    return 0
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
