package io.simdnet.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandOverClockTest {

    private final int threadsBefore = KernelPool.threads();

    @AfterEach
    void restoreThreads() {
        KernelPool.setThreads(threadsBefore);
    }

    /** Task 1 starts on a worker (task 0, the caller's, waits for that) and takes {@code millis}; task 0 returns at once. */
    private static ParallelTask workerTakes(long millis) {
        CountDownLatch started = new CountDownLatch(1);
        return task -> {
            try {
                if (task == 0) {
                    assertTrue(started.await(10, TimeUnit.SECONDS), "a worker started task 1");
                } else {
                    started.countDown();
                    Thread.sleep(millis);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    void aTimedSplitCountsTheCallersWaitForTheLastWorker() {
        KernelPool.setThreads(2);
        HandOverClock clock = KernelPool.handOverClock();
        long splits = clock.splits();
        long nanos = clock.nanos();
        clock.on(true);
        try {
            KernelPool.run(workerTakes(30), 2);
        } finally {
            clock.on(false);
        }
        assertEquals(splits + 1, clock.splits());
        long waited = clock.nanos() - nanos;
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(20), "the caller waited " + waited + " ns for a worker's 30 ms task");
    }

    @Test
    void nothingIsCountedWhileTheClockIsOffOrWithoutASplit() {
        KernelPool.setThreads(2);
        HandOverClock clock = KernelPool.handOverClock();
        long splits = clock.splits();
        long nanos = clock.nanos();
        KernelPool.run(workerTakes(1), 2);
        clock.on(true);
        try {
            KernelPool.run(task -> { }, 1);
        } finally {
            clock.on(false);
        }
        assertEquals(splits, clock.splits());
        assertEquals(nanos, clock.nanos());
    }
}
