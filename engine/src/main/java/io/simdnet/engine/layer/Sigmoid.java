package io.simdnet.engine.layer;

/** 1 / (1 + e⁻ˣ); the derivative is y·(1 − y). */
public final class Sigmoid extends Activation {

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
    protected void forward(float[] x, float[] y, int size) {
        for (int i = 0; i < size; i++) {
            y[i] = (float) sigmoid(x[i]);
        }
    }

    @Override
    protected void forward(double[] x, double[] y, int size) {
        for (int i = 0; i < size; i++) {
            y[i] = sigmoid(x[i]);
        }
    }

    @Override
    protected void backward(float[] x, float[] y, float[] dy, float[] dx, int size) {
        for (int i = 0; i < size; i++) {
            dx[i] = dy[i] * y[i] * (1f - y[i]);
        }
    }

    @Override
    protected void backward(double[] x, double[] y, double[] dy, double[] dx, int size) {
        for (int i = 0; i < size; i++) {
            dx[i] = dy[i] * y[i] * (1 - y[i]);
        }
    }
}
