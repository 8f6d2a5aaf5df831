package io.simdnet.cli;

import io.simdnet.engine.train.Trainer;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What SIGTERM and Ctrl-C do to a run: a shutdown hook asks the trainer to stop after the step in progress (it then
 * writes its checkpoint), waits for the command to finish the files it is writing, and removes any temporary file
 * left in the run folder. Without it the JVM would stop mid-step and mid-file, losing the epoch and leaving hidden
 * temporary files. The hook waits at most {@link #GRACE_SECONDS}; a second signal or SIGKILL cannot be caught, and
 * what such a kill leaves (a temporary file beside an intact checkpoint) is cleaned by {@code --resume}.
 */
final class StopOnSignal implements AutoCloseable {

    static final long GRACE_SECONDS = 60;

    private final Path folder;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;
    private volatile Trainer trainer;
    private volatile boolean signalled;

    private StopOnSignal(Path folder) {
        this.folder = folder;
        this.hook = new Thread(this::onShutdown, "simdnet-stop-on-signal");
    }

    private static final java.util.Set<StopOnSignal> AWAITING_REPORT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** What runs under the guard. */
    @FunctionalInterface
    interface Body<T> {
        T run(StopOnSignal guard) throws Exception;
    }

    /**
     * Runs {@code body} with the hook installed. When it fails (a divergence, a stop), the hook keeps a pending
     * shutdown waiting until {@link #releaseAfterReport} (the command line's error handler, once it has printed the
     * one line), so that the line is not lost to the JVM halting first.
     */
    static <T> T around(Path folder, Body<T> body) throws Exception {
        StopOnSignal guard = install(folder);
        try {
            T result = body.run(guard);
            guard.close();
            return result;
        } catch (Throwable failure) {
            AWAITING_REPORT.add(guard);
            throw failure;
        }
    }

    /** Lets the shutdown of failed runs proceed: their error line has been printed. */
    static void releaseAfterReport() {
        for (StopOnSignal guard : AWAITING_REPORT) {
            AWAITING_REPORT.remove(guard);
            guard.close();
        }
    }

    /** Installs the hook for a run writing into {@code folder}; close it when the run's files are written. */
    static StopOnSignal install(Path folder) {
        StopOnSignal guard = new StopOnSignal(folder);
        Runtime.getRuntime().addShutdownHook(guard.hook);
        return guard;
    }

    /** The trainer to stop; if the signal came already (during data loading), it stops before its first step. */
    void attach(Trainer running) {
        this.trainer = running;
        if (signalled) {
            running.interrupt();
        }
    }

    private void onShutdown() {
        signalled = true;
        Trainer running = trainer;
        if (running != null) {
            running.interrupt();
        }
        try {
            finished.await(GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        removeTemporaries(folder);
    }

    /** Deletes what interrupted atomic writes leave in a run folder: RunFolder's ".name…" and SafeTensors' "name.tmp-…". */
    static void removeTemporaries(Path folder) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (Files.isRegularFile(file) && (name.startsWith(".") || name.contains(".tmp-"))) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException ignored) {
            // Best effort while the JVM is going down; a resume cleans again.
        }
    }

    /** The run's files are written: let a pending shutdown proceed, and uninstall the hook otherwise. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running and now returns.
        }
    }
}
