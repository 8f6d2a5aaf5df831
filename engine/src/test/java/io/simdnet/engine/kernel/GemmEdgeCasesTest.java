package io.simdnet.engine.kernel;

import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.GemmTiling;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The row counts where a GEMM's loops change shape: none, every partial micro-tile, and around one mc block. */
class GemmEdgeCasesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gemm f32 NN k=100 n=10 bias=true", "gemm f32 NT k=128 n=784", "gemm f32 TN k=784 n=128",
        "gemm f32 NN k=1 n=1", "gemm f32 NN k=17 n=33 bias=true accumulate=true", "gemm f32 TN k=7 n=65 bias=true accumulate=true",
        "gemm f64 NN k=33 n=17 accumulate=true", "gemm f64 NT k=9 n=130 bias=true", "gemm f64 TN k=64 n=8"})
    void everyRowCountFromZeroPastTwoMicroTilesAndAroundOneBlockMatchesTheReference(String key) {
        GemmSpec spec = GemmSpec.parse(key);
        GemmTiling tiling = spec.tiling();
        Kernel kernel = KernelRegistry.global().kernel(spec);
        int[] rows = IntStream.concat(IntStream.rangeClosed(0, 2 * tiling.mr() + 1), IntStream.of(tiling.mc() - 1, tiling.mc(), tiling.mc() + 1))
                .filter(m -> m >= 0).distinct().toArray();
        GemmTester tester = KernelTester.gemm(spec).seed(key.hashCode());
        tester.testRows(kernel, rows);
    }
}
