package io.simdnet.codegen.gen;

import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertAbsent;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertHeaderNamesGeneratorVersionAndSpec;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertImportsNoGenerator;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertNoBareBlocks;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertPresent;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.edgeTests;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.codegen.plan.DirectConvPass;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the direct convolution generator emits, read as text. */
class DirectConv2dGeneratorTest {

    private static String generate(String key) {
        Conv2dSpec spec = Conv2dSpec.parse(key);
        assertEquals(Conv2dAlgorithm.DIRECT, Conv2dAlgorithmPlan.of(spec).algorithm(), key);
        return DirectConv2dGenerator.generate(spec).toString();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 algo=direct", "conv2d f32 c=1 h=28 w=28 oc=6 kh=5 kw=5 padding=same relu=true algo=direct",
        "conv2d f64 c=32 h=32 w=32 oc=32 kh=3 kw=3 pad=1 bias=false bits=256 regs=16 algo=direct"})
    void generatedSourceNamesNoGeneratorAndHasNoStrayBlocks(String key) {
        String source = generate(key);
        assertImportsNoGenerator(source);
        assertNoBareBlocks(source);
        assertHeaderNamesGeneratorVersionAndSpec(source, "DirectConv2dGenerator", Conv2dSpec.parse(key));
    }

    @Test
    void noPassCallsAGemmOrTestsBoundsOrMasks() {
        String source = generate("conv2d f32 c=32 h=32 w=32 oc=32 kh=3 kw=3 pad=1 relu=true algo=direct");
        assertAbsent(source, "GemmKernel", "a direct convolution multiplies in its own register tiles");
        assertAbsent(source, "KernelLookup", "it looks no other kernel up");
        assertAbsent(source, "VectorMask", "the padded buffer and the wide rows leave no partial vector to mask");
        assertEquals(List.of(), edgeTests(source), "padding is in the buffer, not tested per tap");
        assertAbsent(source, "indexInRange", "padding is in the buffer, not tested per tap");
    }

    @Test
    void theRegisterTileFitsTheTargetsRegisters() {
        for (String key : new String[] {"conv2d f32 c=32 h=32 w=32 oc=32 kh=3 kw=3 pad=1 bits=512 regs=32 algo=direct",
            "conv2d f32 c=32 h=32 w=32 oc=32 kh=3 kw=3 pad=1 bits=256 regs=16 algo=direct", "conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 bits=128 regs=32 algo=direct"}) {
            Conv2dSpec spec = Conv2dSpec.parse(key);
            DirectConvPass forward = Conv2dAlgorithmPlan.of(spec).forwardPass();
            int used = DirectConvPass.registersUsed(forward.outChannelBlock(), forward.vectors());
            org.junit.jupiter.api.Assertions.assertTrue(used <= spec.target().registers(), key + ": " + used + " registers");
            String whole = generate(key);
            String source = whole.substring(whole.indexOf("class Forward"), whole.indexOf("class BackwardData"));
            assertPresent(source, "static final int BLOCK = " + forward.outChannelBlock() + ";", "the tile's channel block is a constant");
            assertPresent(source, "a" + (forward.outChannelBlock() - 1) + "_" + (forward.vectors() - 1) + " = ", "the last accumulator of the tile");
            assertAbsent(source, "a" + forward.outChannelBlock() + "_0 = ", "no accumulator beyond the tile");
        }
    }

    @Test
    void biasStartsTheAccumulatorsAndReluClampsTheStoreOnlyWhenAsked() {
        String plain = generate("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 bias=false algo=direct");
        assertAbsent(plain, "bias[", "no bias");
        assertAbsent(plain, ".max(0)", "no ReLU");
        String fused = generate("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 relu=true algo=direct");
        assertPresent(fused, "= FloatVector.broadcast(S, bias[oc", "accumulators start at the bias");
        assertPresent(fused, ".max(0).intoArray(wide", "the forward store clamps at zero");
    }

    @Test
    void theTapsAreALoopWhoseBodyIsOneTapOfTheTile() {
        String source = generate("conv2d f32 c=32 h=32 w=32 oc=32 kh=3 kw=3 pad=1 algo=direct");
        assertPresent(source, "for (int j = 0; j < KW; j++)", "the window is a loop: unrolled by hand it ran 0.6-0.7x as fast");
        assertAbsent(source, "// tap (", "no hand-unrolled taps");
    }

    @Test
    void specsDirectCannotComputeAreRefusedByName() {
        IllegalArgumentException strided = assertThrows(IllegalArgumentException.class,
                () -> Conv2dAlgorithmPlan.of(Conv2dSpec.parse("conv2d f32 c=3 h=31 w=31 oc=25 kh=3 kw=3 sh=2 pad=1 algo=direct")));
        assertPresent(strided.getMessage(), "stride 1, got 2×2", "the message names the stride");
        IllegalArgumentException padded = assertThrows(IllegalArgumentException.class,
                () -> Conv2dAlgorithmPlan.of(Conv2dSpec.parse("conv2d f32 c=3 h=8 w=8 oc=4 kh=2 kw=2 pad=2 algo=direct")));
        assertPresent(padded.getMessage(), "padding below the kernel size", "the message names the padding rule");
        assertThrows(IllegalArgumentException.class, () -> DirectConv2dGenerator.generate(Conv2dSpec.parse("conv2d f32 c=3 h=8 w=8 oc=4 kh=3 kw=3 algo=im2col")));
    }
}
