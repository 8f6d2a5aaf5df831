package io.simdnet.engine.kernel.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.codegen.gen.KernelVariants;
import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.codegen.plan.DirectConvTiling;
import io.simdnet.engine.kernel.KernelOrigin;
import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.MachineProfile;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dAlgorithm;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.DirectConvTiles;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.KernelSpec;
import io.simdnet.kernel.spec.Pool2dSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tuning one spec: every candidate measured, the winner recorded on disk and served, the record used by the next registry. */
class KernelTunerTest {

    @TempDir
    Path cache;

    private KernelRegistry registry(TuningMode mode) {
        return registry(mode, Duration.ofMillis(300));
    }

    /**
     * The tests that check every candidate was timed give the JIT room: a candidate still interpreted when warm-up
     * ends is rejected, which under a loaded machine (a build beside the tests) took more than 300 ms.
     */
    /**
     * Budget of the tests that need every candidate compiled by the JIT: 3 s was once not enough for C2 on a loaded
     * 2-core VM. The tuner also spends the budget's rest timing the candidates, so this costs the suite about 6 s.
     */
    private static final Duration EVERY_CANDIDATE_BUDGET = Duration.ofSeconds(8);

    private KernelRegistry registry(TuningMode mode, Duration budget) {
        return new KernelRegistry(new KernelRegistry.Options(true, true, cache, mode, budget, false));
    }

    @Test
    void tuningAGemmRecordsEveryCandidateAndServesTheWinner() throws Exception {
        GemmSpec spec = GemmSpec.of(DType.F32, GemmForm.NN, 57, 45, true, false);
        KernelRegistry registry = registry(TuningMode.EAGER, EVERY_CANDIDATE_BUDGET);
        TuningRecord record = registry.tuning().tune(spec, 20);
        assertNotNull(record);
        assertEquals(spec.key(), record.spec());
        assertEquals(KernelVariants.of(spec, 20).size(), record.candidates().size());
        for (TuningRecord.Candidate c : record.candidates()) {
            assertNull(c.rejected(), c.variant());
            assertTrue(c.totalMicros() > 0, c.variant());
        }
        assertEquals(KernelOrigin.TUNED, registry.origin(spec));
        assertEquals(record.winner(), registry.variant(spec).key());
        Path file = registry.tuning().recordFolder().resolve(MachineProfile.current().tuningProfile().folderName()).resolve(spec.className() + ".json");
        assertTrue(Files.isRegularFile(file), file.toString());
        assertEquals(record, TuningRecord.fromJson(Files.readString(file), file.toString()));

        KernelRegistry next = registry(TuningMode.LAZY);
        assertEquals(KernelOrigin.TUNED, next.origin(spec));
        assertEquals(record.winner(), next.variant(spec).key());
        assertTrue(next.tunable(spec).settled(), "a recorded spec needs no tuning");
    }

    @Test
    void theRecordsModeServesRecordsButNeverTunes() {
        GemmSpec recorded = GemmSpec.of(DType.F32, GemmForm.NN, 41, 37, false, false);
        TuningRecord record = registry(TuningMode.EAGER).tuning().tune(recorded, 12);
        KernelRegistry registry = registry(TuningMode.RECORDS);
        assertEquals(KernelOrigin.TUNED, registry.origin(recorded));
        assertEquals(record.winner(), registry.variant(recorded).key());
        GemmSpec unrecorded = GemmSpec.of(DType.F32, GemmForm.NN, 43, 39, false, false);
        TunableKernel tunable = registry.tunable(unrecorded);
        assertTrue(tunable.settled(), "the records mode does not tune");
        tunable.kernel(12);
        assertTrue(registry.origin(unrecorded) != KernelOrigin.TUNED);
        assertNull(registry.tuning().record(unrecorded));
    }

    @Test
    void theModeIsReadFromItsPropertyAndBadValuesAreNamed() {
        assertEquals(TuningMode.LAZY, TuningMode.parse("-Dsimdnet.tune", " Lazy "));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TuningMode.parse("-Dsimdnet.tune", "sometimes"));
        assertTrue(e.getMessage().contains("-Dsimdnet.tune = \"sometimes\"") && e.getMessage().contains("off, records, lazy or eager"), e.getMessage());
    }

    @Test
    void tuningOffIgnoresRecords() {
        GemmSpec spec = GemmSpec.of(DType.F32, GemmForm.NT, 33, 70, false, false);
        registry(TuningMode.EAGER).tuning().tune(spec, 16);
        KernelRegistry off = registry(TuningMode.OFF);
        assertEquals(spec, off.variant(spec));
        assertTrue(off.origin(spec) != KernelOrigin.TUNED);
    }

    @Test
    void tuningAConvolutionTimesEachPassOfEveryCandidate() {
        Conv2dSpec spec = Conv2dSpec.of(DType.F32, 3, 12, 12, 10, 3, 3, 1, 1, false, false);
        KernelRegistry registry = registry(TuningMode.EAGER, EVERY_CANDIDATE_BUDGET);
        TuningRecord record = registry.tuning().tune(spec, 4);
        assertNotNull(record);
        assertTrue(record.candidates().size() >= 3, record.candidates().toString());
        for (TuningRecord.Candidate c : record.candidates()) {
            assertNull(c.rejected(), c.variant());
            assertEquals(List.of("forward", "backward_data", "backward_weights"), List.copyOf(c.passMicros().keySet()), c.variant());
            assertTrue(c.passMicros().values().stream().allMatch(micros -> micros > 0), c.variant());
        }
        KernelSpec winner = KernelSpec.parse(record.winner());
        assertTrue(KernelVariants.isVariantOf(winner, spec), record.winner());
        assertEquals(winner, registry.variant(spec));
    }

    /** The cost model's tiles of {@code spec}, but the {@code rank}-th of pass {@code pass} (0 forward, 1 backward-data, 2 backward-weights). */
    private static Conv2dSpec retiled(Conv2dSpec spec, int pass, int rank) {
        Conv2dAlgorithmPlan plan = Conv2dAlgorithmPlan.of(spec);
        return spec.withTiles(DirectConvTiling.tilesOf(
                DirectConvTiling.rankedTiles(plan.forwardPass(), spec.target()).get(pass == 0 ? rank : 0),
                DirectConvTiling.rankedTiles(plan.backwardDataPass(), spec.target()).get(pass == 1 ? rank : 0),
                DirectConvTiling.rankedWeightsTiles(plan.forwardPass(), spec.target()).get(pass == 2 ? rank : 0)));
    }

    /** A candidate that took {@code micros} per pass in each of five rounds (no spread, so only the tie margin counts). */
    private static KernelTuner.Trial timed(KernelSpec spec, double... micros) {
        KernelTuner.Trial trial = new KernelTuner.Trial(spec, null, null);
        for (int round = 0; round < 5; round++) {
            trial.samples.add(micros.clone());
        }
        return trial;
    }

    @Test
    void aConvolutionTakesEachPassFromItsFastestTile() {
        Conv2dSpec model = Conv2dSpec.of(DType.F32, 3, 12, 12, 10, 3, 3, 1, 1, false, false);
        assertEquals(Conv2dAlgorithm.DIRECT, Conv2dAlgorithmPlan.of(model).algorithm());
        Conv2dSpec fastForward = retiled(model, 0, 1);
        Conv2dSpec fastData = retiled(model, 1, 1);
        Conv2dSpec fastWeights = retiled(model, 2, 1);
        // Each candidate is fastest at one pass and slowest at the others: the winner, never measured whole, combines them.
        KernelTuner.Choice choice = KernelTuner.bestDirect(List.of(timed(model, 10, 10, 10), timed(fastForward, 5, 20, 20),
                timed(fastData, 20, 6, 20), timed(fastWeights, 20, 20, 7)), 3);
        DirectConvTiles expected = DirectConvTiling.tilesOf(Conv2dAlgorithmPlan.of(fastForward).forwardPass(),
                Conv2dAlgorithmPlan.of(fastData).backwardDataPass(), Conv2dAlgorithmPlan.of(fastWeights).weightsTile());
        assertEquals(model.withTiles(expected), choice.spec());
        assertEquals(5 + 6 + 7, choice.micros(), 1e-9, "the winner's time is the sum of its passes' times");

        // A pass faster by less than the tie margin keeps the cost model's tile.
        KernelTuner.Choice close = KernelTuner.bestDirect(List.of(timed(model, 10, 10, 10),
                timed(fastForward, 10 * (1 - KernelTuner.TIE / 2), 20, 20), timed(fastData, 20, 6, 20)), 3);
        assertEquals(model.withTiles(DirectConvTiling.tilesOf(Conv2dAlgorithmPlan.of(model).forwardPass(),
                Conv2dAlgorithmPlan.of(fastData).backwardDataPass(), Conv2dAlgorithmPlan.of(model).weightsTile())), close.spec());
        assertEquals(10 + 6 + 10, close.micros(), 1e-9);
    }

    @Test
    void eagerTuningHappensOnTheFirstCallAndSettles() {
        GemmSpec spec = GemmSpec.of(DType.F32, GemmForm.TN, 24, 40, false, false);
        KernelRegistry registry = registry(TuningMode.EAGER);
        TunableKernel tunable = registry.tunable(spec);
        assertTrue(!tunable.settled());
        tunable.kernel(24);
        assertTrue(tunable.settled());
        assertEquals(KernelOrigin.TUNED, registry.origin(spec));
    }

    @Test
    void specsWithOneVariantAreNotTuned() {
        Pool2dSpec pool = Pool2dSpec.max(DType.F32, 4, 8, 8, 2, 2, 0);
        KernelRegistry registry = registry(TuningMode.EAGER);
        assertNull(registry.tuning().tune(pool, 8));
        assertTrue(registry.tunable(pool).settled());
        GemmSpec doubles = GemmSpec.of(DType.F64, GemmForm.NN, 10, 10, false, false);
        assertTrue(registry.tunable(doubles).settled(), "float64 specs are not tuned");
    }
}
