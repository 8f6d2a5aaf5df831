package io.simdnet.engine.profile;

import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.engine.profile.ProfileReport.Kind;
import io.simdnet.kernel.HandOverClock;
import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.KernelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the time of training steps goes, in the manner of {@code torch.profiler}'s {@code key_averages()}: each
 * layer's forward and backward, each kernel (with its spec and, for convolutions, its algorithm), the work of a step
 * outside the layers (data gathering, loss, optimiser, callbacks) and the kernel pool's hand-overs, as calls and
 * {@link System#nanoTime} totals. {@link #report()} gives the table.
 *
 * <p>Turn it on for a fit with {@code FitOptions.profile(true)} (or {@code profile(profiler)} to keep the object); for
 * inference, attach it to the model and start it on the thread that runs the model:
 * <pre>{@code
 * Profiler profiler = new Profiler();
 * model.profile(profiler);
 * profiler.start();
 * model.predict(x, 256);
 * profiler.stop();
 * model.profile(null);
 * System.out.print(profiler.report().table());
 * }</pre>
 *
 * <p>A profiler records one thread, the one that started it: layers time themselves on it, and kernels find it through
 * {@link #current()}, a thread-local read only while some profiler runs in the JVM. So concurrent fits on different
 * threads, each with its own profiler, profile themselves and nothing of each other; a thread runs at most one profiler.
 * Its rows are registered the first time each layer and kernel is seen, and from then on recording a span allocates
 * nothing. With a number of {@link #warmUpSteps(int)} the first training steps (the JIT compiling, kernels being tuned) are
 * left out of the rows and reported as a total of their own.
 */
public final class Profiler {

    /** The work of a training step outside the layers, one row each, always present and in this order. */
    public enum Outside {
        DATA("data gathering"),
        LOSS("loss"),
        OPTIMIZER("optimizer step"),
        CALLBACKS("callbacks"),
        /** A split step's wait for the micro-batches that other threads run (the profiled thread times its own in the layer rows). */
        MICRO_BATCHES("other threads' micro-batches"),
        /** A split step's sum of the micro-batches' parameter gradients into the model's. */
        GRADIENT_SUM("micro-batch gradient sum");

        private final String label;

        Outside(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What a start method returns when the span is not to be recorded (warm-up, between steps, another thread). */
    public static final long NOT_TIMED = Long.MIN_VALUE;

    /** The pool's hand-overs: the row after the outside ones. */
    private static final int POOL = Outside.values().length;

    private static final ThreadLocal<Profiler> CURRENT = new ThreadLocal<>();

    /** Profilers started and not stopped in this JVM; while 0 the ops look no further. */
    private static final AtomicInteger RUNNING = new AtomicInteger();

    private int warmUpSteps;

    private String[] names = new String[32];
    private Kind[] kinds = new Kind[32];
    private String[] specs = new String[32];
    private String[] algorithms = new String[32];
    private long[] nanos = new long[32];
    private long[] inner = new long[32];
    private long[] calls = new long[32];
    private int rows;
    private final Map<Object, Integer> modelRows = new IdentityHashMap<>();

    private Thread owner;
    private int depth;
    private HandOverClock clock;
    private boolean clockWasOn;
    private boolean recording;

    private long stepsSeen;
    private long steps;
    private long stepNanos;
    private long warmUpStepsSeen;
    private long warmUpNanos;
    private long stepStart = NOT_TIMED;

    private int layerRow = -1;
    private long kernelNanosInLayer;
    private long spanHandOverStart;
    private long spanSplitsStart;
    private long kernelHandOverStart;

    /** A profiler that records every step (until {@link #warmUpSteps(int)} says otherwise). */
    public Profiler() {
        for (Outside o : Outside.values()) {
            register(o.label(), Kind.OUTSIDE, "", "");
        }
        register("pool hand-overs", Kind.POOL, "", "");
    }

    /**
     * Leaves the first {@code steps} training steps it sees out of its rows (the interpreted first steps, kernels tuned at
     * their first call, the JIT compiling), reporting only their count and time; set it before the steps begin.
     */
    public Profiler warmUpSteps(int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("Profiler: warm-up steps = " + steps + ", expected >= 0");
        }
        this.warmUpSteps = steps;
        return this;
    }

    public int warmUpSteps() {
        return warmUpSteps;
    }

    /**
     * The profiler the calling thread runs, or null: what the ops ask before timing a kernel. While no profiler runs
     * anywhere this is one volatile read.
     */
    public static Profiler current() {
        return RUNNING.get() == 0 ? null : CURRENT.get();
    }

    /**
     * Starts recording on the calling thread: its kernels, its pool hand-overs, and the layers of the models this
     * profiler is attached to ({@code Model.profile}). Nested starts on the same thread are counted, and only the
     * matching last {@link #stop} ends recording.
     */
    public Profiler start() {
        Thread me = Thread.currentThread();
        if (owner == me) {
            depth++;
            return this;
        }
        if (owner != null) {
            throw new IllegalStateException("Profiler is already recording thread \"" + owner.getName() + "\", and thread \"" + me.getName()
                    + "\" asked to start it: a profiler records one thread; give each thread its own");
        }
        if (CURRENT.get() != null) {
            throw new IllegalStateException("Thread \"" + me.getName() + "\" already runs another profiler: stop it first");
        }
        owner = me;
        depth = 1;
        clock = KernelPool.handOverClock();
        clockWasOn = clock.isOn();
        clock.on(true);
        CURRENT.set(this);
        RUNNING.incrementAndGet();
        recording = true;
        return this;
    }

    /** Ends what {@link #start} began (the last of nested starts); the rows are kept. */
    public void stop() {
        if (owner != Thread.currentThread()) {
            throw new IllegalStateException("Profiler: stop() from thread \"" + Thread.currentThread().getName() + "\", but "
                    + (owner == null ? "it is not running" : "it records thread \"" + owner.getName() + "\""));
        }
        if (--depth > 0) {
            return;
        }
        recording = false;
        CURRENT.remove();
        RUNNING.decrementAndGet();
        clock.on(clockWasOn);
        owner = null;
    }

    /** Whether the profiler has been started and not stopped. */
    public boolean running() {
        return owner != null;
    }

    /**
     * The rows of the layers called {@code layerNames} of {@code model} (a forward and a backward row per layer, in this
     * order), registered the first time that model is seen; returns the first row. The layers of a second model get
     * names of their own ({@code model2/dense}).
     */
    public int layerRows(Object model, List<String> layerNames) {
        Integer first = modelRows.get(model);
        if (first != null) {
            return first;
        }
        int row = rows;
        String prefix = modelRows.isEmpty() ? "" : "model" + (modelRows.size() + 1) + "/";
        for (String name : layerNames) {
            register(prefix + name, Kind.FORWARD, "", "");
            register(prefix + name, Kind.BACKWARD, "", "");
        }
        modelRows.put(model, row);
        return row;
    }

    // ---- Training steps: the loop marks them, so that warm-up and what happens between steps (validation) stay out.

    /** A training step (or a group of them, one data-parallel round) begins. */
    public void stepStarts() {
        if (Thread.currentThread() != owner) {
            return;
        }
        recording = stepsSeen >= warmUpSteps;
        stepStart = System.nanoTime();
    }

    /** The {@code count} steps begun by {@link #stepStarts} have ended; nothing is recorded until the next ones. */
    public void stepEnds(int count) {
        if (Thread.currentThread() != owner || stepStart == NOT_TIMED) {
            return;
        }
        long elapsed = System.nanoTime() - stepStart;
        if (recording) {
            steps += count;
            stepNanos += elapsed;
        } else {
            warmUpStepsSeen += count;
            warmUpNanos += elapsed;
        }
        stepsSeen += count;
        stepStart = NOT_TIMED;
        recording = false;
    }

    // ---- Spans. Each start returns the time (or NOT_TIMED), and its end takes it back: no state per span but the layer's.

    /** Work of a step outside the layers begins; pass the result to {@link #outsideEnds}. */
    public long outsideStarts() {
        if (!recording || Thread.currentThread() != owner) {
            return NOT_TIMED;
        }
        spanHandOverStart = clock.nanos();
        spanSplitsStart = clock.splits();
        return System.nanoTime();
    }

    public void outsideEnds(Outside what, long start) {
        if (start == NOT_TIMED) {
            return;
        }
        long elapsed = System.nanoTime() - start;
        add(what.ordinal(), elapsed);
        addHandOvers();
    }

    /** Layer row {@code row} (from {@link #layerRows}) begins a forward or backward; pass the result to {@link #layerEnds}. */
    public long layerStarts(int row) {
        if (!recording || Thread.currentThread() != owner) {
            return NOT_TIMED;
        }
        layerRow = row;
        kernelNanosInLayer = 0;
        spanHandOverStart = clock.nanos();
        spanSplitsStart = clock.splits();
        return System.nanoTime();
    }

    public void layerEnds(int row, long start) {
        if (start == NOT_TIMED) {
            return;
        }
        long elapsed = System.nanoTime() - start;
        add(row, elapsed);
        inner[row] += kernelNanosInLayer;
        layerRow = -1;
        addHandOvers();
    }

    /** A kernel call begins on the profiled thread (the ops call this after {@link #current()}). */
    public long kernelStarts() {
        if (!recording) {
            return NOT_TIMED;
        }
        kernelHandOverStart = clock.nanos();
        return System.nanoTime();
    }

    /** Method {@code method} of the op whose rows are {@code opRows} ran {@code served}, from {@code start}. */
    public void kernelEnds(KernelRows opRows, int method, Kernel served, long start) {
        if (start == NOT_TIMED) {
            return;
        }
        long elapsed = System.nanoTime() - start;
        int row = opRows.row(this, method, served);
        add(row, elapsed);
        inner[row] += clock.nanos() - kernelHandOverStart;
        kernelNanosInLayer += elapsed;
    }

    /** A new row for a kernel met for the first time: named by the layer calling it and the op's method. */
    int kernelRow(String method, KernelSpec spec) {
        String layer = layerRow < 0 ? "" : names[layerRow] + " › ";
        String algorithm = spec instanceof Conv2dSpec conv ? Conv2dAlgorithmPlan.of(conv).algorithm().token() : "";
        return register(layer + method, Kind.KERNEL, spec.key(), algorithm);
    }

    private void add(int row, long elapsed) {
        nanos[row] += elapsed;
        calls[row]++;
    }

    private void addHandOvers() {
        long splits = clock.splits() - spanSplitsStart;
        if (splits > 0) {
            nanos[POOL] += clock.nanos() - spanHandOverStart;
            calls[POOL] += splits;
        }
    }

    private int register(String name, Kind kind, String spec, String algorithm) {
        if (rows == names.length) {
            int size = rows * 2;
            names = Arrays.copyOf(names, size);
            kinds = Arrays.copyOf(kinds, size);
            specs = Arrays.copyOf(specs, size);
            algorithms = Arrays.copyOf(algorithms, size);
            nanos = Arrays.copyOf(nanos, size);
            inner = Arrays.copyOf(inner, size);
            calls = Arrays.copyOf(calls, size);
        }
        names[rows] = name;
        kinds[rows] = kind;
        specs[rows] = spec;
        algorithms[rows] = algorithm;
        return rows++;
    }

    /** The rows so far: every layer, kernel and outside category that was called while recording. */
    public ProfileReport report() {
        List<ProfileReport.Row> list = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            if (calls[r] > 0 || (kinds[r] == Kind.OUTSIDE && steps > 0)) {
                list.add(new ProfileReport.Row(names[r], kinds[r], calls[r], nanos[r], nanos[r] - inner[r], specs[r], algorithms[r]));
            }
        }
        return ProfileReport.of(list, steps, stepNanos, warmUpStepsSeen, warmUpNanos);
    }
}
