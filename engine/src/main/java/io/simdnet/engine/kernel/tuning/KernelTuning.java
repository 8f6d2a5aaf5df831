package io.simdnet.engine.kernel.tuning;

import io.simdnet.codegen.gen.KernelVariants;
import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.spec.KernelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The tuning side of one kernel registry: its records (made here, on disk, shipped in the jar), the tuner that
 * measures a spec's variants, the kernels layers call that tuning may replace once ({@link TunableKernel}), and
 * the background thread lazy tuning runs on. It reaches the registry only through {@link TuningHost}.
 */
public final class KernelTuning {

    public static final long DEFAULT_BUDGET_MILLIS = 2000;
    public static final String BUDGET_PROPERTY = "simdnet.tune.budget";
    private static final long MAX_BUDGET_MILLIS = 3_600_000;

    private static final System.Logger LOG = System.getLogger("io.simdnet.kernels");

    /** Lazy tuning runs here, one spec at a time, beside training. */
    private static final ExecutorService BACKGROUND = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "simdnet-tuner");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        return thread;
    });

    private final TuningHost host;
    private final TuningMode mode;
    private final TuningRecords records;
    private final KernelTuner tuner;
    private final Map<String, CompletableFuture<TuningRecord>> tunings = new ConcurrentHashMap<>();
    /** While {@link #callsDuring} runs: spec key → batch of the first call of each tunable kernel called; else null. */
    private volatile Map<String, Integer> recording;

    /**
     * @param cacheRoot the kernel cache folder, whose {@code tuning} folder keeps the records; null keeps them in memory only
     * @param shippedRecords whether the records shipped in the jar serve
     */
    public KernelTuning(TuningHost host, TuningMode mode, Duration budget, Path cacheRoot, boolean shippedRecords) {
        this.host = host;
        this.mode = mode;
        this.records = new TuningRecords(cacheRoot == null ? null : cacheRoot.resolve(TuningRecords.FOLDER), shippedRecords);
        this.tuner = new KernelTuner(budget);
    }

    /** {@code -Dsimdnet.tune.budget}, such as {@code 2s} or {@code 500ms}; {@value #DEFAULT_BUDGET_MILLIS} ms when unset. */
    public static Duration configuredBudget() {
        String text = System.getProperty(BUDGET_PROPERTY);
        if (text == null || text.isBlank()) {
            return Duration.ofMillis(DEFAULT_BUDGET_MILLIS);
        }
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            long millis = t.endsWith("ms") ? Long.parseLong(t.substring(0, t.length() - 2))
                    : t.endsWith("s") ? Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000) : Long.parseLong(t);
            if (millis > 0 && millis <= MAX_BUDGET_MILLIS) {
                return Duration.ofMillis(millis);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + BUDGET_PROPERTY + " = \"" + text + "\": expected a positive time up to an hour, such as 2s or 500ms");
    }

    public TuningMode mode() {
        return mode;
    }

    /** The record that chooses what serves default spec {@code spec} on this machine now, or null (always null when tuning is off). */
    public TuningRecord servingRecord(KernelSpec spec) {
        return mode == TuningMode.OFF ? null : records.find(spec, host.profile());
    }

    /** Whether a layer's first call of {@code spec} tunes it: the mode tunes, and it is a default spec with several variants. */
    public boolean tunesOnFirstCall(KernelSpec spec) {
        return (mode == TuningMode.LAZY || mode == TuningMode.EAGER) && KernelVariants.defaultOf(spec).equals(spec)
                && KernelVariants.of(spec, 1).size() >= 2;
    }

    /** The kernel a layer calls for {@code spec}, {@code now} serving until it is settled (see {@link TunableKernel}). */
    public TunableKernel tunable(KernelSpec spec, Kernel now, boolean settled) {
        return new TunableKernel(this, spec, now, settled);
    }

    /**
     * Measures the variants of default spec {@code spec} on calls of {@code batch} rows or images, records the
     * winner (on disk when the registry has a cache folder) and has the registry serve it from now on. A spec being
     * tuned by another thread is waited for, not tuned twice. Null when the spec has a single variant.
     */
    public TuningRecord tune(KernelSpec spec, int batch) {
        if (!KernelVariants.defaultOf(spec).equals(spec)) {
            throw new IllegalArgumentException("tuning: '" + spec.key() + "' is a variant; tune its default '" + KernelVariants.defaultOf(spec).key() + "'");
        }
        CompletableFuture<TuningRecord> mine = new CompletableFuture<>();
        CompletableFuture<TuningRecord> running = tunings.putIfAbsent(spec.key(), mine);
        if (running != null) {
            return running.join();
        }
        try {
            host.kernel(spec);
            TuningRecord record = tuner.tune(spec, batch, host);
            if (record != null) {
                records.store(spec, record);
                host.serveTuned(spec, KernelSpec.parse(record.winner()));
            }
            mine.complete(record);
            return record;
        } catch (RuntimeException | Error e) {
            tunings.remove(spec.key());
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /**
     * Serves {@code spec} by its record for this machine if there is one (whatever the tuning mode), else tunes it
     * as {@link #tune} does. Returns the record, or null for a spec with a single variant.
     */
    public TuningRecord tuneUnlessRecorded(KernelSpec spec, int batch) {
        TuningRecord record = record(spec);
        if (record == null) {
            return tune(spec, batch);
        }
        host.kernel(spec);
        host.serveTuned(spec, KernelSpec.parse(record.winner()));
        return record;
    }

    /** {@link #tune} on the background thread; failures are logged, and the default keeps serving. */
    CompletableFuture<TuningRecord> tuneInBackground(KernelSpec spec, int batch) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return tune(spec, batch);
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.WARNING, "tuning '" + spec.key() + "' failed, the default variant serves: " + e);
                return null;
            }
        }, BACKGROUND);
    }

    /** The kernel serving {@code spec} now, for a tunable kernel settling. */
    Kernel served(KernelSpec spec) {
        return host.kernel(spec);
    }

    /**
     * The specs of the tunable kernels called while {@code work} runs, each with the batch of its first call, in
     * key order: what one training step of a model uses (other models' kernels in the same JVM excluded).
     */
    public synchronized Map<String, Integer> callsDuring(Runnable work) {
        Map<String, Integer> calls = new ConcurrentHashMap<>();
        recording = calls;
        try {
            work.run();
        } finally {
            recording = null;
        }
        return new TreeMap<>(calls);
    }

    /** Notes a call of {@code spec} at {@code batch} while {@link #callsDuring} records; costs one volatile read otherwise. */
    void noteCall(KernelSpec spec, int batch) {
        Map<String, Integer> calls = recording;
        if (calls != null) {
            calls.putIfAbsent(spec.key(), batch);
        }
    }

    /** The record of default spec {@code spec} that would serve on this machine now, whatever the mode, or null. */
    public TuningRecord record(KernelSpec spec) {
        return records.find(spec, host.profile());
    }

    /** The record files in the cache folder (every profile), for listing. */
    public List<Path> recordFiles() throws IOException {
        return records.files();
    }

    /** The records shipped in the jar, every profile. */
    public List<TuningRecord> shippedRecords() {
        return records.shipped();
    }

    /** Where record files are kept, or null. */
    public Path recordFolder() {
        return records.folder();
    }
}
