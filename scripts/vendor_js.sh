#!/usr/bin/env bash
# Refresh the viewer's vendored JavaScript (src/lanlab/view/vendor/) from the npm registry.
# Node/npm are needed only here, never to install or run lanlab: the minified files and their
# licences are committed and shipped as package data. Bump a version, run this, commit the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=src/lanlab/view/vendor
PACKAGES=("cytoscape@3.35.0:dist/cytoscape.min.js")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$VENDOR"
for entry in "${PACKAGES[@]}"; do
  spec=${entry%%:*}
  file=${entry#*:}
  name=${spec%@*}
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  tarball=$(ls "$work"/"$name"-*.tgz)
  tar -xzf "$tarball" -C "$work" package/"$file" package/LICENSE
  cp "$work/package/$file" "$VENDOR/$(basename "$file")"
  cp "$work/package/LICENSE" "$VENDOR/$name.LICENSE"
  echo "$spec $(sha256sum "$VENDOR/$(basename "$file")" | cut -d' ' -f1)" 
  rm -rf "$work/package" "$tarball"
done > "$VENDOR/VERSIONS"
cat "$VENDOR/VERSIONS"
