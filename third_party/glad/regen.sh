#!/bin/sh
# Regenerates this glad 2 loader with Debian's python3-glad (2.0.2), offline
# (--reproducible uses the specs bundled with the package). Run from the repo root:
#   sh third_party/glad/regen.sh
# GL is generated with --debug: every glFoo goes through a glad_debug_glFoo
# pointer that gladUninstallGLDebug() points at the driver's function (what
# glctx does after every gladLoadGL, so a normal run makes the same one
# indirect call as a plain build) and gladInstallGLDebug() at a wrapper that
# calls the pre/post-call hooks (--gl-debug: src/gl/gl_debug.c). EGL is
# generated without it: no hooks there, and eglGetError stays untouched.
set -e
glad --reproducible --quiet --api gl:core=4.5 \
  --extensions GL_KHR_debug,GL_ARB_buffer_storage \
  --out-path third_party/glad c --loader --debug
glad --reproducible --quiet --api egl=1.5 \
  --extensions EGL_EXT_platform_base,EGL_MESA_platform_surfaceless,EGL_EXT_platform_device,EGL_EXT_device_base,EGL_EXT_device_enumeration,EGL_EXT_device_query,EGL_KHR_surfaceless_context,EGL_KHR_create_context \
  --out-path third_party/glad c --loader
