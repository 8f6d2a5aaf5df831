package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ThreadCountDeterminismTest {

    private final int threadsBefore = KernelPool.threads();

    @AfterEach
    void restoreThreads() {
        KernelPool.setThreads(threadsBefore);
    }

    @ParameterizedTest(name = "{0} K={1} N={2} M={3}")
    @CsvSource({"NN, 1024, 1024, 300", "NN, 784, 128, 128", "NN, 784, 128, 32", "NT, 128, 784, 128", "TN, 128, 128, 784",
        "NN, 3072, 100, 200", "NN, 64, 10, 1000"})
    void resultsAreBitIdenticalWithOneTwoAndThreeThreads(GemmForm form, int k, int n, int m) {
        GemmSpec spec = GemmSpec.of(DType.F32, form, k, n, false, false);
        GemmTester gemm = KernelTester.gemm(spec).rows(m).seed(11);
        FloatGemmKernel kernel = KernelRegistry.global().floatGemm(spec);
        KernelPool.setThreads(1);
        float[] one = gemm.runFloat(kernel);
        KernelPool.setThreads(2);
        float[] two = gemm.runFloat(kernel);
        KernelPool.setThreads(3);
        float[] three = gemm.runFloat(kernel);
        assertArrayEquals(one, two, "1 vs 2 threads");
        assertArrayEquals(one, three, "1 vs 3 threads");
    }
}
