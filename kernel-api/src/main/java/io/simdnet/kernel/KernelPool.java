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
 *
 * <p>A parked worker takes tens of microseconds to wake (longer on a virtual machine, where an idle virtual CPU is
 * halted), which a training step that forks a few times cannot afford on every fork. Inside a {@link #session} the
 * calling thread's splits go instead to workers that stay awake between them, spinning for the next task.
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

    /**
     * Keeps {@code threads() − 1} of the pool's workers awake for the calling thread's splits until the returned session
     * is closed (try-with-resources): they spin for the next task instead of parking, so a split starts at once. A
     * training step runs inside one. Nested sessions on a thread are one; with one thread this does nothing. The
     * session object is the thread's own, reused: opening one allocates nothing once warm.
     */
    public static Session session() {
        Session session = BATCHES.get().session;
        session.open(pool);
        return session;
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
        final Session session = new Session();

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
                if (!session.post(t - 1, slots[t])) {
                    pool.execute(slots[t]);
                }
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
            runIfUnclaimed();
            return true;
        }

        void runIfUnclaimed() {
            if (claim()) {
                batch.execute(index);
                batch.pending.decrementAndGet();
            }
        }

        @Override
        public Void getRawResult() {
            return null;
        }

        @Override
        protected void setRawResult(Void value) {
        }
    }

    /** The calling thread's awake workers while it has a session open; see {@link KernelPool#session}. */
    public static final class Session implements AutoCloseable {
        private Helper[] helpers = new Helper[0];
        private int active;
        private int depth;

        private Session() {
        }

        void open(ForkJoinPool pool) {
            if (depth++ > 0) {
                return;
            }
            int wanted = pool.getParallelism() - 1;
            if (helpers.length < wanted) {
                Helper[] grown = java.util.Arrays.copyOf(helpers, wanted);
                for (int h = helpers.length; h < wanted; h++) {
                    grown[h] = new Helper();
                }
                helpers = grown;
            }
            active = wanted;
            for (int h = 0; h < active; h++) {
                if (helpers[h].running) {
                    // The last session's loop has not yet noticed its end (or not yet started): a new one.
                    helpers[h] = new Helper();
                }
                helpers[h].start(pool);
            }
        }

        /** Hands {@code slot} to helper {@code h}; false when the session has no such helper (the pool takes it). */
        boolean post(int h, Slot slot) {
            if (h >= active) {
                return false;
            }
            helpers[h].post(slot);
            return true;
        }

        /** Ends the session (the outermost one on this thread): its workers finish what they hold and go back to the pool. */
        @Override
        public void close() {
            if (depth == 0) {
                throw new IllegalStateException("KernelPool session closed more often than opened");
            }
            if (--depth > 0) {
                return;
            }
            for (int h = 0; h < active; h++) {
                helpers[h].stop();
            }
            active = 0;
        }
    }

    /** A pool worker kept awake for one session: it runs the slots posted to it and spins between them. */
    @SuppressWarnings("serial") // never serialised
    private static final class Helper extends ForkJoinTask<Void> {
        /** Spinning this long without a task, the helper parks until the next post (a session left open while idle). */
        private static final long SPIN_NANOS = 2_000_000;
        /** Idle this long, the helper yields its core between checks rather than only pausing. */
        private static final long YIELD_NANOS = 20_000;

        private final java.util.concurrent.atomic.AtomicReference<Slot> mailbox = new java.util.concurrent.atomic.AtomicReference<>();
        private volatile boolean open;
        private volatile boolean parked;
        private volatile boolean running;
        private volatile Thread thread;

        void start(ForkJoinPool pool) {
            reinitialize();
            mailbox.set(null);
            open = true;
            running = true;
            pool.execute(this);
        }

        void post(Slot slot) {
            mailbox.set(slot);
            if (parked) {
                Thread t = thread;
                if (t != null) {
                    java.util.concurrent.locks.LockSupport.unpark(t);
                }
            }
        }

        void stop() {
            open = false;
            if (parked) {
                Thread t = thread;
                if (t != null) {
                    java.util.concurrent.locks.LockSupport.unpark(t);
                }
            }
        }

        @Override
        protected boolean exec() {
            thread = Thread.currentThread();
            try {
                long idleSince = System.nanoTime();
                int spins = 0;
                boolean yielding = false;
                while (true) {
                    Slot slot = mailbox.get() == null ? null : mailbox.getAndSet(null);
                    if (slot != null) {
                        slot.runIfUnclaimed();
                        idleSince = System.nanoTime();
                        spins = 0;
                        yielding = false;
                        continue;
                    }
                    if (!open) {
                        return true;
                    }
                    // Past a few microseconds idle, spin with yields: a thread waiting for a core (the JIT's compilers
                    // while a run warms up) takes it, and on an otherwise idle core a yield returns at once.
                    if (yielding) {
                        Thread.yield();
                    } else {
                        Thread.onSpinWait();
                    }
                    if ((++spins & 63) == 0) {
                        long idle = System.nanoTime() - idleSince;
                        yielding = idle > YIELD_NANOS;
                        if (idle > SPIN_NANOS) {
                            parked = true;
                            if (mailbox.get() == null && open) {
                                java.util.concurrent.locks.LockSupport.parkNanos(this, 1_000_000);
                            }
                            parked = false;
                            idleSince = System.nanoTime();
                        }
                    }
                }
            } finally {
                thread = null;
                running = false;
            }
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
