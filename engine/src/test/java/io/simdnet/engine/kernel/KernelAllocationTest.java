package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A warmed-up kernel call allocates nothing on the calling thread (counted by the JVM, not timed). */
class KernelAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final int threadsBefore = KernelPool.threads();

    @AfterEach
    void restoreThreads() {
        KernelPool.setThreads(threadsBefore);
    }

    @ParameterizedTest(name = "{0} K={1} N={2} M={3}, {4} threads")
    @CsvSource({"NN, 784, 128, 128, 1", "NN, 784, 128, 128, 2", "NT, 128, 784, 128, 2", "TN, 128, 128, 784, 2",
        "NN, 1024, 1024, 256, 2", "NN, 64, 10, 128, 1"})
    void warmedUpGemmCallAllocatesNothing(GemmForm form, int k, int n, int m, int threads) {
        KernelPool.setThreads(threads);
        GemmSpec spec = GemmSpec.of(DType.F32, form, k, n, false, false);
        FloatGemmKernel kernel = KernelRegistry.global().floatGemm(spec);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = new float[m * n];
        for (int i = 0; i < 2_000; i++) {
            kernel.gemm(m, a, 0, b, 0, null, c, 0);
        }
        assertEquals(0, steadyStateAllocation(() -> kernel.gemm(m, a, 0, b, 0, null, c, 0), 50),
                "bytes allocated by 50 warmed-up calls of " + spec.key());
    }

    /**
     * Bytes the calling thread allocates over {@code calls} calls, once the JIT has caught up: the JIT compiles
     * in the background, so a slow machine may still interpret a method (and box its vectors) right after the
     * warm-up. Measures up to 40 rounds and returns the first zero, else the last count.
     */
    private static long steadyStateAllocation(Runnable call, int calls) {
        long thread = Thread.currentThread().threadId();
        long allocated = -1;
        for (int round = 0; round < 40 && allocated != 0; round++) {
            long before = THREADS.getThreadAllocatedBytes(thread);
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            allocated = THREADS.getThreadAllocatedBytes(thread) - before;
        }
        return allocated;
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} threads")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
    void warmedUpConvolutionAndPoolingCallsAllocateNothing(int threads) {
        KernelPool.setThreads(threads);
        var conv = KernelRegistry.global().floatConv2d(io.simdnet.kernel.spec.Conv2dSpec.parse("conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5"));
        var pool = KernelRegistry.global().floatPool2d(io.simdnet.kernel.spec.Pool2dSpec.parse("pool2d f32 max c=6 h=28 w=28 k=2"));
        int n = 8;
        float[] x = new float[n * 6 * 14 * 14];
        float[] w = new float[16 * 150];
        float[] b = new float[16];
        float[] y = new float[n * 16 * 100];
        float[] dx = new float[x.length];
        float[] dw = new float[w.length];
        float[] px = new float[n * 6 * 28 * 28];
        float[] py = new float[n * 6 * 14 * 14];
        int[] argmax = new int[py.length];
        Runnable calls = () -> {
            conv.forward(n, x, w, b, y);
            conv.backwardData(n, y, w, dx);
            conv.backwardWeights(n, x, y, dw, b);
            pool.forward(n, px, py, argmax);
            pool.backward(n, py, argmax, px);
        };
        for (int i = 0; i < 3_000; i++) {
            calls.run();
        }
        assertEquals(0, steadyStateAllocation(calls, 20), "bytes allocated by 20 warmed-up rounds of conv and pool calls");
    }
}
