package io.simdnet.engine.train;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.io.CorruptCheckpointException;
import io.simdnet.kernel.KernelPool;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Steps in this JVM: {@link Trainer#trainStep} on the training split's mini-batches, one at a time. */
final class LocalSteps implements StepSource {

    private static final String AUGMENTATION = "rng.augmentation";

    private final Trainer trainer;
    private final MiniBatches batches;

    LocalSteps(Trainer trainer, Dataset train, FitOptions options) {
        this.trainer = trainer;
        this.batches = new MiniBatches(train, options.batchSize(), options.shuffle(), options.seed(), trainer.model().dtype(),
                options.augmentation());
    }

    /** Also what a checkpoint written before kinds were recorded was trained by. */
    static final String KIND = "local";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public int stepsPerEpoch() {
        return batches.batchesPerEpoch();
    }

    @Override
    public void startEpoch(int epoch, int step) {
        batches.startEpoch();
        // The augmentation stream of a resumed run comes from its checkpoint, so skipped batches draw nothing.
        for (int skip = 0; skip < step; skip++) {
            batches.advance();
        }
    }

    @Override
    public void run(int epoch, int step, int count, StepSink sink) {
        // The pool's workers stay awake from step to step (and through the data gathering between them).
        try (KernelPool.Session awake = KernelPool.session()) {
            runSteps(count, sink);
        }
    }

    private void runSteps(int count, StepSink sink) {
        for (int s = 0; s < count; s++) {
            int n = batches.nextSize();
            double value = trainer.trainStep(batches);
            batches.advance();
            sink.accept(value, n, trainer.lastCorrect());
        }
    }

    @Override
    public Map<String, String> checkpointState() {
        Map<String, String> state = new LinkedHashMap<>();
        if (batches.augmentationState() != null) {
            state.put(AUGMENTATION, TrainingCheckpoint.formatRng(batches.augmentationState()));
        }
        return state;
    }

    @Override
    public Runnable prepareRestore(Path file, Map<String, String> state, int epoch) throws CorruptCheckpointException {
        long[] augmentation = batches.augmentationState() == null ? null : TrainingCheckpoint.parseRng(file, state, AUGMENTATION);
        return () -> {
            batches.replayEpochs(epoch);
            if (augmentation != null) {
                batches.restoreAugmentationState(augmentation);
            }
        };
    }
}
