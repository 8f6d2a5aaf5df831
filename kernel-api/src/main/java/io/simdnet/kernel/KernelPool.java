package io.simdnet.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one engine-wide fork-join pool that every kernel runs its tasks on. Its size is
 * {@code -Dsimdnet.threads=N}, else the number of processors, and can be changed with {@link #setThreads}.
 * Kernels give the same results for any size.
 *
 * <p>A split runs without allocating: each calling thread keeps reusable tasks; the caller runs task 0 and
 * then claims any task no worker has started, so it never sleeps waiting for a worker to wake (and never
 * needs the wait nodes that {@code ForkJoinTask.join} allocates for an outside thread).
 */
public final class KernelPool {

    /** Below this much work a second thread costs more in hand-over than it saves (about 5 µs of FMAs). */
    static final long MIN_FLOPS_PER_TASK = 1L << 20;

    /** Busy-wait rounds for the last running task before yielding the core instead. */
    private static final int SPINS_BEFORE_YIELD = 1 << 14;

    private static volatile ForkJoinPool pool = new ForkJoinPool(defaultThreads());

    private static final ThreadLocal<Batch> BATCHES = ThreadLocal.withInitial(Batch::new);

    /** Per thread: whether it is running a task of a parallel split right now. */
    private static final ThreadLocal<boolean[]> IN_TASK = ThreadLocal.withInitial(() -> new boolean[1]);

    private KernelPool() {
    }

    private static int defaultThreads() {
        String configured = System.getProperty("simdnet.threads");
        if (configured == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int threads = Integer.parseInt(configured.strip());
            if (threads >= 1) {
                return threads;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-Dsimdnet.threads='" + configured + "': expected a positive integer");
    }

    /** Threads that kernels split their work over. */
    public static int threads() {
        return pool.getParallelism();
    }

    /** Resizes the pool; calls already running finish on the old one. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("kernel threads: " + threads + ", expected 1 or more");
        }
        if (threads == threads()) {
            return;
        }
        ForkJoinPool old = pool;
        pool = new ForkJoinPool(threads);
        old.shutdown();
    }

    /**
     * Tasks worth splitting {@code flops} of work into, at most {@code maxTasks} and the pool size; 1 inside a
     * task that is already running in parallel (a convolution's per-image GEMMs), so splits never nest.
     */
    public static int tasksFor(long flops, int maxTasks) {
        if (IN_TASK.get()[0]) {
            return 1;
        }
        long byWork = flops / MIN_FLOPS_PER_TASK;
        return (int) Math.max(1, Math.min(Math.min(threads(), maxTasks), byWork));
    }

    /** Runs tasks 0 .. tasks-1 of {@code work}, in parallel when tasks > 1, and returns when all are done. */
    public static void run(ParallelTask work, int tasks) {
        if (tasks <= 1) {
            work.runTask(0);
            return;
        }
        Batch batch = BATCHES.get();
        if (batch.clock.isOn()) {
            runTimed(batch, work, tasks);
            return;
        }
        batch.start(pool, work, tasks);
        try {
            batch.runOwn();
        } finally {
            batch.finish();
        }
    }

    /** {@link #run} counting the time outside the caller's own tasks on the caller's {@link HandOverClock}. */
    private static void runTimed(Batch batch, ParallelTask work, int tasks) {
        long start = System.nanoTime();
        batch.start(pool, work, tasks);
        long started = System.nanoTime();
        long ownDone = started;
        try {
            batch.runOwn();
            ownDone = System.nanoTime();
        } finally {
            batch.finish();
            batch.clock.add((started - start) + (System.nanoTime() - ownDone));
        }
    }

    /**
     * The calling thread's hand-over clock (a profiler switches it on for the thread it profiles); the same object
     * for the life of the thread.
     */
    public static HandOverClock handOverClock() {
        return BATCHES.get().clock;
    }

    /** The reusable tasks of one calling thread. */
    private static final class Batch {
        private ParallelTask work;
        private int tasks;
        private Slot[] slots = new Slot[0];
        private final AtomicInteger pending = new AtomicInteger();
        private volatile Throwable failure;
        final HandOverClock clock = new HandOverClock();

        void start(ForkJoinPool pool, ParallelTask work, int tasks) {
            this.work = work;
            this.tasks = tasks;
            this.failure = null;
            if (slots.length < tasks) {
                Slot[] grown = java.util.Arrays.copyOf(slots, tasks);
                for (int t = slots.length; t < tasks; t++) {
                    grown[t] = new Slot(this, t);
                }
                slots = grown;
            }
            pending.set(tasks - 1);
            for (int t = 1; t < tasks; t++) {
                slots[t].arm();
                pool.execute(slots[t]);
            }
        }

        void runOwn() {
            execute(0);
            for (int t = 1; t < tasks; t++) {
                if (slots[t].claim()) {
                    execute(t);
                    pending.decrementAndGet();
                }
            }
        }

        void execute(int task) {
            boolean[] inTask = IN_TASK.get();
            boolean outer = inTask[0];
            inTask[0] = true;
            try {
                work.runTask(task);
            } catch (Throwable e) {
                if (failure == null) {
                    failure = e;
                }
            } finally {
                inTask[0] = outer;
            }
        }

        void finish() {
            int spins = 0;
            while (pending.get() > 0) {
                if (++spins < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            work = null;
            Throwable e = failure;
            failure = null;
            if (e instanceof RuntimeException r) {
                throw r;
            }
            if (e instanceof Error r) {
                throw r;
            }
        }
    }

    /** Task {@code index} of a batch; whoever claims it first, a worker or the caller, runs it. */
    @SuppressWarnings("serial") // never serialised
    private static final class Slot extends ForkJoinTask<Void> {
        private final Batch batch;
        private final int index;
        private final AtomicBoolean claimed = new AtomicBoolean(true);

        Slot(Batch batch, int index) {
            this.batch = batch;
            this.index = index;
        }

        void arm() {
            reinitialize();
            claimed.set(false);
        }

        boolean claim() {
            return !claimed.get() && claimed.compareAndSet(false, true);
        }

        @Override
        protected boolean exec() {
            if (claim()) {
                batch.execute(index);
                batch.pending.decrementAndGet();
            }
            return true;
        }

        @Override
        public Void getRawResult() {
            return null;
        }

        @Override
        protected void setRawResult(Void value) {
        }
    }
}
