# Set-up shared by tests/downstream/run.sh and bench/build-weight.sh. Source it; it provides
#
#   package_crates       packs the library crates (`cargo package`, without verification) into
#                        $TARGET/package, as a registry would receive them;
#   downstream_project DEST [CRATE..]
#                        DEST/project: a copy of tests/downstream/project whose
#                        .cargo/config.toml patches crates.io with the `.crate` files of the
#                        CRATEs (default: the client and what it depends on), unpacked under
#                        DEST/crates (what `cargo publish` would upload, not the workspace's
#                        paths), and the workspace's Cargo.lock (the versions the workspace tests).
#
# It expects ROOT (the workspace root, the working directory) and TARGET (cargo's target dir).

package_crates() {
  cargo package --quiet --workspace --exclude xtask --exclude workspace-tests \
    --exclude generator-constructs --no-verify --allow-dirty "$@"
}

downstream_project() {
  local dest="$1" crate file dir
  shift
  local crates=("$@")
  [ ${#crates[@]} -gt 0 ] || crates=(infisical-auth-types infisical-auth-validation infisical-auth-client)
  rm -rf "$dest/project" "$dest/crates"
  mkdir -p "$dest/crates"
  cp -R "$ROOT/tests/downstream/project" "$dest/project"
  cp "$ROOT/Cargo.lock" "$dest/project/Cargo.lock"
  mkdir -p "$dest/project/.cargo"
  echo "[patch.crates-io]" >"$dest/project/.cargo/config.toml"
  for crate in "${crates[@]}"; do
    # The newest packaged version of each crate (one version for the set).
    file="$(ls -1 "$TARGET/package/$crate"-[0-9]*.crate 2>/dev/null | sort -V | tail -n 1)"
    if [ -z "$file" ]; then
      echo "no packaged $crate in $TARGET/package: run cargo package first" >&2
      return 1
    fi
    tar -xzf "$file" -C "$dest/crates"
    dir="$(basename "$file" .crate)"
    echo "$crate = { path = \"$dest/crates/$dir\" }" >>"$dest/project/.cargo/config.toml"
  done
}
