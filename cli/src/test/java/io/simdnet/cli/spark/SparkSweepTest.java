package io.simdnet.cli.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.cli.SweepModel;
import io.simdnet.cli.SweepTrial;
import io.simdnet.cli.TrialResult;
import io.simdnet.engine.data.Dataset;
import io.simdnet.spark.LocalSpark;
import io.simdnet.spark.SparkSweep;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SparkSweepTest {

    private static JavaSparkContext sc;
    private static final Dataset TRAIN = LocalSpark.images(192, 1);
    private static final Dataset VALIDATION = LocalSpark.images(64, 2);
    private static final AtomicInteger KILLED = new AtomicInteger();

    @BeforeAll
    static void start() {
        sc = LocalSpark.open();
    }

    @AfterAll
    static void stop() {
        sc.close();
    }

    private static List<SweepTrial> grid() {
        List<SweepTrial> trials = new ArrayList<>();
        for (double lr : new double[] {1e-3, 3e-3}) {
            for (double dropout : new double[] {0, 0.3}) {
                trials.add(new SweepTrial(trials.size(), SweepModel.FASHION_MLP, lr, 32, dropout, 1e-4, 2, 7));
            }
        }
        trials.add(new SweepTrial(trials.size(), SweepModel.LENET5, 1e-3, 32, 0.2, 0, 1, 7));
        return trials;
    }

    private static List<TrialResult> local(List<SweepTrial> trials) {
        return trials.stream().map(t -> t.run(TRAIN, VALIDATION)).toList();
    }

    private static void assertSameMetrics(List<TrialResult> expected, List<TrialResult> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(expected.get(i).sameMetrics(actual.get(i)), "trial " + expected.get(i).trial().label() + " differs");
        }
    }

    @Test
    void sweepOnLocal2EqualsTheLocalSweepBitForBit() {
        List<SweepTrial> trials = grid();
        List<TrialResult> spark = new SparkSweep(sc).run(trials, TRAIN, VALIDATION);
        List<TrialResult> local = local(trials);
        assertSameMetrics(local, spark);
        assertTrue(spark.stream().allMatch(TrialResult::ok));
        assertEquals(2, spark.get(0).validationAccuracy().length);
    }

    @Test
    void aTrialThatThrowsIsReportedFailedWhileTheOthersFinish() {
        // Adam at lr 1e30 sends the weights to ~1e30 in one step; the next forward pass overflows and fit throws NonFiniteLossException.
        List<SweepTrial> trials = List.of(new SweepTrial(0, SweepModel.FASHION_MLP, 1e-3, 32, 0, 0, 1, 7),
                new SweepTrial(1, SweepModel.FASHION_MLP, 1e30, 32, 0, 0, 1, 7), new SweepTrial(2, SweepModel.FASHION_MLP, 3e-3, 32, 0, 0, 1, 7));
        List<TrialResult> results = new SparkSweep(sc).run(trials, TRAIN, VALIDATION);
        assertTrue(results.get(0).ok());
        assertTrue(results.get(2).ok());
        assertFalse(results.get(1).ok());
        assertTrue(results.get(1).failure().startsWith("NonFiniteLossException: Loss is"), results.get(1).failure());
        assertSameMetrics(local(List.of(trials.get(0), trials.get(2))), List.of(results.get(0), results.get(2)));
    }

    @Test
    void aTaskKilledOnceIsRetriedAndGivesTheSameResult() {
        List<SweepTrial> trials = grid().subList(0, 4);
        KILLED.set(0);
        List<TrialResult> results = new SparkSweep(sc).faultHook((trial, attempt) -> {
            if (trial.index() == 1 && attempt == 0) {
                KILLED.incrementAndGet();
                throw new IllegalStateException("test: task for trial 1 killed on its first attempt");
            }
        }).run(trials, TRAIN, VALIDATION);
        assertEquals(1, KILLED.get(), "the first attempt of trial 1 was killed once");
        assertTrue(results.stream().allMatch(TrialResult::ok));
        assertSameMetrics(local(trials), results);
    }
}
