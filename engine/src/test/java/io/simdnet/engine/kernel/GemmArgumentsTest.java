package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import org.junit.jupiter.api.Test;

class GemmArgumentsTest {

    private final GemmSpec spec = GemmSpec.of(DType.F32, GemmForm.NN, 784, 128, true, false);
    private final FloatGemmKernel kernel = KernelRegistry.global().floatGemm(spec);

    private static void assertMessage(IllegalArgumentException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should mention '" + part + "'");
        }
    }

    @Test
    void tooShortAIsRejectedNamingTheOperandAndSizes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> kernel.gemm(4, new float[4 * 784 - 1], 0, new float[784 * 128], 0, new float[128], new float[4 * 128], 0));
        assertMessage(e, "A (M×K)", "3136", "3135");
    }

    @Test
    void offsetPastTheEndOfCIsRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> kernel.gemm(4, new float[4 * 784], 0, new float[784 * 128], 0, new float[128], new float[4 * 128], 1));
        assertMessage(e, "C (M×N)", "offset 1");
    }

    @Test
    void missingWrongOrUnexpectedBiasIsRejected() {
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> kernel.gemm(1, new float[784], 0, new float[784 * 128], 0, null, new float[128], 0)), "has a bias but none");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> kernel.gemm(1, new float[784], 0, new float[784 * 128], 0, new float[10], new float[128], 0)), "length 10", "N = 128");
        FloatGemmKernel noBias = KernelRegistry.global().floatGemm(GemmSpec.of(DType.F32, GemmForm.NN, 784, 128, false, false));
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> noBias.gemm(1, new float[784], 0, new float[784 * 128], 0, new float[128], new float[128], 0)), "spec has none");
    }

    @Test
    void negativeRowCountAndNullOperandsAreRejected() {
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> kernel.gemm(-1, new float[784], 0, new float[784 * 128], 0, new float[128], new float[128], 0)), "M = -1");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> kernel.gemm(1, null, 0, new float[784 * 128], 0, new float[128], new float[128], 0)), "operand A is null");
    }

    @Test
    void aKernelOfTheWrongElementTypeIsRefused() {
        GemmSpec doubleSpec = GemmSpec.of(DType.F64, GemmForm.NN, 64, 64, false, false);
        assertMessage(assertThrows(IllegalArgumentException.class, () -> KernelRegistry.global().floatGemm(doubleSpec)),
                "computes double", "float kernel");
    }
}
