package io.simdnet.engine.kernel.generic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.simdnet.engine.kernel.GemmTester;
import io.simdnet.engine.kernel.KernelOrigin;
import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.KernelTester;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GenericGemmTest {

    private static final KernelRegistry GENERIC_ONLY = new KernelRegistry(new KernelRegistry.Options(false, false, null));
    private static final KernelRegistry BUILT = new KernelRegistry(new KernelRegistry.Options(true, false, null));

    @ParameterizedTest(name = "{0} {1} K={2} N={3} M={4}")
    @CsvSource({
        "f32, NN, 784, 128, 33", "f32, NT, 128, 784, 17", "f32, TN, 128, 128, 101", "f32, NN, 64, 10, 1",
        "f64, NN, 64, 64, 9", "f64, NT, 64, 64, 70", "f64, TN, 64, 64, 3"})
    void genericKernelMatchesTheDoubleReference(String type, GemmForm form, int k, int n, int m) {
        GemmSpec spec = GemmSpec.of(DType.fromToken(type), form, k, n, false, false);
        assertEquals(KernelOrigin.GENERIC, GENERIC_ONLY.origin(spec));
        KernelTester.gemm(spec).rows(m).seed(7).test(GENERIC_ONLY.kernel(spec));
    }

    @ParameterizedTest(name = "{0} K={1} N={2} bias={3}")
    @CsvSource({"NN, 784, 128, true", "NT, 128, 784, false", "TN, 128, 128, false", "NN, 64, 10, true"})
    void genericKernelGivesTheSameBitsAsTheGeneratedOne(GemmForm form, int k, int n, boolean bias) {
        GemmSpec spec = GemmSpec.of(DType.F32, form, k, n, bias, false);
        GemmTester gemm = KernelTester.gemm(spec).rows(45).seed(3);
        assertEquals(KernelOrigin.BUILD_TIME, BUILT.origin(spec));
        assertArrayEquals(gemm.runFloat(BUILT.floatGemm(spec)), gemm.runFloat(GENERIC_ONLY.floatGemm(spec)));
    }
}
