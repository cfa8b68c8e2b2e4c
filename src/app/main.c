/* The vastplot program: the command line of libvastplot. */
#include "vastplot/vastplot.h"

int main(int argc, char **argv)
{
    return vastplot_main(argc, argv);
}
