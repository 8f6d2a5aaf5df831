package io.simdnet.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.Callback;
import io.simdnet.engine.train.CourseSetups;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.History;
import io.simdnet.engine.train.MiniBatches;
import io.simdnet.engine.train.Trainer;
import io.simdnet.engine.train.TrainingInterruptedException;
import io.simdnet.engine.train.TrainingSetup;
import io.simdnet.kernel.DType;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DataParallelFitterTest {

    private static JavaSparkContext sc;
    private static final Dataset TRAIN = LocalSpark.images(130, 3);
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    /** The MNIST CNN with log-softmax, NLL and plain SGD, as mnist-cnn trains it. */
    private static TrainingSetup cnnSgd() {
        return new CourseSetups.Mnist(true, 0.05);
    }

    /** LeNet-5 with Adam, as lenet5 trains it. */
    private static TrainingSetup lenetAdam() {
        return new CourseSetups.Lenet5(false, 0, 1e-3);
    }

    @BeforeAll
    static void start() {
        sc = LocalSpark.open();
    }

    @AfterAll
    static void stop() {
        sc.close();
    }

    private static Trainer trainer(TrainingSetup setup) {
        return new Trainer(setup.model(11), setup.loss(), setup.optimizer());
    }

    private static Trainer train(TrainingSetup setup, int workers, int syncEvery, FitOptions fit) {
        Trainer trainer = trainer(setup);
        new DataParallelFitter(sc, workers, syncEvery, QUIET).fit(trainer, setup, TRAIN, fit);
        return trainer;
    }

    private static float[] parameters(Trainer trainer) {
        return ParameterVector.gather(ParameterVector.values(trainer.model().trainableParameters()));
    }

    @Test
    void gradientAveragingOnTwoWorkersEqualsOneProcessOnTheConcatenatedBatch() {
        int batch = 16;
        int epochs = 2;
        TrainingSetup setup = cnnSgd();
        Trainer distributed = train(setup, 2, 1, new FitOptions().epochs(epochs).batchSize(batch).seed(5));

        // The same steps in one process: worker w's shard is samples w, w + 2, …, shuffled with seed 5 + w; step s
        // trains on worker 0's batch s followed by worker 1's.
        Trainer single = trainer(setup);
        int shard = TRAIN.size() / 2;
        MiniBatches[] workers = new MiniBatches[2];
        for (int w = 0; w < 2; w++) {
            int[] rows = new int[shard];
            for (int i = 0; i < shard; i++) {
                rows[i] = w + 2 * i;
            }
            workers[w] = new MiniBatches(DataSplits.take(TRAIN, rows), batch, true, 5 + w, DType.F32);
        }
        for (int epoch = 0; epoch < epochs; epoch++) {
            workers[0].startEpoch();
            workers[1].startEpoch();
            while (workers[0].hasNext()) {
                int n = workers[0].nextSize();
                Tensor x = Tensor.zeros(DType.F32, 2 * n, 1, 28, 28);
                Tensor y = Tensor.zeros(DType.F32, 2 * n);
                for (int w = 0; w < 2; w++) {
                    Tensor.copy(workers[w].inputs(), 0, x, w * n * 784, n * 784);
                    Tensor.copy(workers[w].targets(), 0, y, w * n, n);
                    workers[w].advance();
                }
                single.trainStep(x, y);
            }
        }
        float[] expected = parameters(single);
        float[] actual = parameters(distributed);
        // Float rounding only: the distributed gradient is (mean over 16 + mean over 16) / 2 where the single one is
        // a mean over 32, so each weight gradient is a different chain of float FMAs (a few ulps apart, ~1e-7
        // relative); 10 SGD steps carry that into the weights: measured worst 7.5e-7 relative (weights below 1e-2
        // measured against 1e-2), so 1e-5 leaves a margin of 13 while any real difference (a batch off by one
        // sample, a wrong scale) shows as 1e-2 or more.
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / Math.max(1e-2, Math.abs(expected[i])));
        }
        assertTrue(worst < 1e-5, "worst relative difference " + worst);
    }

    @Test
    void twoRunsWithTheSameSeedAreBitIdentical() {
        FitOptions fit = new FitOptions().epochs(1).batchSize(8).seed(9);
        assertArrayEquals(parameters(train(cnnSgd(), 2, 1, fit)), parameters(train(cnnSgd(), 2, 1, fit)));
        FitOptions averaging = new FitOptions().epochs(1).batchSize(8).seed(9);
        assertArrayEquals(parameters(train(lenetAdam(), 2, 3, averaging)), parameters(train(lenetAdam(), 2, 3, averaging)));
    }

    @Test
    void aRoundComputesTheSameOnAnExecutorThatNeverSawTheRun() {
        // Dropout (masks seeded per round) and parameter averaging across an epoch boundary: replicas kept between
        // rounds, or rebuilt for every round (shuffles replayed) as when Spark moves or retries a task.
        TrainingSetup dropout = new CourseSetups.Lenet5(false, 0.3, 1e-3);
        FitOptions fit = new FitOptions().epochs(2).batchSize(16).seed(3);
        Trainer kept = trainer(dropout);
        new DataParallelFitter(sc, 2, 3, QUIET).fit(kept, dropout, TRAIN, fit);
        Trainer rebuilt = trainer(dropout);
        new DataParallelFitter(sc, 2, 3, QUIET).forgetReplicasEachRound().fit(rebuilt, dropout, TRAIN, fit);
        assertArrayEquals(parameters(kept), parameters(rebuilt));
    }

    @Test
    void oneWorkerTrainsExactlyAsTrainerFit() {
        // One worker's shard is the whole set in its order, shuffled with the fit's seed: the batches of Trainer.fit. A
        // worker steps on whole batches (its executor's cores split the kernels), as Trainer.fit does with one micro-batch.
        FitOptions fit = new FitOptions().epochs(1).batchSize(16).seed(4);
        Trainer local = trainer(lenetAdam()).microBatches(1);
        History expected = local.fit(DataSplits.rows(TRAIN, 0, TRAIN.size()), new FitOptions().epochs(1).batchSize(16).seed(4));
        for (int syncEvery : new int[] {1, 3}) {
            Trainer trainer = trainer(lenetAdam());
            History history = new DataParallelFitter(sc, 1, syncEvery, QUIET).fit(trainer, lenetAdam(), TRAIN, fit);
            assertArrayEquals(parameters(local), parameters(trainer), "sync every " + syncEvery);
            assertArrayEquals(expected.stepLosses(), history.stepLosses(), "sync every " + syncEvery);
            assertEquals(local.optimizer().steps(), trainer.optimizer().steps());
        }
    }

    @Test
    void parameterAveragingLearnsAndWritesTheEpochLogs() {
        Dataset validation = LocalSpark.images(60, 8);
        Trainer trainer = trainer(lenetAdam());
        History history = new DataParallelFitter(sc, 2, 4, QUIET).fit(trainer, lenetAdam(), TRAIN,
                new FitOptions().epochs(3).batchSize(8).seed(2).validation(validation));
        assertEquals(3, history.epochs().size());
        double[] losses = history.stepLosses();
        assertEquals(3 * 9, losses.length); // 65 samples per worker in batches of 8: 9 steps per epoch
        assertTrue(history.last().trainLoss() < history.epochs().get(0).trainLoss(), "train loss falls");
        assertTrue(history.last().validationAccuracy() > 0.3, "validation accuracy " + history.last().validationAccuracy());
    }

    @Test
    void anInterruptedRunResumesToTheWeightsOfAnUninterruptedOne(@TempDir Path dir) throws Exception {
        // Batch norm (running statistics averaged every round), dropout and Adam's moments: everything a checkpoint
        // must carry. Interrupted mid-epoch (at a round boundary) and resumed, for gradient and parameter averaging.
        Dataset validation = LocalSpark.images(40, 8);
        TrainingSetup setup = new CourseSetups.Lenet5(false, 0.2, 1e-3);
        for (int syncEvery : new int[] {1, 3}) {
            FitOptions fit = new FitOptions().epochs(2).batchSize(8).seed(5).validation(validation);
            Trainer reference = trainer(setup);
            History expected = new DataParallelFitter(sc, 2, syncEvery, QUIET).fit(reference, setup, TRAIN, fit);

            Path checkpoint = dir.resolve("checkpoint-" + syncEvery + ".safetensors");
            Trainer stopped = trainer(setup);
            Callback stopInSecondEpoch = new Callback() {
                @Override
                public void onBatchEnd(Trainer trainer, int epoch, int step, double loss, int batchSize) {
                    if (epoch == 1 && step == 4) {
                        trainer.interrupt();
                    }
                }
            };
            TrainingInterruptedException interrupted = assertThrows(TrainingInterruptedException.class,
                    () -> new DataParallelFitter(sc, 2, syncEvery, QUIET).fit(stopped, setup, TRAIN,
                            new FitOptions().epochs(2).batchSize(8).seed(5).validation(validation).checkpoint(checkpoint)
                                    .callback(stopInSecondEpoch)));
            assertEquals(1, interrupted.epoch(), "sync every " + syncEvery);
            assertEquals(0, interrupted.step() % syncEvery, "stops at a round's boundary: step " + interrupted.step());

            Trainer resumed = trainer(setup);
            History history = new DataParallelFitter(sc, 2, syncEvery, QUIET).fit(resumed, setup, TRAIN,
                    new FitOptions().epochs(2).batchSize(8).seed(5).validation(validation).checkpoint(checkpoint).resume(checkpoint));
            assertArrayEquals(parameters(reference), parameters(resumed), "sync every " + syncEvery);
            assertArrayEquals(expected.stepLosses(), history.stepLosses(), "sync every " + syncEvery);
            assertEquals(expected.last().validationLoss(), history.last().validationLoss(), "sync every " + syncEvery);
            assertEquals(reference.optimizer().steps(), resumed.optimizer().steps());
        }
    }

    @Test
    void aCheckpointIsRefusedByADataParallelRunWithOtherWorkersOrSyncInterval(@TempDir Path dir) {
        Path checkpoint = dir.resolve("checkpoint.safetensors");
        TrainingSetup setup = lenetAdam();
        new DataParallelFitter(sc, 2, 3, QUIET).fit(trainer(setup), setup, TRAIN, new FitOptions().epochs(1).batchSize(8).seed(5).checkpoint(checkpoint));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DataParallelFitter(sc, 2, 1, QUIET).fit(trainer(setup),
                setup, TRAIN, new FitOptions().epochs(2).batchSize(8).seed(5).resume(checkpoint)));
        assertTrue(e.getMessage().contains("2 workers synchronising every 3 steps") && e.getMessage().contains("--sync-every 1"), e.getMessage());
        IllegalArgumentException local = assertThrows(IllegalArgumentException.class,
                () -> trainer(setup).fit(TRAIN, new FitOptions().epochs(2).batchSize(8).seed(5).resume(checkpoint)));
        assertTrue(local.getMessage().contains("trained by spark data-parallel steps, this run takes local steps"), local.getMessage());
    }
}
