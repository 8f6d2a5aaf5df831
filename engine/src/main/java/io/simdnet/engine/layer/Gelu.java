package io.simdnet.engine.layer;

/**
 * GELU: exact x·Φ(x) with Φ the standard normal CDF (PyTorch's default), or the tanh approximation
 * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (PyTorch's {@code approximate="tanh"}).
 */
public final class Gelu extends ScalarActivation {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double TANH_CUBIC = 0.044715;
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    private final boolean tanhApproximation;

    /** The exact form. */
    public Gelu() {
        this(false);
    }

    public Gelu(boolean tanhApproximation) {
        this.tanhApproximation = tanhApproximation;
    }

    @Override
    public String typeName() {
        return tanhApproximation ? "GELU(tanh)" : "GELU";
    }

    @Override
    protected double value(double x) {
        if (tanhApproximation) {
            return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + TANH_CUBIC * x * x * x)));
        }
        return x * normalCdf(x);
    }

    @Override
    protected double derivative(double x, double y) {
        if (tanhApproximation) {
            double t = Math.tanh(SQRT_2_OVER_PI * (x + TANH_CUBIC * x * x * x));
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * TANH_CUBIC * x * x);
        }
        return normalCdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    }

    /** Φ(x) = (1 + erf(x/√2)) / 2, through erfc for negative x so small tails keep their precision. */
    static double normalCdf(double x) {
        double z = x / Math.sqrt(2);
        return z >= 0 ? 1 - 0.5 * erfc(z) : 0.5 * erfc(-z);
    }

    /**
     * erfc(z) for z ≥ 0 to about 1e-15 relative: the Maclaurin series of erf below 2.5 (its terms peak near
     * 10³ there, so cancellation costs at most three digits) and Laplace's continued fraction above.
     */
    static double erfc(double z) {
        if (z < 2.5) {
            double term = z;
            double sum = z;
            double z2 = z * z;
            for (int n = 1; n < 200; n++) {
                term *= -z2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        // erfc(z) = e^{-z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + ...))))), evaluated from the tail.
        double fraction = z;
        for (int k = 60; k >= 1; k--) {
            fraction = z + (k / 2.0) / fraction;
        }
        return Math.exp(-z * z) / (Math.sqrt(Math.PI) * fraction);
    }
}
