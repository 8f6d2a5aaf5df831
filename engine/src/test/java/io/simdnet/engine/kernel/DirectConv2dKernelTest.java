package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.VectorTarget;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@link Conv2dAlgorithm#DIRECT} kernels against the double-precision reference on random stride-1
 * geometries (kernel 1-7, padding 0-3 below the kernel or 'same', 1-70 channels, odd batches), at every
 * vector target; bit-identical on 1, 2 and 3 threads and the fused ReLU agreeing with ReLU applied after (these two
 * for BLOCKED too).
 * (Finite differences of the double kernels: {@link Conv2dKernelTest}, whose stride-1 geometries plan DIRECT.)
 */
class DirectConv2dKernelTest {

    private static final int[] KERNELS = {1, 2, 3, 4, 5, 7};
    private static final int[] CHANNELS = {1, 2, 3, 6, 16, 17, 33, 70};

    @TempDir
    static Path cache;

    private static KernelRegistry registry;

    @BeforeAll
    static void createRegistry() {
        registry = new KernelRegistry(new KernelRegistry.Options(true, true, cache));
    }

    static Conv2dSpec randomSpec(long seed, VectorTarget target) {
        SplittableRandom random = new SplittableRandom(seed);
        int kh = KERNELS[random.nextInt(KERNELS.length)];
        int kw = random.nextInt(3) == 0 ? KERNELS[random.nextInt(KERNELS.length)] : kh;
        int h = kh + random.nextInt(10);
        int w = kw + random.nextInt(12);
        int c = CHANNELS[random.nextInt(CHANNELS.length)];
        int oc = CHANNELS[random.nextInt(CHANNELS.length)];
        boolean bias = random.nextBoolean();
        boolean relu = random.nextInt(3) == 0;
        Conv2dSpec spec = random.nextInt(4) == 0 && kh == kw
                ? Conv2dSpec.same(DType.F32, c, h, w, oc, kh, kw, 1, bias, relu, target)
                : new Conv2dSpec(DType.F32, c, h, w, oc, kh, kw, 1, 1, random.nextInt(Math.min(4, kh)), random.nextInt(Math.min(4, kh)),
                        random.nextInt(Math.min(4, kw)), random.nextInt(Math.min(4, kw)), bias, relu, target);
        return spec.withAlgorithm(Conv2dAlgorithm.DIRECT);
    }

    static Stream<Long> seeds() {
        return IntStream.range(0, 14).mapToObj(i -> 0xD1EC7L + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomGeometriesMatchTheReference(long seed) {
        Conv2dSpec spec = randomSpec(seed, VectorTarget.host());
        assertEquals(Conv2dAlgorithm.DIRECT, Conv2dAlgorithmPlan.of(spec).algorithm());
        KernelTester.conv2d(spec).seed(seed).testBatches(registry.floatConv2d(spec), 1, 1 + 2 * (int) (seed % 3));
    }

    static Stream<VectorTarget> otherTargets() {
        return Stream.of(VectorTarget.AVX2, new VectorTarget(128, 32), new VectorTarget(128, 16));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherTargets")
    void everyVectorTargetMatchesTheReference(VectorTarget target) {
        for (long seed = 0; seed < 3; seed++) {
            Conv2dSpec spec = randomSpec(seed * 31 + target.bits() + target.registers(), target);
            KernelTester.conv2d(spec).seed(seed).testBatches(registry.floatConv2d(spec), 3);
        }
    }

    /** DIRECT's and BLOCKED's (stride 1, and strided: backward-data in phases), which deal images and backward-weights' units to tasks alike. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sh=1 algo=direct", "sh=1 algo=blocked", "sh=2 sw=3 algo=blocked"})
    void resultsAreBitIdenticalOnOneTwoAndThreeThreads(String strideAndAlgorithm) {
        Conv2dSpec spec = Conv2dSpec.parse("conv2d f32 c=17 h=9 w=11 oc=33 kh=3 kw=3 pad=1 " + strideAndAlgorithm);
        SplittableRandom random = new SplittableRandom(5);
        int n = 7;
        float[] x = KernelTester.toFloat(KernelTester.random(random, n * 17 * 9 * 11));
        float[] w = KernelTester.toFloat(KernelTester.random(random, 33 * spec.patchSize()));
        float[] b = KernelTester.toFloat(KernelTester.random(random, 33));
        float[] dy = KernelTester.toFloat(KernelTester.random(random, n * 33 * spec.outHeight() * spec.outWidth()));
        FloatConv2dKernel kernel = registry.floatConv2d(spec);
        int before = KernelPool.threads();
        try {
            float[][][] results = new float[3][][];
            for (int threads = 1; threads <= 3; threads++) {
                KernelPool.setThreads(threads);
                results[threads - 1] = Conv2dTester.allPasses(kernel, n, x, w, b, dy);
            }
            for (int t = 1; t < 3; t++) {
                for (int pass = 0; pass < results[0].length; pass++) {
                    assertArrayEquals(results[0][pass], results[t][pass], (t + 1) + " threads, pass " + pass);
                }
            }
        } finally {
            KernelPool.setThreads(before);
        }
    }

    @ParameterizedTest(name = "algo={0}")
    @ValueSource(strings = {"direct", "blocked"})
    void theFusedReluEqualsReluAppliedAfterTheConvolution(String algorithm) {
        Conv2dSpec fused = Conv2dSpec.parse("conv2d f32 c=6 h=12 w=10 oc=16 kh=5 kw=5 pad=2 relu=true algo=" + algorithm);
        Conv2dSpec plain = Conv2dSpec.parse("conv2d f32 c=6 h=12 w=10 oc=16 kh=5 kw=5 pad=2 relu=false algo=" + algorithm);
        SplittableRandom random = new SplittableRandom(9);
        int n = 3;
        float[] x = KernelTester.toFloat(KernelTester.random(random, n * 6 * 12 * 10));
        float[] w = KernelTester.toFloat(KernelTester.random(random, 16 * fused.patchSize()));
        float[] b = KernelTester.toFloat(KernelTester.random(random, 16));
        float[] yFused = new float[n * 16 * 12 * 10];
        float[] yPlain = new float[yFused.length];
        registry.floatConv2d(fused).forward(n, x, w, b, yFused);
        registry.floatConv2d(plain).forward(n, x, w, b, yPlain);
        for (int i = 0; i < yPlain.length; i++) {
            yPlain[i] = Math.max(yPlain[i], 0);
        }
        assertArrayEquals(yPlain, yFused, "the same sums, clamped at the store");
    }

    @Test
    void directAndIm2colAgreeOnTheLayersOfTheBenchmarks() {
        for (String geometry : new String[] {"c=6 h=14 w=14 oc=16 kh=5 kw=5", "c=1 h=28 w=28 oc=6 kh=5 kw=5 padding=same",
            "c=32 h=8 w=8 oc=32 kh=3 kw=3 pad=1"}) {
            Conv2dSpec direct = Conv2dSpec.parse("conv2d f32 " + geometry + " algo=direct");
            Conv2dSpec im2col = direct.withAlgorithm(Conv2dAlgorithm.IM2COL);
            Conv2dTester.assertAllPassesAgree(registry.floatConv2d(im2col), registry.floatConv2d(direct), 2, geometry.hashCode());
        }
    }
}
