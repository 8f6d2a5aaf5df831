package io.simdnet.engine.train;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.io.CorruptCheckpointException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where {@code fit}'s training steps come from: this JVM ({@link Trainer}'s own step on its mini-batches) or a
 * cluster (the Spark module's data-parallel rounds). The one training loop around it owns epochs, callbacks,
 * history, validation, checkpoints, resumption and the stop requests; a source only runs steps and says which
 * state of its own a checkpoint must carry to continue it exactly.
 */
public interface StepSource extends AutoCloseable {

    /** Opens a source on the training split (validation already held out) for one {@code fit}. */
    @FunctionalInterface
    interface Factory {
        StepSource open(Trainer trainer, Dataset train, FitOptions options);
    }

    /** What one step did: its loss (with regularisation), samples, and correct predictions (−1: not a classifier). */
    @FunctionalInterface
    interface StepSink {
        void accept(double loss, int samples, int correct);
    }

    /**
     * What takes the steps, as a checkpoint records it ("local", "spark data-parallel"): a run resumes only a
     * checkpoint of its own kind, since the batches of one are not the batches of the other.
     */
    String kind();

    int stepsPerEpoch();

    /**
     * The steps one {@link #run} call takes together (a data-parallel round): a run stops and checkpoints only
     * between such groups, so checkpoints stand at multiples of it within an epoch.
     */
    default int stepsPerCall() {
        return 1;
    }

    /** Places the source at step {@code step} of {@code epoch}: every epoch's start (step 0), and a resumed one's step. */
    void startEpoch(int epoch, int step);

    /**
     * Takes steps {@code step} … {@code step + count − 1} of {@code epoch}, reporting each to {@code sink} in order; the
     * sink may throw (a non-finite loss), which ends the call.
     */
    void run(int epoch, int step, int count, StepSink sink);

    /** Called when an epoch's steps are done, before its validation runs on this JVM. */
    default void endEpoch() {
    }

    /** The source's own state for a checkpoint (metadata keys without prefix), beside the model and optimiser. */
    Map<String, String> checkpointState();

    /**
     * Checks a checkpoint's {@link #checkpointState} against this source and returns what restores it to the start of
     * {@code epoch} (the loop then calls {@link #startEpoch}); changes nothing itself, so a bad file changes nothing.
     */
    Runnable prepareRestore(Path file, Map<String, String> state, int epoch) throws CorruptCheckpointException;

    /** Releases what the source holds (a cluster's replicas and broadcasts); the local source holds nothing. */
    @Override
    default void close() {
    }
}
