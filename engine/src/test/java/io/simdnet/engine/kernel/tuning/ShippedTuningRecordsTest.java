package io.simdnet.engine.kernel.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.codegen.gen.GeneratorVersion;
import io.simdnet.codegen.gen.KernelVariants;
import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.kernel.generated.BuildTimeKernels;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.KernelSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The tuning records the jar ships: whole, made by this generator or one whose records still rank the variants alike, each
 * winner a variant of its spec and compiled into the jar.
 */
class ShippedTuningRecordsTest {

    private final List<TuningRecord> shipped = new TuningRecords(null, true).shipped();

    @Test
    void everyShippedRecordIsUsableByThisBuild() {
        Set<String> seen = new HashSet<>();
        for (TuningRecord r : shipped) {
            String where = r.spec() + " on " + r.profile();
            int generator = r.profile().generatorVersion();
            assertTrue(generator >= GeneratorVersion.TUNING_COMPATIBLE_SINCE && generator <= GeneratorVersion.VERSION,
                    where + ": made by generator " + generator + ", expected " + GeneratorVersion.TUNING_COMPATIBLE_SINCE + " to " + GeneratorVersion.VERSION
                            + "; run bench/ship-tuning-records on that machine again");
            assertTrue(seen.add(r.profile().cpuFamily() + "/" + r.profile().vectorBits() + "/" + r.profile().threads() + "/" + r.spec()),
                    "two shipped records for " + where);
            KernelSpec spec = KernelSpec.parse(r.spec());
            assertEquals(r.spec(), spec.key(), where);
            assertNull(TuningRecords.problem(r, spec, r.profile(), true), where);
            KernelSpec winner = KernelSpec.parse(r.winner());
            assertTrue(KernelVariants.isVariantOf(winner, spec), where + ": winner " + r.winner());
            if (winner instanceof Conv2dSpec conv) {
                assertNotNull(Conv2dAlgorithmPlan.of(conv), where);
            }
            assertEquals(r.candidates().getFirst().variant(), r.spec(), where + ": the first candidate is the default");
        }
    }

    @Test
    void everyShippedWinnerIsCompiledIntoTheJar() {
        KernelRegistry registry = new KernelRegistry(new KernelRegistry.Options(true, false, null));
        for (TuningRecord r : shipped) {
            if (!r.winner().equals(r.spec())) {
                assertNotNull(BuildTimeKernels.create(r.winner(), registry),
                        "the winner of " + r.spec() + " is not in the catalog: run bench/ship-tuning-records again (" + r.winner() + ")");
            }
        }
    }
}
