package io.simdnet.engine.kernel.tuning;

import io.simdnet.codegen.gen.KernelGenerator;
import io.simdnet.codegen.gen.KernelVariants;
import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.codegen.plan.DirectConvTiling;
import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.DirectConvTiles;
import io.simdnet.kernel.spec.KernelSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures a spec's variants ({@link KernelVariants}) on the machine it runs on and picks the fastest, in the
 * manner of FFTW's planner: every candidate compiled in one javac task, checked against the default's results
 * (a variant computing other numbers is never chosen), warmed until the JIT has stopped compiling, then timed in
 * interleaved rounds (drift in clock or load hits every candidate alike), the median of the rounds kept. A
 * candidate must beat the default by more than {@link #TIE}, or by more than the two candidates' spread over
 * the rounds where that is larger, so noise leaves the default.
 *
 * <p>A DIRECT convolution's three passes are separate methods with their own tiles, so each pass takes the
 * tile of the candidate fastest at it; the winner may combine tiles of different candidates, and its time is
 * the sum of those passes' medians.
 *
 * <p>The time budget ({@code -Dsimdnet.tune.budget}, default {@value KernelTuning#DEFAULT_BUDGET_MILLIS} ms) covers warm-up
 * and timing of one spec; javac comes on top, and so does the JIT where it needs more than the warm-up share
 * ({@link #JIT_NANOS_PER_CANDIDATE} per candidate). A call slower than the budget allows still gets
 * {@link #MIN_ROUNDS} rounds, so a median exists.
 */
final class KernelTuner {

    /**
     * A candidate must be at least this much faster than the default to replace it, and more where the rounds'
     * spread says the machine is noisier (see {@link #margin}): with 3% alone, near-identical variants (the same
     * tile with B packed) differed by 4% on Zen 4 with two cores, and the "winner" ran slower in training.
     */
    static final double TIE = 0.05;
    /** Of the budget, the share warm-up may take. */
    private static final double WARM_SHARE = 0.75;
    private static final int MIN_ROUNDS = 5;
    private static final int MAX_ROUNDS = 15;
    /** A timed sample lasts at least this long, so the clock's resolution does not matter. */
    private static final long MIN_SAMPLE_NANOS = 200_000;
    /** Warm-up stretches per candidate if each ran its full share: short enough that the round-robin turns often. */
    private static final int STRETCHES_PER_CANDIDATE = 20;
    /**
     * What the JIT takes per candidate before it can be timed: C2 compiled one GEMM candidate's seven methods in
     * 0.3-0.45 s from its first call (Zen 4, the compiler on one of two cores), and compiles one class at a time.
     * Warm-up gets at least this per candidate, beyond the budget if need be.
     */
    private static final long JIT_NANOS_PER_CANDIDATE = 800_000_000L;
    /** The pause per round while candidates' methods wait for the JIT. */
    private static final long JIT_WAIT_MILLIS = 5;
    /** A pass this fast per call counts as compiled whatever its FLOPs (tiny products are all call overhead). */
    private static final long COMPILED_CALL_NANOS = 20_000;
    /**
     * A pass at least this fast counts as compiled: compiled kernels run at 10-100 GFLOP/s on a core, interpreted
     * ones below 1 (measured on Zen 4: 0.03 for a 32×120×84 GEMM, 0.6 for an im2col convolution).
     */
    private static final double COMPILED_FLOPS_PER_SECOND = 2e9;
    /** Two stretches this close per call, with no compilation finishing, and a candidate counts as warm. */
    private static final double STABLE = 0.05;
    /** Largest difference to the default's results, relative to their largest magnitude. */
    private static final double TOLERANCE = 2e-3;

    private static final System.Logger LOG = System.getLogger("io.simdnet.kernels");

    private final long budgetNanos;

    KernelTuner(Duration budget) {
        this.budgetNanos = budget.toNanos();
    }

    /** One candidate under measurement; each of its samples is one round: the time per call of each pass. */
    static final class Trial {
        final KernelSpec spec;
        final Kernel kernel;
        String rejected;
        final List<double[]> samples = new ArrayList<>();

        Trial(KernelSpec spec, Kernel kernel, String rejected) {
            this.spec = spec;
            this.kernel = kernel;
            this.rejected = rejected;
        }

        double median(int pass) {
            double[] values = samples.stream().mapToDouble(s -> s[pass]).sorted().toArray();
            return values.length == 0 ? Double.NaN : values[values.length / 2];
        }

        double total(int passes) {
            double sum = 0;
            for (int p = 0; p < passes; p++) {
                sum += median(p);
            }
            return sum;
        }

        /** The interquartile range of pass {@code pass} (all passes when negative) over the rounds, relative to its median. */
        double spread(int pass, int passes) {
            double[] values = samples.stream().mapToDouble(s -> {
                if (pass >= 0) {
                    return s[pass];
                }
                double sum = 0;
                for (int p = 0; p < passes; p++) {
                    sum += s[p];
                }
                return sum;
            }).sorted().toArray();
            if (values.length < 4) {
                return 0;
            }
            return (values[values.length * 3 / 4] - values[values.length / 4]) / values[values.length / 2];
        }
    }

    /**
     * Tunes default spec {@code spec} for calls of {@code batch}; null when it has a single variant or no workload.
     * The kernels come from {@code registry}, which compiles the candidates missing from it in one task.
     */
    TuningRecord tune(KernelSpec spec, int batch, TuningHost registry) {
        long start = System.nanoTime();
        List<KernelSpec> variants = KernelVariants.of(spec, batch);
        TuningWorkload workload = TuningWorkload.of(spec, batch);
        if (variants.size() < 2 || workload == null) {
            return null;
        }
        Map<String, String> failures = registry.prepare(variants);
        List<Trial> trials = new ArrayList<>();
        for (KernelSpec variant : variants) {
            String failure = unusable(variant, failures, registry);
            Kernel kernel = failure != null ? null : variant.equals(spec) ? registry.defaultKernel(spec) : registry.kernel(variant);
            trials.add(new Trial(variant, kernel, failure));
        }
        Trial first = trials.getFirst();
        if (first.rejected != null) {
            LOG.log(System.Logger.Level.WARNING, "not tuning '" + spec.key() + "': its default variant failed: " + first.rejected);
            return null;
        }
        float[][] expected = workload.outputs(first.kernel);
        for (Trial t : trials.subList(1, trials.size())) {
            if (t.rejected == null) {
                t.rejected = mismatch(expected, workload.outputs(t.kernel));
                if (t.rejected != null) {
                    LOG.log(System.Logger.Level.WARNING, "tuning '" + spec.key() + "': variant '" + t.spec.key() + "' rejected: " + t.rejected);
                }
            }
        }
        List<Trial> live = trials.stream().filter(t -> t.rejected == null).toList();
        int passes = workload.passes().size();
        int warmBatch = TuningWorkload.warmUpBatch(spec, batch);
        if (!warmUp(live, live.stream().map(t -> classesOf(t, warmBatch, registry)).toList(), TuningWorkload.of(spec, warmBatch), passes)) {
            LOG.log(System.Logger.Level.WARNING, "not tuning '" + spec.key() + "': the JIT had not compiled its default variant within twice the budget");
            return null;
        }
        live = live.stream().filter(t -> t.rejected == null).toList();
        measure(live, workload, passes);

        KernelSpec winner = first.spec;
        double defaultMicros = first.total(passes);
        double winnerMicros = defaultMicros;
        Choice direct = bestDirect(live, passes);
        for (Trial t : live) {
            if (t.spec instanceof Conv2dSpec conv && Conv2dAlgorithmPlan.of(conv).algorithm() == Conv2dAlgorithm.DIRECT) {
                continue;
            }
            if (t.total(passes) < defaultMicros * (1 - margin(first, t, -1, passes)) && t.total(passes) < winnerMicros) {
                winner = t.spec;
                winnerMicros = t.total(passes);
            }
        }
        // A DIRECT default is replaced by other tiles only when their summed passes beat it by the margin.
        if (direct != null && !direct.spec.equals(first.spec) && direct.micros < winnerMicros && direct.micros < defaultMicros * (1 - TIE)) {
            winner = direct.spec;
            winnerMicros = direct.micros;
        }
        KernelSpec combined = winner;
        if (!combined.equals(first.spec) && trials.stream().noneMatch(t -> t.spec.equals(combined))) {
            // A DIRECT winner combining several candidates' tiles was never run: compile and check it before it is recorded.
            String problem = unusable(combined, registry.prepare(List.of(combined)), registry);
            if (problem == null) {
                problem = mismatch(expected, workload.outputs(registry.kernel(combined)));
            }
            if (problem != null) {
                LOG.log(System.Logger.Level.WARNING, "tuning '" + spec.key() + "': combined variant '" + combined.key() + "' rejected, keeping the default: "
                        + problem);
                winner = first.spec;
                winnerMicros = defaultMicros;
            }
        }
        List<TuningRecord.Candidate> candidates = new ArrayList<>();
        for (Trial t : trials) {
            Map<String, Double> times = new LinkedHashMap<>();
            for (int p = 0; p < passes; p++) {
                times.put(workload.passes().get(p), t.rejected == null ? round(t.median(p)) : null);
            }
            candidates.add(new TuningRecord.Candidate(t.spec.key(), times, t.rejected == null ? round(t.total(passes)) : null, t.rejected));
        }
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        return new TuningRecord(TuningRecord.FORMAT, spec.key(), winner.key(), registry.profile(), batch,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), round(defaultMicros), round(winnerMicros), budgetNanos / 1_000_000,
                tookMillis, candidates);
    }

    record Choice(KernelSpec spec, double micros) {
    }

    /** Why {@code variant} cannot be timed after {@link TuningHost#prepare} gave {@code failures}, or null when it can. */
    private static String unusable(KernelSpec variant, Map<String, String> failures, TuningHost registry) {
        String failure = failures.get(variant.key());
        if (failure == null && registry.servedGeneric(variant)) {
            return "no specialised class could be compiled";
        }
        return failure;
    }

    /**
     * How much faster {@code challenger} must be than {@code incumbent} at pass {@code pass} (all passes when
     * negative) to replace it: {@link #TIE}, or the two candidates' spreads over the rounds added when larger,
     * so a difference within the noise of this machine keeps the incumbent.
     */
    private static double margin(Trial incumbent, Trial challenger, int pass, int passes) {
        return Math.max(TIE, incumbent.spread(pass, passes) + challenger.spread(pass, passes));
    }

    /**
     * The DIRECT variant combining each pass's fastest tile among the DIRECT candidates, with its summed time;
     * each pass keeps the cost model's tile unless another beats it by the margin. Null without DIRECT candidates.
     */
    static Choice bestDirect(List<Trial> live, int passes) {
        List<Trial> direct = live.stream()
                .filter(t -> t.spec instanceof Conv2dSpec conv && Conv2dAlgorithmPlan.of(conv).algorithm() == Conv2dAlgorithm.DIRECT).toList();
        if (direct.isEmpty()) {
            return null;
        }
        Trial model = direct.stream().filter(t -> ((Conv2dSpec) t.spec).tiles() == null).findFirst().orElse(direct.getFirst());
        Trial[] best = new Trial[passes];
        double micros = 0;
        for (int p = 0; p < passes; p++) {
            best[p] = model;
            for (Trial t : direct) {
                if (t.median(p) < model.median(p) * (1 - margin(model, t, p, passes)) && t.median(p) < best[p].median(p)) {
                    best[p] = t;
                }
            }
            micros += best[p].median(p);
        }
        Conv2dSpec base = (Conv2dSpec) model.spec;
        DirectConvTiles tiles = DirectConvTiling.tilesOf(Conv2dAlgorithmPlan.of((Conv2dSpec) best[0].spec).forwardPass(),
                Conv2dAlgorithmPlan.of((Conv2dSpec) best[1].spec).backwardDataPass(), Conv2dAlgorithmPlan.of((Conv2dSpec) best[2].spec).weightsTile());
        return new Choice(tiles.equals(Conv2dAlgorithmPlan.of(base).directTiles()) ? base : base.withTiles(tiles), micros);
    }

    /**
     * Round-robin stretches over the candidates until each is warm: every pass runs at compiled speed (at least
     * {@link #COMPILED_FLOPS_PER_SECOND}, or a call within {@link #COMPILED_CALL_NANOS}: interpreted Vector API
     * code is 100-300× slower than compiled, far below either), its per-call time held within {@link #STABLE}
     * over the last two stretches, and none of the methods of its classes (its sub-kernels' included) is queued
     * for the JIT. While every cold candidate waits for the compiler the tuner sleeps a little, leaving it the
     * cores. Candidates still cold at the end of warm-up are dropped (timing them would compare interpreted code),
     * except the default, which is waited for up to another budget; false when even that was not enough.
     */
    private boolean warmUp(List<Trial> live, List<List<String>> classes, TuningWorkload warmWork, int passes) {
        boolean jit = JitState.available();
        long warmNanos = Math.max((long) (budgetNanos * WARM_SHARE), live.size() * JIT_NANOS_PER_CANDIDATE);
        long end = System.nanoTime() + warmNanos;
        long stretch = Math.max(warmNanos / live.size() / STRETCHES_PER_CANDIDATE, MIN_SAMPLE_NANOS);
        double[][] previous = new double[live.size()][passes];
        boolean[] warm = new boolean[live.size()];
        int remaining = live.size();
        while (remaining > 0) {
            long now = System.nanoTime();
            if (now >= end + (warm[0] ? 0 : budgetNanos)) {
                break;
            }
            boolean[] ready = new boolean[live.size()];
            for (int i = 0; i < live.size(); i++) {
                if (warm[i] || (i > 0 && now >= end)) {
                    continue;
                }
                Trial t = live.get(i);
                long[] spent = new long[passes];
                long begin = System.nanoTime();
                int calls = 0;
                do {
                    for (int p = 0; p < passes; p++) {
                        long start = System.nanoTime();
                        warmWork.run(t.kernel, p);
                        spent[p] += System.nanoTime() - start;
                    }
                    calls++;
                } while (System.nanoTime() - begin < stretch);
                ready[i] = true;
                for (int p = 0; p < passes; p++) {
                    double perCall = (double) spent[p] / calls;
                    boolean compiledSpeed = perCall <= COMPILED_CALL_NANOS || warmWork.flops() / (perCall * 1e-9) >= COMPILED_FLOPS_PER_SECOND;
                    ready[i] &= compiledSpeed && previous[i][p] > 0 && Math.abs(perCall - previous[i][p]) <= STABLE * previous[i][p];
                    previous[i][p] = perCall;
                }
            }
            boolean[] queued = jit ? JitState.queued(classes) : new boolean[live.size()];
            boolean waiting = true;
            for (int i = 0; i < live.size(); i++) {
                if (!warm[i] && ready[i] && !queued[i]) {
                    warm[i] = true;
                    remaining--;
                }
                waiting &= warm[i] || queued[i];
            }
            if (waiting && remaining > 0) {
                sleep(JIT_WAIT_MILLIS);
            }
        }
        for (int i = 1; i < live.size(); i++) {
            if (!warm[i]) {
                live.get(i).rejected = "not compiled by the JIT within the budget";
            }
        }
        return warm[0];
    }

    /** The generated classes a candidate runs: its own and those of the kernels it calls at {@code batch}. */
    private static List<String> classesOf(Trial t, int batch, TuningHost registry) {
        List<String> names = new ArrayList<>();
        names.add(t.kernel.getClass().getName());
        List<KernelSpec> calls = new ArrayList<>(KernelGenerator.subKernels(t.spec));
        if (t.spec instanceof Conv2dSpec conv && Conv2dAlgorithmPlan.of(conv).algorithm() == Conv2dAlgorithm.DENSE) {
            calls.add(Conv2dAlgorithmPlan.of(conv).backwardWeightsGemm(batch));
        }
        for (KernelSpec sub : calls) {
            names.add(registry.kernel(sub).getClass().getName());
        }
        return names;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void measure(List<Trial> live, TuningWorkload workload, int passes) {
        long measureStart = System.nanoTime();
        long measureBudget = (long) (budgetNanos * (1 - WARM_SHARE));
        for (int round = 0; round < MAX_ROUNDS; round++) {
            for (Trial t : live) {
                double[] sample = new double[passes];
                for (int p = 0; p < passes; p++) {
                    int calls = 0;
                    long begin = System.nanoTime();
                    long now;
                    do {
                        workload.run(t.kernel, p);
                        calls++;
                        now = System.nanoTime();
                    } while (now - begin < MIN_SAMPLE_NANOS);
                    sample[p] = (now - begin) / 1e3 / calls;
                }
                t.samples.add(sample);
            }
            long spent = System.nanoTime() - measureStart;
            // Stop once the budget would be exceeded by another round, but never before a median of MIN_ROUNDS.
            if (round + 1 >= MIN_ROUNDS && spent / (round + 1) * (round + 2) > measureBudget) {
                break;
            }
        }
    }

    /** Null when {@code actual} matches {@code expected} within {@link #TOLERANCE}, else what differs. */
    static String mismatch(float[][] expected, float[][] actual) {
        for (int o = 0; o < expected.length; o++) {
            double scale = 1;
            for (float v : expected[o]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < expected[o].length; i++) {
                double diff = Math.abs(expected[o][i] - actual[o][i]);
                if (!(diff <= TOLERANCE * scale)) {
                    return "output " + o + " element " + i + " is " + actual[o][i] + ", the default variant gives " + expected[o][i];
                }
            }
        }
        return null;
    }

    private static double round(double micros) {
        return Math.round(micros * 1000) / 1000.0;
    }
}
