package io.simdnet.engine.layer;

import io.simdnet.engine.kernel.ParallelRange;

/**
 * An activation given by its scalar function and derivative, evaluated in double for both element types: for
 * the activations that are not on a hot path (ELU, GELU), where one definition beats hand-written float loops.
 */
public abstract class ScalarActivation extends Activation {

    /** A {@code Math.exp} per element, ~10 ns: worth splitting from a few thousand elements on. */
    @Override
    protected long elementFlops() {
        return 16 * ParallelRange.ELEMENT_FLOPS;
    }

    /** f(x). */
    protected abstract double value(double x);

    /** f'(x), given also y = f(x) for activations whose derivative is cheaper from it. */
    protected abstract double derivative(double x, double y);

    @Override
    protected final void forward(float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = (float) value(x[i]);
        }
    }

    @Override
    protected final void forward(double[] x, double[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = value(x[i]);
        }
    }

    @Override
    protected final void backward(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = (float) (dy[i] * derivative(x[i], y[i]));
        }
    }

    @Override
    protected final void backward(double[] x, double[] y, double[] dy, double[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = dy[i] * derivative(x[i], y[i]);
        }
    }
}
