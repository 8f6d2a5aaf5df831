package io.simdnet.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.CourseModels;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.profile.Profiler;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.KernelPool;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A warmed-up training step (forward, loss, backward, Adam) allocates nothing, on the calling thread nor on the kernel
 * pool's workers that run the split passes, profiled or not.
 */
// In a JVM of its own: the kernel tests run every width, and kernels of several vector widths in one JVM
// make the Vector API's shared intrinsics polymorphic, after which warmed-up kernels allocate. A training
// process runs one width.
@Tag("allocation")
class TrainingAllocationTest {

    /** How long a measurement waits for the JIT to catch up (it returns at the first round that allocates nothing). */
    private static final long JIT_CATCH_UP_NANOS = 30_000_000_000L;

    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final int threadsBefore = KernelPool.threads();

    @AfterEach
    void restoreThreads() {
        KernelPool.setThreads(threadsBefore);
    }

    @ParameterizedTest(name = "{0}, batch {1}, {2} threads")
    @CsvSource({"mlp, 128, 1", "mlp, 128, 2", "lenet5, 32, 2", "lenet5-bn, 32, 1", "mnist-cnn, 64, 2", "cifar-best, 3, 2"})
    void warmedUpTrainingStepAllocatesNothing(String name, int batch, int threads) {
        KernelPool.setThreads(threads);
        Model model = switch (name) {
            case "mlp" -> CourseModels.mlp(128, 64).build(DType.F32, 1);
            case "lenet5" -> CourseModels.lenet5(false).build(DType.F32, 1);
            case "mnist-cnn" -> CourseModels.mnistCnn().build(DType.F32, 1);
            case "cifar-best" -> CourseModels.cifarBest(20, 32, 1);
            default -> CourseModels.lenet5(true).build(DType.F32, 1);
        };
        Dataset data = name.equals("cifar-best") ? CifarBestNetwork.images(batch, 20, 3) : RandomImages.of(batch, 28, 3);
        Optimizer optimizer = name.equals("cifar-best") ? Adam.adamW(1e-4, 5e-4) : new Adam(1e-4);
        Trainer trainer = new Trainer(model, new SoftmaxCrossEntropy(), optimizer);
        assertNothingAllocatedByWarmedUpSteps(() -> trainer.trainStep(data.inputs(), data.targets()), threads, "training steps of " + name);
    }

    @Test
    void withProfilingOffAWarmedUpStepAllocatesNothingAfterAProfiledFit() {
        // The profiler's hooks stay in the step when it is off: a null check per layer, a volatile read per kernel call.
        KernelPool.setThreads(2);
        Model model = CourseModels.lenet5(false).build(DType.F32, 1);
        Dataset data = RandomImages.of(32, 28, 3);
        Trainer trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(1e-4));
        History profiled = trainer.fit(data, new FitOptions().epochs(5).batchSize(32).profile(true));
        assertEquals(5, profiled.profile().steps(), "no warm-up left out of a run this short");
        assertNull(model.profiler());
        assertNull(Profiler.current());
        assertNothingAllocatedByWarmedUpSteps(() -> trainer.trainStep(data.inputs(), data.targets()), 2, "training steps with profiling off");
    }

    @Test
    void aProfiledWarmedUpStepAllocatesNothingOnceItsRowsAreRegistered() {
        KernelPool.setThreads(2);
        Model model = CourseModels.lenet5(false).build(DType.F32, 1);
        Dataset data = RandomImages.of(32, 28, 3);
        Trainer trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(1e-4));
        Profiler profiler = new Profiler();
        model.profile(profiler);
        profiler.start();
        try {
            assertNothingAllocatedByWarmedUpSteps(() -> {
                profiler.stepStarts();
                trainer.trainStep(data.inputs(), data.targets());
                profiler.stepEnds(1);
            }, 2, "profiled training steps");
        } finally {
            profiler.stop();
            model.profile(null);
        }
        assertTrue(profiler.report().steps() > 1_000);
    }

    /** 10 calls of {@code step} after 1,000 to warm it up allocate nothing on this thread nor on the pool's workers. */
    private static void assertNothingAllocatedByWarmedUpSteps(Runnable step, int threads, String what) {
        for (int i = 0; i < 1_000; i++) {
            step.run();
        }
        long thread = Thread.currentThread().threadId();
        long[] workers = poolWorkers();
        assertTrue(threads == 1 || workers.length > 0, "no pool workers found for " + threads + " threads");
        long allocated = -1;
        long allocatedByWorkers = -1;
        // The JIT compiles in the background; count again until it has caught up. On a loaded 2-core VM C2's one
        // queue took seconds to reach a method, longer than a fixed 60 rounds of LeNet-5 steps (CI, 2026-12-07).
        long deadline = System.nanoTime() + JIT_CATCH_UP_NANOS;
        while ((allocated != 0 || allocatedByWorkers != 0) && System.nanoTime() < deadline) {
            long[] workersBefore = THREADS.getThreadAllocatedBytes(workers);
            long before = THREADS.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 10; i++) {
                step.run();
            }
            allocated = THREADS.getThreadAllocatedBytes(thread) - before;
            long[] workersAfter = THREADS.getThreadAllocatedBytes(workers);
            allocatedByWorkers = 0;
            for (int w = 0; w < workers.length; w++) {
                // −1 for a worker that has ended since: it allocates nothing more.
                if (workersBefore[w] >= 0 && workersAfter[w] >= 0) {
                    allocatedByWorkers += workersAfter[w] - workersBefore[w];
                }
            }
        }
        assertEquals(0, allocated, "bytes allocated by 10 warmed-up " + what);
        assertEquals(0, allocatedByWorkers, "bytes allocated on the pool's " + workers.length + " workers by 10 warmed-up " + what);
    }

    /** The kernel pool's worker threads alive now (workers of any pool but the common one). */
    private static long[] poolWorkers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t instanceof ForkJoinWorkerThread w && w.getPool() != ForkJoinPool.commonPool())
                .mapToLong(Thread::threadId).toArray();
    }
}
