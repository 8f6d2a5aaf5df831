package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.simdnet.kernel.generated.BuildTimeKernels;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.KernelSpec;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BuildTimeGemmKernelsTest {

    private static final KernelRegistry REGISTRY = new KernelRegistry(new KernelRegistry.Options(true, false, null));

    static Stream<Arguments> catalogSpecsAndRowCounts() {
        return BuildTimeKernels.KEYS.stream().filter(key -> KernelSpec.parse(key) instanceof GemmSpec).flatMap(key -> {
            GemmSpec spec = (GemmSpec) KernelSpec.parse(key);
            // Keep the double reference affordable on the 2048² shape.
            IntStream rows = (long) spec.k() * spec.n() > 1_000_000 ? IntStream.of(1, 7, 37) : IntStream.of(1, 2, 5, 13, 64, 97, 203);
            return rows.mapToObj(m -> Arguments.of(key, m));
        });
    }

    @ParameterizedTest(name = "{0} M={1}")
    @MethodSource("catalogSpecsAndRowCounts")
    void everyCatalogKernelMatchesTheDoubleReference(String key, int m) {
        GemmSpec spec = (GemmSpec) KernelSpec.parse(key);
        assertEquals(KernelOrigin.BUILD_TIME, REGISTRY.origin(spec), "catalog specs are served by their build-time class");
        KernelTester.gemm(spec).rows(m).seed(key.hashCode() * 31L + m).test(REGISTRY.kernel(spec));
    }
}
