package io.simdnet.kernel.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.kernel.DType;
import org.junit.jupiter.api.Test;

class Conv2dSpecTest {

    @Test
    void outputSizeFollowsTheFloorFormula() {
        Conv2dSpec cs231n = Conv2dSpec.of(DType.F32, 3, 31, 31, 25, 3, 3, 2, 1, true, false);
        assertEquals(16, cs231n.outHeight());
        assertEquals(16, cs231n.outWidth());
        assertEquals(27, cs231n.patchSize());
    }

    @Test
    void samePaddingKeepsTheSizeAtStrideOneAndPutsTheOddExtraBottomRight() {
        Conv2dSpec lenet = Conv2dSpec.same(DType.F32, 1, 28, 28, 6, 5, 5, 1, true, false);
        assertEquals(28, lenet.outHeight());
        assertEquals(2, lenet.padTop());
        Conv2dSpec even = Conv2dSpec.same(DType.F32, 1, 28, 28, 6, 4, 4, 1, true, false);
        assertEquals(1, even.padTop());
        assertEquals(2, even.padBottom());
        assertEquals(28, even.outWidth());
        Conv2dSpec strided = Conv2dSpec.same(DType.F32, 1, 7, 7, 1, 3, 3, 2, false, false);
        assertEquals(4, strided.outHeight());
    }

    @Test
    void keyParsesBackToAnEqualSpec() {
        Conv2dSpec spec = Conv2dSpec.same(DType.F64, 3, 17, 9, 5, 4, 2, 2, false, true);
        assertEquals(spec, KernelSpec.parse(spec.key()));
        assertEquals(spec, Conv2dSpec.parse("conv2d f64 c=3 h=17 w=9 oc=5 kh=4 kw=2 sh=2 padding=same bias=false relu=true"));
    }

    @Test
    void anEmptyOutputIsRejectedNamingSizeKernelStrideAndPadding() {
        var e = assertThrows(IllegalArgumentException.class, () -> Conv2dSpec.of(DType.F32, 1, 4, 4, 1, 5, 5, 1, 0, false, false));
        assertTrue(e.getMessage().contains("input 4×4") && e.getMessage().contains("kernel 5×5") && e.getMessage().contains("stride 1×1")
                && e.getMessage().contains("padding"), e.getMessage());
    }

    @Test
    void nonPositiveSizesAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> Conv2dSpec.parse("conv2d f32 c=0 h=4 w=4 oc=1 kh=1 kw=1"));
        assertTrue(e.getMessage().contains("input channels must be positive, got 0"), e.getMessage());
    }
}
