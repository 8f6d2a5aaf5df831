package io.simdnet.kernel;

/**
 * One calling thread's tally of the time its parallel splits ({@link KernelPool#run} with more than one task) spent
 * not running tasks: handing the tasks to the workers, and waiting after its own share for the last worker to
 * finish. The time the caller spends running tasks itself (its own and those no worker had started) is not counted.
 * Off until a profiler switches it on; while off a split reads one field of it and nothing more.
 *
 * <p>Read and written by its own thread only ({@link KernelPool#handOverClock()}), so it needs no synchronisation.
 */
public final class HandOverClock {

    private boolean on;
    private long nanos;
    private long splits;

    HandOverClock() {
    }

    /** Starts or stops counting; the totals are kept either way. */
    public void on(boolean value) {
        on = value;
    }

    public boolean isOn() {
        return on;
    }

    /** Nanoseconds spent handing over and waiting, over every timed split so far. */
    public long nanos() {
        return nanos;
    }

    /** Parallel splits timed so far. */
    public long splits() {
        return splits;
    }

    void add(long handOverNanos) {
        nanos += handOverNanos;
        splits++;
    }
}
