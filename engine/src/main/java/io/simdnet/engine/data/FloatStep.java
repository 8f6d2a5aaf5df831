package io.simdnet.engine.data;

import jdk.incubator.vector.FloatVector;

/**
 * A value map that is one float operation, x·operand or x / operand rounded to float (MNIST's division by 255,
 * {@link Transforms#scaled} on F32 data). Float multiplication and division round the same in a vector lane as in a
 * scalar, so a byte dataset whose only map is one of these can convert a batch's bytes a vector at a time instead of
 * a table lookup per value ({@link Uint8Dataset}), with the same floats.
 */
record FloatStep(Op op, float operand) implements Dataset.ValueMap {

    enum Op {
        MULTIPLY,
        DIVIDE
    }

    /** No change: x·1 is x for every float a byte can become. */
    static final FloatStep IDENTITY = new FloatStep(Op.MULTIPLY, 1f);

    static FloatStep multiply(float factor) {
        return new FloatStep(Op.MULTIPLY, factor);
    }

    static FloatStep divide(float divisor) {
        return new FloatStep(Op.DIVIDE, divisor);
    }

    @Override
    public double apply(int channel, double value) {
        float x = (float) value;
        return op == Op.MULTIPLY ? x * operand : x / operand;
    }

    FloatVector apply(FloatVector x) {
        return op == Op.MULTIPLY ? x.mul(operand) : x.div(operand);
    }
}
