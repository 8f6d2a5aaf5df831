package io.simdnet.engine.layer;

/** x for x > 0, else slope·x. The default slope is PyTorch's 0.01 (Keras uses 0.3: pass it). */
public final class LeakyRelu extends Activation {

    private final double slope;

    public LeakyRelu() {
        this(0.01);
    }

    public LeakyRelu(double slope) {
        if (!(slope >= 0) || !Double.isFinite(slope)) {
            throw new IllegalArgumentException("LeakyReLU: slope = " + slope + ", expected a finite value >= 0");
        }
        this.slope = slope;
    }

    @Override
    public String typeName() {
        return "LeakyReLU";
    }

    @Override
    protected void forward(float[] x, float[] y, int from, int to) {
        float a = (float) slope;
        for (int i = from; i < to; i++) {
            y[i] = x[i] > 0f ? x[i] : a * x[i];
        }
    }

    @Override
    protected void forward(double[] x, double[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = x[i] > 0 ? x[i] : slope * x[i];
        }
    }

    @Override
    protected void backward(float[] x, float[] y, float[] dy, float[] dx, int from, int to) {
        float a = (float) slope;
        for (int i = from; i < to; i++) {
            dx[i] = x[i] > 0f ? dy[i] : a * dy[i];
        }
    }

    @Override
    protected void backward(double[] x, double[] y, double[] dy, double[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            dx[i] = x[i] > 0 ? dy[i] : slope * dy[i];
        }
    }
}
