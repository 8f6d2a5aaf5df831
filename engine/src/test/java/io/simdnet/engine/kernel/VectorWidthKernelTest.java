package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.kernel.generic.GenericConv2d;
import io.simdnet.engine.kernel.generic.GenericPool2d;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.FloatPool2dKernel;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.Pool2dSpec;
import io.simdnet.kernel.spec.VectorTarget;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel kind generated for each vector target a user's machine may have (an AVX-512 CPU runs the 256-
 * and 128-bit vectors in hardware), held against plain references in double, and bit-identical on 1 and 2
 * threads at each width. Different widths sum in different orders, so results are compared across thread
 * counts, never across widths.
 */
class VectorWidthKernelTest {

    @TempDir
    static Path cache;

    private static KernelRegistry registry;

    @BeforeAll
    static void createRegistry() {
        registry = new KernelRegistry(new KernelRegistry.Options(true, true, cache));
    }

    static Stream<VectorTarget> targets() {
        return Stream.of(VectorTarget.AVX512, VectorTarget.AVX2, new VectorTarget(256, 32), new VectorTarget(128, 32), new VectorTarget(128, 16));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void gemmKernelsOfEveryFormMatchTheDoubleReference(VectorTarget target) {
        SplittableRandom random = new SplittableRandom(target.bits() * 31L + target.registers());
        for (GemmForm form : GemmForm.values()) {
            int k = 1 + random.nextInt(70);
            int n = 1 + random.nextInt(90);
            int m = 1 + random.nextInt(40);
            GemmSpec spec = GemmSpec.of(DType.F32, form, k, n, true, false, target);
            assertEquals(target, spec.target());
            assertTrue(spec.className().contains(target.classNameSuffix()), spec.className());
            float[] a = randomFloats(random, m * k);
            float[] b = randomFloats(random, k * n);
            float[] bias = randomFloats(random, n);
            float[] c = new float[m * n];
            registry.floatGemm(spec).gemm(m, a, 0, b, 0, bias, c, 0);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = bias[j];
                    double magnitude = Math.abs(bias[j]);
                    for (int p = 0; p < k; p++) {
                        double x = form.transposeA() ? a[p * m + i] : a[i * k + p];
                        double y = form.transposeB() ? b[j * k + p] : b[p * n + j];
                        sum += x * y;
                        magnitude += Math.abs(x * y);
                    }
                    assertEquals(sum, c[i * n + j], (k + 2) * 0x1p-23 * magnitude, spec.key() + " at (" + i + ", " + j + ")");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void convolutionsMatchTheDirectLoopsInEveryPass(VectorTarget target) {
        for (String geometry : new String[] {"c=3 h=9 w=11 oc=5 kh=3 kw=3 pad=1 relu=true", "c=2 h=7 w=7 oc=19 kh=7 kw=7", "c=4 h=8 w=6 oc=3 kh=2 kw=3 sh=2"}) {
            Conv2dSpec spec = Conv2dSpec.parse("conv2d f32 " + geometry + " " + target.key());
            assertEquals(target, spec.target());
            FloatConv2dKernel kernel = registry.floatConv2d(spec);
            GenericConv2d reference = new GenericConv2d(spec);
            SplittableRandom random = new SplittableRandom(geometry.hashCode());
            int n = 3;
            float[] x = randomFloats(random, n * spec.inChannels() * spec.height() * spec.width());
            float[] w = randomFloats(random, spec.outChannels() * spec.patchSize());
            float[] b = randomFloats(random, spec.outChannels());
            float[] dy = randomFloats(random, n * spec.outChannels() * spec.outHeight() * spec.outWidth());
            float[][] ours = Conv2dTester.allPasses(kernel, n, x, w, b, dy);
            float[][] theirs = Conv2dTester.allPasses(reference, n, x, w, b, dy);
            String[] names = {"forward", "backward-data", "backward-weights", "bias gradient"};
            for (int i = 0; i < ours.length; i++) {
                for (int e = 0; e < ours[i].length; e++) {
                    assertEquals(theirs[i][e], ours[i][e], 1e-4 * (1 + Math.abs(theirs[i][e])), spec.key() + " " + names[i] + " at " + e);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void poolingMatchesTheDirectLoopsExactly(VectorTarget target) {
        for (String geometry : new String[] {"max c=3 h=10 w=9 k=2", "avg c=2 h=7 w=7 k=3 s=2 pad=1", "max c=5 h=6 w=6 k=3 s=1", "avg c=4 h=5 w=5 global=true"}) {
            Pool2dSpec spec = Pool2dSpec.parse("pool2d f32 " + geometry + " " + target.key());
            FloatPool2dKernel kernel = registry.floatPool2d(spec);
            GenericPool2d reference = new GenericPool2d(spec);
            SplittableRandom random = new SplittableRandom(geometry.hashCode());
            int n = 2;
            float[] x = randomFloats(random, n * spec.channels() * spec.height() * spec.width());
            int outputs = n * spec.channels() * spec.outHeight() * spec.outWidth();
            float[] y = new float[outputs];
            float[] yRef = new float[outputs];
            boolean max = spec.kind() == Pool2dSpec.Kind.MAX;
            int[] at = max ? new int[outputs] : null;
            int[] atRef = max ? new int[outputs] : null;
            kernel.forward(n, x, y, at);
            reference.forward(n, x, yRef, atRef);
            assertArrayEquals(yRef, y, 1e-6f, spec.key());
            if (max) {
                assertArrayEquals(atRef, at, spec.key() + " arg-max");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void resultsAreBitIdenticalOnOneAndTwoThreadsAtEveryWidth(VectorTarget target) {
        GemmSpec gemm = GemmSpec.of(DType.F32, GemmForm.NN, 300, 77, false, false, target);
        Conv2dSpec conv = Conv2dSpec.parse("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 " + target.key());
        SplittableRandom random = new SplittableRandom(7);
        int m = 130;
        float[] a = randomFloats(random, m * 300);
        float[] b = randomFloats(random, 300 * 77);
        int n = 5;
        float[] x = randomFloats(random, n * 6 * 14 * 14);
        float[] w = randomFloats(random, 16 * 150);
        float[] bias = randomFloats(random, 16);
        float[] dy = randomFloats(random, n * 16 * 10 * 10);
        FloatGemmKernel gemmKernel = registry.floatGemm(gemm);
        FloatConv2dKernel convKernel = registry.floatConv2d(conv);
        int before = KernelPool.threads();
        try {
            float[][] results = new float[2][];
            float[][][] convResults = new float[2][][];
            for (int threads = 1; threads <= 2; threads++) {
                KernelPool.setThreads(threads);
                float[] c = new float[m * 77];
                gemmKernel.gemm(m, a, 0, b, 0, null, c, 0);
                results[threads - 1] = c;
                convResults[threads - 1] = Conv2dTester.allPasses(convKernel, n, x, w, bias, dy);
            }
            assertArrayEquals(results[0], results[1], gemm.key());
            for (int i = 0; i < convResults[0].length; i++) {
                assertArrayEquals(convResults[0][i], convResults[1][i], conv.key() + " pass " + i);
            }
        } finally {
            KernelPool.setThreads(before);
        }
    }

    private static float[] randomFloats(SplittableRandom random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }
}
