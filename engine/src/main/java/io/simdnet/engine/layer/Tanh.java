package io.simdnet.engine.layer;

/** tanh(x); the derivative is 1 − y². */
public final class Tanh extends Activation {

    @Override
    protected void forward(float[] x, float[] y, int size) {
        for (int i = 0; i < size; i++) {
            y[i] = (float) Math.tanh(x[i]);
        }
    }

    @Override
    protected void forward(double[] x, double[] y, int size) {
        for (int i = 0; i < size; i++) {
            y[i] = Math.tanh(x[i]);
        }
    }

    @Override
    protected void backward(float[] x, float[] y, float[] dy, float[] dx, int size) {
        for (int i = 0; i < size; i++) {
            dx[i] = dy[i] * (1f - y[i] * y[i]);
        }
    }

    @Override
    protected void backward(double[] x, double[] y, double[] dy, double[] dx, int size) {
        for (int i = 0; i < size; i++) {
            dx[i] = dy[i] * (1 - y[i] * y[i]);
        }
    }
}
