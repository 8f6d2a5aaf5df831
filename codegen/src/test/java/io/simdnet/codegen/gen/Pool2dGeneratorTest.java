package io.simdnet.codegen.gen;

import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertAbsent;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertImportsNoGenerator;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertNoBareBlocks;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.assertPresent;
import static io.simdnet.codegen.gen.GeneratedSourceAssertions.edgeTests;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.kernel.spec.Pool2dSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the pooling generator emits, read as text. */
class Pool2dGeneratorTest {

    private static String generate(String key) {
        return Pool2dGenerator.generate(Pool2dSpec.parse(key)).toString();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pool2d f32 max c=6 h=28 w=28 k=2 s=2", "pool2d f32 avg c=64 h=8 w=8 global=true", "pool2d f64 max c=3 h=7 w=7 k=3 s=2 pad=1",
        "pool2d f32 avg c=3 h=9 w=9 k=3 s=2 pad=1"})
    void generatedSourceNamesNoGenerator(String key) {
        assertImportsNoGenerator(generate(key));
    }

    @Test
    void anUnpaddedSpecTestsNoBounds() {
        String source = generate("pool2d f32 max c=6 h=28 w=28 k=2 s=2");
        assertEquals(List.of(), edgeTests(source), "without padding every window lies inside the image");
    }

    @Test
    void aPaddedSpecSkipsThePaddingTaps() {
        String source = generate("pool2d f64 max c=3 h=7 w=7 k=3 s=2 pad=1");
        assertEquals(List.of("H", "W"), edgeTests(source), "the first and last window rows and columns reach into the padding");
    }

    @Test
    void maxPoolingKeepsTheFirstMaximumAndLetsNaNWin() {
        String source = generate("pool2d f64 max c=3 h=7 w=7 k=3 s=2 pad=1");
        // Strictly greater keeps the first of equal values; v != v is NaN, which replaces any non-NaN best.
        assertPresent(source, "v > best || (v != v && best == best)", "PyTorch's tie and NaN rules");
    }

    @Test
    void generationIsAPureFunctionOfTheSpec() {
        String key = "pool2d f32 avg c=5 h=9 w=11 k=3 s=2 pad=1";
        assertEquals(generate(key), Pool2dGenerator.generate(Pool2dSpec.parse(Pool2dSpec.parse(key).key())).toString());
    }

    @Test
    void theHeaderNamesGeneratorVersionAndFullSpec() {
        Pool2dSpec spec = Pool2dSpec.parse("pool2d f32 max c=6 h=28 w=28 k=2 s=2");
        GeneratedSourceAssertions.assertHeaderNamesGeneratorVersionAndSpec(Pool2dGenerator.generate(spec).toString(), "Pool2dGenerator", spec);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pool2d f32 avg c=64 h=8 w=8 global=true", "pool2d f64 max c=3 h=7 w=7 k=3 s=2 pad=1"})
    void generatedSourceHasNoStrayBlocks(String key) {
        assertNoBareBlocks(generate(key));
    }

    /** Enabled by the pooling generator's rewrite in issue 13: today's unpadded max pooling still holds beginControlFlow("") blocks. */
    @Test
    void unpaddedMaxPoolingHasNoStrayBlocks() {
        assertNoBareBlocks(generate("pool2d f32 max c=6 h=28 w=28 k=2 s=2"));
    }

    /** Enabled by the pooling generator's rewrite in issue 13; today's average pooling still declares the arg-max species. */
    @Test
    void averagePoolingHoldsNothingOfTheArgMax() {
        String source = generate("pool2d f32 avg c=64 h=8 w=8 global=true");
        assertAbsent(source, "VectorSpecies<Integer>", "average pooling records no indices");
        assertAbsent(source, "argmax[", "average pooling records no indices");
    }
}
