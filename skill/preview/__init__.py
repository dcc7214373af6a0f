"""Offline tools that draw the skill's screens and pictures in a real browser (the system's
headless Chromium, driven by Playwright): `preview-screens` and `build-images`. Never imported
on the request path."""
