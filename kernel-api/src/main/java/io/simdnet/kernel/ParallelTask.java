package io.simdnet.kernel;

/** Work split into numbered tasks that {@link KernelPool#run} may run on different threads. */
@FunctionalInterface
public interface ParallelTask {

    /** Runs task {@code task}; tasks must write disjoint outputs. */
    void runTask(int task);
}
