package io.simdnet.engine.kernel;

import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.ParallelTask;
import io.simdnet.kernel.TaskSplit;

/**
 * Work over items 0 .. count−1 (channels, elements, rows) dealt to the pool's tasks as contiguous ranges, cut only
 * at multiples of a granule. A subclass keeps its arguments in fields, set before {@link #run} and read by
 * {@link #range}, and is made once per owner (a layer when it is built, an optimiser), so a call allocates nothing.
 *
 * <p>Results cannot depend on the number of threads as long as every item is computed by one range in an order of
 * its own: element-wise work trivially; a reduction only when each reduced item (a channel, a row) is one item.
 * The granule keeps the vector loops' scalar tails where the data puts them, not where a task boundary falls: with
 * a granule that is a multiple of the vector length, only the very end of the array is ever done lane by lane.
 */
public abstract class ParallelRange implements ParallelTask {

    /**
     * Elements per granule of the element-wise passes: a multiple of every vector length (16 floats at 512 bits),
     * and 4 KiB of floats, so a task's range starts on a page and never shares a cache line with its neighbour's.
     */
    public static final int ELEMENT_GRANULE = 1024;

    /**
     * What one element of a streaming pass (a load or two, a few vector operations, a store) costs, in the FMA
     * flops that {@link KernelPool#tasksFor} weighs work in: about 0.15 ns per float from L2 against ~200 GFLOP/s
     * for both cores. With {@code tasksFor}'s 2²⁰ flops per task, a pass is split in two from ~65,000 elements on.
     */
    public static final long ELEMENT_FLOPS = 32;

    private int count;
    private int granule;
    private int tasks;

    /**
     * Runs {@link #range} over [0, count) on up to as many tasks as the pool and the work ({@code flopsPerItem} each)
     * are worth, cut at multiples of {@code granule}; returns when every range is done.
     */
    protected final void run(int count, int granule, long flopsPerItem) {
        if (count <= 0) {
            return;
        }
        this.count = count;
        this.granule = granule;
        int pieces = pieces();
        tasks = KernelPool.tasksFor(flopsPerItem * count, pieces);
        KernelPool.run(this, tasks);
    }

    private int pieces() {
        return (count + granule - 1) / granule;
    }

    @Override
    public final void runTask(int task) {
        int pieces = pieces();
        int first = (int) Math.min(count, (long) TaskSplit.start(pieces, tasks, task) * granule);
        int end = (int) Math.min(count, (long) TaskSplit.start(pieces, tasks, task + 1) * granule);
        if (first < end) {
            range(first, end);
        }
    }

    /** Items [first, end) of the current {@link #run}. */
    protected abstract void range(int first, int end);
}
