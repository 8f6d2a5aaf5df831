package io.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SweepTrialTest {

    private static Dataset data(int count, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.zeros(DType.F32, count, 1, 28, 28);
        Tensor y = Tensor.zeros(DType.F32, count);
        for (int i = 0; i < count; i++) {
            y.set(i, rng.nextInt(10));
            for (int p = 0; p < 784; p++) {
                x.set(i * 784 + p, rng.nextDouble());
            }
        }
        return Dataset.of(x, y);
    }

    @Test
    void aTrialRunTwiceGivesTheSameMetricsBitForBitAndSerialises() throws Exception {
        SweepTrial trial = new SweepTrial(0, SweepModel.FASHION_MLP, 1e-3, 16, 0.3, 1e-4, 2, 3);
        Dataset train = data(64, 1);
        Dataset validation = data(16, 2);
        TrialResult first = trial.run(train, validation);
        TrialResult second = trial.run(train, validation);
        assertTrue(first.sameMetrics(second));
        assertEquals(2, first.validationAccuracy().length);
        assertEquals(8, first.stepLosses().length);
        // A result comes back from a Spark task serialised: what arrives must be the same result.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(first);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            TrialResult arrived = (TrialResult) in.readObject();
            assertTrue(first.sameMetrics(arrived), arrived.toString());
            assertEquals(first.seconds(), arrived.seconds());
        }
    }

    @Test
    void anInvalidCombinationFailsBeforeAnyTrialRuns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SweepTrial(0, SweepModel.LENET5, 1e-3, 32, 1.0, 0, 1, 3));
        assertTrue(e.getMessage().contains("dropout 1.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SweepModel.named("resnet"));
    }

    @Test
    void randomSearchDrawsWithinTheGivenRangesAndRepeatsForASeed() {
        SweepCommand sweep = new SweepCommand();
        new CommandLine(sweep).parseArgs("--random", "20", "--lrs", "1e-4,1e-2", "--dropouts", "0,0.5", "--batch-sizes", "32,128",
                "--weight-decays", "1e-5,1e-3");
        List<SweepTrial> trials = sweep.trials(SweepModel.FASHION_MLP, 2, 7);
        assertEquals(20, trials.size());
        for (SweepTrial t : trials) {
            assertTrue(t.learningRate() >= 1e-4 && t.learningRate() <= 1e-2, t.toString());
            assertTrue(t.dropout() >= 0 && t.dropout() <= 0.5, t.toString());
            assertTrue(t.batchSize() == 32 || t.batchSize() == 128, t.toString());
            assertTrue(t.weightDecay() >= 1e-5 && t.weightDecay() <= 1e-3, t.toString());
        }
        assertEquals(trials, sweep.trials(SweepModel.FASHION_MLP, 2, 7));
        assertFalse(trials.equals(sweep.trials(SweepModel.FASHION_MLP, 2, 8)));
    }

    @Test
    void labelsWriteGridValuesAsBeforeAndRandomDrawsWithThreeDigits() {
        assertEquals("lr 3e-04, batch 64, dropout 0.3, wd 0e+00", new SweepTrial(0, SweepModel.FASHION_MLP, 3e-4, 64, 0.3, 0, 1, 1).label());
        assertEquals("lr 3.47e-04, batch 64, dropout 0.234, wd 1.23e-05",
                new SweepTrial(0, SweepModel.FASHION_MLP, 3.4712e-4, 64, 0.23449, 1.2345e-5, 1, 1).label());
    }

    @Test
    void epochCountsAreAGridDimensionAndTheTableShowsThemOnlyWhenTheyVary(@TempDir Path dir) throws Exception {
        SweepCommand sweep = new SweepCommand();
        new CommandLine(sweep).parseArgs("--lrs", "1e-3", "--batch-sizes", "32", "--dropouts", "0", "--epoch-counts", "1,2");
        List<SweepTrial> trials = sweep.trials(SweepModel.FASHION_MLP, 5, 42);
        assertEquals(List.of(1, 2), trials.stream().map(SweepTrial::epochs).toList());
        Dataset train = data(48, 1);
        Dataset validation = data(16, 2);
        List<TrialResult> results = trials.stream().map(t -> t.run(train, validation)).toList();
        RunFolder varied = RunFolder.create(dir, "varied");
        String table = SweepReport.write(results, "test data", varied, true);
        assertTrue(table.startsWith("| learning rate | batch | dropout | weight decay | epochs |"), table);
        assertTrue(Files.readString(varied.path("sweep.csv")).startsWith("learning_rate,batch_size,dropout,weight_decay,epochs,best"));
        assertTrue(Files.isRegularFile(varied.path("trials/trial-1.csv")));
        RunFolder single = RunFolder.create(dir, "single");
        assertTrue(SweepReport.write(results.subList(0, 1), "test data", single, false)
                .startsWith("| learning rate | batch | dropout | weight decay | best val acc |"));
        assertFalse(Files.exists(single.path("trials")));
    }

    @Test
    void theGridNestsLearningRateThenBatchThenDropoutThenWeightDecay() {
        SweepCommand sweep = new SweepCommand();
        new CommandLine(sweep).parseArgs("--lrs", "1e-3,3e-3", "--batch-sizes", "32,64", "--dropouts", "0,0.3", "--weight-decays", "0,1e-4");
        List<SweepTrial> trials = sweep.trials(SweepModel.LENET5, 1, 42);
        // The last dimension changes fastest, as in nested loops for lr { for batch { for dropout { for weight decay } } }.
        List<String> expected = new ArrayList<>();
        for (double lr : new double[] {1e-3, 3e-3}) {
            for (int batch : new int[] {32, 64}) {
                for (double dropout : new double[] {0, 0.3}) {
                    for (double wd : new double[] {0, 1e-4}) {
                        expected.add(expected.size() + ": " + lr + " " + batch + " " + dropout + " " + wd);
                    }
                }
            }
        }
        assertEquals(expected, trials.stream().map(t -> t.index() + ": " + t.learningRate() + " " + t.batchSize() + " " + t.dropout() + " "
                + t.weightDecay()).toList());
    }
}
