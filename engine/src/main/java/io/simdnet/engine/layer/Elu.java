package io.simdnet.engine.layer;

/** x for x > 0, else α·(eˣ − 1); α = 1 by default, as in PyTorch and Keras. */
public final class Elu extends ScalarActivation {

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

    @Override
    protected double value(double x) {
        return x > 0 ? x : alpha * Math.expm1(x);
    }

    /** For x ≤ 0 the derivative α·eˣ equals y + α. */
    @Override
    protected double derivative(double x, double y) {
        return x > 0 ? 1 : y + alpha;
    }
}
