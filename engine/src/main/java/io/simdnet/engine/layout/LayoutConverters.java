package io.simdnet.engine.layout;

/**
 * Converters between simdnet's layouts (PyTorch's: NCHW activations, convolution weights (C_out, C_in, KH,
 * KW)) and Keras/TensorFlow's (NHWC activations, weights (KH, KW, C_in, C_out)), for data and weights brought
 * from either. Each returns a new array; sizes are checked against the array length.
 */
public final class LayoutConverters {

    private LayoutConverters() {
    }

    /** (N, H, W, C) → (N, C, H, W). */
    public static float[] nhwcToNchw(float[] nhwc, int n, int h, int w, int c) {
        check("NHWC activations", nhwc.length, n, h, w, c);
        float[] nchw = new float[nhwc.length];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        nchw[((i * c + ch) * h + y) * w + x] = nhwc[((i * h + y) * w + x) * c + ch];
                    }
                }
            }
        }
        return nchw;
    }

    /** (N, C, H, W) → (N, H, W, C). */
    public static float[] nchwToNhwc(float[] nchw, int n, int c, int h, int w) {
        check("NCHW activations", nchw.length, n, c, h, w);
        float[] nhwc = new float[nchw.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        nhwc[((i * h + y) * w + x) * c + ch] = nchw[((i * c + ch) * h + y) * w + x];
                    }
                }
            }
        }
        return nhwc;
    }

    /** Keras convolution weights (KH, KW, C_in, C_out) → simdnet/PyTorch (C_out, C_in, KH, KW). */
    public static float[] kerasToTorchConvWeights(float[] hwio, int kh, int kw, int cin, int cout) {
        check("Keras (KH, KW, C_in, C_out) weights", hwio.length, kh, kw, cin, cout);
        float[] oihw = new float[hwio.length];
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                for (int ci = 0; ci < cin; ci++) {
                    for (int co = 0; co < cout; co++) {
                        oihw[((co * cin + ci) * kh + i) * kw + j] = hwio[((i * kw + j) * cin + ci) * cout + co];
                    }
                }
            }
        }
        return oihw;
    }

    /** simdnet/PyTorch convolution weights (C_out, C_in, KH, KW) → Keras (KH, KW, C_in, C_out). */
    public static float[] torchToKerasConvWeights(float[] oihw, int cout, int cin, int kh, int kw) {
        check("PyTorch (C_out, C_in, KH, KW) weights", oihw.length, cout, cin, kh, kw);
        float[] hwio = new float[oihw.length];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        hwio[((i * kw + j) * cin + ci) * cout + co] = oihw[((co * cin + ci) * kh + i) * kw + j];
                    }
                }
            }
        }
        return hwio;
    }

    private static void check(String what, int length, int a, int b, int c, int d) {
        if (a <= 0 || b <= 0 || c <= 0 || d <= 0 || (long) a * b * c * d != length) {
            throw new IllegalArgumentException(what + ": shape (" + a + ", " + b + ", " + c + ", " + d + ") needs " + (long) a * b * c * d
                    + " elements, the array has " + length);
        }
    }
}
