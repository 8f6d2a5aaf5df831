package io.simdnet.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LaneTransposeTest {

    static Stream<VectorSpecies<Float>> species() {
        return Stream.of(FloatVector.SPECIES_64, FloatVector.SPECIES_128, FloatVector.SPECIES_256, FloatVector.SPECIES_512);
    }

    /** The stages as the generated copies run them, from the largest distance down, on rows whose lanes are all distinct. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("species")
    void theStagesTransposeVRowsOfVLanes(VectorSpecies<Float> species) {
        int v = species.length();
        FloatVector[] rows = new FloatVector[v];
        for (int r = 0; r < v; r++) {
            float[] lanes = new float[v];
            for (int k = 0; k < v; k++) {
                lanes[k] = r * 100 + k;
            }
            rows[r] = FloatVector.fromArray(species, lanes, 0);
        }
        for (int d = v / 2; d >= 1; d /= 2) {
            for (int r = 0; r < v; r++) {
                if ((r & d) == 0) {
                    FloatVector low = rows[r].blend(rows[r + d].rearrange(LaneTranspose.swap(species, d)), LaneTranspose.upper(species, d));
                    FloatVector high = rows[r].rearrange(LaneTranspose.swap(species, d)).blend(rows[r + d], LaneTranspose.upper(species, d));
                    rows[r] = low;
                    rows[r + d] = high;
                }
            }
        }
        for (int r = 0; r < v; r++) {
            for (int k = 0; k < v; k++) {
                assertEquals(k * 100 + r, rows[r].lane(k), "row " + r + " lane " + k);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("species")
    void aStageThatIsNotABitOfALaneIndexIsRefused(VectorSpecies<Float> species) {
        int v = species.length();
        for (int distance : new int[] {0, 3, v, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LaneTranspose.swap(species, distance));
            assertTrue(e.getMessage().contains("distance " + distance) && e.getMessage().contains(v + " lanes"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> LaneTranspose.upper(species, distance));
        }
    }
}
