#!/bin/sh
# Installs what vastplot needs to build, run and test on Debian 12.
# Run as root, or as a user with sudo.
set -e
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    build-essential cmake pkg-config \
    libsdl2-dev libcglm-dev libegl-dev libgl-dev libpng-dev libstb-dev \
    libegl-mesa0 libgl1-mesa-dri \
    libcmocka-dev python3-numpy tzdata \
    python3-cffi python3-pytest python3-matplotlib python3-setuptools python3-venv python3-pip python3-wheel \
    xvfb xauth clang libclang-rt-14-dev \
    libopenmpi-dev openmpi-bin ffmpeg \
    >/dev/null
