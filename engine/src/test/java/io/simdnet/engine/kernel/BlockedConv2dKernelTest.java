package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.kernel.DType;
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
 * The {@link Conv2dAlgorithm#BLOCKED} kernels against the double-precision reference on random stride-1
 * geometries (kernel 1-7, padding 0-3 below the kernel or 'same', 1-70 channels: whole and partial channel
 * blocks, maps smaller than a register tile, odd batches), at every vector target; the double kernels by finite
 * differences; agreeing with DIRECT on the layers of the benchmarks. Bit-identical results on 1, 2 and 3 threads and
 * the fused ReLU: {@link DirectConv2dKernelTest}, for both algorithms.
 */
class BlockedConv2dKernelTest {

    @TempDir
    static Path cache;

    private static KernelRegistry registry;

    @BeforeAll
    static void createRegistry() {
        registry = new KernelRegistry(new KernelRegistry.Options(true, true, cache));
    }

    static Conv2dSpec randomSpec(long seed, VectorTarget target) {
        return DirectConv2dKernelTest.randomSpec(seed, target).withAlgorithm(Conv2dAlgorithm.BLOCKED);
    }

    static Stream<Long> seeds() {
        return IntStream.range(0, 14).mapToObj(i -> 0xB10CL + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomGeometriesMatchTheReference(long seed) {
        Conv2dSpec spec = randomSpec(seed, VectorTarget.host());
        assertEquals(Conv2dAlgorithm.BLOCKED, Conv2dAlgorithmPlan.of(spec).algorithm());
        KernelTester.conv2d(spec).seed(seed).testBatches(registry.floatConv2d(spec), 0, 1, 1 + 2 * (int) (seed % 3));
    }

    static Stream<VectorTarget> otherTargets() {
        return Stream.of(VectorTarget.AVX512, VectorTarget.AVX2, new VectorTarget(128, 32), new VectorTarget(128, 16));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherTargets")
    void everyVectorTargetMatchesTheReference(VectorTarget target) {
        for (long seed = 0; seed < 3; seed++) {
            Conv2dSpec spec = randomSpec(seed * 37 + target.bits() + target.registers(), target);
            KernelTester.conv2d(spec).seed(seed).testBatches(registry.floatConv2d(spec), 3);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3, 8, 21})
    void doubleKernelsMatchTheReferenceAndFiniteDifferences(long seed) {
        Conv2dSpec f32 = randomSpec(seed, VectorTarget.host());
        Conv2dSpec spec = new Conv2dSpec(DType.F64, f32.inChannels(), f32.height(), f32.width(), f32.outChannels(), f32.kernelH(), f32.kernelW(), 1, 1,
                f32.padTop(), f32.padBottom(), f32.padLeft(), f32.padRight(), f32.bias(), false, f32.target()).withAlgorithm(Conv2dAlgorithm.BLOCKED);
        KernelTester.conv2d(spec).seed(seed).testBatches(registry.doubleConv2d(spec), 1, 2);
        Conv2dKernelTest.checkGradients(spec, seed);
    }

    @Test
    void blockedAndDirectAgreeOnTheLayersOfTheBenchmarks() {
        for (String geometry : new String[] {"c=6 h=14 w=14 oc=16 kh=5 kw=5", "c=1 h=28 w=28 oc=6 kh=5 kw=5 padding=same",
            "c=32 h=8 w=8 oc=32 kh=3 kw=3 pad=1", "c=64 h=16 w=16 oc=64 kh=3 kw=3 pad=1 bias=false"}) {
            Conv2dSpec blocked = Conv2dSpec.parse("conv2d f32 " + geometry + " algo=blocked");
            Conv2dSpec direct = blocked.withAlgorithm(Conv2dAlgorithm.DIRECT);
            SplittableRandom random = new SplittableRandom(geometry.hashCode());
            int n = 2;
            float[] x = KernelTester.toFloat(KernelTester.random(random, n * blocked.inChannels() * blocked.height() * blocked.width()));
            float[] w = KernelTester.toFloat(KernelTester.random(random, blocked.outChannels() * blocked.patchSize()));
            float[] b = blocked.bias() ? KernelTester.toFloat(KernelTester.random(random, blocked.outChannels())) : null;
            float[] dy = KernelTester.toFloat(KernelTester.random(random, n * blocked.outChannels() * blocked.outHeight() * blocked.outWidth()));
            float[][] a = Conv2dTester.allPasses(registry.floatConv2d(blocked), n, x, w, b, dy);
            float[][] c = Conv2dTester.allPasses(registry.floatConv2d(direct), n, x, w, b, dy);
            for (int pass = 0; pass < a.length; pass++) {
                for (int e = 0; e < a[pass].length; e++) {
                    assertEquals(c[pass][e], a[pass][e], 1e-4 * (1 + Math.abs(c[pass][e])), geometry + " pass " + pass + " at " + e);
                }
            }
        }
    }
}
