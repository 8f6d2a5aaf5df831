package io.simdnet.kernel.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import org.junit.jupiter.api.Test;

class ReferenceGemmTest {

    private static final double[] A = {1, 2, 3, 4, 5, 6}; // 2×3
    private static final double[] B = {7, 8, 9, 10, 11, 12}; // 3×2
    private static final double[] PRODUCT = {58, 64, 139, 154};

    @Test
    void multipliesRowMajorMatricesAsWrittenByHand() {
        GemmSpec spec = GemmSpec.of(DType.F64, GemmForm.NN, 3, 2, false, false);
        assertArrayEquals(PRODUCT, ReferenceGemm.multiply(spec, 2, A, B, null, null));
    }

    @Test
    void transposedFormsReadTheTransposedStorage() {
        double[] aStoredKxM = {1, 4, 2, 5, 3, 6};
        double[] bStoredNxK = {7, 9, 11, 8, 10, 12};
        assertArrayEquals(PRODUCT, ReferenceGemm.multiply(GemmSpec.of(DType.F64, GemmForm.TN, 3, 2, false, false), 2, aStoredKxM, B, null, null));
        assertArrayEquals(PRODUCT, ReferenceGemm.multiply(GemmSpec.of(DType.F64, GemmForm.NT, 3, 2, false, false), 2, A, bStoredNxK, null, null));
    }

    @Test
    void biasIsAddedToEveryRowAndAccumulationAddsTheOldC() {
        GemmSpec spec = GemmSpec.of(DType.F64, GemmForm.NN, 3, 2, true, true);
        double[] c0 = {1, 1, -1, -1};
        assertArrayEquals(new double[] {58 + 100 + 1, 64 + 200 + 1, 139 + 100 - 1, 154 + 200 - 1},
                ReferenceGemm.multiply(spec, 2, A, B, new double[] {100, 200}, c0));
    }

    @Test
    void magnitudeSumsTheAbsoluteValuesOfEveryTerm() {
        GemmSpec spec = GemmSpec.of(DType.F64, GemmForm.NN, 2, 1, true, false);
        // C = 1·3 + (−2)·4 + (−5) = −10; Σ|terms| = 3 + 8 + 5.
        assertArrayEquals(new double[] {-10}, ReferenceGemm.multiply(spec, 1, new double[] {1, -2}, new double[] {3, 4}, new double[] {-5}, null));
        assertArrayEquals(new double[] {16}, ReferenceGemm.magnitude(spec, 1, new double[] {1, -2}, new double[] {3, 4}, new double[] {-5}, null));
    }
}
