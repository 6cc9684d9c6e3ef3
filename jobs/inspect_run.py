"""One self-contained HTML page of a finished run, or of two runs of the same input side by side:
`python jobs/inspect_run.py OUTPUT [--compare OTHER] [--input INPUT --show-text] --out report.html`.

The page carries no span text unless --input and --show-text are given (it then says so at the top). Reads
only what the runs wrote; local paths or any fsspec URL (--storage-options for credentials / endpoints).
Not named inspect.py: run as a script, that would shadow the standard library's `inspect`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="inspect_run.py", description=__doc__.split("\n")[0])
    parser.add_argument("output", help="a finished output of jobs/redact.py (folder or fsspec URL)")
    parser.add_argument("--compare", help="another output of the same input: figures side by side, spans that changed")
    parser.add_argument("--input", help="the input the output(s) came from (only read with --show-text)")
    parser.add_argument("--show-text", action="store_true", help="show span text from --input (the page says so)")
    parser.add_argument("--out", required=True, help="the HTML file to write")
    parser.add_argument("--storage-options", default="{}", help="JSON passed to fsspec, e.g. {\"endpoint_url\": ...}")
    parser.add_argument("--screenshot", help="also render the page with headless Chromium to this PNG")
    parser.add_argument("--screenshot-height", type=int, default=2200, help="pixels of the page the PNG shows")
    args = parser.parse_args(argv)
    from haremb_batch.inspector import build_page

    try:
        page = build_page(args.output, args.compare, args.input, args.show_text, json.loads(args.storage_options))
    except (FileNotFoundError, ValueError) as error:
        print(f"inspect_run.py: error: {error}", file=sys.stderr)
        return 2
    Path(args.out).write_text(page, encoding="utf-8")
    print(f"wrote {args.out} ({len(page.encode()) / 1024:.0f} KiB)")
    if args.screenshot:
        screenshot(Path(args.out), Path(args.screenshot), height=args.screenshot_height)
    return 0


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


def chromium(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    """Debian's headless Chromium, with the flags that keep it off the network."""
    import shutil
    import tempfile

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        raise FileNotFoundError("chromium is not installed (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              text=True, timeout=timeout)


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 2200) -> None:
    result = chromium(f"--screenshot={png.resolve()}", f"--window-size={width},{height}", page.resolve().as_uri())
    if not png.exists():
        raise RuntimeError(f"chromium made no screenshot: {result.stderr[-1000:]}")


if __name__ == "__main__":
    sys.exit(main())
