package io.simdnet.kernel.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.kernel.DType;
import org.junit.jupiter.api.Test;

class Pool2dSpecTest {

    @Test
    void outputSizeFollowsTheFloorFormulaForOverlappingWindows() {
        Pool2dSpec spec = Pool2dSpec.parse("pool2d f32 max c=64 h=16 w=16 k=3 s=2 pad=1");
        assertEquals(8, spec.outHeight());
        assertEquals(Pool2dSpec.parse("pool2d f32 max c=1 h=13 w=13 k=3 s=2").outWidth(), 6);
    }

    @Test
    void keyParsesBackToAnEqualSpec() {
        Pool2dSpec spec = new Pool2dSpec(DType.F64, Pool2dSpec.Kind.AVG, 3, 9, 7, 4, 2, 2, 1, 1, 1);
        assertEquals(spec, KernelSpec.parse(spec.key()));
    }

    @Test
    void globalAverageCoversTheWholeImage() {
        Pool2dSpec spec = Pool2dSpec.parse("pool2d f32 avg c=64 h=8 w=8 global=true");
        assertEquals(Pool2dSpec.globalAverage(DType.F32, 64, 8, 8), spec);
        assertEquals(1, spec.outHeight());
    }

    @Test
    void paddingBeyondHalfTheWindowIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> Pool2dSpec.parse("pool2d f32 max c=1 h=8 w=8 k=2 pad=2"));
        assertTrue(e.getMessage().contains("padding 2×2 must be between 0 and half the kernel 2×2"), e.getMessage());
    }
}
