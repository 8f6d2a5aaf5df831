package io.simdnet.spark;

import io.simdnet.engine.data.Dataset;
import io.simdnet.examples.SweepTrial;
import io.simdnet.examples.TrialResult;
import io.simdnet.kernel.KernelPool;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * Runs a sweep's trials as Spark tasks, one trial per task, each on {@code spark.task.cpus} kernel threads; the
 * training and validation sets are broadcast once. A trial that throws comes back as a failed result with its
 * message, so the others finish; a task that dies (executor lost, killed) is retried by Spark, and since a
 * trial is seeded the retry gives the same result. Results come back in trial order.
 */
public final class SparkSweep {

    /** Test-only: called before each trial with Spark's attempt number, outside the trial's own error handling. */
    @FunctionalInterface
    interface FaultHook extends Serializable {
        void beforeTrial(SweepTrial trial, int attempt);
    }

    private final JavaSparkContext sc;
    private FaultHook faultHook;

    public SparkSweep(JavaSparkContext sc) {
        this.sc = sc;
    }

    /** Installs a hook that can make a task die as a lost executor would (tests of Spark's retries). */
    SparkSweep faultHook(FaultHook hook) {
        this.faultHook = hook;
        return this;
    }

    public List<TrialResult> run(List<SweepTrial> trials, Dataset train, Dataset validation) {
        if (trials.isEmpty()) {
            return List.of();
        }
        // In local mode the tasks run in this JVM and size the one kernel pool to spark.task.cpus; restored after.
        int driverThreads = KernelPool.threads();
        Broadcast<DatasetPayload> trainData = sc.broadcast(DatasetPayload.of(train));
        Broadcast<DatasetPayload> validationData = sc.broadcast(DatasetPayload.of(validation));
        try {
            sc.setJobDescription("simdnet sweep: " + trials.size() + " trials");
            return sc.parallelize(trials, trials.size())
                    .mapPartitions(new TrialTask(trainData, validationData, SparkContexts.taskCpus(sc), faultHook)).collect();
        } finally {
            trainData.destroy();
            validationData.destroy();
            KernelPool.setThreads(driverThreads);
        }
    }

    /** The task: the partition's trials (one), each run on the broadcast data. */
    private record TrialTask(Broadcast<DatasetPayload> train, Broadcast<DatasetPayload> validation, int threads, FaultHook faultHook)
            implements FlatMapFunction<Iterator<SweepTrial>, TrialResult> {

        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<TrialResult> call(Iterator<SweepTrial> trials) {
            KernelPool.setThreads(threads);
            Dataset trainSet = train.value().toDataset();
            Dataset validationSet = validation.value().toDataset();
            List<TrialResult> results = new ArrayList<>();
            while (trials.hasNext()) {
                SweepTrial trial = trials.next();
                if (faultHook != null) {
                    TaskContext context = TaskContext.get();
                    faultHook.beforeTrial(trial, context == null ? 0 : context.attemptNumber());
                }
                long start = System.nanoTime();
                try {
                    results.add(trial.run(trainSet, validationSet));
                } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                    results.add(TrialResult.failed(trial, e, (System.nanoTime() - start) / 1e9));
                }
            }
            return results.iterator();
        }
    }
}
