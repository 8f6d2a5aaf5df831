package io.simdnet.engine.loss;

import io.simdnet.engine.tensor.Tensor;

/**
 * Squared error in one of two conventions: {@link #mean()} averages over every element (PyTorch's
 * {@code MSELoss}, Keras' {@code mean_squared_error}); {@link #halfSumPerSample()} is the course form
 * 1/(2N)·Σ_n ‖y_n − t_n‖², summed over each sample's features and halved.
 */
public final class MeanSquaredError implements Loss {

    private final boolean halfSum;

    private MeanSquaredError(boolean halfSum) {
        this.halfSum = halfSum;
    }

    public static MeanSquaredError mean() {
        return new MeanSquaredError(false);
    }

    public static MeanSquaredError halfSumPerSample() {
        return new MeanSquaredError(true);
    }

    @Override
    public double compute(Tensor output, Tensor target, Tensor gradient) {
        Targets.sameShape(name(), output, target);
        int size = output.size();
        double divisor = halfSum ? 2.0 * output.batch() : size;
        double total = 0;
        for (int i = 0; i < size; i++) {
            double d = output.get(i) - target.get(i);
            total += d * d;
            if (gradient != null) {
                gradient.set(i, 2 * d / divisor);
            }
        }
        return total / divisor;
    }

    @Override
    public String name() {
        return halfSum ? "half_sum_squared_error" : "mse";
    }
}
