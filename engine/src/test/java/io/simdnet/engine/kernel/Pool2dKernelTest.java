package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.simdnet.engine.kernel.generic.GenericPool2d;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoublePool2dKernel;
import io.simdnet.kernel.FloatPool2dKernel;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.spec.Pool2dSpec;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated pooling and the generic fallback held against {@link io.simdnet.kernel.reference.ReferencePool2d}
 * by {@link Pool2dTester} (distinct values, ties, NaNs, empty batches), and the double kernels' gradients
 * against finite differences.
 */
class Pool2dKernelTest {

    static Pool2dSpec randomSpec(long seed, DType type) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] windows = {{2, 2}, {3, 2}, {3, 1}, {4, 2}, {2, 1}, {5, 3}};
        int[] window = windows[random.nextInt(windows.length)];
        int k = window[0];
        int stride = window[1];
        int pad = random.nextInt(k / 2 + 1);
        int h = k + random.nextInt(10);
        int w = k + random.nextInt(13);
        Pool2dSpec.Kind kind = random.nextBoolean() ? Pool2dSpec.Kind.MAX : Pool2dSpec.Kind.AVG;
        return new Pool2dSpec(type, kind, 1 + random.nextInt(5), h, w, k, k, stride, stride, pad, pad);
    }

    static Stream<Long> seeds() {
        return IntStream.range(0, 20).mapToObj(i -> 0xB001L + i);
    }

    private static int outputs(Pool2dSpec spec, int n) {
        return n * spec.channels() * spec.outHeight() * spec.outWidth();
    }

    static Stream<String> catalogPools() {
        return io.simdnet.kernel.generated.BuildTimeKernels.KEYS.stream().filter(key -> key.startsWith("pool2d"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("catalogPools")
    void buildTimeKernelsMatchTheReference(String key) {
        Pool2dSpec spec = Pool2dSpec.parse(key);
        assertEquals(KernelOrigin.BUILD_TIME, KernelRegistry.global().origin(spec));
        FloatPool2dKernel kernel = KernelRegistry.global().floatPool2d(spec);
        KernelTester.pool2d(spec).seed(key.hashCode()).testBatches(kernel, 1, 3);
        KernelTester.pool2d(spec).seed(key.hashCode()).values(Pool2dTester.Values.TIES).testBatches(kernel, 2);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void floatKernelsMatchTheReference(long seed) {
        Pool2dSpec spec = randomSpec(seed, DType.F32);
        KernelTester.pool2d(spec).seed(seed).testBatches(KernelRegistry.global().floatPool2d(spec), 1 + 2 * (int) (seed % 3));
    }

    /** Windows full of equal values take the first maximum, and a NaN in a window is its maximum, as the reference says. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void tiesAndNaNsFollowTheReferenceRules(long seed) {
        Pool2dSpec spec = randomSpec(seed, DType.F32);
        FloatPool2dKernel kernel = KernelRegistry.global().floatPool2d(spec);
        KernelTester.pool2d(spec).seed(seed).values(Pool2dTester.Values.TIES).testBatches(kernel, 2);
        KernelTester.pool2d(spec).seed(seed).values(Pool2dTester.Values.WITH_NAN).testBatches(kernel, 2);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void doubleKernelsMatchTheReference(long seed) {
        // The spec of doubleGradientsMatchCentredFiniteDifferences: one compilation serves both tests.
        Pool2dSpec spec = randomSpec(seed ^ 0x77, DType.F64);
        DoublePool2dKernel kernel = KernelRegistry.global().doublePool2d(spec);
        KernelTester.pool2d(spec).seed(seed).testBatches(kernel, 0, 1, 2);
        KernelTester.pool2d(spec).seed(seed).values(Pool2dTester.Values.WITH_NAN).testBatches(kernel, 2);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void genericFallbackMatchesTheReference(long seed) {
        Pool2dSpec spec = randomSpec(seed, DType.F32);
        for (Pool2dTester.Values values : Pool2dTester.Values.values()) {
            KernelTester.pool2d(spec).seed(seed).values(values).testBatches(new GenericPool2d(spec), 0, 2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"pool2d f32 max c=6 h=28 w=28 k=2 s=2", "pool2d f32 avg c=64 h=8 w=8 global=true",
        "pool2d f64 max c=3 h=7 w=7 k=3 s=2 pad=1", "pool2d f32 avg c=3 h=9 w=9 k=3 s=2 pad=1"})
    void anEmptyBatchWritesNothing(String key) {
        Pool2dSpec spec = Pool2dSpec.parse(key);
        var kernel = spec.elementType() == DType.F32 ? KernelRegistry.global().floatPool2d(spec) : KernelRegistry.global().doublePool2d(spec);
        KernelTester.pool2d(spec).testBatches(kernel, 0, 1);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void doubleGradientsMatchCentredFiniteDifferences(long seed) {
        Pool2dSpec spec = randomSpec(seed ^ 0x77, DType.F64);
        boolean max = spec.kind() == Pool2dSpec.Kind.MAX;
        SplittableRandom random = new SplittableRandom(seed);
        int n = 2;
        double[] x = Pool2dTester.distinctValues(random, n * spec.channels() * spec.height() * spec.width());
        double[] g = new double[outputs(spec, n)];
        for (int i = 0; i < g.length; i++) {
            g[i] = random.nextDouble() * 2 - 1;
        }
        DoublePool2dKernel kernel = KernelRegistry.global().doublePool2d(spec);
        int[] argmax = max ? new int[g.length] : null;
        double[] y = new double[g.length];
        kernel.forward(n, x, y, argmax);
        double[] dx = new double[x.length];
        kernel.backward(n, g, argmax, dx);
        // Values differ by at least 0.01, so a step of 1e-3 never changes which element is the maximum, and
        // pooling is linear between such changes: no truncation error.
        double h = 1e-3;
        for (int i = 0; i < x.length; i++) {
            double saved = x[i];
            x[i] = saved + h;
            double plus = loss(kernel, n, x, g, max);
            x[i] = saved - h;
            double minus = loss(kernel, n, x, g, max);
            x[i] = saved;
            double numeric = (plus - minus) / (2 * h);
            // Relative to the larger of the two and of 1e-3, the smallest gradient of interest here: below
            // that the difference of two losses of size ~1 is rounding, not signal.
            double relative = Math.abs(numeric - dx[i]) / Math.max(1e-3, Math.abs(numeric) + Math.abs(dx[i]));
            if (relative > 1e-7) {
                fail(spec.key() + ": dx[" + i + "] analytic " + dx[i] + ", numeric " + numeric + ", relative error " + relative);
            }
        }
    }

    private static double loss(DoublePool2dKernel kernel, int n, double[] x, double[] g, boolean max) {
        double[] y = new double[g.length];
        kernel.forward(n, x, y, max ? new int[g.length] : null);
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += y[i] * g[i];
        }
        return sum;
    }

    @Test
    void maxPoolBackwardRoutesGradientToFirstMaximum() {
        Pool2dSpec spec = Pool2dSpec.parse("pool2d f32 max c=1 h=2 w=4 k=2");
        FloatPool2dKernel kernel = KernelRegistry.global().floatPool2d(spec);
        float[] x = {1, 5, 7, 7, 5, 2, 7, 7};
        float[] y = new float[2];
        int[] argmax = new int[2];
        kernel.forward(1, x, y, argmax);
        assertArrayEquals(new float[] {5, 7}, y);
        assertArrayEquals(new int[] {1, 2}, argmax, "ties go to the first maximum in row-major window order");
        float[] dx = new float[8];
        kernel.backward(1, new float[] {10, 20}, argmax, dx);
        assertArrayEquals(new float[] {0, 10, 20, 0, 0, 0, 0, 0}, dx);
    }

    @Test
    void overlappingWindowsAddTheirGradients() {
        Pool2dSpec spec = Pool2dSpec.parse("pool2d f32 max c=1 h=3 w=5 k=3 s=2");
        FloatPool2dKernel kernel = KernelRegistry.global().floatPool2d(spec);
        float[] x = {0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        float[] y = new float[2];
        int[] argmax = new int[2];
        kernel.forward(1, x, y, argmax);
        float[] dx = new float[15];
        kernel.backward(1, new float[] {1, 2}, argmax, dx);
        assertEquals(3f, dx[2], "the middle column belongs to both windows");
    }

    @Test
    void globalAveragePoolingAveragesEachChannel() {
        Pool2dSpec spec = Pool2dSpec.globalAverage(DType.F32, 2, 2, 2);
        FloatPool2dKernel kernel = KernelRegistry.global().floatPool2d(spec);
        float[] y = new float[2];
        kernel.forward(1, new float[] {1, 2, 3, 4, 10, 10, 10, 30}, y, null);
        assertArrayEquals(new float[] {2.5f, 15f}, y);
    }

    @Test
    void resultsAreBitIdenticalOnOneAndTwoThreads() {
        Pool2dSpec spec = Pool2dSpec.parse("pool2d f32 avg c=64 h=16 w=16 k=3 s=2 pad=1");
        SplittableRandom random = new SplittableRandom(1);
        float[] x = KernelTester.toFloat(Pool2dTester.distinctValues(random, 8 * 64 * 16 * 16));
        FloatPool2dKernel kernel = KernelRegistry.global().floatPool2d(spec);
        int before = KernelPool.threads();
        try {
            KernelPool.setThreads(1);
            float[] one = new float[8 * 64 * 8 * 8];
            kernel.forward(8, x, one, null);
            KernelPool.setThreads(2);
            float[] two = new float[one.length];
            kernel.forward(8, x, two, null);
            assertArrayEquals(one, two);
        } finally {
            KernelPool.setThreads(before);
        }
    }

    @Test
    void argmaxIsRequiredForMaxAndRefusedForAverage() {
        FloatPool2dKernel maxPool = KernelRegistry.global().floatPool2d(Pool2dSpec.parse("pool2d f32 max c=3 h=32 w=32 k=2"));
        var e = assertThrows(IllegalArgumentException.class, () -> maxPool.forward(1, new float[3072], new float[768], null));
        assertTrue(e.getMessage().contains("MaxPool2d 3×32×32 → 3×16×16") && e.getMessage().contains("argmax is null"), e.getMessage());
        FloatPool2dKernel avgPool = KernelRegistry.global().floatPool2d(Pool2dSpec.parse("pool2d f32 avg c=3 h=32 w=32 k=2"));
        assertThrows(IllegalArgumentException.class, () -> avgPool.forward(1, new float[3072], new float[768], new int[768]));
    }
}
