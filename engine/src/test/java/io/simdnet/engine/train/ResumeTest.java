package io.simdnet.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.data.RandomCropFlip;
import io.simdnet.engine.io.CorruptCheckpointException;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Dropout;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.layer.Relu;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.Sequential;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.optim.LearningRateSchedule;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped anywhere and resumed from its checkpoint ends with the weights of a run never stopped, bit for bit. */
class ResumeTest {

    private static final int EPOCHS = 3;
    private static final int BATCH = 8;
    private static final Dataset DATA = RandomImages.of(60, 12, 5);
    // 60 samples, 20% validation: 48 training samples, 6 steps per epoch.
    private static final int STEPS_PER_EPOCH = 6;

    @TempDir
    Path dir;

    private static Model model(long seed) {
        return Sequential.input(1, 12, 12).add(new Flatten()).add(new Dense(24)).add(new Relu()).add(new Dropout(0.3)).add(new Dense(10))
                .build(DType.F32, seed);
    }

    private static FitOptions options(Path checkpoint) {
        return new FitOptions().epochs(EPOCHS).batchSize(BATCH).seed(11).validationSplit(0.2).augmentation(new RandomCropFlip(2, true))
                .callback(new LearningRateScheduler(new LearningRateSchedule.Cosine(EPOCHS, 0))).checkpoint(checkpoint);
    }

    /** Stops the run once {@code after} steps are done (0: before the first). */
    private static Callback stopAfter(int after) {
        return new Callback() {
            int done;

            @Override
            public void onTrainBegin(Trainer trainer, int epochs, int stepsPerEpoch) {
                if (after == 0) {
                    trainer.interrupt();
                }
            }

            @Override
            public void onBatchEnd(Trainer trainer, int epoch, int step, double loss, int batchSize) {
                if (++done == after) {
                    trainer.interrupt();
                }
            }
        };
    }

    private record Run(Model model, History history) {
    }

    private static Run uninterrupted(Path checkpoint) {
        Model model = model(1);
        History history = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(0.01)).fit(DATA, options(checkpoint));
        return new Run(model, history);
    }

    private static void assertSameRun(Run expected, Model model, History history) {
        for (String name : expected.model().namedParameters().keySet()) {
            assertArrayEquals(expected.model().parameter(name).value().floats(), model.parameter(name).value().floats(), 0f, name);
        }
        assertArrayEquals(expected.history().stepLosses(), history.stepLosses(), 0);
        assertEquals(EPOCHS, history.epochs().size());
        for (int e = 0; e < EPOCHS; e++) {
            EpochLogs a = expected.history().epochs().get(e);
            EpochLogs b = history.epochs().get(e);
            assertEquals(a.trainLoss(), b.trainLoss(), 1e-12, "epoch " + e);
            assertEquals(a.trainAccuracy(), b.trainAccuracy(), 0, "epoch " + e);
            assertEquals(a.validationLoss(), b.validationLoss(), 0, "epoch " + e);
            assertEquals(a.learningRate(), b.learningRate(), 0, "epoch " + e);
        }
    }

    private void assertNoTemporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> left = files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp")).toList();
            assertTrue(left.isEmpty(), "temporary files left: " + left);
        }
    }

    @Test
    void resumingAfterAStopAtAnyStepGivesTheUninterruptedWeightsBitForBit() throws IOException {
        Run expected = uninterrupted(dir.resolve("whole.safetensors"));
        // Before the first step, mid-epoch, the last step of an epoch (stops at the next epoch's start), the first step of
        // the second epoch, and the last step of all (nothing left to do but finish).
        for (int after : new int[] {0, 1, 3, STEPS_PER_EPOCH - 1, STEPS_PER_EPOCH, STEPS_PER_EPOCH + 1, 2 * STEPS_PER_EPOCH + 4}) {
            Path checkpoint = dir.resolve("stop-" + after + ".safetensors");
            Model first = model(1);
            TrainingInterruptedException stopped = assertThrows(TrainingInterruptedException.class,
                    () -> new Trainer(first, new SoftmaxCrossEntropy(), new Adam(0.01)).fit(DATA, options(checkpoint).callback(stopAfter(after))));
            assertEquals(checkpoint, stopped.checkpoint());
            assertEquals(after, stopped.history().steps());

            // A fresh process: other initial weights, another learning rate, until the checkpoint says otherwise.
            Model resumed = model(99);
            History history = new Trainer(resumed, new SoftmaxCrossEntropy(), new Adam(0.01)).fit(DATA, options(checkpoint).resume(checkpoint));
            assertSameRun(expected, resumed, history);
        }
        assertNoTemporaryFiles();
    }

    @Test
    void aRunStoppedTwiceStillEndsWithTheUninterruptedWeights() throws IOException {
        Run expected = uninterrupted(dir.resolve("whole.safetensors"));
        Path checkpoint = dir.resolve("twice.safetensors");
        assertThrows(TrainingInterruptedException.class,
                () -> new Trainer(model(1), new SoftmaxCrossEntropy(), new Adam(0.01)).fit(DATA, options(checkpoint).callback(stopAfter(4))));
        assertThrows(TrainingInterruptedException.class, () -> new Trainer(model(2), new SoftmaxCrossEntropy(), new Adam(0.01))
                .fit(DATA, options(checkpoint).resume(checkpoint).callback(stopAfter(5))));
        Model last = model(3);
        History history = new Trainer(last, new SoftmaxCrossEntropy(), new Adam(0.01)).fit(DATA, options(checkpoint).resume(checkpoint));
        assertSameRun(expected, last, history);
    }

    @Test
    void aKillDuringACheckpointWriteLeavesThePreviousCheckpointAndTheResumeRemovesTheTemporaryFile() throws IOException {
        Run expected = uninterrupted(dir.resolve("whole.safetensors"));
        Path checkpoint = dir.resolve("killed.safetensors");
        assertThrows(TrainingInterruptedException.class,
                () -> new Trainer(model(1), new SoftmaxCrossEntropy(), new Adam(0.01)).fit(DATA, options(checkpoint).callback(stopAfter(8))));
        // What SIGKILL in the middle of the next write leaves: the rename never happened, so the old file is whole and
        // a partial temporary file sits beside it.
        byte[] whole = Files.readAllBytes(checkpoint);
        Files.write(dir.resolve("killed.safetensors.tmp-3kq9z1"), java.util.Arrays.copyOf(whole, whole.length / 3));
        Model resumed = model(5);
        History history = new Trainer(resumed, new SoftmaxCrossEntropy(), new Adam(0.01)).fit(DATA, options(checkpoint).resume(checkpoint));
        assertSameRun(expected, resumed, history);
        assertNoTemporaryFiles();
    }

    @Test
    void resumingWithOtherOptionsOrAnotherModelIsRefusedBeforeAnythingChanges() throws IOException {
        Path checkpoint = dir.resolve("run.safetensors");
        assertThrows(TrainingInterruptedException.class,
                () -> new Trainer(model(1), new SoftmaxCrossEntropy(), new Adam(0.01)).fit(DATA, options(checkpoint).callback(stopAfter(3))));
        Model other = model(7);
        float[] before = other.parameter("dense.weight").value().floats().clone();
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(other, new SoftmaxCrossEntropy(), new Adam(0.01)).fit(DATA, options(checkpoint).batchSize(4).resume(checkpoint)));
        assertTrue(batch.getMessage().contains("batch size 8") && batch.getMessage().contains("batch size 4"), batch.getMessage());
        UncheckedIOException optimizer = assertThrows(UncheckedIOException.class,
                () -> new Trainer(other, new SoftmaxCrossEntropy(), Adam.adamW(0.01, 0.1)).fit(DATA, options(checkpoint).resume(checkpoint)));
        assertTrue(optimizer.getCause() instanceof CorruptCheckpointException && optimizer.getMessage().contains("adamw"), optimizer.getMessage());
        assertArrayEquals(before, other.parameter("dense.weight").value().floats(), 0f);
    }

    @Test
    void divergenceCarriesTheHistoryUpToTheFailingStep() {
        Dataset data = RandomImages.of(60, 12, 6);
        data.inputs().set(37 * 144 + 5, Float.NaN);
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> new Trainer(model(1), new SoftmaxCrossEntropy(), new Adam(0.01))
                .fit(data, new FitOptions().epochs(3).batchSize(BATCH).shuffle(false)));
        // Sample 37 is in the fifth batch of 8.
        assertEquals(0, e.epoch());
        assertEquals(4, e.step());
        assertEquals(4, e.history().steps(), "the steps before the failing one");
        assertTrue(java.util.Arrays.stream(e.history().stepLosses()).allMatch(Double::isFinite));
    }

    @Test
    void aRunCountedInStepsResumesToItsEndAndRefusesAnotherBudgetNamingBoth() {
        // 10 steps end inside the second epoch; the checkpoint written there holds 10 step losses.
        Path checkpoint = dir.resolve("budget.safetensors");
        Trainer trainer = new Trainer(model(3), new SoftmaxCrossEntropy(), new Adam(1e-3));
        History done = trainer.fit(DATA, new FitOptions().steps(10).batchSize(BATCH).seed(11).validationSplit(0.2).checkpoint(checkpoint));
        Trainer again = new Trainer(model(3), new SoftmaxCrossEntropy(), new Adam(1e-3));
        History restored = again.fit(DATA, new FitOptions().steps(10).batchSize(BATCH).seed(11).validationSplit(0.2).checkpoint(checkpoint)
                .resume(checkpoint));
        assertArrayEquals(done.stepLosses(), restored.stepLosses());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(model(3), new SoftmaxCrossEntropy(),
                new Adam(1e-3)).fit(DATA, new FitOptions().epochs(5).batchSize(BATCH).seed(11).validationSplit(0.2).resume(checkpoint)));
        assertTrue(e.getMessage().contains("it was trained for 10 steps, this run in epochs"), e.getMessage());
    }
}
