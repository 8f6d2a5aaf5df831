package io.simdnet.engine.kernel;

import io.simdnet.codegen.gen.KernelGenerator;
import io.simdnet.codegen.gen.KernelVariants;
import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.engine.kernel.cache.KernelClassLoader;
import io.simdnet.engine.kernel.cache.KernelDiskCache;
import io.simdnet.engine.kernel.cache.RuntimeKernelCompiler;
import io.simdnet.engine.kernel.generic.GenericConv2d;
import io.simdnet.engine.kernel.generic.GenericGemm;
import io.simdnet.engine.kernel.generic.GenericPool2d;
import io.simdnet.engine.kernel.tuning.KernelTuning;
import io.simdnet.engine.kernel.tuning.TunableKernel;
import io.simdnet.engine.kernel.tuning.TuningHost;
import io.simdnet.engine.kernel.tuning.TuningMode;
import io.simdnet.engine.kernel.tuning.TuningProfile;
import io.simdnet.engine.kernel.tuning.TuningRecord;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoubleConv2dKernel;
import io.simdnet.kernel.DoublePool2dKernel;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.FloatPool2dKernel;
import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.KernelLookup;
import io.simdnet.kernel.generated.BuildTimeKernels;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.KernelSpec;
import io.simdnet.kernel.spec.Pool2dSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gives the kernel for a spec and hides where it came from: the classes compiled into this jar from the
 * catalog, the disk cache of earlier runs, generation and compilation now, or the generic vector kernel when
 * compilation is unavailable. {@link #origin} and a DEBUG line on logger {@code io.simdnet.kernels} say which.
 *
 * <p>Unless tuning is off ({@link TuningMode}), a default spec with a tuning record for this machine is served
 * by the variant the record chose ({@link KernelOrigin#TUNED}, {@link #variant}). Tuning itself, measuring a spec's
 * variants and recording the winner, is {@link #tuning()}'s, which reaches this registry only as a
 * {@link TuningHost}; {@link #tunable} gives layers a kernel that tuning may replace once.
 */
public final class KernelRegistry implements KernelLookup, TuningHost {

    /**
     * @param buildTime look in the build-time index first
     * @param compile generate and compile specs missing from the index (else they get the generic kernel)
     * @param cacheRoot where compiled kernels and tuning records are kept between runs; null keeps them in memory only
     * @param tuning when specs without a record are tuned, and whether records are used at all
     * @param tuningBudget the measurement time of one spec
     * @param shippedRecords whether the records shipped in the jar serve
     */
    public record Options(boolean buildTime, boolean compile, Path cacheRoot, TuningMode tuning, Duration tuningBudget, boolean shippedRecords) {

        public Options {
            if (tuning == null || tuningBudget == null || tuningBudget.isNegative() || tuningBudget.isZero()) {
                throw new IllegalArgumentException("kernel registry options: a tuning mode and a positive budget are required, got " + tuning
                        + " and " + tuningBudget);
            }
        }

        /** Options without tuning. */
        public Options(boolean buildTime, boolean compile, Path cacheRoot) {
            this(buildTime, compile, cacheRoot, TuningMode.OFF, Duration.ofMillis(KernelTuning.DEFAULT_BUDGET_MILLIS), false);
        }

        /**
         * The process default: {@code -Dsimdnet.kernels=generic} turns off specialised kernels (and tuning);
         * {@code -Dsimdnet.tune} and {@code -Dsimdnet.tune.budget} set the tuning, and {@code -Dsimdnet.tune.shipped=false}
         * ignores the records shipped in the jar (to remake them).
         */
        public static Options defaults() {
            boolean generic = "generic".equals(System.getProperty("simdnet.kernels"));
            TuningMode mode = TuningMode.RECORDS;
            Duration budget = Duration.ofMillis(KernelTuning.DEFAULT_BUDGET_MILLIS);
            try {
                mode = generic ? TuningMode.OFF : TuningMode.configured();
                budget = KernelTuning.configuredBudget();
            } catch (IllegalArgumentException e) {
                // The registry is made in a static initializer, where throwing would leave the class unusable for good;
                // bin/simdnet checks the settings first and stops with this message (TuningMode.checkSettings).
                LOG.log(System.Logger.Level.WARNING, "ignoring a bad tuning setting: " + e.getMessage() + "; using " + mode + " and "
                        + budget.toMillis() + " ms");
            }
            return new Options(!generic, !generic, KernelDiskCache.defaultRoot(), mode, budget,
                    !"false".equals(System.getProperty("simdnet.tune.shipped")));
        }
    }

    /** @param variant the spec whose kernel serves (the spec itself unless a record chose another variant) */
    private record Entry(Kernel kernel, KernelOrigin origin, KernelSpec variant) {
    }

    /** What served one spec a layer asked for, as a run's metrics.json lists it. */
    public record Served(String spec, KernelOrigin origin, String variant) {
    }

    private static final System.Logger LOG = System.getLogger("io.simdnet.kernels");

    static {
        JitDirectives.install();
    }

    private static final KernelRegistry GLOBAL = new KernelRegistry(Options.defaults());

    private final Options options;
    private final KernelDiskCache cache;
    private final KernelTuning tuning;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Default specs' own kernels where a record serves another variant under their key (see {@link #defaultKernel}). */
    private final Map<String, Kernel> defaults = new ConcurrentHashMap<>();
    private final Set<String> requested = ConcurrentHashMap.newKeySet();

    public KernelRegistry(Options options) {
        this.options = options;
        this.cache = options.cacheRoot() == null ? null : new KernelDiskCache(options.cacheRoot());
        this.tuning = new KernelTuning(this, options.tuning(), options.tuningBudget(), options.cacheRoot(), options.shippedRecords());
    }

    public Options options() {
        return options;
    }

    /** This registry's tuning: its records, and measuring a spec's variants to serve the fastest. */
    public KernelTuning tuning() {
        return tuning;
    }

    /** The registry the engine's layers use. */
    public static KernelRegistry global() {
        return GLOBAL;
    }

    public FloatConv2dKernel floatConv2d(Conv2dSpec spec) {
        KernelLookup.requireType(spec, DType.F32);
        return (FloatConv2dKernel) kernel(spec);
    }

    public DoubleConv2dKernel doubleConv2d(Conv2dSpec spec) {
        KernelLookup.requireType(spec, DType.F64);
        return (DoubleConv2dKernel) kernel(spec);
    }

    public FloatPool2dKernel floatPool2d(Pool2dSpec spec) {
        KernelLookup.requireType(spec, DType.F32);
        return (FloatPool2dKernel) kernel(spec);
    }

    public DoublePool2dKernel doublePool2d(Pool2dSpec spec) {
        KernelLookup.requireType(spec, DType.F64);
        return (DoublePool2dKernel) kernel(spec);
    }

    /** The kernel for {@code spec}, made once per registry (a default spec with a tuning record: the variant it chose). */
    @Override
    public Kernel kernel(KernelSpec spec) {
        Entry known = entries.get(spec.key());
        if (known != null) {
            return known.kernel();
        }
        // The kernels it calls first: its constructor looks them up, and must not update the map it is computed in.
        for (KernelSpec sub : KernelGenerator.subKernels(spec)) {
            kernel(sub);
        }
        TuningRecord record = KernelVariants.defaultOf(spec).equals(spec) ? tuning.servingRecord(spec) : null;
        if (record != null && !record.winner().equals(spec.key())) {
            KernelSpec variant = KernelSpec.parse(record.winner());
            Kernel served = kernel(variant);
            entries.putIfAbsent(spec.key(), logged(spec, new Entry(served, KernelOrigin.TUNED, variant)));
            return entries.get(spec.key()).kernel();
        }
        KernelOrigin tuned = record != null ? KernelOrigin.TUNED : null;
        return entries.computeIfAbsent(spec.key(), key -> resolve(spec, tuned)).kernel();
    }

    /** Where the kernel serving {@code spec} came from (resolving it if needed). */
    public KernelOrigin origin(KernelSpec spec) {
        kernel(spec);
        return entries.get(spec.key()).origin();
    }

    /** The spec whose kernel serves {@code spec}: another variant where a tuning record chose one, else {@code spec}. */
    public KernelSpec variant(KernelSpec spec) {
        kernel(spec);
        return entries.get(spec.key()).variant();
    }

    /** The specs layers asked for through {@link #tunable}, sorted by key, with what serves each now. */
    public List<Served> served() {
        List<Served> list = new ArrayList<>();
        for (String key : new TreeSet<>(requested)) {
            Entry e = entries.get(key);
            if (e != null) {
                list.add(new Served(key, e.origin(), e.variant().key()));
            }
        }
        return list;
    }

    /**
     * The kernel a layer calls for {@code spec}: settled now when the mode is off or records, a record serves or
     * the spec has one variant; else tuned on its first call ({@link TuningMode#EAGER}: then and there; {@link TuningMode#LAZY}:
     * in the background, the default serving until the winner is ready).
     */
    public TunableKernel tunable(KernelSpec spec) {
        Kernel now = kernel(spec);
        boolean settled = entries.get(spec.key()).origin() == KernelOrigin.TUNED || !tuning.tunesOnFirstCall(spec);
        TunableKernel tunable = tuning.tunable(spec, now, settled);
        requested.add(spec.key());
        return tunable;
    }

    @Override
    public Kernel defaultKernel(KernelSpec spec) {
        Entry entry = entries.get(spec.key());
        if (entry != null && entry.variant().equals(spec)) {
            return entry.kernel();
        }
        for (KernelSpec sub : KernelGenerator.subKernels(spec)) {
            kernel(sub);
        }
        return defaults.computeIfAbsent(spec.key(), key -> find(spec).kernel());
    }

    @Override
    public void serveTuned(KernelSpec spec, KernelSpec winner) {
        Kernel kernel = winner.equals(spec) ? defaultKernel(spec) : kernel(winner);
        entries.put(spec.key(), logged(spec, new Entry(kernel, KernelOrigin.TUNED, winner)));
    }

    @Override
    public boolean servedGeneric(KernelSpec spec) {
        return origin(spec) == KernelOrigin.GENERIC;
    }

    @Override
    public TuningProfile profile() {
        return MachineProfile.current().tuningProfile();
    }

    /** {@inheritDoc} Those that could not be compiled are not entered. */
    @Override
    public Map<String, String> prepare(List<KernelSpec> specs) {
        Map<String, String> failures = new HashMap<>();
        Map<String, KernelSpec> toCompile = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        for (KernelSpec spec : specs) {
            if (entries.containsKey(spec.key())) {
                continue;
            }
            for (KernelSpec sub : KernelGenerator.subKernels(spec)) {
                kernel(sub);
            }
            Entry built = builtIn(spec);
            if (built != null || !options.compile()) {
                entries.putIfAbsent(spec.key(), logged(spec, built != null ? built : new Entry(generic(spec), KernelOrigin.GENERIC, spec)));
                continue;
            }
            String source = KernelGenerator.generate(spec).toString();
            Entry cached = cached(spec, source);
            if (cached != null) {
                entries.putIfAbsent(spec.key(), logged(spec, cached));
                continue;
            }
            toCompile.put(KernelGenerator.qualifiedName(spec), spec);
            sources.put(KernelGenerator.qualifiedName(spec), source);
        }
        if (toCompile.isEmpty()) {
            return failures;
        }
        Map<String, byte[]> classes;
        try {
            classes = RuntimeKernelCompiler.compileAll(sources);
        } catch (RuntimeKernelCompiler.CompilationException e) {
            // One bad source fails the task: compile each alone, so the others still run.
            for (var e2 : toCompile.entrySet()) {
                try {
                    enter(e2.getValue(), sources.get(e2.getKey()), RuntimeKernelCompiler.compile(e2.getKey(), sources.get(e2.getKey())));
                } catch (RuntimeKernelCompiler.CompilationException | ReflectiveOperationException | LinkageError failure) {
                    failures.put(e2.getValue().key(), failure.getMessage());
                }
            }
            return failures;
        }
        for (var e : toCompile.entrySet()) {
            Map<String, byte[]> own = new HashMap<>();
            classes.forEach((name, bytes) -> {
                if (name.equals(e.getKey()) || name.startsWith(e.getKey() + "$")) {
                    own.put(name, bytes);
                }
            });
            try {
                enter(e.getValue(), sources.get(e.getKey()), own);
            } catch (ReflectiveOperationException | LinkageError failure) {
                failures.put(e.getValue().key(), failure.toString());
            }
        }
        return failures;
    }

    private void enter(KernelSpec spec, String source, Map<String, byte[]> classes) throws ReflectiveOperationException {
        entries.putIfAbsent(spec.key(), logged(spec, new Entry(compiled(spec, source, classes), KernelOrigin.RUNTIME_COMPILED, spec)));
    }

    /** The kernel of freshly compiled {@code classes}, stored in the disk cache (a failure there only costs a recompilation). */
    private Kernel compiled(KernelSpec spec, String source, Map<String, byte[]> classes) throws ReflectiveOperationException {
        Kernel kernel = instantiate(spec, classes, this);
        if (cache != null) {
            try {
                cache.store(spec, source, classes);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not cache kernel '" + spec.key() + "' on disk: " + e);
            }
        }
        return kernel;
    }

    private Entry resolve(KernelSpec spec, KernelOrigin tuned) {
        Entry found = find(spec);
        return logged(spec, tuned == null ? found : new Entry(found.kernel(), tuned, spec));
    }

    private static Entry logged(KernelSpec spec, Entry entry) {
        LOG.log(System.Logger.Level.DEBUG, () -> "kernel '" + spec.key() + "' served by " + entry.origin() + " ("
                + entry.kernel().getClass().getName()
                + (entry.variant() instanceof Conv2dSpec conv ? ", " + Conv2dAlgorithmPlan.of(conv).algorithm() : "") + ")");
        return entry;
    }

    /** The kernel compiled into this jar for {@code spec}, or null. */
    private Entry builtIn(KernelSpec spec) {
        Kernel built = options.buildTime() ? BuildTimeKernels.create(spec.key(), this) : null;
        return built == null ? null : new Entry(built, KernelOrigin.BUILD_TIME, spec);
    }

    /** The kernel of {@code spec} in the disk cache, compiled from {@code source}, or null. */
    private Entry cached(KernelSpec spec, String source) {
        Optional<Map<String, byte[]>> classes = cache == null ? Optional.empty() : cache.load(spec, source);
        if (classes.isPresent()) {
            try {
                return new Entry(instantiate(spec, classes.get(), this), KernelOrigin.DISK_CACHE, spec);
            } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
                LOG.log(System.Logger.Level.WARNING, "ignoring unusable cached kernel in " + cache.folderFor(spec) + ": " + e);
            }
        }
        return null;
    }

    private Entry find(KernelSpec spec) {
        Entry built = builtIn(spec);
        if (built != null) {
            return built;
        }
        if (options.compile()) {
            // Generating is milliseconds; it lets the cache check its entry was compiled from this very source.
            String source = KernelGenerator.generate(spec).toString();
            Entry cached = cached(spec, source);
            if (cached != null) {
                return cached;
            }
            try {
                Map<String, byte[]> classes = RuntimeKernelCompiler.compile(KernelGenerator.qualifiedName(spec), source);
                return new Entry(compiled(spec, source, classes), KernelOrigin.RUNTIME_COMPILED, spec);
            } catch (RuntimeKernelCompiler.CompilationException | ReflectiveOperationException | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "run-time compilation of kernel '" + spec.key() + "' failed, using the generic kernel: "
                        + e.getMessage());
            }
        }
        return new Entry(generic(spec), KernelOrigin.GENERIC, spec);
    }

    private static Kernel instantiate(KernelSpec spec, Map<String, byte[]> classes, KernelLookup kernels) throws ReflectiveOperationException {
        ClassLoader loader = new KernelClassLoader(KernelRegistry.class.getClassLoader(), classes);
        Class<?> type = loader.loadClass(KernelGenerator.qualifiedName(spec));
        if (KernelGenerator.takesLookup(spec)) {
            return (Kernel) type.getDeclaredConstructor(KernelLookup.class).newInstance(kernels);
        }
        return (Kernel) type.getDeclaredConstructor().newInstance();
    }

    /** The unspecialised kernel for {@code spec}, also what benchmarks compare the generated ones with. */
    public static Kernel generic(KernelSpec spec) {
        return switch (spec) {
            case GemmSpec gemm -> new GenericGemm(gemm);
            case Conv2dSpec conv -> new GenericConv2d(conv);
            case Pool2dSpec pool -> new GenericPool2d(pool);
        };
    }
}
