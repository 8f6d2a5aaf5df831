package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;

/** (N, C, H, W) → (N, C·H·W) in NCHW order, as PyTorch's Flatten; a view, nothing is copied. */
public final class Flatten extends Layer {

    private Tensor lastInput;
    private Tensor lastOutput;
    private Tensor lastGradient;
    private Tensor lastInputGradient;

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        return Shape.of(input.size());
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        // The input is the previous layer's reused buffer, so the view is made once per batch size.
        if (x != lastInput) {
            lastInput = x;
            lastOutput = x.view(outputShape().withBatch(x.batch()));
        }
        return lastOutput;
    }

    @Override
    public Tensor backward(Tensor dy, boolean needInputGradient) {
        checkGradient(dy, lastInput.batch());
        if (!needInputGradient) {
            return null;
        }
        if (dy != lastGradient) {
            lastGradient = dy;
            lastInputGradient = dy.view(lastInput.shape());
        }
        return lastInputGradient;
    }
}
