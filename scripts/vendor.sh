#!/usr/bin/env bash
# Refresh static/vendor/ from the npm registry at the versions pinned in package.json.
# The copied files are committed, so running the system never needs npm or the internet.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp package.json "$tmp/" && (cd "$tmp" && npm install --silent --no-audit --no-fund)
nm="$tmp/node_modules"; v=static/vendor
rm -rf "$v"; mkdir -p "$v"/{bootstrap,bootstrap-icons/fonts,htmx,chartjs,sortablejs,tom-select,zxing}
cp "$nm/bootstrap/dist/css/bootstrap.min.css" "$nm/bootstrap/dist/js/bootstrap.bundle.min.js" "$nm/bootstrap/LICENSE" "$v/bootstrap/"
cp "$nm/bootstrap-icons/font/bootstrap-icons.min.css" "$nm/bootstrap-icons/LICENSE" "$v/bootstrap-icons/"
cp "$nm/bootstrap-icons/font/fonts/"* "$v/bootstrap-icons/fonts/"
cp "$nm/htmx.org/dist/htmx.min.js" "$nm/htmx.org/LICENSE" "$v/htmx/"
cp "$nm/chart.js/dist/chart.umd.min.js" "$nm/chart.js/LICENSE.md" "$v/chartjs/"
cp "$nm/sortablejs/Sortable.min.js" "$nm/sortablejs/LICENSE" "$v/sortablejs/"
cp "$nm/tom-select/dist/js/tom-select.complete.min.js" "$nm/tom-select/dist/css/tom-select.bootstrap5.min.css" "$nm/tom-select/LICENSE" "$v/tom-select/"
cp "$nm/@zxing/library/umd/index.min.js" "$v/zxing/zxing.min.js"; cp "$nm/@zxing/library/LICENSE" "$v/zxing/"
# source maps are not shipped: drop their references (the manifest storage would look for them)
find "$v" -name '*.js' -o -name '*.css' | xargs sed -i -E 's#//[#@] sourceMappingURL=[^ ]*$##; s#/\*[#@] sourceMappingURL=[^*]*\*/##'
echo "vendored into $v"
