package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.engine.kernel.generic.GenericConv2d;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoubleConv2dKernel;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.reference.ReferenceConv2d;
import io.simdnet.kernel.spec.Conv2dSpec;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated convolutions (im2col and dense) and the generic fallback held against {@link ReferenceConv2d} by
 * {@link Conv2dTester}, and the double kernels' gradients against finite differences.
 */
class Conv2dKernelTest {

    private static final int[] KERNELS = {1, 2, 3, 5, 7};

    /**
     * A random geometry per seed: stride 1-2, padding 0-3 (below the kernel size), rectangular images, 1-4 input
     * channels, odd channel counts, bias or not, and a fused ReLU when {@code relu} allows one.
     */
    static Conv2dSpec randomSpec(long seed, DType type, boolean relu) {
        SplittableRandom random = new SplittableRandom(seed);
        int kh = KERNELS[random.nextInt(KERNELS.length)];
        int kw = random.nextInt(4) == 0 ? KERNELS[random.nextInt(KERNELS.length)] : kh;
        int h = kh + random.nextInt(12);
        int w = kw + random.nextInt(14);
        int pad = Math.min(random.nextInt(4), Math.min(kh, kw) - 1);
        int stride = 1 + random.nextInt(2);
        int c = random.nextInt(3) == 0 ? 3 : 1 + random.nextInt(4);
        int oc = new int[] {1, 3, 6, 7, 16, 17}[random.nextInt(6)];
        return Conv2dSpec.of(type, c, h, w, oc, kh, kw, stride, pad, random.nextBoolean(), relu && random.nextBoolean());
    }

    static Stream<Long> seeds() {
        return IntStream.range(0, 16).mapToObj(i -> 0xC0DEL + i);
    }

    private static double[] random(SplittableRandom random, int n) {
        return KernelTester.random(random, n);
    }

    static Stream<String> catalogConvolutions() {
        return io.simdnet.kernel.generated.BuildTimeKernels.KEYS.stream().filter(key -> key.startsWith("conv2d"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogConvolutions")
    void buildTimeKernelsMatchTheReference(String key) {
        Conv2dSpec spec = Conv2dSpec.parse(key);
        assertEquals(KernelOrigin.BUILD_TIME, KernelRegistry.global().origin(spec));
        KernelTester.conv2d(spec).seed(key.hashCode()).testBatches(KernelRegistry.global().floatConv2d(spec), 1, 3);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void floatKernelsMatchTheReference(long seed) {
        Conv2dSpec spec = randomSpec(seed, DType.F32, true);
        KernelTester.conv2d(spec).seed(seed).testBatches(KernelRegistry.global().floatConv2d(spec), 1 + 2 * (int) (seed % 3));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void doubleKernelsMatchTheReference(long seed) {
        // The spec of doubleGradientsMatchCentredFiniteDifferences: one compilation serves both tests.
        Conv2dSpec spec = randomSpec(seed ^ 0x55, DType.F64, false);
        KernelTester.conv2d(spec).seed(seed).testBatches(KernelRegistry.global().doubleConv2d(spec), 2);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void genericFallbackMatchesTheReference(long seed) {
        Conv2dSpec spec = randomSpec(seed, DType.F32, true);
        GenericConv2d generic = new GenericConv2d(spec);
        KernelTester.conv2d(spec).seed(seed).testBatches(generic, 0, 1, 2);
        Conv2dSpec doubleSpec = Conv2dSpec.parse(spec.key().replace(" f32 ", " f64 "));
        KernelTester.conv2d(doubleSpec).seed(seed).testBatches(new GenericConv2d(doubleSpec), 2);
    }

    /** An empty batch still overwrites every output: dWeights and dBias come back zero, for each algorithm and type. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5", "conv2d f64 c=3 h=9 w=7 oc=5 kh=3 kw=3 pad=1",
        "conv2d f32 c=16 h=5 w=5 oc=120 kh=5 kw=5", "conv2d f64 c=3 h=4 w=3 oc=7 kh=4 kw=3",
        "conv2d f32 c=2 h=6 w=6 oc=3 kh=3 kw=3 relu=true"})
    void anEmptyBatchGivesZeroWeightAndBiasGradients(String key) {
        Conv2dSpec spec = Conv2dSpec.parse(key);
        var kernel = spec.elementType() == DType.F32 ? KernelRegistry.global().floatConv2d(spec) : KernelRegistry.global().doubleConv2d(spec);
        KernelTester.conv2d(spec).testBatches(kernel, 0);
        KernelTester.conv2d(spec).testBatches(new GenericConv2d(spec), 0);
    }

    /**
     * Forward applies the fused ReLU; backward takes the gradient before it, unmasked (the convention of
     * FloatConv2dKernel), checked by the tester; and the layer's use of that convention, masking dy by y > 0,
     * gives the true gradient of Σ g·ReLU(conv), checked by finite differences in double.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"c=1 h=28 w=28 oc=6 kh=5 kw=5 padding=same relu=true",
        "c=3 h=7 w=9 oc=5 kh=3 kw=3 sh=2 pad=1 relu=true", "c=4 h=3 w=3 oc=9 kh=3 kw=3 relu=true bias=false",
        "c=16 h=5 w=5 oc=12 kh=5 kw=5 relu=true"})
    void fusedReluClampsForwardAndBackwardTakesTheGradientBeforeIt(String geometry) {
        Conv2dSpec spec = Conv2dSpec.parse("conv2d f32 " + geometry);
        KernelTester.conv2d(spec).seed(geometry.hashCode()).testBatches(KernelRegistry.global().floatConv2d(spec), 0, 1, 2);
        Conv2dSpec doubleSpec = Conv2dSpec.parse("conv2d f64 " + geometry);
        DoubleConv2dKernel kernel = KernelRegistry.global().doubleConv2d(doubleSpec);
        KernelTester.conv2d(doubleSpec).seed(geometry.hashCode()).testBatches(kernel, 2);
        checkMaskedReluGradients(doubleSpec, kernel, geometry.hashCode());
    }

    private static void checkMaskedReluGradients(Conv2dSpec spec, DoubleConv2dKernel kernel, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = 2;
        double[] x = random(random, n * spec.inChannels() * spec.height() * spec.width());
        double[] w = random(random, spec.outChannels() * spec.patchSize());
        double[] b = spec.bias() ? random(random, spec.outChannels()) : null;
        double[] g = random(random, n * spec.outChannels() * spec.outHeight() * spec.outWidth());
        double[] y = new double[g.length];
        kernel.forward(n, x, w, b, y);
        boolean[] active = active(y);
        double[] masked = new double[g.length];
        int activeCount = 0;
        for (int i = 0; i < g.length; i++) {
            masked[i] = active[i] ? g[i] : 0;
            activeCount += active[i] ? 1 : 0;
        }
        assertTrue(activeCount > 0 && activeCount < g.length, "the case should have outputs on both sides of the ReLU, got "
                + activeCount + " active of " + g.length);
        double[] dx = new double[x.length];
        double[] dw = new double[w.length];
        double[] db = spec.bias() ? new double[spec.outChannels()] : null;
        kernel.backwardData(n, masked, w, dx);
        kernel.backwardWeights(n, x, masked, dw, db);
        int checked = checkReluFiniteDifferences(spec.key() + " dX", x, dx, kernel, n, x, w, b, g, active)
                + checkReluFiniteDifferences(spec.key() + " dW", w, dw, kernel, n, x, w, b, g, active);
        if (spec.bias()) {
            checked += checkReluFiniteDifferences(spec.key() + " dB", b, db, kernel, n, x, w, b, g, active);
        }
        int parameters = x.length + w.length + (b == null ? 0 : b.length);
        assertTrue(checked > parameters / 2, "only " + checked + " of " + parameters + " elements could be checked away from a ReLU kink");
    }

    private static boolean[] active(double[] y) {
        boolean[] active = new boolean[y.length];
        for (int i = 0; i < y.length; i++) {
            active[i] = y[i] > 0;
        }
        return active;
    }

    /**
     * Centred differences of Σ g·y, skipping an element whose step moves some output across the ReLU's kink
     * (the loss is piecewise linear, exact on either side); returns how many elements were compared.
     */
    private static int checkReluFiniteDifferences(String what, double[] param, double[] analytic, DoubleConv2dKernel kernel, int n,
            double[] x, double[] w, double[] b, double[] g, boolean[] active) {
        double h = 1e-4;
        int checked = 0;
        double[] y = new double[g.length];
        for (int i = 0; i < param.length; i++) {
            double saved = param[i];
            param[i] = saved + h;
            kernel.forward(n, x, w, b, y);
            boolean same = java.util.Arrays.equals(active(y), active);
            double plus = dot(y, g);
            param[i] = saved - h;
            kernel.forward(n, x, w, b, y);
            same &= java.util.Arrays.equals(active(y), active);
            double minus = dot(y, g);
            param[i] = saved;
            if (!same) {
                continue;
            }
            checked++;
            double numeric = (plus - minus) / (2 * h);
            double relative = Math.abs(numeric - analytic[i]) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic[i]));
            if (relative > 1e-6) {
                fail(what + "[" + i + "]: analytic " + analytic[i] + ", numeric " + numeric + ", relative error " + relative);
            }
        }
        return checked;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    /** Σ y·g for a fixed random g: its gradient with respect to the output is g. */
    private static double loss(DoubleConv2dKernel kernel, int n, double[] x, double[] w, double[] b, double[] g) {
        double[] y = new double[g.length];
        kernel.forward(n, x, w, b, y);
        return dot(y, g);
    }

    private static void checkByFiniteDifferences(String what, double[] param, double[] analytic, java.util.function.DoubleSupplier loss) {
        // Σ y·g is linear in every argument (no ReLU here), so a larger step costs no truncation error and
        // keeps the rounding error of the two losses small next to small gradients.
        double h = 1e-3;
        for (int i = 0; i < param.length; i++) {
            double saved = param[i];
            param[i] = saved + h;
            double plus = loss.getAsDouble();
            param[i] = saved - h;
            double minus = loss.getAsDouble();
            param[i] = saved;
            double numeric = (plus - minus) / (2 * h);
            // Relative to the larger of the two and of 1e-3, the smallest gradient of interest here: below
            // that the difference of two losses of size ~10 is rounding, not signal.
            double relative = Math.abs(numeric - analytic[i]) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic[i]));
            if (relative > 1e-7) {
                fail(what + "[" + i + "]: analytic " + analytic[i] + ", numeric " + numeric + ", relative error " + relative);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void doubleGradientsMatchCentredFiniteDifferences(long seed) {
        checkGradients(randomSpec(seed ^ 0x55, DType.F64, false), seed);
    }

    /** Kernels covering the whole input take the dense-layer path: one GEMM per pass over the batch. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"c=16 h=5 w=5 oc=120 kh=5 kw=5", "c=3 h=4 w=3 oc=7 kh=4 kw=3 bias=false",
        "c=1 h=1 w=1 oc=17 kh=1 kw=1", "c=5 h=2 w=6 oc=33 kh=2 kw=6 sh=2"})
    void denseLikeGeometriesMatchTheReferenceAndFiniteDifferences(String geometry) {
        Conv2dSpec spec = Conv2dSpec.parse("conv2d f32 " + geometry);
        assertEquals(io.simdnet.kernel.spec.Conv2dAlgorithm.DENSE, Conv2dAlgorithmPlan.of(spec).algorithm());
        KernelTester.conv2d(spec).seed(geometry.hashCode()).testBatches(KernelRegistry.global().floatConv2d(spec), 0, 1, 3);
        checkGradients(Conv2dSpec.parse("conv2d f64 " + geometry), geometry.hashCode());
    }

    static void checkGradients(Conv2dSpec spec, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = 1 + random.nextInt(2);
        double[] x = random(random, n * spec.inChannels() * spec.height() * spec.width());
        double[] w = random(random, spec.outChannels() * spec.patchSize());
        double[] b = spec.bias() ? random(random, spec.outChannels()) : null;
        double[] g = random(random, n * spec.outChannels() * spec.outHeight() * spec.outWidth());
        DoubleConv2dKernel kernel = KernelRegistry.global().doubleConv2d(spec);
        double[] dx = new double[x.length];
        double[] dw = new double[w.length];
        double[] db = spec.bias() ? new double[spec.outChannels()] : null;
        kernel.backwardData(n, g, w, dx);
        kernel.backwardWeights(n, x, g, dw, db);
        checkByFiniteDifferences(spec.key() + " dX", x, dx, () -> loss(kernel, n, x, w, b, g));
        checkByFiniteDifferences(spec.key() + " dW", w, dw, () -> loss(kernel, n, x, w, b, g));
        if (spec.bias()) {
            checkByFiniteDifferences(spec.key() + " dB", b, db, () -> loss(kernel, n, x, w, b, g));
        }
    }

    @Test
    void resultsAreBitIdenticalOnOneAndTwoThreads() {
        Conv2dSpec spec = Conv2dSpec.parse("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5");
        SplittableRandom random = new SplittableRandom(3);
        int n = 9;
        float[] x = KernelTester.toFloat(random(random, n * 6 * 14 * 14));
        float[] w = KernelTester.toFloat(random(random, 16 * 150));
        float[] b = KernelTester.toFloat(random(random, 16));
        float[] dy = KernelTester.toFloat(random(random, n * 16 * 10 * 10));
        FloatConv2dKernel kernel = KernelRegistry.global().floatConv2d(spec);
        int before = KernelPool.threads();
        try {
            float[][] one = runAll(kernel, n, x, w, b, dy, 1);
            float[][] two = runAll(kernel, n, x, w, b, dy, 2);
            for (int i = 0; i < one.length; i++) {
                assertArrayEquals(one[i], two[i], "output " + i);
            }
        } finally {
            KernelPool.setThreads(before);
        }
    }

    private static float[][] runAll(FloatConv2dKernel kernel, int n, float[] x, float[] w, float[] b, float[] dy, int threads) {
        KernelPool.setThreads(threads);
        return Conv2dTester.allPasses(kernel, n, x, w, b, dy);
    }

    @Test
    void catalogGeometriesAreServedByBuildTimeClasses() {
        Conv2dSpec lenetConv2 = Conv2dSpec.parse("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5");
        KernelRegistry registry = new KernelRegistry(new KernelRegistry.Options(true, false, null));
        assertEquals(KernelOrigin.BUILD_TIME, registry.origin(lenetConv2));
    }

    @Test
    void badArraysAreRejectedNamingTheLayerAndTheArray() {
        Conv2dSpec spec = Conv2dSpec.parse("conv2d f32 c=3 h=32 w=32 oc=32 kh=3 kw=3 pad=1");
        FloatConv2dKernel kernel = KernelRegistry.global().floatConv2d(spec);
        var e = assertThrows(IllegalArgumentException.class,
                () -> kernel.forward(2, new float[3 * 32 * 32], new float[32 * 27], new float[32], new float[2 * 32 * 32 * 32]));
        assertTrue(e.getMessage().contains("Conv2d 3×32×32 → 32×32×32") && e.getMessage().contains("input x has 3072 elements, expected at least 6144"),
                e.getMessage());
    }
}
