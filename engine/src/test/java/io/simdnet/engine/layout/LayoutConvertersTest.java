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
    void doubleConvertersPermuteExactlyAsTheFloatOnes() {
        float[] f = iota(120);
        double[] d = new double[120];
        for (int i = 0; i < 120; i++) {
            d[i] = i;
        }
        assertArrayEquals(toDouble(LayoutConverters.nhwcToNchw(f, 2, 3, 4, 5)), LayoutConverters.nhwcToNchw(d, 2, 3, 4, 5));
        assertArrayEquals(toDouble(LayoutConverters.nchwToNhwc(f, 2, 3, 4, 5)), LayoutConverters.nchwToNhwc(d, 2, 3, 4, 5));
        assertArrayEquals(toDouble(LayoutConverters.kerasToTorchConvWeights(f, 3, 2, 4, 5)), LayoutConverters.kerasToTorchConvWeights(d, 3, 2, 4, 5));
        assertArrayEquals(toDouble(LayoutConverters.torchToKerasConvWeights(f, 5, 4, 3, 2)), LayoutConverters.torchToKerasConvWeights(d, 5, 4, 3, 2));
        assertArrayEquals(toDouble(LayoutConverters.kerasFlattenDenseToNchw(f, 2, 3, 4, 5)), LayoutConverters.kerasFlattenDenseToNchw(d, 2, 3, 4, 5));
    }

    @Test
    void convertedDenseAfterFlattenComputesWhatKerasComputes() {
        int h = 3;
        int w = 2;
        int c = 4;
        int units = 5;
        java.util.Random random = new java.util.Random(3);
        double[] nhwc = random.doubles(h * w * c, -1, 1).toArray();
        double[] kernel = random.doubles(h * w * c * units, -1, 1).toArray();
        // Keras: Flatten of (H, W, C), then x·K.
        double[] keras = product(nhwc, kernel, units);
        // simdnet: the same image in NCHW, Flatten of (C, H, W), then x·W with W converted.
        double[] nchw = LayoutConverters.nhwcToNchw(nhwc, 1, h, w, c);
        double[] converted = LayoutConverters.kerasFlattenDenseToNchw(kernel, h, w, c, units);
        assertArrayEquals(keras, product(nchw, converted, units), 1e-12);
        assertTrue(Math.abs(keras[0] - product(nchw, kernel, units)[0]) > 1e-6, "without converting, the result differs");
        assertArrayEquals(kernel, LayoutConverters.nchwFlattenDenseToKeras(converted, c, h, w, units));
    }

    private static double[] product(double[] x, double[] weight, int units) {
        double[] y = new double[units];
        for (int i = 0; i < x.length; i++) {
            for (int u = 0; u < units; u++) {
                y[u] += x[i] * weight[i * units + u];
            }
        }
        return y;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    @Test
    void aShapeThatDoesNotMatchTheArrayIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> LayoutConverters.nhwcToNchw(new float[10], 1, 2, 2, 3));
        assertTrue(e.getMessage().contains("shape (1, 2, 2, 3) needs 12 elements, the array has 10"), e.getMessage());
    }
}
