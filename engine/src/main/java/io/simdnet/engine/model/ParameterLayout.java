package io.simdnet.engine.model;

/**
 * The layout of a parameter tensor handed to or taken from a model. The two differ only for dense weights, which
 * simdnet keeps as (in, out) (Keras' kernel, the forward GEMM's operand) and PyTorch's {@code Linear.weight} holds
 * as (out, in); every other parameter is the same in both.
 */
public enum ParameterLayout {
    /** As the model holds it: dense weights (in, out). */
    SIMDNET,
    /** As PyTorch's state_dict holds it: dense weights (out, in). */
    PYTORCH
}
