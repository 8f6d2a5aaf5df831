package io.simdnet.engine.layout;

/**
 * Converters between simdnet's layouts (PyTorch's: NCHW activations, convolution weights (C_out, C_in, KH,
 * KW), a flatten of (C, H, W)) and Keras/TensorFlow's (NHWC activations, weights (KH, KW, C_in, C_out), a flatten
 * of (H, W, C)), for data and weights brought from either, in float and double. Each returns a new array; sizes
 * are checked against the array length. Every converter is one index permutation, applied by {@link #gather}.
 */
public final class LayoutConverters {

    private LayoutConverters() {
    }

    /** (N, H, W, C) → (N, C, H, W). */
    public static float[] nhwcToNchw(float[] nhwc, int n, int h, int w, int c) {
        return gather(nhwc, nhwcToNchwSources(nhwc.length, n, h, w, c));
    }

    /** (N, H, W, C) → (N, C, H, W). */
    public static double[] nhwcToNchw(double[] nhwc, int n, int h, int w, int c) {
        return gather(nhwc, nhwcToNchwSources(nhwc.length, n, h, w, c));
    }

    /** (N, C, H, W) → (N, H, W, C). */
    public static float[] nchwToNhwc(float[] nchw, int n, int c, int h, int w) {
        return gather(nchw, nchwToNhwcSources(nchw.length, n, c, h, w));
    }

    /** (N, C, H, W) → (N, H, W, C). */
    public static double[] nchwToNhwc(double[] nchw, int n, int c, int h, int w) {
        return gather(nchw, nchwToNhwcSources(nchw.length, n, c, h, w));
    }

    /** Keras convolution weights (KH, KW, C_in, C_out) → simdnet/PyTorch (C_out, C_in, KH, KW). */
    public static float[] kerasToTorchConvWeights(float[] hwio, int kh, int kw, int cin, int cout) {
        return gather(hwio, kerasToTorchConvSources(hwio.length, kh, kw, cin, cout));
    }

    /** Keras convolution weights (KH, KW, C_in, C_out) → simdnet/PyTorch (C_out, C_in, KH, KW). */
    public static double[] kerasToTorchConvWeights(double[] hwio, int kh, int kw, int cin, int cout) {
        return gather(hwio, kerasToTorchConvSources(hwio.length, kh, kw, cin, cout));
    }

    /** simdnet/PyTorch convolution weights (C_out, C_in, KH, KW) → Keras (KH, KW, C_in, C_out). */
    public static float[] torchToKerasConvWeights(float[] oihw, int cout, int cin, int kh, int kw) {
        return gather(oihw, torchToKerasConvSources(oihw.length, cout, cin, kh, kw));
    }

    /** simdnet/PyTorch convolution weights (C_out, C_in, KH, KW) → Keras (KH, KW, C_in, C_out). */
    public static double[] torchToKerasConvWeights(double[] oihw, int cout, int cin, int kh, int kw) {
        return gather(oihw, torchToKerasConvSources(oihw.length, cout, cin, kh, kw));
    }

    /**
     * The kernel (H·W·C, units) of a Keras {@code Dense} that follows {@code Flatten()} of NHWC activations, whose
     * rows run over (h, w, c), → the (C·H·W, units) weight of a simdnet {@code Dense} after a {@code Flatten} of NCHW
     * activations, rows over (c, h, w). Both keep (in, out), simdnet's memory layout; without this reordering the
     * converted network computes a silently different function.
     */
    public static float[] kerasFlattenDenseToNchw(float[] kernel, int h, int w, int c, int units) {
        return gather(kernel, flattenedRowSources(kernel.length, h, w, c, units, true));
    }

    /** {@link #kerasFlattenDenseToNchw(float[], int, int, int, int)} in double. */
    public static double[] kerasFlattenDenseToNchw(double[] kernel, int h, int w, int c, int units) {
        return gather(kernel, flattenedRowSources(kernel.length, h, w, c, units, true));
    }

    /** The inverse: rows over (c, h, w) → rows over (h, w, c), for a Keras model taking simdnet's weights. */
    public static float[] nchwFlattenDenseToKeras(float[] weight, int c, int h, int w, int units) {
        return gather(weight, flattenedRowSources(weight.length, h, w, c, units, false));
    }

    /** {@link #nchwFlattenDenseToKeras(float[], int, int, int, int)} in double. */
    public static double[] nchwFlattenDenseToKeras(double[] weight, int c, int h, int w, int units) {
        return gather(weight, flattenedRowSources(weight.length, h, w, c, units, false));
    }

    private static int[] nhwcToNchwSources(int length, int n, int h, int w, int c) {
        check("NHWC activations", length, n, h, w, c);
        int[] from = new int[length];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        from[((i * c + ch) * h + y) * w + x] = ((i * h + y) * w + x) * c + ch;
                    }
                }
            }
        }
        return from;
    }

    private static int[] nchwToNhwcSources(int length, int n, int c, int h, int w) {
        check("NCHW activations", length, n, c, h, w);
        int[] from = new int[length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        from[((i * h + y) * w + x) * c + ch] = ((i * c + ch) * h + y) * w + x;
                    }
                }
            }
        }
        return from;
    }

    private static int[] kerasToTorchConvSources(int length, int kh, int kw, int cin, int cout) {
        check("Keras (KH, KW, C_in, C_out) weights", length, kh, kw, cin, cout);
        int[] from = new int[length];
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                for (int ci = 0; ci < cin; ci++) {
                    for (int co = 0; co < cout; co++) {
                        from[((co * cin + ci) * kh + i) * kw + j] = ((i * kw + j) * cin + ci) * cout + co;
                    }
                }
            }
        }
        return from;
    }

    private static int[] torchToKerasConvSources(int length, int cout, int cin, int kh, int kw) {
        check("PyTorch (C_out, C_in, KH, KW) weights", length, cout, cin, kh, kw);
        int[] from = new int[length];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        from[((i * kw + j) * cin + ci) * cout + co] = ((co * cin + ci) * kh + i) * kw + j;
                    }
                }
            }
        }
        return from;
    }

    private static int[] flattenedRowSources(int length, int h, int w, int c, int units, boolean toNchw) {
        check(toNchw ? "Keras dense kernel after an NHWC flatten (H·W·C, units)" : "dense weight after an NCHW flatten (C·H·W, units)",
                length, h, w, c, units);
        int[] from = new int[length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    int hwc = (y * w + x) * c + ch;
                    int chw = (ch * h + y) * w + x;
                    int to = toNchw ? chw : hwc;
                    int source = toNchw ? hwc : chw;
                    for (int u = 0; u < units; u++) {
                        from[to * units + u] = source * units + u;
                    }
                }
            }
        }
        return from;
    }

    private static float[] gather(float[] source, int[] from) {
        float[] out = new float[from.length];
        for (int i = 0; i < from.length; i++) {
            out[i] = source[from[i]];
        }
        return out;
    }

    private static double[] gather(double[] source, int[] from) {
        double[] out = new double[from.length];
        for (int i = 0; i < from.length; i++) {
            out[i] = source[from[i]];
        }
        return out;
    }

    private static void check(String what, int length, int a, int b, int c, int d) {
        if (a <= 0 || b <= 0 || c <= 0 || d <= 0 || (long) a * b * c * d != length) {
            throw new IllegalArgumentException(what + ": shape (" + a + ", " + b + ", " + c + ", " + d + ") needs " + (long) a * b * c * d
                    + " elements, the array has " + length);
        }
    }
}
