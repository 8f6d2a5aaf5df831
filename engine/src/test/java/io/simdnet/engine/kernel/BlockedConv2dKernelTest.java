package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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
 * blocks, maps smaller than a register tile, odd batches) and strided ones (stride 1-3 in either direction), at
 * every vector target; the double kernels by finite
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

    /** The kernel of {@code spec}, failing when it is the generic fallback (what the registry serves when javac refuses the generated source). */
    static io.simdnet.kernel.FloatConv2dKernel compiledFloat(Conv2dSpec spec) {
        io.simdnet.kernel.FloatConv2dKernel kernel = registry.floatConv2d(spec);
        assertNotEquals(KernelOrigin.GENERIC, registry.origin(spec), "the generated kernel of '" + spec.key() + "' did not compile");
        return kernel;
    }

    static io.simdnet.kernel.DoubleConv2dKernel compiledDouble(Conv2dSpec spec) {
        io.simdnet.kernel.DoubleConv2dKernel kernel = registry.doubleConv2d(spec);
        assertNotEquals(KernelOrigin.GENERIC, registry.origin(spec), "the generated kernel of '" + spec.key() + "' did not compile");
        return kernel;
    }

    static Stream<Long> seeds() {
        return IntStream.range(0, 14).mapToObj(i -> 0xB10CL + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomGeometriesMatchTheReference(long seed) {
        Conv2dSpec spec = randomSpec(seed, VectorTarget.host());
        assertEquals(Conv2dAlgorithm.BLOCKED, Conv2dAlgorithmPlan.of(spec).algorithm());
        KernelTester.conv2d(spec).seed(seed).testBatches(compiledFloat(spec), 0, 1, 1 + 2 * (int) (seed % 3));
    }

    private static final int[] STRIDED_KERNELS = {1, 2, 3, 4, 5, 7};
    private static final int[] STRIDED_CHANNELS = {1, 3, 6, 16, 17, 25, 33};

    /** A random geometry of stride 1-3 in either direction, padding 0-3 below the kernel, channels whole and partial blocks. */
    static Conv2dSpec randomStridedSpec(long seed, DType type, VectorTarget target) {
        SplittableRandom random = new SplittableRandom(seed);
        int kh = STRIDED_KERNELS[random.nextInt(STRIDED_KERNELS.length)];
        int kw = random.nextInt(3) == 0 ? STRIDED_KERNELS[random.nextInt(STRIDED_KERNELS.length)] : kh;
        int sh = 1 + random.nextInt(3);
        int sw = random.nextInt(3) == 0 ? 1 + random.nextInt(3) : sh;
        int h = kh + random.nextInt(12);
        int w = kw + random.nextInt(12);
        int c = STRIDED_CHANNELS[random.nextInt(STRIDED_CHANNELS.length)];
        int oc = STRIDED_CHANNELS[random.nextInt(STRIDED_CHANNELS.length)];
        return new Conv2dSpec(type, c, h, w, oc, kh, kw, sh, sw, random.nextInt(Math.min(4, kh)), random.nextInt(Math.min(4, kh)),
                random.nextInt(Math.min(4, kw)), random.nextInt(Math.min(4, kw)), random.nextBoolean(), random.nextInt(3) == 0, target)
                .withAlgorithm(Conv2dAlgorithm.BLOCKED);
    }

    /**
     * Strided layers: forward reads its windows a stride apart, backward-data runs on dY dilated by the stride, backward-weights
     * reads the inputs a stride apart; rows and columns no window reaches get a zero gradient.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void stridedGeometriesMatchTheReference(long seed) {
        Conv2dSpec spec = randomStridedSpec(seed * 7919, DType.F32, VectorTarget.host());
        KernelTester.conv2d(spec).seed(seed).testBatches(compiledFloat(spec), 1, 2 + (int) (seed % 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherTargets")
    void stridedGeometriesMatchTheReferenceAtEveryVectorTarget(VectorTarget target) {
        for (long seed = 0; seed < 3; seed++) {
            Conv2dSpec spec = randomStridedSpec(seed * 53 + target.bits() + target.registers(), DType.F32, target);
            KernelTester.conv2d(spec).seed(seed).testBatches(compiledFloat(spec), 3);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5, 12})
    void stridedDoubleKernelsMatchTheReferenceAndFiniteDifferences(long seed) {
        Conv2dSpec drawn = randomStridedSpec(seed * 104729, DType.F64, VectorTarget.host());
        // Without ReLU: the backward passes are the convolution's alone, which finite differences check.
        Conv2dSpec spec = new Conv2dSpec(DType.F64, drawn.inChannels(), drawn.height(), drawn.width(), drawn.outChannels(), drawn.kernelH(),
                drawn.kernelW(), drawn.strideH(), drawn.strideW(), drawn.padTop(), drawn.padBottom(), drawn.padLeft(), drawn.padRight(), drawn.bias(),
                false, drawn.target()).withAlgorithm(Conv2dAlgorithm.BLOCKED);
        KernelTester.conv2d(spec).seed(seed).testBatches(compiledDouble(spec), 1, 2);
        Conv2dKernelTest.checkGradients(spec, seed);
    }

    /** The strided layers of the course networks, beside the im2col kernels that serve them by default. */
    @Test
    void blockedAndIm2colAgreeOnStridedLayers() {
        for (String geometry : new String[] {"c=3 h=32 w=32 oc=25 kh=3 kw=3 sh=2 sw=2 pad=1", "c=64 h=16 w=16 oc=128 kh=3 kw=3 sh=2 sw=2 pad=1 bias=false",
            "c=16 h=15 w=15 oc=20 kh=4 kw=4 sh=3 sw=3 pad=0"}) {
            Conv2dSpec blocked = Conv2dSpec.parse("conv2d f32 " + geometry + " algo=blocked");
            Conv2dSpec im2col = blocked.withAlgorithm(Conv2dAlgorithm.IM2COL);
            Conv2dTester.assertAllPassesAgree(registry.floatConv2d(im2col), compiledFloat(blocked), 3, geometry.hashCode());
        }
    }

    static Stream<VectorTarget> otherTargets() {
        return Stream.of(VectorTarget.AVX512, VectorTarget.AVX2, new VectorTarget(128, 32), new VectorTarget(128, 16));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherTargets")
    void everyVectorTargetMatchesTheReference(VectorTarget target) {
        for (long seed = 0; seed < 3; seed++) {
            Conv2dSpec spec = randomSpec(seed * 37 + target.bits() + target.registers(), target);
            KernelTester.conv2d(spec).seed(seed).testBatches(compiledFloat(spec), 3);
        }
    }

    /**
     * The copies between NCHW and the blocked layout transpose whole vectors for full channel blocks and runs of v
     * positions, and copy the rest lane by lane: channels and positions that fill whole vectors, leave a rest, or
     * fill none, in both precisions at every width.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("otherTargets")
    void layoutCopiesCoverWholeVectorsAndTheirRests(VectorTarget target) {
        for (DType type : DType.values()) {
            int v = type.lanes(target.bits());
            int[][] geometries = {
                {v, 4, 4, v, 1}, {v + 3, 5, 5, v + 5, 1}, {2 * v, 3, 3, 2, 1}, {3, 7, 6, 2 * v, 0}, {v, 1, 1, v, 1}, {2 * v + 1, 6, 5, v - 1, 0}, {v, 4, 4, v, 0}, {v, 5, 5, 2 * v, 0}};
            for (int[] g : geometries) {
                Conv2dSpec spec = Conv2dSpec.parse("conv2d " + type.name().toLowerCase(java.util.Locale.ROOT) + " c=" + g[0] + " h=" + g[1] + " w=" + g[2]
                        + " oc=" + g[3] + " kh=3 kw=3 pad=" + g[4] + " bias=true " + target.key() + " algo=blocked");
                if (spec.outHeight() < 1 || spec.outWidth() < 1) {
                    continue;
                }
                if (type == DType.F32) {
                    KernelTester.conv2d(spec).seed(g[0] * 31L + g[1]).testBatches(compiledFloat(spec), 2);
                } else {
                    KernelTester.conv2d(spec).seed(g[0] * 31L + g[1]).testBatches(compiledDouble(spec), 2);
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3, 8, 21})
    void doubleKernelsMatchTheReferenceAndFiniteDifferences(long seed) {
        Conv2dSpec f32 = randomSpec(seed, VectorTarget.host());
        Conv2dSpec spec = new Conv2dSpec(DType.F64, f32.inChannels(), f32.height(), f32.width(), f32.outChannels(), f32.kernelH(), f32.kernelW(), 1, 1,
                f32.padTop(), f32.padBottom(), f32.padLeft(), f32.padRight(), f32.bias(), false, f32.target()).withAlgorithm(Conv2dAlgorithm.BLOCKED);
        KernelTester.conv2d(spec).seed(seed).testBatches(compiledDouble(spec), 1, 2);
        Conv2dKernelTest.checkGradients(spec, seed);
    }

    @Test
    void blockedAndDirectAgreeOnTheLayersOfTheBenchmarks() {
        for (String geometry : new String[] {"c=6 h=14 w=14 oc=16 kh=5 kw=5", "c=1 h=28 w=28 oc=6 kh=5 kw=5 padding=same",
            "c=32 h=8 w=8 oc=32 kh=3 kw=3 pad=1", "c=64 h=16 w=16 oc=64 kh=3 kw=3 pad=1 bias=false"}) {
            Conv2dSpec blocked = Conv2dSpec.parse("conv2d f32 " + geometry + " algo=blocked");
            Conv2dSpec direct = blocked.withAlgorithm(Conv2dAlgorithm.DIRECT);
            Conv2dTester.assertAllPassesAgree(registry.floatConv2d(direct), compiledFloat(blocked), 2, geometry.hashCode());
        }
    }
}
