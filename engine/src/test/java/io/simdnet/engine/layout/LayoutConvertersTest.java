package io.simdnet.engine.layout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LayoutConvertersTest {

    private static float[] iota(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    @Test
    void nhwcElementLandsAtItsNchwPlace() {
        // (n, h, w, c) = (2, 3, 4, 5): element (1, 2, 3, 4) of NHWC is element (1, 4, 2, 3) of NCHW.
        float[] nchw = LayoutConverters.nhwcToNchw(iota(120), 2, 3, 4, 5);
        assertEquals(((1 * 3 + 2) * 4 + 3) * 5 + 4, nchw[((1 * 5 + 4) * 3 + 2) * 4 + 3]);
    }

    @Test
    void activationConversionsRoundTrip() {
        float[] x = iota(2 * 3 * 4 * 5);
        assertArrayEquals(x, LayoutConverters.nchwToNhwc(LayoutConverters.nhwcToNchw(x, 2, 3, 4, 5), 2, 5, 3, 4));
    }

    @Test
    void kerasWeightElementLandsAtItsTorchPlace() {
        // (kh, kw, cin, cout) = (3, 2, 4, 5): Keras element (2, 1, 3, 4) is PyTorch element (4, 3, 2, 1).
        float[] oihw = LayoutConverters.kerasToTorchConvWeights(iota(120), 3, 2, 4, 5);
        assertEquals(((2 * 2 + 1) * 4 + 3) * 5 + 4, oihw[((4 * 4 + 3) * 3 + 2) * 2 + 1]);
        assertArrayEquals(iota(120), LayoutConverters.torchToKerasConvWeights(oihw, 5, 4, 3, 2));
    }

    @Test
    void aShapeThatDoesNotMatchTheArrayIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> LayoutConverters.nhwcToNchw(new float[10], 1, 2, 2, 3));
        assertTrue(e.getMessage().contains("shape (1, 2, 2, 3) needs 12 elements, the array has 10"), e.getMessage());
    }
}
