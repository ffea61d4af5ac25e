#!/bin/sh
# Install what the rtbench peers need (Debian 12): Erlang/OTP 25, Go 1.19,
# CAF 0.17 and a C++ compiler. As root, or through sudo.
set -e
pkgs="erlang-nox golang-go libcaf-dev g++ make"
if [ "$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $pkgs
