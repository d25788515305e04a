# Sourced by scripts/test: Debian's chromium for the dashboard's browser test
# (tests/e2e/test_dashboard_browser.py drives it with Playwright; no browser is downloaded),
# and a CJK font so the Chinese page renders. Idempotent and quiet: apt only when missing.
if [ ! -x /usr/bin/chromium ] || [ -z "$(fc-list :lang=zh 2>/dev/null || true)" ]; then
  echo "installing Debian's chromium and a CJK font for the dashboard's browser test..." >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  if ! $SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null 2>&1; then
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
  fi
fi
