#!/usr/bin/env bash
# Install what the project needs on a Debian machine with Python 3.11, then build.
#   setup.sh demo|build   Node.js and npm (to precompile and minify), the virtualenv, the bundles
#   setup.sh test|bench   the same plus Chromium, redis-server, HAProxy, tsc and the npm todomvc apps
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-build}"
apt_pkgs=()
command -v node >/dev/null 2>&1 || command -v nodejs >/dev/null 2>&1 || apt_pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_pkgs+=(npm)
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || apt_pkgs+=(python3-venv)
if [ "$what" = test ] || [ "$what" = bench ]; then
  if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then apt_pkgs+=(chromium); fi
  command -v redis-server >/dev/null 2>&1 || apt_pkgs+=(redis-server)
  # the cluster tests (tests/cluster) put real HAProxy in front of two nodes (deploy/haproxy.cfg)
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || apt_pkgs+=(haproxy)
fi
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  echo "setup: installing ${apt_pkgs[*]} with apt-get"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >/dev/null
fi

stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e '.[test]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# The build minifies the precompiled modules with a pinned terser (build/build.py: TERSER_VERSION).
terser_version=$(sed -n 's/^TERSER_VERSION = "\([0-9.]*\)".*/\1/p' build/build.py)
terser_dir="build/.tools/terser"
if ! grep -qs "\"version\": \"$terser_version\"" "$terser_dir/node_modules/terser/package.json"; then
  mkdir -p "$terser_dir"
  npm install --silent --no-audit --no-fund --prefix "$terser_dir" "terser@$terser_version" >/dev/null
fi

if [ "$what" = test ] || [ "$what" = bench ]; then
  tsc_dir="build/.tools/tsc"
  if [ ! -x "$tsc_dir/node_modules/.bin/tsc" ]; then
    mkdir -p "$tsc_dir"
    npm install --silent --no-audit --no-fund --prefix "$tsc_dir" typescript@5 >/dev/null
  fi
  # TodoMVC apps no one here wrote, for the real-site matrix (tests/browser/todomvc_site.py pins the version).
  todomvc_version=$(sed -n 's/^TODOMVC_VERSION = "\([0-9.]*\)".*/\1/p' tests/browser/todomvc_site.py)
  todomvc_dir="build/.tools/todomvc"
  if ! grep -qs "\"version\": \"$todomvc_version\"" "$todomvc_dir/node_modules/todomvc/package.json"; then
    mkdir -p "$todomvc_dir"
    npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$todomvc_dir" "todomvc@$todomvc_version" >/dev/null
  fi
  # The jquery example's bower components, which the package leaves out (todomvc_site.py: JQUERY_BOWER).
  bower_pkgs=$(sed -n 's/^    "bower_components[^"]*": "\([^ ]*\) .*/\1/p' tests/browser/todomvc_site.py | sort -u)
  for pkg in $bower_pkgs; do
    if ! grep -qs "\"version\": \"${pkg##*@}\"" "$todomvc_dir/node_modules/${pkg%@*}/package.json"; then
      npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$todomvc_dir" $bower_pkgs >/dev/null
      break
    fi
  done
fi

if [ "$what" = bench ]; then
  rrweb_dir="build/.tools/rrweb"
  if [ ! -d "$rrweb_dir/node_modules/rrweb" ]; then
    mkdir -p "$rrweb_dir"
    npm install --silent --no-audit --no-fund --prefix "$rrweb_dir" rrweb@2.0.0-alpha.4 rrweb-snapshot@2.0.0-alpha.4 >/dev/null
  fi
fi

.venv/bin/python build/build.py
