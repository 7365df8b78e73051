#!/usr/bin/env python3
"""Screenshot pages of a running server with Debian's Chromium, signed in as a demo user.

    .venv/bin/python scripts/screenshot.py http://127.0.0.1:8000 /crm/ --user rep1 --lang zh-CN --out var/shots
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-dev-shm-usage"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--user", default="gm")
    ap.add_argument("--password", default="hardware-demo-2026")
    ap.add_argument("--lang", default="en-US")
    ap.add_argument("--out", default="var/shots")
    ap.add_argument("--width", type=int, default=1366)
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_context(locale=a.lang, viewport={"width": a.width, "height": 860}).new_page()
        page.goto(a.base + "/accounts/login/")
        page.screenshot(path=str(out / "login.png"))
        page.fill("input[name=username]", a.user)
        page.fill("input[name=password]", a.password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        for path in a.paths:
            page.goto(a.base + path)
            name = path.strip("/").replace("/", "_") or "home"
            page.screenshot(path=str(out / f"{a.user}-{name}.png"), full_page=True)
            print(out / f"{a.user}-{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
