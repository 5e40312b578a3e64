#!/usr/bin/env bash
# The first step of `npm test`: the Debian packages the tests run for real (Chromium for e2e,
# cyclictest, QEMU, virsh/virt-xml-validate, xmllint, promtool/prometheus, taskset, and Go for the
# native agent). Whatever is
# missing is installed when running as root (one visible line says what), or, when not root, the run
# stops at once with the exact command to run. Detection uses only bash builtins: PATH decides.
#
#   bash server/cli/provision-test-deps.sh            check, install what is missing (root) or stop (not root)
#   NFVDECK_PROVISION_DRY_RUN=1 bash …                say what would be installed, install nothing
set -euo pipefail

# tool on PATH → Debian package that provides it (one line each; order = install order)
requirements=(
  "chromium chromium"
  "cyclictest rt-tests"
  "qemu-system-x86_64 qemu-system-x86"
  "virsh libvirt-clients"
  "virt-xml-validate libvirt-clients"
  "xmllint libxml2-utils"
  "promtool prometheus"
  "prometheus prometheus"
  "taskset util-linux"
  "go golang-go"
)

missing_tools=()
missing_packages=()
for req in "${requirements[@]}"; do
  tool="${req%% *}"
  package="${req##* }"
  if [ "$tool" = chromium ] && [ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ]; then continue; fi
  if command -v "$tool" >/dev/null 2>&1; then continue; fi
  missing_tools+=("$tool")
  case " ${missing_packages[*]-} " in *" $package "*) ;; *) missing_packages+=("$package") ;; esac
done

if [ ${#missing_packages[@]} -eq 0 ]; then
  echo "[provision] test dependencies present (chromium, rt-tests, qemu-system-x86, libvirt-clients, libxml2-utils, prometheus, util-linux, golang-go)"
  exit 0
fi

install_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing_packages[*]}"

if [ "${EUID}" -ne 0 ]; then
  {
    echo "[provision] missing test dependencies: ${missing_packages[*]} (not found on PATH: ${missing_tools[*]})"
    echo "[provision] not root, so nothing is installed. Run, as root:"
    echo "  ${install_cmd}"
    echo "[provision] then run npm test again."
  } >&2
  exit 1
fi

echo "[provision] installing missing test dependencies: ${missing_packages[*]} (not found on PATH: ${missing_tools[*]})"
if [ -n "${NFVDECK_PROVISION_DRY_RUN:-}" ]; then
  echo "[provision] dry run: would run: ${install_cmd}"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "[provision] apt-get not found: install ${missing_packages[*]} with this system's package manager, then run npm test again." >&2
  exit 1
fi
started=${SECONDS}
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing_packages[@]}"
echo "[provision] installed ${missing_packages[*]} in $((SECONDS - started)) s"
