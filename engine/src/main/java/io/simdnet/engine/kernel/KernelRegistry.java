package io.simdnet.engine.kernel;

import io.simdnet.codegen.gen.KernelGenerator;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoubleConv2dKernel;
import io.simdnet.kernel.DoubleGemmKernel;
import io.simdnet.kernel.DoublePool2dKernel;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.FloatGemmKernel;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gives the kernel for a spec and hides where it came from: the classes compiled into this jar from the
 * catalog, the disk cache of earlier runs, generation and compilation now, or the generic vector kernel when
 * compilation is unavailable. {@link #origin} and a DEBUG line on logger {@code io.simdnet.kernels} say which.
 */
public final class KernelRegistry implements KernelLookup {

    /**
     * @param buildTime look in the build-time index first
     * @param compile generate and compile specs missing from the index (else they get the generic kernel)
     * @param cacheRoot where compiled kernels are kept between runs; null keeps them in memory only
     */
    public record Options(boolean buildTime, boolean compile, Path cacheRoot) {

        /** The process default: {@code -Dsimdnet.kernels=generic} turns off specialised kernels. */
        public static Options defaults() {
            boolean generic = "generic".equals(System.getProperty("simdnet.kernels"));
            return new Options(!generic, !generic, KernelDiskCache.defaultRoot());
        }
    }

    private record Entry(Kernel kernel, KernelOrigin origin) {
    }

    private static final System.Logger LOG = System.getLogger("io.simdnet.kernels");

    static {
        JitDirectives.install();
    }

    private static final KernelRegistry GLOBAL = new KernelRegistry(Options.defaults());

    private final Options options;
    private final KernelDiskCache cache;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public KernelRegistry(Options options) {
        this.options = options;
        this.cache = options.cacheRoot() == null ? null : new KernelDiskCache(options.cacheRoot());
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

    /** The kernel for {@code spec}, made once per registry. */
    @Override
    public Kernel kernel(KernelSpec spec) {
        Entry known = entries.get(spec.key());
        if (known != null) {
            return known.kernel();
        }
        // The kernels it calls first: its constructor looks them up, and must not update the map it is computed in.
        for (KernelSpec sub : spec.subKernels()) {
            kernel(sub);
        }
        return entries.computeIfAbsent(spec.key(), key -> resolve(spec)).kernel();
    }

    /** Where the kernel serving {@code spec} came from (resolving it if needed). */
    public KernelOrigin origin(KernelSpec spec) {
        kernel(spec);
        return entries.get(spec.key()).origin();
    }

    private Entry resolve(KernelSpec spec) {
        Entry entry = find(spec);
        LOG.log(System.Logger.Level.DEBUG, () -> "kernel '" + spec.key() + "' served by " + entry.origin() + " ("
                + entry.kernel().getClass().getName() + (spec instanceof Conv2dSpec conv ? ", " + conv.plan().algorithm() : "") + ")");
        return entry;
    }

    private Entry find(KernelSpec spec) {
        if (options.buildTime()) {
            Kernel built = BuildTimeKernels.create(spec.key(), this);
            if (built != null) {
                return new Entry(built, KernelOrigin.BUILD_TIME);
            }
        }
        if (options.compile()) {
            // Generating is milliseconds; it lets the cache check its entry was compiled from this very source.
            String source = KernelGenerator.generate(spec).toString();
            if (cache != null) {
                Optional<Map<String, byte[]>> cached = cache.load(spec, source);
                if (cached.isPresent()) {
                    try {
                        return new Entry(instantiate(spec, cached.get(), this), KernelOrigin.DISK_CACHE);
                    } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
                        LOG.log(System.Logger.Level.WARNING, "ignoring unusable cached kernel in " + cache.folderFor(spec) + ": " + e);
                    }
                }
            }
            try {
                Map<String, byte[]> classes = RuntimeKernelCompiler.compile(KernelGenerator.qualifiedName(spec), source);
                Kernel kernel = instantiate(spec, classes, this);
                if (cache != null) {
                    try {
                        cache.store(spec, source, classes);
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "could not cache kernel '" + spec.key() + "' on disk: " + e);
                    }
                }
                return new Entry(kernel, KernelOrigin.RUNTIME_COMPILED);
            } catch (RuntimeKernelCompiler.CompilationException | ReflectiveOperationException | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "run-time compilation of kernel '" + spec.key() + "' failed, using the generic kernel: "
                        + e.getMessage());
            }
        }
        return new Entry(generic(spec), KernelOrigin.GENERIC);
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
            case GemmSpec gemm -> gemm.elementType() == DType.F32 ? new GenericFloatGemm(gemm) : new GenericDoubleGemm(gemm);
            case Conv2dSpec conv -> new GenericConv2d(conv);
            case Pool2dSpec pool -> new GenericPool2d(pool);
        };
    }
}
