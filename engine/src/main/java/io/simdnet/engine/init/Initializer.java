package io.simdnet.engine.init;

/**
 * How a parameter tensor starts. {@code fanIn} and {@code fanOut} are the inputs and outputs each weight
 * connects (for a dense layer in × out; for a convolution C_in·KH·KW and C_out·KH·KW), as Keras and PyTorch
 * count them.
 */
public sealed interface Initializer {

    /** Fills {@code values} from {@code rng}. */
    void fill(float[] values, int fanIn, int fanOut, Rng rng);

    /** All zeros (biases, by default). */
    record Zeros() implements Initializer {
        @Override
        public void fill(float[] values, int fanIn, int fanOut, Rng rng) {
            java.util.Arrays.fill(values, 0f);
        }
    }

    /** Normal with mean 0 and standard deviation {@code std}. */
    record Normal(double std) implements Initializer {
        public Normal {
            if (!(std > 0)) {
                throw new IllegalArgumentException("Normal initializer: std = " + std + ", expected > 0");
            }
        }

        @Override
        public void fill(float[] values, int fanIn, int fanOut, Rng rng) {
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (rng.gaussian() * std);
            }
        }
    }

    /** Uniform in [−limit, limit). */
    record Uniform(double limit) implements Initializer {
        public Uniform {
            if (!(limit > 0)) {
                throw new IllegalArgumentException("Uniform initializer: limit = " + limit + ", expected > 0");
            }
        }

        @Override
        public void fill(float[] values, int fanIn, int fanOut, Rng rng) {
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) rng.uniform(-limit, limit);
            }
        }
    }

    /** Glorot/Xavier uniform: limit √(6 / (fanIn + fanOut)) (Keras' default for dense and convolution kernels). */
    record GlorotUniform() implements Initializer {
        @Override
        public void fill(float[] values, int fanIn, int fanOut, Rng rng) {
            new Uniform(Math.sqrt(6.0 / (requirePositive(fanIn, "fanIn") + requirePositive(fanOut, "fanOut")))).fill(values, fanIn, fanOut, rng);
        }
    }

    /** He/Kaiming normal: std √(2 / fanIn), for ReLU layers. */
    record HeNormal() implements Initializer {
        @Override
        public void fill(float[] values, int fanIn, int fanOut, Rng rng) {
            new Normal(Math.sqrt(2.0 / requirePositive(fanIn, "fanIn"))).fill(values, fanIn, fanOut, rng);
        }
    }

    /** LeCun normal: std √(1 / fanIn), for SELU-style and sigmoid layers. */
    record LeCunNormal() implements Initializer {
        @Override
        public void fill(float[] values, int fanIn, int fanOut, Rng rng) {
            new Normal(Math.sqrt(1.0 / requirePositive(fanIn, "fanIn"))).fill(values, fanIn, fanOut, rng);
        }
    }

    /** LeCun uniform: limit √(3 / fanIn). */
    record LeCunUniform() implements Initializer {
        @Override
        public void fill(float[] values, int fanIn, int fanOut, Rng rng) {
            new Uniform(Math.sqrt(3.0 / requirePositive(fanIn, "fanIn"))).fill(values, fanIn, fanOut, rng);
        }
    }

    private static int requirePositive(int fan, String name) {
        if (fan <= 0) {
            throw new IllegalArgumentException("initializer: " + name + " = " + fan + ", expected > 0");
        }
        return fan;
    }
}
