package io.simdnet.codegen.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.GemmTiling;
import io.simdnet.kernel.spec.KernelSpec;
import io.simdnet.kernel.spec.Pool2dSpec;
import io.simdnet.kernel.spec.VectorTarget;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The variants the autotuner measures: the default first, all computing the same function, within the register budget, few. */
class KernelVariantsTest {

    private static final List<VectorTarget> TARGETS = List.of(VectorTarget.AVX512, VectorTarget.AVX2, new VectorTarget(128, 32),
            new VectorTarget(128, 16));

    private static final int[] SIZES = {1, 2, 3, 7, 10, 15, 16, 17, 31, 33, 47, 64, 65, 100, 128, 200, 257, 300, 513, 784, 1024};

    static Stream<Long> seeds() {
        return IntStream.range(0, 40).mapToObj(i -> 0x7A21A47L + i);
    }

    static GemmSpec randomGemm(SplittableRandom random) {
        return GemmSpec.of(DType.F32, GemmForm.values()[random.nextInt(3)], SIZES[random.nextInt(SIZES.length)], SIZES[random.nextInt(SIZES.length)],
                random.nextBoolean(), random.nextBoolean(), TARGETS.get(random.nextInt(TARGETS.size())));
    }

    static Conv2dSpec randomConv(SplittableRandom random) {
        int stride = 1 + random.nextInt(2);
        int k = 1 + random.nextInt(5);
        int pad = random.nextInt(Math.min(3, k));
        int h = Math.max(k, 3 + random.nextInt(14));
        int w = Math.max(k, 3 + random.nextInt(14));
        int c = 1 + random.nextInt(40);
        int oc = 1 + random.nextInt(40);
        return new Conv2dSpec(DType.F32, c, h, w, oc, k, k, stride, stride, pad, pad, pad, pad, random.nextBoolean(), random.nextBoolean(),
                TARGETS.get(random.nextInt(TARGETS.size())));
    }

    /** The properties every spec's variants have, whatever its kind. */
    private static void assertWellFormed(KernelSpec spec, int batch, List<KernelSpec> variants) {
        String what = spec.key() + " batch " + batch + ": ";
        assertTrue(variants.size() >= 1 && variants.size() <= 16, what + variants.size() + " variants, expected 1..16");
        assertEquals(spec, variants.getFirst(), what + "the first variant is the spec itself");
        Set<String> keys = new HashSet<>();
        for (KernelSpec v : variants) {
            assertTrue(keys.add(v.key()), what + "variant '" + v.key() + "' listed twice");
            assertTrue(KernelVariants.isVariantOf(v, spec), what + "'" + v.key() + "' is not a variant of it");
            assertEquals(spec.target(), v.target(), what + "'" + v.key() + "' is for another vector target");
            assertEquals(v, KernelSpec.parse(v.key()), what + "'" + v.key() + "' does not read back from its key (a record stores the key)");
            if (v instanceof Conv2dSpec conv) {
                assertNotNull(Conv2dAlgorithmPlan.of(conv), what + v.key());
            }
        }
        Set<String> classNames = new HashSet<>();
        for (KernelSpec v : variants) {
            assertTrue(classNames.add(v.className()), what + "two variants share the class name " + v.className());
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void gemmVariantsStartWithTheSpecAreDistinctAndFitTheRegisters(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        GemmSpec spec = randomGemm(random);
        int m = 1 + random.nextInt(400);
        List<KernelSpec> variants = KernelVariants.of(spec, m);
        assertWellFormed(spec, m, variants);
        String what = "seed " + seed + " " + spec.key() + " M=" + m + ": ";
        int registers = spec.target().registers();
        for (KernelSpec v : variants) {
            GemmTiling t = ((GemmSpec) v).tiling();
            assertTrue(GemmTiling.registers(t.mr(), t.nrVectors()) <= registers,
                    what + v.key() + " needs " + GemmTiling.registers(t.mr(), t.nrVectors()) + " registers of " + registers);
            if (v != variants.getFirst()) {
                assertTrue(t.mr() <= 16 && t.nrVectors() <= 4, what + v.key() + ": micro-tile beyond 16 rows × 4 vectors");
                assertTrue(t.nc() % t.nr(DType.F32) == 0, what + v.key());
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void convolutionVariantsStartWithTheSpecAndAreValidSpecsOfTheirOwn(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Conv2dSpec spec = randomConv(random);
        int batch = 1 + random.nextInt(64);
        assertWellFormed(spec, batch, KernelVariants.of(spec, batch));
    }

    @Test
    void theDefaultIsTheOnlyVariantWithTheDefaultTiling() {
        GemmSpec spec = GemmSpec.of(DType.F32, GemmForm.NN, 784, 128, true, false, VectorTarget.AVX512);
        List<KernelSpec> variants = KernelVariants.of(spec, 128);
        assertTrue(variants.size() > 1, variants.toString());
        for (KernelSpec v : variants.subList(1, variants.size())) {
            assertFalse(((GemmSpec) v).tiling().equals(spec.tiling()), v.key());
        }
    }

    @Test
    void aVariantIsNotADefaultSoItHasNoVariantsOfItsOwnAsAVariantOfAnother() {
        GemmSpec spec = GemmSpec.of(DType.F32, GemmForm.NN, 300, 65, false, false, VectorTarget.AVX2);
        KernelSpec other = KernelVariants.of(spec, 50).get(1);
        assertEquals(spec, KernelVariants.defaultOf(other));
        assertFalse(KernelVariants.isVariantOf(spec, other), "a record keyed by a variant is never used");
        GemmSpec otherShape = GemmSpec.of(DType.F32, GemmForm.NN, 300, 66, false, false, VectorTarget.AVX2);
        assertFalse(KernelVariants.isVariantOf(otherShape, spec));
        assertFalse(KernelVariants.isVariantOf(spec.withTiling(spec.tiling()), otherShape));
        GemmSpec otherTarget = GemmSpec.of(DType.F32, GemmForm.NN, 300, 65, false, false, VectorTarget.AVX512);
        assertFalse(KernelVariants.isVariantOf(otherTarget, spec), "another vector target computes on other registers");
    }

    @Test
    void float64SpecsHaveExactlyOneVariant() {
        GemmSpec gemm = GemmSpec.of(DType.F64, GemmForm.NN, 300, 100, true, false, VectorTarget.AVX512);
        assertEquals(List.of(gemm), KernelVariants.of(gemm, 64));
        Conv2dSpec conv = new Conv2dSpec(DType.F64, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 0, 0, true, false, VectorTarget.AVX2);
        assertEquals(List.of(conv), KernelVariants.of(conv, 8));
    }

    @Test
    void poolingHasExactlyOneVariant() {
        Pool2dSpec max = Pool2dSpec.max(DType.F32, 16, 28, 28, 2, 2, 0).withTarget(VectorTarget.AVX512);
        assertEquals(List.of(max), KernelVariants.of(max, 32));
        Pool2dSpec average = Pool2dSpec.globalAverage(DType.F32, 64, 8, 8).withTarget(VectorTarget.AVX2);
        assertEquals(List.of(average), KernelVariants.of(average, 1));
    }

    @Test
    void aStridedConvolutionOffersNoDirectVariant() {
        for (VectorTarget target : TARGETS) {
            Conv2dSpec spec = new Conv2dSpec(DType.F32, 16, 16, 16, 32, 3, 3, 2, 2, 1, 1, 1, 1, true, false, target);
            List<KernelSpec> variants = KernelVariants.of(spec, 4);
            for (KernelSpec v : variants) {
                Conv2dSpec c = (Conv2dSpec) v;
                assertFalse(c.algorithm() == Conv2dAlgorithm.DIRECT || Conv2dAlgorithmPlan.of(c).algorithm() == Conv2dAlgorithm.DIRECT, v.key());
                assertEquals(null, c.tiles(), v.key());
            }
        }
    }

    @Test
    void aStrideOneConvolutionOffersIm2colBlockedAndDirectTiles() {
        for (VectorTarget target : TARGETS) {
            Conv2dSpec spec = new Conv2dSpec(DType.F32, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 0, 0, true, false, target);
            List<KernelSpec> variants = KernelVariants.of(spec, 8);
            assertWellFormed(spec, 8, variants);
            assertTrue(variants.stream().anyMatch(v -> ((Conv2dSpec) v).algorithm() == Conv2dAlgorithm.IM2COL), target + ": " + variants);
            assertTrue(variants.stream().anyMatch(v -> Conv2dAlgorithmPlan.of((Conv2dSpec) v).algorithm() == Conv2dAlgorithm.BLOCKED),
                    target + ": " + variants);
            List<Conv2dSpec> tiled = variants.stream().map(v -> (Conv2dSpec) v).filter(v -> v.tiles() != null).toList();
            assertFalse(tiled.isEmpty(), target + ": no DIRECT tiles among " + variants);
            for (Conv2dSpec t : tiled) {
                assertEquals(Conv2dAlgorithm.DIRECT, Conv2dAlgorithmPlan.of(t).algorithm(), t.key());
            }
        }
    }

    @Test
    void aBatchBelowOneIsRefusedWithAMessageNamingIt() {
        GemmSpec spec = GemmSpec.of(DType.F32, GemmForm.NN, 10, 10, false, false, VectorTarget.AVX2);
        for (int batch : new int[] {0, -3}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelVariants.of(spec, batch));
            assertTrue(e.getMessage().contains("batch = " + batch), e.getMessage());
            assertTrue(e.getMessage().contains(spec.key()), e.getMessage());
        }
    }
}
