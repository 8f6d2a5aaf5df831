package io.simdnet.engine.layer;

import io.simdnet.engine.kernel.ParallelRange;

/** 1 / (1 + e⁻ˣ); the derivative is y·(1 − y). */
public final class Sigmoid extends Activation {

    /** A {@code Math.exp} per element, ~10 ns: worth splitting from a few thousand elements on. */
    @Override
    protected long elementFlops() {
        return 16 * ParallelRange.ELEMENT_FLOPS;
    }

    /** 1 / (1 + e⁻ˣ) for any x (also what the logits form of the binary cross-entropy uses). */
    public static double sigmoid(double x) {
        // Two forms so that neither exponent overflows.
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    @Override
    protected void forward(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = (float) sigmoid(x[i]);
        }
    }

    @Override
    protected void forward(double[] x, double[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = sigmoid(x[i]);
        }
    }

    @Override
    protected void backward(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = dy[i] * y[i] * (1f - y[i]);
        }
    }

    @Override
    protected void backward(double[] x, double[] y, double[] dy, double[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = dy[i] * y[i] * (1 - y[i]);
        }
    }
}
