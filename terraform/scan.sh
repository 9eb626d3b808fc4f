#!/usr/bin/env bash
# Scans every synthesized stack (cdktf.out/stacks/*/cdk.tf.json) with checkov, pinned, installed into its
# own virtual environment on first use so its dependencies cannot clash with the project's Python tools
# (moto), and then the shapes a stage takes during a migration (terraform/synth-variants.ts, written to
# cdktf.out/variants, never deployed). Run `npm run synth` first. Exits non-zero when any check fails.
set -euo pipefail

CHECKOV_VERSION="3.3.30"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CHECKOV_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/orders-checkov-${CHECKOV_VERSION}}"

if [ ! -x "$venv/bin/checkov" ]; then
  command -v python3 >/dev/null || { echo "scan.sh: python3 is needed to install checkov" >&2; exit 1; }
  echo "scan.sh: installing checkov ${CHECKOV_VERSION} into ${venv}"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==${CHECKOV_VERSION}"
fi

shopt -s nullglob
stacks=("$root"/cdktf.out/stacks/*/cdk.tf.json)
if [ ${#stacks[@]} -eq 0 ]; then
  echo "scan.sh: no synthesized stacks in cdktf.out/stacks: run \`npm run synth\` first" >&2
  exit 1
fi

echo "scan.sh: synthesizing the migration variants"
rm -rf "$root/cdktf.out/variants"
(cd "$root" && CHECKPOINT_DISABLE=1 npx tsx terraform/synth-variants.ts cdktf.out/variants >/dev/null)
stacks+=("$root"/cdktf.out/variants/stacks/*/cdk.tf.json)

status=0
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for stack in "${stacks[@]}"; do
  echo "scan.sh: checkov on ${stack#"$root"/}"
  # checkov 3.3.30's terraform_json parser fails on `terraform.required_version` (a string where it expects
  # blocks) and then scans nothing while reporting 0 failed: scan a copy without it (it is no security
  # setting), and count a parsing error as a failure.
  copy="$scratch/$(basename "$(dirname "$stack")").tf.json"
  node -e 'const fs = require("fs"); const d = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); if (d.terraform) delete d.terraform.required_version; fs.writeFileSync(process.argv[2], JSON.stringify(d));' "$stack" "$copy"
  # Offline: no guideline download, no telemetry (this machine and CI reach only package registries).
  report="$(BC_SKIP_MAPPING=TRUE CHECKOV_NO_TELEMETRY=TRUE "$venv/bin/checkov" --config-file "$root/.checkov.yaml" --skip-download -f "$copy")" || status=1
  echo "$report"
  if grep -q 'Parsing errors: [1-9]' <<<"$report"; then echo "scan.sh: checkov could not parse ${stack#"$root"/}" >&2; status=1; fi
done
exit $status
