package io.simdnet.spark;

import java.io.Serializable;
import java.util.Map;

/**
 * What the driver broadcasts to every worker for one synchronisation round: where in the epoch the round starts,
 * how many steps it takes, and the model as it stands (trainable parameters, running statistics and, for
 * parameter averaging, the optimiser's state and learning rate).
 *
 * @param averageGradients K = 1: each worker returns the gradient of one batch and the driver steps; else each
 *        worker takes {@code steps} optimiser steps and returns its parameters
 */
record RoundRequest(int epoch, int firstStep, int steps, boolean averageGradients, double learningRate, float[] parameters, float[] state,
        Map<String, float[]> optimizerState, long optimizerSteps) implements Serializable {

    private static final long serialVersionUID = 1L;
}
