package io.simdnet.spark;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.sweep.Trial;
import io.simdnet.kernel.KernelPool;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * Runs a sweep's trials as Spark tasks, one job of one task per trial, each on {@code spark.task.cpus} kernel
 * threads; the training and validation sets are broadcast once. A trial that throws comes back as a failed result
 * with its message, so the others finish; a task that dies (executor lost, killed) is retried by Spark, and since a
 * trial is seeded the retry gives the same result. Each result reaches the driver's {@code onFinished} as soon as its
 * trial ends (so a stopped sweep keeps what finished); the list returned is in trial order.
 */
public final class SparkSweep {

    /** A fault injected before each trial with Spark's attempt number, outside the trial's own error handling. */
    @FunctionalInterface
    public interface FaultHook extends Serializable {
        void beforeTrial(Trial<?> trial, int attempt);
    }

    private static final long POLL_MILLIS = 50;

    private final JavaSparkContext sc;
    private FaultHook faultHook;

    public SparkSweep(JavaSparkContext sc) {
        this.sc = sc;
    }

    /** Installs a hook that can make a task die as a lost executor would (tests of Spark's retries). */
    public SparkSweep faultHook(FaultHook hook) {
        this.faultHook = hook;
        return this;
    }

    public <R extends Serializable> List<R> run(List<? extends Trial<R>> trials, Dataset train, Dataset validation) {
        return run(trials, train, validation, result -> {
        });
    }

    public <R extends Serializable> List<R> run(List<? extends Trial<R>> trials, Dataset train, Dataset validation, Consumer<R> onFinished) {
        if (trials.isEmpty()) {
            return List.of();
        }
        // In local mode the tasks run in this JVM and size the one kernel pool to spark.task.cpus; restored after.
        int driverThreads = KernelPool.threads();
        Broadcast<DatasetPayload> trainData = sc.broadcast(DatasetPayload.of(train));
        Broadcast<DatasetPayload> validationData = sc.broadcast(DatasetPayload.of(validation));
        List<JavaFutureAction<List<R>>> jobs = new ArrayList<>();
        try {
            TrialTask<R> task = new TrialTask<>(trainData, validationData, SparkContexts.taskCpus(sc), faultHook);
            for (Trial<R> trial : trials) {
                sc.setJobDescription("simdnet sweep: trial " + trial.index());
                jobs.add(sc.parallelize(List.of(trial), 1).mapPartitions(task).collectAsync());
            }
            sc.setJobDescription(null);
            return collect(jobs, onFinished);
        } finally {
            jobs.forEach(job -> job.cancel(true));
            // After SIGTERM Spark's own shutdown hook may have stopped the context: its broadcasts are gone with it.
            if (!sc.sc().isStopped()) {
                trainData.destroy();
                validationData.destroy();
            }
            KernelPool.setThreads(driverThreads);
        }
    }

    /**
     * Hands each job's result to {@code onFinished} as it completes, and returns them all in trial order. A job that
     * failed, or an {@code onFinished} that threw, does not stop the others' results from being handed over (a
     * resumed sweep would otherwise run again trials that had finished); the first such failure is thrown at the end.
     */
    private static <R> List<R> collect(List<JavaFutureAction<List<R>>> jobs, Consumer<R> onFinished) {
        List<R> results = new ArrayList<>(java.util.Collections.nCopies(jobs.size(), null));
        boolean[] delivered = new boolean[jobs.size()];
        int remaining = jobs.size();
        RuntimeException failure = null;
        while (remaining > 0) {
            boolean progressed = false;
            for (int i = 0; i < jobs.size(); i++) {
                if (delivered[i] || !jobs.get(i).isDone()) {
                    continue;
                }
                delivered[i] = true;
                remaining--;
                progressed = true;
                try {
                    R result = jobs.get(i).get().get(0);
                    results.set(i, result);
                    onFinished.accept(result);
                } catch (ExecutionException e) {
                    failure = first(failure, new IllegalStateException("a sweep job failed: " + e.getCause().getMessage(), e.getCause()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("sweep interrupted with " + remaining + " trials unfinished", e);
                } catch (RuntimeException e) {
                    failure = first(failure, e);
                }
            }
            if (!progressed) {
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("sweep interrupted with " + remaining + " trials unfinished", e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    private static RuntimeException first(RuntimeException earlier, RuntimeException next) {
        if (earlier == null) {
            return next;
        }
        earlier.addSuppressed(next);
        return earlier;
    }

    /** The task: the partition's trial, run on the broadcast data. */
    private record TrialTask<R extends Serializable>(Broadcast<DatasetPayload> train, Broadcast<DatasetPayload> validation, int threads,
            FaultHook faultHook) implements FlatMapFunction<Iterator<Trial<R>>, R> {

        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<R> call(Iterator<Trial<R>> trials) {
            KernelPool.setThreads(threads);
            Dataset trainSet = train.value().toDataset();
            Dataset validationSet = validation.value().toDataset();
            List<R> results = new ArrayList<>();
            while (trials.hasNext()) {
                Trial<R> trial = trials.next();
                if (faultHook != null) {
                    TaskContext context = TaskContext.get();
                    faultHook.beforeTrial(trial, context == null ? 0 : context.attemptNumber());
                }
                long start = System.nanoTime();
                try {
                    results.add(trial.run(trainSet, validationSet));
                } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                    results.add(trial.failed(e, (System.nanoTime() - start) / 1e9));
                }
            }
            return results.iterator();
        }
    }
}
