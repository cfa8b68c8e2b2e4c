#ifndef VP_MPI_RUN_H
#define VP_MPI_RUN_H
/* The MPI mode of `vastplot render` (built with -DVP_MPI=ON, which defines
 * VP_HAVE_MPI; docs/mpi.md): `mpirun -n R vastplot render FILES -o OUT.png`.
 * Each rank opens the inputs, computes the same view, bins its contiguous
 * share of the dataset's chunks through a plot with plot_params.combine (on
 * the CPU, or on its GPU with --accumulate gpu / auto on a hardware GPU), and
 * the 64-bit grids are summed exactly on rank 0 (MPI_Reduce), whose plot
 * tone-maps, composes the overlay and writes the outputs; the other ranks
 * write nothing. An error on any rank is
 * agreed on by all: rank 0 reports the first failing rank's message, every
 * rank returns 1, and no output is written.
 *
 * Rare paths (start-up and one render); none of this is a hot path. */
#include <stdbool.h>

#include "app/options.h"
#include "core/err.h"

/* In main, before anything else: MPI_Init when the process was started by
 * mpirun (OMPI_COMM_WORLD_SIZE or PMIX_RANK in the environment), else
 * nothing, so a plain run never touches MPI. */
void mpi_run_init(int *argc, char ***argv);
/* MPI_Finalize when mpi_run_init started MPI. */
void mpi_run_finalize(void);
/* The ranks of the world (1 without MPI) and this one's (0 without MPI). */
int mpi_run_size(void);
int mpi_run_rank(void);

/* cmd_render of the MPI mode (for mpi_run_size() > 1): the exit code, 0
 * done, else 1 with err set on every rank (only rank 0 should print it). */
int mpi_run_render(const vp_options *o, vp_err *err);

#endif
