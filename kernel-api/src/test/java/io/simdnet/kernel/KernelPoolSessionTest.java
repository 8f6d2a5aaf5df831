package io.simdnet.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Splits inside a session run every task once, on the workers kept awake, and sessions nest and end cleanly. */
class KernelPoolSessionTest {

    private final int threadsBefore = KernelPool.threads();

    @AfterEach
    void restoreThreads() {
        KernelPool.setThreads(threadsBefore);
    }

    @Test
    void splitsInASessionRunEveryTaskOnceAndUseTheAwakeWorker() {
        KernelPool.setThreads(2);
        Set<Thread> runners = ConcurrentHashMap.newKeySet();
        try (KernelPool.Session awake = KernelPool.session()) {
            for (int round = 0; round < 2_000; round++) {
                int[] runs = new int[2];
                CountDownLatch bothStarted = new CountDownLatch(2);
                KernelPool.run(task -> {
                    runs[task]++;
                    runners.add(Thread.currentThread());
                    bothStarted.countDown();
                    // The first rounds make the caller wait for the worker, so the awake worker surely takes task 1.
                    if (runners.size() < 2) {
                        awaitQuietly(bothStarted);
                    }
                }, 2);
                assertEquals(1, runs[0], "task 0 in round " + round);
                assertEquals(1, runs[1], "task 1 in round " + round);
            }
        }
        assertEquals(2, runners.size(), "the caller and one worker ran the tasks");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void sessionsNestAndOnlyTheOutermostEnds() {
        KernelPool.setThreads(2);
        KernelPool.Session outer = KernelPool.session();
        KernelPool.Session inner = KernelPool.session();
        assertSame(outer, inner, "one session object per thread");
        inner.close();
        AtomicInteger sum = new AtomicInteger();
        KernelPool.run(task -> sum.addAndGet(task + 1), 2);
        assertEquals(3, sum.get());
        outer.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertEquals("KernelPool session closed more often than opened", e.getMessage());
    }

    @Test
    void aFailingTaskInASessionReachesTheCallerAndTheSessionGoesOn() {
        KernelPool.setThreads(2);
        try (KernelPool.Session awake = KernelPool.session()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelPool.run(task -> {
                if (task == 1) {
                    throw new IllegalArgumentException("task 1 failed");
                }
            }, 2));
            assertEquals("task 1 failed", e.getMessage());
            AtomicInteger sum = new AtomicInteger();
            KernelPool.run(task -> sum.addAndGet(task + 1), 2);
            assertEquals(3, sum.get());
        }
    }

    @Test
    void manySessionsInARowEachRunTheirTasks() {
        KernelPool.setThreads(3);
        for (int session = 0; session < 500; session++) {
            try (KernelPool.Session awake = KernelPool.session()) {
                AtomicInteger sum = new AtomicInteger();
                KernelPool.run(task -> sum.addAndGet(task + 1), 3);
                assertEquals(6, sum.get(), "session " + session);
            }
        }
    }

    @Test
    void aSessionOnOneThreadRunsTasksOnTheCaller() {
        KernelPool.setThreads(1);
        Thread me = Thread.currentThread();
        try (KernelPool.Session awake = KernelPool.session()) {
            KernelPool.run(task -> assertTrue(Thread.currentThread() == me), 1);
        }
    }
}
