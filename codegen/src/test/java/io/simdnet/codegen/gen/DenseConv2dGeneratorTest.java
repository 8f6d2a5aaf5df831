package io.simdnet.codegen.gen;

import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertAbsent;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertImportsNoGenerator;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertNoBareBlocks;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertPresent;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.edgeTests;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.extentLoops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.GemmSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the generator of convolutions whose kernel covers the whole input (a dense layer in disguise) emits. */
class DenseConv2dGeneratorTest {

    private static String generate(String key) {
        Conv2dSpec spec = Conv2dSpec.parse(key);
        assertEquals(Conv2dAlgorithm.DENSE, Conv2dAlgorithmPlan.of(spec).algorithm(), key);
        return DenseConv2dGenerator.generate(spec).toString();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv2d f32 c=16 h=5 w=5 oc=120 kh=5 kw=5", "conv2d f64 c=3 h=4 w=3 oc=7 kh=4 kw=3 bias=false",
        "conv2d f32 c=16 h=5 w=5 oc=12 kh=5 kw=5 relu=true"})
    void generatedSourceNamesNoGeneratorAndHasNoStrayBlocks(String key) {
        String source = generate(key);
        assertImportsNoGenerator(source);
        assertNoBareBlocks(source);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv2d f32 c=16 h=5 w=5 oc=120 kh=5 kw=5", "conv2d f64 c=3 h=4 w=3 oc=7 kh=4 kw=3 bias=false"})
    void theFixedGemmsOfThePlanAreKeyConstants(String key) {
        Conv2dSpec spec = Conv2dSpec.parse(key);
        String source = generate(key);
        assertTrue(!Conv2dAlgorithmPlan.of(spec).fixedGemms().isEmpty(), "a dense convolution's forward and backward-data GEMMs are fixed");
        for (GemmSpec gemm : Conv2dAlgorithmPlan.of(spec).fixedGemms()) {
            assertPresent(source, "= \"" + gemm.key() + "\";", "the plan's GEMM as a key constant");
        }
    }

    @Test
    void noImageLoopsOrPatchCopiesAreEmitted() {
        String source = generate("conv2d f32 c=16 h=5 w=5 oc=120 kh=5 kw=5");
        // The input is already the patch matrix: one GEMM per pass, nothing to gather.
        assertEquals(List.of("OC"), extentLoops(source), "the one loop over a size is the bias gradient's over the channels: no rows or columns to walk");
        assertEquals(List.of(), edgeTests(source), "no pixel to hold against the image's edges");
        assertAbsent(source, "col2im", "no patches to scatter back");
        assertAbsent(source, "im2col(", "no patches to gather");
    }

    @Test
    void generationIsAPureFunctionOfTheSpec() {
        String key = "conv2d f32 c=5 h=2 w=6 oc=33 kh=2 kw=6 sh=2";
        assertEquals(generate(key), DenseConv2dGenerator.generate(Conv2dSpec.parse(Conv2dSpec.parse(key).key())).toString());
    }
}
