package io.simdnet.codegen.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.VectorTarget;
import org.junit.jupiter.api.Test;

class GemmGeneratorTest {

    @Test
    void generatedFileStartsWithAHeaderNamingGeneratorVersionAndSpec() {
        GemmSpec spec = GemmSpec.of(DType.F32, GemmForm.NN, 784, 128, true, false);
        GeneratedSourceAssertions.assertHeaderNamesGeneratorVersionAndSpec(GemmGenerator.generate(spec).toString(), "GemmGenerator", spec);
    }

    @Test
    void generationIsAPureFunctionOfTheSpec() {
        GemmSpec spec = GemmSpec.of(DType.F64, GemmForm.TN, 97, 33, false, true);
        assertEquals(GemmGenerator.generate(spec).toString(), GemmGenerator.generate(GemmSpec.parse(spec.key())).toString());
    }

    @Test
    void sizesAreCompileTimeConstantsAndTheSpeciesIsTheTargetsStaticFinalOne() {
        for (VectorTarget target : new VectorTarget[] {VectorTarget.AVX512, VectorTarget.AVX2, new VectorTarget(128, 32)}) {
            String source = GemmGenerator.generate(GemmSpec.of(DType.F32, GemmForm.NN, 784, 128, false, false, target)).toString();
            assertTrue(source.contains("private static final int K = 784;"));
            assertTrue(source.contains("private static final int N = 128;"));
            assertTrue(source.contains("private static final VectorSpecies<Float> S = FloatVector.SPECIES_" + target.bits() + ";"), target.toString());
        }
    }

    @Test
    void onlyTheKernelsAShapeNeedsAreEmitted() {
        // N = 128 is two whole 64-column panels of AVX-512: no edge kernel, no mask.
        String whole = GemmGenerator.generate(GemmSpec.of(DType.F32, GemmForm.NN, 64, 128, false, false, VectorTarget.AVX512)).toString();
        assertFalse(whole.contains("microKernelEdge"));
        assertFalse(whole.contains("EDGE_MASK"));
        // N = 10 is one masked vector: only the edge kernel.
        String narrow = GemmGenerator.generate(GemmSpec.of(DType.F32, GemmForm.NN, 64, 10, false, false, VectorTarget.AVX512)).toString();
        assertFalse(narrow.contains("void microKernel("));
        assertTrue(narrow.contains("EDGE_LANES = 10;"));
    }

    @Test
    void bRowsAreCopiedOnlyWhenTheTilingAsksForPacking() {
        GemmSpec nt = GemmSpec.of(DType.F32, GemmForm.NT, 128, 784, false, false);
        assertTrue(nt.tiling().packB());
        assertTrue(GemmGenerator.generate(nt).toString().contains("void packB("));
        GemmSpec nn = GemmSpec.of(DType.F32, GemmForm.NN, 784, 128, false, false);
        assertFalse(GemmGenerator.generate(nn).toString().contains("packB("));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"gemm f32 NN k=256 n=256", "gemm f32 NN k=100 n=10 bias=true", "gemm f32 NT k=128 n=784",
        "gemm f32 TN k=784 n=128", "gemm f64 NN k=33 n=17 accumulate=true"})
    void generatedSourceNamesNoGeneratorAndHasNoStrayBlocks(String key) {
        String source = GemmGenerator.generate(GemmSpec.parse(key)).toString();
        GeneratedSourceAssertions.assertImportsNoGenerator(source);
        GeneratedSourceAssertions.assertNoBareBlocks(source);
    }

    /** Enabled by the GEMM generator's rewrite in issue 13: with K ≤ kc there is one k block, so "first block" is always true. */
    @Test
    void aSingleKBlockHasNoFirstBlockBranch() {
        GemmSpec spec = GemmSpec.parse("gemm f32 NN k=100 n=10 bias=true");
        assertTrue(spec.k() <= spec.tiling().kc(), spec.key());
        GeneratedSourceAssertions.assertAbsent(GemmGenerator.generate(spec).toString(), "firstBlock", "one k block: the branch is decided at generation time");
    }
}
