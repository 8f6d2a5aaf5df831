package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.ParallelTask;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A warmed-up kernel call allocates nothing, neither on the calling thread nor on the kernel pool's worker
 * threads (counted by the JVM, not timed).
 */
// In a JVM of its own: the kernel tests run every width, and kernels of several vector widths in one JVM
// make the Vector API's shared intrinsics polymorphic, after which warmed-up kernels allocate. A training
// process runs one width.
@Tag("allocation")
class KernelAllocationTest {

    /**
     * How long a measurement waits for the JIT to catch up: on a loaded 2-core VM C2's one queue took seconds to reach
     * a method (a fixed 40 rounds of a small GEMM's calls lasted milliseconds and failed there; CI, 2026-12-07).
     */
    private static final long JIT_CATCH_UP_NANOS = 20_000_000_000L;

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
        assertEquals(0, steadyStateAllocation(() -> kernel.gemm(m, a, 0, b, 0, null, c, 0), 50, measuredThreads()),
                "bytes allocated by 50 warmed-up calls of " + spec.key());
    }

    /** The generic float GEMM serves training where no class can be compiled: it too must allocate nothing once warm. */
    @ParameterizedTest(name = "{0} K={1} N={2} M={3}, {4} threads")
    @CsvSource({"NN, 784, 128, 64, 1", "NT, 128, 784, 64, 2", "TN, 128, 128, 64, 2", "NN, 64, 10, 33, 1"})
    void warmedUpGenericGemmCallAllocatesNothing(GemmForm form, int k, int n, int m, int threads) {
        KernelPool.setThreads(threads);
        GemmSpec spec = GemmSpec.of(DType.F32, form, k, n, true, false);
        FloatGemmKernel kernel = (FloatGemmKernel) KernelRegistry.generic(spec);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] bias = new float[n];
        float[] c = new float[m * n];
        for (int i = 0; i < 2_000; i++) {
            kernel.gemm(m, a, 0, b, 0, bias, c, 0);
        }
        assertEquals(0, steadyStateAllocation(() -> kernel.gemm(m, a, 0, b, 0, bias, c, 0), 50, measuredThreads()),
                "bytes allocated by 50 warmed-up calls of the generic kernel for " + spec.key());
    }

    /**
     * Bytes the given threads allocate over {@code calls} calls, once the JIT has caught up: the JIT compiles
     * in the background, so a slow machine may still interpret a method (and box its vectors) right after the
     * warm-up. Measures rounds for up to {@link #JIT_CATCH_UP_NANOS} and returns the first zero, else the last
     * count. Reading another thread's count allocates nothing (one id at a time; the array form would allocate its
     * result).
     */
    private static long steadyStateAllocation(Runnable call, int calls, long[] threads) {
        long allocated = -1;
        long deadline = System.nanoTime() + JIT_CATCH_UP_NANOS;
        while (allocated != 0 && System.nanoTime() < deadline) {
            long before = allocatedBytes(threads);
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            allocated = allocatedBytes(threads) - before;
        }
        return allocated;
    }

    private static long allocatedBytes(long[] threads) {
        long sum = 0;
        for (long id : threads) {
            // A worker that has ended reports -1; it allocates nothing more.
            sum += Math.max(0, THREADS.getThreadAllocatedBytes(id));
        }
        return sum;
    }

    /** The calling thread and every live worker of the pool the kernels run on; taken after the warm-up, when they exist. */
    private static long[] measuredThreads() {
        ForkJoinPool pool = kernelForkJoinPool();
        List<Long> ids = new ArrayList<>();
        ids.add(Thread.currentThread().threadId());
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread instanceof ForkJoinWorkerThread worker && worker.getPool() == pool) {
                ids.add(thread.threadId());
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The pool KernelPool hands its tasks to, found from a task that ran on one of its workers: the caller runs
     * task 0 (held back a moment here) and may claim task 1 itself, so this retries until a worker took one.
     */
    private static ForkJoinPool kernelForkJoinPool() {
        AtomicReference<ForkJoinPool> found = new AtomicReference<>();
        for (int attempt = 0; attempt < 1_000 && found.get() == null; attempt++) {
            KernelPool.run(task -> {
                if (Thread.currentThread() instanceof ForkJoinWorkerThread worker) {
                    found.set(worker.getPool());
                } else if (task == 0) {
                    LockSupport.parkNanos(1_000_000);
                }
            }, 2);
        }
        assertNotNull(found.get(), "no task of KernelPool.run ran on a worker thread in 1000 tries");
        return found.get();
    }

    /** The measurement sees a worker's allocation, so the zero counts above mean the workers allocated nothing. */
    @org.junit.jupiter.api.Test
    void anAllocationOnAWorkerThreadIsCounted() {
        KernelPool.setThreads(2);
        long[] threads = measuredThreads();
        assertTrue(threads.length > 1, "the kernel pool's workers are measured");
        long[] sink = new long[1];
        ParallelTask allocatingOnWorkers = task -> {
            if (Thread.currentThread() instanceof ForkJoinWorkerThread) {
                sink[0] += new long[1024].length;
            } else if (task == 0) {
                LockSupport.parkNanos(1_000_000);
            }
        };
        long before = allocatedBytes(threads);
        for (int i = 0; i < 100 && sink[0] == 0; i++) {
            KernelPool.run(allocatingOnWorkers, 2);
        }
        assertTrue(sink[0] > 0, "a task ran on a worker");
        assertTrue(allocatedBytes(threads) - before >= 8 * 1024, "a worker's 8 KiB array is counted");
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
        assertEquals(0, steadyStateAllocation(calls, 20, measuredThreads()), "bytes allocated by 20 warmed-up rounds of conv and pool calls");
    }
}
