package io.simdnet.engine.layer;

import io.simdnet.engine.kernel.ParallelRange;

/** tanh(x); the derivative is 1 − y². */
public final class Tanh extends Activation {

    /** A {@code Math.tanh} per element, ~10 ns: worth splitting from a few thousand elements on. */
    @Override
    protected long elementFlops() {
        return 16 * ParallelRange.ELEMENT_FLOPS;
    }

    @Override
    protected void forward(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = (float) Math.tanh(x[i]);
        }
    }

    @Override
    protected void forward(double[] x, double[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = Math.tanh(x[i]);
        }
    }

    @Override
    protected void backward(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = dy[i] * (1f - y[i] * y[i]);
        }
    }

    @Override
    protected void backward(double[] x, double[] y, double[] dy, double[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = dy[i] * (1 - y[i] * y[i]);
        }
    }
}
