package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.kernel.ElementwiseKernel;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;

/**
 * Inverted dropout: in training each element is zeroed with probability p and the survivors are scaled by
 * 1/(1 − p), so evaluation is the identity (and returns its input unchanged). The mask comes from the layer's
 * own random stream, drawn in element order on the calling thread: the same seed gives the same masks on any number
 * of threads. Applying the mask (forward) and routing the gradient through it (backward) are one vectorised product
 * each, split over the kernel pool.
 */
public final class Dropout extends Layer {

    private final double rate;
    private Rng rng;
    private BatchBuffer output;
    private BatchBuffer inputGradient;
    private BatchBuffer mask;
    private ElementwiseKernel kernel;
    private Tensor lastInput;
    private boolean lastTraining;

    public Dropout(double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("Dropout: rate = " + rate + ", expected 0 <= rate < 1");
        }
        this.rate = rate;
    }

    @Override
    protected Shape onBuild(Shape input, Rng random) {
        this.rng = random.split();
        output = new BatchBuffer(dtype(), input);
        inputGradient = new BatchBuffer(dtype(), input);
        mask = new BatchBuffer(dtype(), input);
        // Its own, not the original's through a replica's shallow copy: it holds the current call's arguments.
        kernel = new ElementwiseKernel();
        return input;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        lastInput = x;
        lastTraining = training && rate > 0;
        if (!lastTraining) {
            return x;
        }
        int n = x.batch();
        Tensor m = mask.get(n);
        double scale = 1 / (1 - rate);
        int size = m.size();
        if (m.floats() != null) {
            float[] values = m.floats();
            float kept = (float) scale;
            for (int i = 0; i < size; i++) {
                values[i] = rng.nextDouble() < rate ? 0f : kept;
            }
        } else {
            double[] values = m.doubles();
            for (int i = 0; i < size; i++) {
                values[i] = rng.nextDouble() < rate ? 0 : scale;
            }
        }
        Tensor y = output.get(n);
        kernel.multiply(x, m, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, boolean needInputGradient) {
        int n = lastInput.batch();
        checkGradient(dy, n);
        if (!needInputGradient) {
            return null;
        }
        if (!lastTraining) {
            return dy;
        }
        Tensor dx = inputGradient.get(n);
        kernel.multiply(dy, mask.get(n), dx);
        return dx;
    }

    @Override
    public Rng randomStream() {
        return rng;
    }

    public double rate() {
        return rate;
    }
}
