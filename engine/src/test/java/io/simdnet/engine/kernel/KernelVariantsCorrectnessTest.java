package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.codegen.gen.KernelGenerator;
import io.simdnet.codegen.gen.KernelVariants;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.KernelSpec;
import io.simdnet.kernel.spec.VectorTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every variant the autotuner may choose computes what its default does: for random GEMMs and convolutions at
 * two vector targets (AVX-512's 512 bits and 32 registers, AVX2's 256 and 16, both runnable on any host with
 * the Vector API), each variant of {@link KernelVariants#of} is compiled (all of a target in one javac task, as
 * the tuner does) and held against the double-precision reference: the GEMM with its bias and accumulation,
 * the convolution's forward (bias, fused ReLU), backward-data and backward-weights with the bias gradient.
 * The seed, the default spec and the variant are in every failure's message.
 */
class KernelVariantsCorrectnessTest {

    private static final List<VectorTarget> TARGETS = List.of(VectorTarget.AVX512, VectorTarget.AVX2);
    private static final int GEMM_CASES = 12;
    private static final int CONV_CASES = 8;
    private static final long GEMM_SEED = 0x6E33A000L;
    private static final long CONV_SEED = 0xC0DE7000L;

    @TempDir
    static Path cache;

    private static KernelRegistry registry;
    /** Key → why it did not compile, for every variant of every case. */
    private static final Map<String, String> failures = new HashMap<>();

    /** One case: the default spec, its variants, the rows or images of the call. */
    private record Case(long seed, KernelSpec spec, int batch, List<KernelSpec> variants) {
    }

    static long seed(int target, int i, long base) {
        return base + 100L * target + i;
    }

    static Case gemmCase(long seed, VectorTarget target) {
        SplittableRandom random = new SplittableRandom(seed);
        GemmSpec spec = GemmSpec.of(DType.F32, GemmForm.values()[random.nextInt(3)], 1 + random.nextInt(300), 1 + random.nextInt(300),
                random.nextBoolean(), random.nextBoolean(), target);
        int m = 1 + random.nextInt(200);
        return new Case(seed, spec, m, KernelVariants.of(spec, m));
    }

    /**
     * Even cases stride 1 with every side's padding below the kernel (so DIRECT and its tiles are offered), case 6
     * a kernel covering its whole input (DENSE, whose backward-weights GEMM depends on the batch); odd cases stride 2
     * with any padding 0..2 (im2col).
     */
    static Case convCase(long seed, int i, VectorTarget target) {
        SplittableRandom random = new SplittableRandom(seed);
        int stride = 1 + i % 2;
        int kh = 1 + random.nextInt(5);
        int kw = random.nextInt(3) == 0 ? 1 + random.nextInt(5) : kh;
        int h = 5 + random.nextInt(12);
        int w = 5 + random.nextInt(12);
        int c = 1 + random.nextInt(20);
        int oc = 1 + random.nextInt(20);
        int padH = random.nextInt(stride == 1 ? Math.min(3, kh) : 3);
        int padW = random.nextInt(stride == 1 ? Math.min(3, kw) : 3);
        // Mostly symmetric padding; now and then one more row at the bottom, as 'same' padding of an even kernel has.
        int padBottom = random.nextInt(4) == 0 ? Math.min(stride == 1 ? kh - 1 : 2, padH + 1) : padH;
        if (i == 6) {
            kh = 5;
            kw = 5;
            h = 5;
            w = 5;
            padH = 0;
            padW = 0;
            padBottom = 0;
        }
        Conv2dSpec spec = new Conv2dSpec(DType.F32, c, h, w, oc, kh, kw, stride, stride, padH, padBottom, padW, padW, random.nextBoolean(),
                random.nextBoolean(), target);
        int n = 1 + random.nextInt(3);
        return new Case(seed, spec, n, KernelVariants.of(spec, n));
    }

    static Stream<Arguments> gemmCases() {
        List<Arguments> cases = new ArrayList<>();
        for (int t = 0; t < TARGETS.size(); t++) {
            for (int i = 0; i < GEMM_CASES; i++) {
                cases.add(Arguments.of(TARGETS.get(t), seed(t, i, GEMM_SEED)));
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> convCases() {
        List<Arguments> cases = new ArrayList<>();
        for (int t = 0; t < TARGETS.size(); t++) {
            for (int i = 0; i < CONV_CASES; i++) {
                cases.add(Arguments.of(TARGETS.get(t), i, seed(t, i, CONV_SEED)));
            }
        }
        return cases.stream();
    }

    /**
     * Compiles every variant of every case up front, per target in two javac tasks: the GEMM variants with the
     * GEMMs the convolution variants call (a convolution's kernels look them up when built), then the convolutions.
     */
    @BeforeAll
    static void compileEveryVariant() {
        registry = new KernelRegistry(new KernelRegistry.Options(false, true, cache));
        for (int t = 0; t < TARGETS.size(); t++) {
            List<KernelSpec> gemms = new ArrayList<>();
            List<KernelSpec> convs = new ArrayList<>();
            for (int i = 0; i < GEMM_CASES; i++) {
                gemms.addAll(gemmCase(seed(t, i, GEMM_SEED), TARGETS.get(t)).variants());
            }
            for (int i = 0; i < CONV_CASES; i++) {
                for (KernelSpec v : convCase(seed(t, i, CONV_SEED), i, TARGETS.get(t)).variants()) {
                    gemms.addAll(KernelGenerator.subKernels(v));
                    convs.add(v);
                }
            }
            failures.putAll(registry.prepare(gemms));
            failures.putAll(registry.prepare(convs));
        }
    }

    private static void assertCompiled(Case c, KernelSpec variant) {
        String what = "seed " + c.seed() + ", spec '" + c.spec().key() + "', variant '" + variant.key() + "'";
        assertEquals(null, failures.get(variant.key()), what + " did not compile");
        KernelOrigin origin = registry.origin(variant);
        assertTrue(origin == KernelOrigin.RUNTIME_COMPILED || origin == KernelOrigin.DISK_CACHE, what + " is served by " + origin);
        assertEquals(variant, registry.variant(variant), what);
    }

    /** Runs {@code check}, prefixing a failure with the case, so that it can be replayed alone. */
    private static void within(Case c, KernelSpec variant, Runnable check) {
        try {
            check.run();
        } catch (AssertionError e) {
            throw new AssertionError("seed " + c.seed() + ", spec '" + c.spec().key() + "', variant " + c.variants().indexOf(variant) + " of "
                    + c.variants().size() + ": " + e.getMessage(), e);
        }
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("gemmCases")
    void everyGemmVariantMatchesTheDoubleReference(VectorTarget target, long seed) {
        Case c = gemmCase(seed, target);
        assertTrue(c.variants().size() > 1, "seed " + seed + ", spec '" + c.spec().key() + "' has no variants besides itself");
        for (KernelSpec variant : c.variants()) {
            assertCompiled(c, variant);
            within(c, variant, () -> KernelTester.gemm((GemmSpec) variant).rows(c.batch()).seed(seed).test(registry.kernel(variant)));
        }
        // A call of another row count exercises the other edge tiles of the same classes.
        int other = c.batch() == 1 ? 3 : c.batch() / 2;
        for (KernelSpec variant : c.variants()) {
            within(c, variant, () -> KernelTester.gemm((GemmSpec) variant).rows(other).seed(seed + 1).test(registry.kernel(variant)));
        }
    }

    @ParameterizedTest(name = "{0}, case {1}, seed {2}")
    @MethodSource("convCases")
    void everyConvolutionVariantMatchesTheDoubleReferenceInAllThreePasses(VectorTarget target, int i, long seed) {
        Case c = convCase(seed, i, target);
        assertNotEquals(0, c.variants().size());
        for (KernelSpec variant : c.variants()) {
            assertCompiled(c, variant);
            within(c, variant, () -> KernelTester.conv2d((Conv2dSpec) variant).seed(seed).testBatches(registry.kernel(variant), c.batch()));
        }
    }
}
