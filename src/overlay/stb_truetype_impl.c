/* The one translation unit with stb_truetype's implementation (Debian's
 * libstb-dev header, never edited). Compiled with its own relaxed warning
 * flags (see the set_source_files_properties line in CMakeLists.txt). The
 * font is our own embedded file, so its parser sees trusted input only. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STB_TRUETYPE_IMPLEMENTATION
#include <stb/stb_truetype.h>
