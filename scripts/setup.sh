#!/usr/bin/env bash
# Installs the system packages vpclab's tests and labs use. Idempotent, non-interactive.
set -euo pipefail
pkgs=(iproute2 iperf3 tshark bind9-dnsutils curl netcat-openbsd nftables iputils-ping procps hping3)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "setup: system packages present: ${pkgs[*]}"
# The AWS CLI (`aws`), which the S3 endpoint test runs inside a namespace (tests/netns/endpoints.rs),
# comes from PyPI, as on the project's machines. A failure is not fatal here: that test then fails
# naming what is missing.
if ! command -v aws >/dev/null 2>&1; then
  python3 -m pip install --quiet awscli || echo "setup: could not install the AWS CLI: python3 -m pip install awscli" >&2
fi
