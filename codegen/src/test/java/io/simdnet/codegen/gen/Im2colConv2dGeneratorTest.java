package io.simdnet.codegen.gen;

import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertAbsent;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertImportsNoGenerator;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertNoBareBlocks;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertPresent;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.edgeTests;
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

/** What the im2col convolution generator emits, read as text. */
class Im2colConv2dGeneratorTest {

    private static String generate(String key) {
        Conv2dSpec spec = Conv2dSpec.parse(key);
        assertEquals(Conv2dAlgorithm.IM2COL, Conv2dAlgorithmPlan.of(spec).algorithm(), key);
        return Im2colConv2dGenerator.generate(spec).toString();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 algo=im2col", "conv2d f32 c=1 h=28 w=28 oc=6 kh=5 kw=5 padding=same relu=true algo=im2col",
        "conv2d f64 c=3 h=31 w=31 oc=25 kh=3 kw=3 sh=2 pad=1 bias=false"})
    void generatedSourceNamesNoGeneratorAndHasNoStrayBlocks(String key) {
        String source = generate(key);
        assertImportsNoGenerator(source);
        assertNoBareBlocks(source);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 algo=im2col", "conv2d f32 c=1 h=28 w=28 oc=6 kh=5 kw=5 padding=same relu=true algo=im2col",
        "conv2d f64 c=3 h=31 w=31 oc=25 kh=3 kw=3 sh=2 pad=1 bias=false"})
    void theGemmsOfThePlanAreKeyConstants(String key) {
        Conv2dSpec spec = Conv2dSpec.parse(key);
        String source = generate(key);
        List<GemmSpec> gemms = Conv2dAlgorithmPlan.of(spec).fixedGemms();
        assertTrue(gemms.size() >= 3, "forward, backward-data and backward-weights GEMMs: " + gemms);
        for (GemmSpec gemm : gemms) {
            assertPresent(source, "= \"" + gemm.key() + "\";", "the plan's GEMM as a key constant, looked up once, never re-derived");
        }
    }

    @Test
    void anUnpaddedSpecTestsNoBounds() {
        String source = generate("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 algo=im2col");
        assertEquals(List.of(), edgeTests(source), "without padding every pixel a tap reads is inside the image");
        assertAbsent(source, "static final int PT", "no top padding to subtract");
        assertAbsent(source, "- PT", "no top padding to subtract");
    }

    @Test
    void aFusedReluIsEmittedOnlyWhenTheSpecAsksForOne() {
        // Unpadded, so no column range is clipped with Math.max either: any Math.max is the ReLU.
        assertAbsent(generate("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 algo=im2col"), "Math.max(", "no ReLU to apply");
        assertPresent(generate("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 relu=true algo=im2col"), "Math.max(", "the forward pass clamps at zero");
    }

    @Test
    void aPaddedSpecClipsTheTapsToTheImage() {
        String source = generate("conv2d f32 c=1 h=28 w=28 oc=6 kh=5 kw=5 padding=same relu=true algo=im2col");
        // im2col and col2im each hold a tap's row against the image's top and bottom, and no column against its sides.
        assertEquals(List.of("H", "H"), edgeTests(source), "rows above and below the image are padding");
        assertPresent(source, "owFrom", "the columns a tap reads inside the image are computed once per row, not tested per pixel");
    }

    @Test
    void generationIsAPureFunctionOfTheSpec() {
        String key = "conv2d f32 c=3 h=9 w=7 oc=5 kh=3 kw=2 sh=2 sw=1 pt=1 pb=0 pl=1 pr=1";
        assertEquals(generate(key), Im2colConv2dGenerator.generate(Conv2dSpec.parse(Conv2dSpec.parse(key).key())).toString());
    }

    @Test
    void theHeaderNamesGeneratorVersionAndFullSpec() {
        Conv2dSpec spec = Conv2dSpec.parse("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 algo=im2col");
        GeneratedSourceAssertions.assertHeaderNamesGeneratorVersionAndSpec(Im2colConv2dGenerator.generate(spec).toString(), "Im2colConv2dGenerator", spec);
    }
}
