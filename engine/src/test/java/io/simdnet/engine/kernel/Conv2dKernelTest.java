package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoubleConv2dKernel;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.spec.Conv2dSpec;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Generated convolutions against the direct double loops, and their gradients against finite differences. */
class Conv2dKernelTest {

    private static final int[] KERNELS = {1, 2, 3, 5, 7};

    /** A random geometry per seed: stride 1-2, padding 0-3, rectangular images, 1-3 input channels, odd channel counts. */
    static Conv2dSpec randomSpec(long seed, DType type) {
        SplittableRandom random = new SplittableRandom(seed);
        while (true) {
            int kh = KERNELS[random.nextInt(KERNELS.length)];
            int kw = random.nextInt(4) == 0 ? KERNELS[random.nextInt(KERNELS.length)] : kh;
            int h = kh + random.nextInt(12);
            int w = kw + random.nextInt(14);
            int pad = random.nextInt(4);
            int stride = 1 + random.nextInt(2);
            if (pad >= Math.min(kh, kw)) {
                pad = Math.min(kh, kw) - 1;
            }
            int c = random.nextInt(3) == 0 ? 3 : 1 + random.nextInt(4);
            int oc = new int[] {1, 3, 6, 7, 16, 17}[random.nextInt(6)];
            return Conv2dSpec.of(type, c, h, w, oc, kh, kw, stride, pad, random.nextBoolean(), false);
        }
    }

    static Stream<Long> seeds() {
        return IntStream.range(0, 16).mapToObj(i -> 0xC0DEL + i);
    }

    private static double[] random(SplittableRandom random, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return x;
    }


    private static void assertClose(String what, double[] expected, float[] actual, double scale) {
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= scale * 1e-5 * (1 + Math.abs(expected[i])))) {
                fail(what + "[" + i + "] = " + actual[i] + ", expected " + expected[i]);
            }
        }
    }

    static Stream<String> catalogConvolutions() {
        return io.simdnet.kernel.generated.BuildTimeKernels.KEYS.stream().filter(key -> key.startsWith("conv2d"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogConvolutions")
    void buildTimeKernelsMatchTheDirectDoubleLoops(String key) {
        Conv2dSpec spec = Conv2dSpec.parse(key);
        assertEquals(KernelOrigin.BUILD_TIME, KernelRegistry.global().origin(spec));
        checkAgainstDirectLoops(spec, key.hashCode());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void floatKernelsMatchTheDirectDoubleLoops(long seed) {
        checkAgainstDirectLoops(randomSpec(seed, DType.F32), seed);
    }

    private static void checkAgainstDirectLoops(Conv2dSpec spec, long seed) {
        Conv2dSpec reference = Conv2dSpec.parse(spec.key().replace(" f32 ", " f64 "));
        SplittableRandom random = new SplittableRandom(seed);
        int n = 1 + 2 * random.nextInt(3);
        int in = n * spec.inChannels() * spec.height() * spec.width();
        int out = n * spec.outChannels() * spec.outHeight() * spec.outWidth();
        double[] x = random(random, in);
        double[] w = random(random, spec.outChannels() * spec.patchSize());
        double[] b = spec.bias() ? random(random, spec.outChannels()) : null;
        double[] dy = random(random, out);
        GenericConv2d direct = new GenericConv2d(reference);
        double[] y = new double[out];
        double[] dx = new double[in];
        double[] dw = new double[w.length];
        double[] db = spec.bias() ? new double[spec.outChannels()] : null;
        direct.forward(n, x, w, b, y);
        direct.backwardData(n, dy, w, dx);
        direct.backwardWeights(n, x, dy, dw, db);

        FloatConv2dKernel kernel = KernelRegistry.global().floatConv2d(spec);
        float[] fy = new float[out];
        float[] fdx = new float[in];
        float[] fdw = new float[w.length];
        float[] fdb = spec.bias() ? new float[spec.outChannels()] : null;
        kernel.forward(n, GemmCase.toFloat(x), GemmCase.toFloat(w), GemmCase.toFloat(b), fy);
        kernel.backwardData(n, GemmCase.toFloat(dy), GemmCase.toFloat(w), fdx);
        kernel.backwardWeights(n, GemmCase.toFloat(x), GemmCase.toFloat(dy), fdw, fdb);
        String name = spec.key() + " n=" + n;
        assertClose(name + " y", y, fy, spec.patchSize());
        assertClose(name + " dx", dx, fdx, spec.outChannels() * spec.kernelH() * spec.kernelW());
        assertClose(name + " dw", dw, fdw, n * spec.outHeight() * spec.outWidth());
        if (spec.bias()) {
            assertClose(name + " db", db, fdb, n * spec.outHeight() * spec.outWidth());
        }
    }

    /** Σ y·g for a fixed random g: its gradient with respect to the output is g. */
    private static double loss(DoubleConv2dKernel kernel, int n, double[] x, double[] w, double[] b, double[] g) {
        double[] y = new double[g.length];
        kernel.forward(n, x, w, b, y);
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += y[i] * g[i];
        }
        return sum;
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
        checkGradients(randomSpec(seed ^ 0x55, DType.F64), seed);
    }

    /** Kernels covering the whole input take the dense-layer path: one GEMM per pass over the batch. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"c=16 h=5 w=5 oc=120 kh=5 kw=5", "c=3 h=4 w=3 oc=7 kh=4 kw=3 bias=false",
        "c=1 h=1 w=1 oc=17 kh=1 kw=1", "c=5 h=2 w=6 oc=33 kh=2 kw=6 sh=2"})
    void denseLikeGeometriesMatchTheDirectLoopsAndFiniteDifferences(String geometry) {
        Conv2dSpec spec = Conv2dSpec.parse("conv2d f32 " + geometry);
        assertEquals(io.simdnet.kernel.spec.Conv2dPlan.Algorithm.DENSE, spec.plan().algorithm());
        checkAgainstDirectLoops(spec, geometry.hashCode());
        checkGradients(Conv2dSpec.parse("conv2d f64 " + geometry), geometry.hashCode());
    }

    private static void checkGradients(Conv2dSpec spec, long seed) {
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
        float[] x = GemmCase.toFloat(random(random, n * 6 * 14 * 14));
        float[] w = GemmCase.toFloat(random(random, 16 * 150));
        float[] b = GemmCase.toFloat(random(random, 16));
        float[] dy = GemmCase.toFloat(random(random, n * 16 * 10 * 10));
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
        float[] y = new float[dy.length];
        float[] dx = new float[x.length];
        float[] dw = new float[w.length];
        float[] db = new float[b.length];
        kernel.forward(n, x, w, b, y);
        kernel.backwardData(n, dy, w, dx);
        kernel.backwardWeights(n, x, dy, dw, db);
        return new float[][] {y, dx, dw, db};
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
