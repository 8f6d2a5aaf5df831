package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.simdnet.codegen.gen.KernelVariants;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.GemmTiling;
import io.simdnet.kernel.spec.KernelSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kernels split their work over the pool's threads without changing any sum's order: the results are
 * bit-identical on 1, 2 and 3 threads, for the default variants and for the variants tuning may choose
 * instead (other GEMM micro-tiles, packing and depth; DIRECT convolutions with other register tiles).
 */
class ThreadCountDeterminismTest {

    private final int threadsBefore = KernelPool.threads();

    @TempDir
    static Path cache;

    @AfterEach
    void restoreThreads() {
        KernelPool.setThreads(threadsBefore);
    }

    @ParameterizedTest(name = "{0} K={1} N={2} M={3}")
    @CsvSource({"NN, 1024, 1024, 300", "NN, 784, 128, 128", "NN, 784, 128, 32", "NT, 128, 784, 128", "TN, 128, 128, 784",
        "NN, 3072, 100, 200", "NN, 64, 10, 1000"})
    void resultsAreBitIdenticalWithOneTwoAndThreeThreads(GemmForm form, int k, int n, int m) {
        GemmSpec spec = GemmSpec.of(DType.F32, form, k, n, false, false);
        GemmTester gemm = KernelTester.gemm(spec).rows(m).seed(11);
        assertSameOnOneTwoAndThreeThreads(gemm, KernelRegistry.global().floatGemm(spec), spec.key());
    }

    private static void assertSameOnOneTwoAndThreeThreads(GemmTester gemm, FloatGemmKernel kernel, String what) {
        KernelPool.setThreads(1);
        float[] one = gemm.runFloat(kernel);
        KernelPool.setThreads(2);
        float[] two = gemm.runFloat(kernel);
        KernelPool.setThreads(3);
        float[] three = gemm.runFloat(kernel);
        assertArrayEquals(one, two, what + ": 1 vs 2 threads");
        assertArrayEquals(one, three, what + ": 1 vs 3 threads");
    }

    /** A registry of its own compiling the variants, all of one spec in one javac task as the tuner does. */
    private static List<KernelSpec> compiledVariants(KernelRegistry registry, KernelSpec spec, int batch) {
        List<KernelSpec> variants = KernelVariants.of(spec, batch);
        Map<String, String> failures = registry.prepare(variants);
        assertEquals(Map.of(), failures, spec.key());
        return variants;
    }

    @ParameterizedTest(name = "{0} K={1} N={2} M={3} bias={4} accumulate={5}")
    @CsvSource({"NN, 784, 128, 128, true, false", "NT, 128, 300, 200, false, true", "TN, 600, 96, 160, false, false"})
    void everyGemmVariantIsBitIdenticalWithOneTwoAndThreeThreads(GemmForm form, int k, int n, int m, boolean bias, boolean accumulate) {
        GemmSpec spec = GemmSpec.of(DType.F32, form, k, n, bias, accumulate);
        KernelRegistry registry = new KernelRegistry(new KernelRegistry.Options(false, true, cache));
        List<KernelSpec> variants = compiledVariants(registry, spec, m);
        GemmTiling base = spec.tiling();
        assertFalse(variants.stream().noneMatch(v -> ((GemmSpec) v).tiling().mr() != base.mr() || ((GemmSpec) v).tiling().nrVectors() != base.nrVectors()),
                "no other micro-tile among " + variants);
        for (KernelSpec variant : variants.subList(1, variants.size())) {
            GemmTester gemm = KernelTester.gemm((GemmSpec) variant).rows(m).seed(13);
            assertSameOnOneTwoAndThreeThreads(gemm, (FloatGemmKernel) registry.kernel(variant), variant.key());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv2d f32 c=17 h=9 w=11 oc=33 kh=3 kw=3 pad=1 bias=true", "conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 bias=true relu=true",
        "conv2d f32 c=32 h=8 w=8 oc=32 kh=3 kw=3 pad=1 bias=false"})
    void everyDirectTileVariantIsBitIdenticalInAllPassesWithOneTwoAndThreeThreads(String key) {
        Conv2dSpec spec = Conv2dSpec.parse(key);
        int n = 7;
        KernelRegistry registry = new KernelRegistry(new KernelRegistry.Options(false, true, cache));
        List<Conv2dSpec> tiled = compiledVariants(registry, spec, n).stream().map(v -> (Conv2dSpec) v).filter(v -> v.tiles() != null).toList();
        assertFalse(tiled.isEmpty(), key + ": no DIRECT tile variants");
        SplittableRandom random = new SplittableRandom(key.hashCode());
        float[] x = KernelTester.toFloat(KernelTester.random(random, n * spec.inChannels() * spec.height() * spec.width()));
        float[] w = KernelTester.toFloat(KernelTester.random(random, spec.outChannels() * spec.patchSize()));
        float[] b = KernelTester.toFloat(KernelTester.random(random, spec.outChannels()));
        float[] dy = KernelTester.toFloat(KernelTester.random(random, n * spec.outChannels() * spec.outHeight() * spec.outWidth()));
        for (Conv2dSpec variant : tiled) {
            FloatConv2dKernel kernel = (FloatConv2dKernel) registry.kernel(variant);
            assertEquals(variant, kernel.spec(), "the kernel of " + variant.key());
            float[][][] results = new float[3][][];
            for (int threads = 1; threads <= 3; threads++) {
                KernelPool.setThreads(threads);
                results[threads - 1] = Conv2dTester.allPasses(kernel, n, x, w, b, dy);
            }
            for (int t = 1; t < 3; t++) {
                for (int pass = 0; pass < results[0].length; pass++) {
                    assertArrayEquals(results[0][pass], results[t][pass], variant.key() + ": " + (t + 1) + " threads, pass " + pass);
                }
            }
        }
    }
}
