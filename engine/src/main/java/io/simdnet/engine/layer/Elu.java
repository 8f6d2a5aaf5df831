package io.simdnet.engine.layer;

/** x for x > 0, else α·(eˣ − 1); α = 1 by default, as in PyTorch and Keras. */
public final class Elu extends Activation {

    private final double alpha;

    public Elu() {
        this(1.0);
    }

    public Elu(double alpha) {
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("ELU: alpha = " + alpha + ", expected a finite value > 0");
        }
        this.alpha = alpha;
    }

    @Override
    public String typeName() {
        return "ELU";
    }

    private double f(double x) {
        return x > 0 ? x : alpha * Math.expm1(x);
    }

    /** For x ≤ 0 the derivative α·eˣ equals y + α. */
    private double derivative(double x, double y) {
        return x > 0 ? 1 : y + alpha;
    }

    @Override
    protected void forward(float[] x, float[] y, int size) {
        for (int i = 0; i < size; i++) {
            y[i] = (float) f(x[i]);
        }
    }

    @Override
    protected void forward(double[] x, double[] y, int size) {
        for (int i = 0; i < size; i++) {
            y[i] = f(x[i]);
        }
    }

    @Override
    protected void backward(float[] x, float[] y, float[] dy, float[] dx, int size) {
        for (int i = 0; i < size; i++) {
            dx[i] = (float) (dy[i] * derivative(x[i], y[i]));
        }
    }

    @Override
    protected void backward(double[] x, double[] y, double[] dy, double[] dx, int size) {
        for (int i = 0; i < size; i++) {
            dx[i] = dy[i] * derivative(x[i], y[i]);
        }
    }
}
